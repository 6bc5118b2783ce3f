// refit(dataset): the chosen candidate fitted again without model selection. Oracle: refitting on
// the fit's own rows reproduces the fitted model bit for bit (the fit's own refit), for a dual and
// a linear-floor choice; on more rows, the preprocessing statistics are those of every row.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { type MultiTaskDataset, simulateFactor, trainTestSplit } from '@hetmtl/data';
import { mlp } from '@hetmtl/encoders';
import { countTensors, useBackend, ValidationError } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DualEncoderRegressor } from './regressor.js';

const quick = { maxRounds: 3, stepsPerBlock: 5, numLambdas: 8 } as const;

function predictions(m: DualEncoderRegressor, ds: MultiTaskDataset): number[] {
  return ds.taskNames.flatMap((name) => [
    ...m.predict(ds.task(name).X as Float64Array, { task: name }),
  ]);
}

/** Every target of the dataset, task after task. */
const targets = (ds: MultiTaskDataset) => ds.taskNames.flatMap((t) => [...ds.task(t).y]);

beforeAll(async () => {
  await useBackend(cpuBackend());
});

describe('DualEncoderRegressor.refit', () => {
  const sim = simulateFactor({ seed: 2, numTasks: 4, n: 50, p: 10, testRows: 20 });

  for (const [kind, options] of [
    // mlp encoders: their initial weights come from the stream, so the stream must be the fit's.
    [
      'dual',
      {
        seed: 4,
        ...quick,
        shared: mlp({ hidden: [8] }),
        specific: mlp({ hidden: [4] }),
        selection: { linearFloor: false, grid: { K0: [2] } },
      },
    ],
    ['linear', { seed: 4, ...quick, selection: { folds: 1 } }],
  ] as const) {
    it(`on the fit's own rows gives the fitted ${kind} model again (same candidate, same stream)`, async () => {
      const m = new DualEncoderRegressor(options);
      await m.fit(sim.train);
      if (kind === 'linear' && m.summary().kind !== 'linear') {
        // The floor is chosen on this draw; if a change of the method makes the dual win, say so.
        throw new Error(`expected the linear floor to be chosen, got ${m.summary().kind}`);
      }
      expect(m.summary().kind).toBe(kind);
      const before = predictions(m, sim.test);
      const candidates = m.candidates();
      const summary = m.summary();
      const tensors = countTensors();
      expect(await m.refit(sim.train)).toBe(m);
      expect(countTensors()).toBe(tensors);
      expect(predictions(m, sim.test)).toEqual(before);
      expect(m.summary()).toEqual(summary);
      expect(m.candidates()).toEqual(candidates);
      m.dispose();
    });
  }

  it('on every row: standardised with the statistics of every row, the candidates of the fit', async () => {
    const split = trainTestSplit(sim.train, { test: 0.2, seed: 1 });
    const m = new DualEncoderRegressor({ seed: 1, ...quick, selection: { linearFloor: false } });
    await m.fit(split.train);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const targetMean = () => m.toJSON().preprocessing.target.pooled.mean[0];
    expect(targetMean()).toBeCloseTo(mean(targets(split.train)), 10);
    const chosen = m.candidates().find((c) => c.chosen);
    await m.refit(sim.train);
    expect(targetMean()).toBeCloseTo(mean(targets(sim.train)), 10);
    expect(mean(targets(sim.train))).not.toBeCloseTo(mean(targets(split.train)), 6);
    expect(m.candidates().find((c) => c.chosen)).toEqual(chosen);
    m.dispose();
  });

  it('refuses other tasks or features, a model read from JSON, and refit: false', async () => {
    const m = new DualEncoderRegressor({ seed: 1, ...quick });
    await m.fit(sim.train);
    const fewer = simulateFactor({ seed: 2, numTasks: 3, n: 50, p: 10, testRows: 5 }).train;
    await expect(m.refit(fewer)).rejects.toThrow(/refit\(\) on other tasks than the fit/);
    const narrower = simulateFactor({ seed: 2, numTasks: 4, n: 50, p: 9, testRows: 5 }).train;
    await expect(m.refit(narrower)).rejects.toThrow(/refit\(\) on other features than the fit/);
    const loaded = DualEncoderRegressor.fromJSON(JSON.parse(JSON.stringify(m)));
    const e = await loaded.refit(sim.train).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).message).toMatch(/a model read by fromJSON/);
    const off = new DualEncoderRegressor({ seed: 1, ...quick, refit: false });
    await off.fit(sim.train);
    await expect(off.refit(sim.train)).rejects.toThrow(/refit: false/);
    for (const x of [m, loaded, off]) x.dispose();
  });
});
