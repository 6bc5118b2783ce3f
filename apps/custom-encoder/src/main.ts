#!/usr/bin/env node
// The plugin at work: fit the dual-encoder model with sparse linear encoders on wide,
// pathway-structured data, next to the built-in linear encoders; save the model, load it back
// through the encoder registry, and check that the predictions are identical.
//
//   pnpm --filter @hetmtl/custom-encoder build && node apps/custom-encoder/dist/main.js [--quick] [--out model.json]
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { type EncoderSpec, linear } from '@hetmtl/encoders';
import { DualEncoderRegressor } from '@hetmtl/model';
import { useBackend } from '@hetmtl/tensor';
import { simulatePathways } from './pathways.js';
import { effectiveWeights, sparseLinear, sparsity } from './sparse-linear.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : join(tmpdir(), 'hetmtl-sparse-model.json');

await useBackend(wasmBackend());
const seed = 1;
const data = simulatePathways({
  seed,
  ...(quick ? { p: 120, block: 8, n: 30, testRows: 60 } : {}),
});
console.log(
  `Pathway data: ${data.train.numTasks} tasks × ${data.train.sizes[0]} rows, ${data.train.numFeatures} genes (signal on ${quick ? 8 : 15}-gene pathways)\n`,
);

const fit = (encoder: EncoderSpec) =>
  new DualEncoderRegressor({
    shared: encoder,
    specific: encoder,
    seed,
    ...(quick ? { maxRounds: 3, numLambdas: 8 } : {}),
    // Compare the encoders themselves: leave the closed-form linear model out of model selection.
    selection: { linearFloor: false, trunk: false },
  }).fit(data.train);

const sparseSpec = sparseLinear({ l1: 100 });
const dense = await fit(linear());
const sparse = await fit(sparseSpec);
const rows = [
  ['linear()', dense.evaluate(data.test).meanTaskRmse, dense.summary().numGroups],
  [
    'sparseLinear({ l1: 100 })',
    sparse.evaluate(data.test).meanTaskRmse,
    sparse.summary().numGroups,
  ],
] as const;
console.log('encoders                   test RMSE (mean of tasks)  groups');
for (const [name, rmse, groups] of rows)
  console.log(`${name.padEnd(27)}${rmse.toFixed(4).padStart(25)}  ${groups}`);

const doc = sparse.toJSON();
const W = effectiveWeights(doc.dual?.shared.weights ?? {}, sparseSpec.config);
console.log(
  `\nShared encoder: ${(100 * sparsity(W, 1e-2)).toFixed(0)}% of the ${W.length} weights below 1% of the largest`,
);

// Save, then load through the registry: the saved spec names the kind, and fromJSON rebuilds the
// encoder with the plugin this module registered when it was imported.
writeFileSync(out, JSON.stringify(doc));
const again = DualEncoderRegressor.fromJSON(JSON.stringify(doc));
const same = data.test.taskNames.every((task) => {
  const X = data.test.task(task).X;
  const a = sparse.predict(X, { task });
  const b = again.predict(X, { task });
  return a.every((v, i) => v === b[i]);
});
console.log(`Saved to ${out}; loaded back: predictions ${same ? 'identical' : 'DIFFERENT'}`);
for (const m of [dense, sparse, again]) m.dispose();
process.exitCode = same ? 0 : 1;
