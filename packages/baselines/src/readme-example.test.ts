// The README's example, run as written (with a smaller simulation).
import { cpuBackend } from '@hetmtl/backend-cpu';
import { simulateFactor } from '@hetmtl/data';
import { useBackend } from '@hetmtl/tensor';
import { expect, it } from 'vitest';
import { HardSharingRegressor, loadBaseline, RidgeRegressor } from './index.js';

it('runs the README example', async () => {
  const { train, test } = simulateFactor({ seed: 1, p: 20, n: 60, testRows: 50 });
  const ridge = await new RidgeRegressor({ mode: 'per-task', seed: 1 }).fit(train);
  expect(ridge.lambda).toBeGreaterThan(0);
  expect(ridge.evaluate(test).meanTaskRmse).toBeGreaterThan(0);
  await useBackend(cpuBackend());
  const hard = await new HardSharingRegressor({ hidden: [32], seed: 1, maxEpochs: 100 }).fit(train);
  const again = HardSharingRegressor.fromJSON(JSON.stringify(hard));
  const X = test.task(0).X as Float64Array;
  expect(Array.from(again.predict(X, { task: test.taskNames[0]! }))).toEqual(
    Array.from(hard.predict(X, { task: test.taskNames[0]! })),
  );
  expect(loadBaseline(JSON.stringify(ridge))).toBeInstanceOf(RidgeRegressor);
});
