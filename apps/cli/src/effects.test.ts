// fit --json: the saved model's per-feature effects (linear models), coefficients and λ path.
// Oracle: a model linear in x predicts atMean + Σ effect_j · (x_j − at_j); checked against
// `hetmtl predict` on every training row, for the linear floor and for the dual encoder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hetmtl, quickFit, scratchDir, simulateInto } from './test-fixtures/run.js';

const dir = scratchDir('effects');

beforeAll(() => simulateInto(dir, { n: 60, p: 20, seed: 3 }));

interface Effects {
  scale: string;
  features: string[];
  at: number[];
  tasks: { task: string; atMean: number; effects: number[] }[];
}

async function check(model: string, kind: 'linear' | 'dual', ...flags: string[]) {
  const r = await hetmtl(quickFit('train.csv', '--out', model, '--json', ...flags), { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  const saved = JSON.parse(r.stdout).savedModel;
  expect(saved.kind).toBe(kind);
  const e: Effects = saved.effects;
  expect(e.features).toEqual(Array.from({ length: 20 }, (_, j) => `x${j + 1}`));
  expect(saved.coefficients.taskNames).toEqual(e.tasks.map((t) => t.task));
  expect(saved.lambdaPath.length).toBeGreaterThan(1);
  for (const row of saved.lambdaPath) expect(typeof row.validationRmse).toBe('number');
  const p = await hetmtl(['predict', model, 'train.csv', '--out', `${model}.csv`], { cwd: dir });
  expect(p.code, p.stderr).toBe(0);
  const rows = readFileSync(join(dir, `${model}.csv`), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  let worst = 0;
  for (const line of rows) {
    const cells = line.split(',');
    const t = e.tasks.find((x) => x.task === cells[0]);
    if (!t) throw new Error(`no effects for ${cells[0]}`);
    const x = cells.slice(1, 21).map(Number);
    const linear = t.atMean + t.effects.reduce((s, b, j) => s + b * (x[j] - e.at[j]), 0);
    worst = Math.max(worst, Math.abs(linear - Number(cells.at(-1))));
  }
  expect(worst).toBeLessThan(1e-6);
}

describe('fit --json: per-feature effects of the saved model', () => {
  it('the linear floor: predictions are the effects times the features', () =>
    check('floor.json', 'linear'));
  it('the dual encoder with linear encoders: the same (W·β per task)', () =>
    check('dual.json', 'dual', '--no-linear-floor'));
  it('mlp encoders have none (their effects vary with x)', async () => {
    const r = await hetmtl(
      quickFit(
        'train.csv',
        '--out',
        'mlp.json',
        '--json',
        '--no-linear-floor',
        '--encoder',
        'mlp',
        '--hidden',
        '4',
      ),
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).savedModel.effects).toBeNull();
  });
});
