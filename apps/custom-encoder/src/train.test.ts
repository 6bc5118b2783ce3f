// Training the model with the plugin, and saving / loading it through the registry: in the same
// process, and in a fresh one (which must import the plugin before it loads the model).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { linear } from '@hetmtl/encoders';
import { DualEncoderRegressor } from '@hetmtl/model';
import { countTensors, useBackend } from '@hetmtl/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatePathways } from './pathways.js';
import { effectiveWeights, SPARSE_LINEAR_KIND, sparseLinear } from './sparse-linear.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = simulatePathways({ seed: 1, p: 120, block: 8, n: 30, testRows: 100 });
let model: DualEncoderRegressor;

beforeAll(async () => {
  await useBackend(wasmBackend());
  model = await new DualEncoderRegressor({
    shared: sparseLinear({ l1: 100 }),
    specific: sparseLinear({ l1: 100 }),
    seed: 1,
    maxRounds: 3,
    numLambdas: 8,
    selection: { linearFloor: false, trunk: false },
  }).fit(data.train);
});

afterAll(() => model?.dispose());

describe('DualEncoderRegressor with sparseLinear encoders', () => {
  it('fits and predicts every task', () => {
    expect(model.summary().kind).toBe('dual');
    const ev = model.evaluate(data.test);
    expect(Object.keys(ev.tasks)).toEqual(['type1', 'type2', 'type3', 'type4', 'type5']);
    // Far better than predicting the mean (R² > 0.5 on every task).
    for (const m of Object.values(ev.tasks)) expect(m.r2).toBeGreaterThan(0.5);
  });

  it('saves the plugin spec and its weights in the model document', () => {
    const doc = model.toJSON();
    expect(doc.dual?.shared.spec).toEqual(sparseLinear({ l1: 100 }));
    expect(doc.dual?.specific?.spec.kind).toBe(SPARSE_LINEAR_KIND);
    expect(Object.keys(doc.dual?.shared.weights ?? {}).sort()).toEqual([
      'shared/b0',
      'shared/u0',
      'shared/v0',
    ]);
    expect(effectiveWeights(doc.dual?.shared.weights ?? {}, { l1: 100 })).toHaveLength(120 * 4);
  });

  it('toJSON → JSON text → fromJSON rebuilds the encoders through the registry: identical predictions', () => {
    const before = countTensors();
    const again = DualEncoderRegressor.fromJSON(JSON.stringify(model));
    for (const task of data.test.taskNames) {
      const X = data.test.task(task).X;
      expect(again.predict(X, { task })).toEqual(model.predict(X, { task }));
    }
    expect(again.groups()).toEqual(model.groups());
    again.dispose();
    expect(countTensors()).toBe(before);
  });

  it('a document naming a kind nobody registered says how to register it', () => {
    const doc = JSON.parse(JSON.stringify(model));
    doc.dual.shared.spec.kind = 'someone-else:sparse';
    expect(() => DualEncoderRegressor.fromJSON(doc)).toThrow(
      /Unknown encoder kind "someone-else:sparse".*defineEncoder/,
    );
  });

  it('a fresh process loads the saved model once it imports the plugin (and not before)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-custom-encoder-'));
    const modelPath = join(dir, 'model.json');
    writeFileSync(modelPath, JSON.stringify(model));
    const task = 'type3';
    const X = Array.from(data.test.task(task).X.subarray(0, 120 * 3));
    const script = `
      import { readFileSync } from 'node:fs';
      import { useBackend } from '@hetmtl/tensor';
      import { wasmBackend } from '@hetmtl/backend-wasm';
      import { DualEncoderRegressor } from '@hetmtl/model';
      await useBackend(wasmBackend());
      if (process.argv[1] === 'with-plugin') await import(${JSON.stringify(join(appDir, 'dist/index.js'))});
      try {
        const m = DualEncoderRegressor.fromJSON(readFileSync(${JSON.stringify(modelPath)}, 'utf8'));
        console.log(JSON.stringify(Array.from(m.predict(new Float64Array(${JSON.stringify(X)}), { task: ${JSON.stringify(task)} }))));
      } catch (e) { console.log(e.message); }
    `;
    const run = (mode: string) =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script, mode], {
        cwd: appDir,
        encoding: 'utf8',
      });
    expect(run('without-plugin')).toMatch(
      /Unknown encoder kind "custom-encoder:sparse-linear".*import that package first/,
    );
    const got = JSON.parse(run('with-plugin'));
    expect(got).toEqual(Array.from(model.predict(new Float64Array(X), { task })));
  });

  it('on wide pathway data it beats the built-in linear encoders', async () => {
    const dense = await new DualEncoderRegressor({
      shared: linear(),
      specific: linear(),
      seed: 1,
      maxRounds: 3,
      numLambdas: 8,
      selection: { linearFloor: false, trunk: false },
    }).fit(data.train);
    const a = model.evaluate(data.test).meanTaskRmse;
    const b = dense.evaluate(data.test).meanTaskRmse;
    dense.dispose();
    // Measured with these quick settings on seeds 1–5: lower test RMSE on all five (1.03 vs 1.20
    // on this seed); with main.ts's full sizes, 3–5% lower on seeds 1–3.
    expect(a).toBeLessThan(b);
  });
});
