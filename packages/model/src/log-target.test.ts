// logTarget: the model fitted on log y, predictions exp of the fitted log. Oracle: the same model
// (same seed, same options) fitted on the log of the target by hand; the option survives a save.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { simulateFactor } from '@hetmtl/data';
import { useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DualEncoderRegressor } from './regressor.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

const quick = { maxRounds: 2, stepsPerBlock: 5, numLambdas: 6 } as const;

describe('logTarget', () => {
  it('predicts exp of the model fitted on log y, and keeps the option through toJSON / fromJSON', async () => {
    const sim = simulateFactor({ seed: 21, numTasks: 3, n: 40, p: 6, testRows: 10 });
    // A positive target whose log is the simulated one.
    const positive = sim.train.withTarget(
      sim.train.tasks().map((t) => Float64Array.from(t.y, (v) => Math.exp(v / 4))),
    );
    const onLog = sim.train.withTarget(
      sim.train.tasks().map((t) => Float64Array.from(t.y, (v) => v / 4)),
    );
    const logged = await new DualEncoderRegressor({ seed: 2, ...quick, logTarget: true }).fit(
      positive,
    );
    const byHand = await new DualEncoderRegressor({ seed: 2, ...quick }).fit(onLog);
    try {
      expect(logged.summary().kind).toBe(byHand.summary().kind);
      expect(logged.summary().lambda).toBe(byHand.summary().lambda);
      const back = DualEncoderRegressor.fromJSON(JSON.parse(JSON.stringify(logged)));
      expect(back.options.logTarget).toBe(true);
      for (const t of sim.test.tasks()) {
        const a = logged.predict(t.X, { task: t.name });
        const b = byHand.predict(t.X, { task: t.name });
        b.forEach((v, i) => expect(a[i]).toBeCloseTo(Math.exp(v), 10));
        expect(Array.from(back.predict(t.X, { task: t.name }))).toEqual(Array.from(a));
      }
      back.dispose();
      // addTask fits the new task's log target too: exp of the by-hand model's new task.
      const extra = simulateFactor({ seed: 22, numTasks: 1, n: 30, p: 6, testRows: 10 });
      const t = extra.train.task(0);
      logged.addTask('new', { X: t.X, y: Float64Array.from(t.y, (v) => Math.exp(v / 4)) });
      byHand.addTask('new', { X: t.X, y: Float64Array.from(t.y, (v) => v / 4) });
      const Xt = extra.test.task(0).X;
      const b = byHand.predict(Xt, { task: 'new' });
      logged
        .predict(Xt, { task: 'new' })
        .forEach((v, i) => expect(v).toBeCloseTo(Math.exp(b[i]), 10));
      expect(() =>
        logged.addTask('bad', { X: t.X, y: Float64Array.from(t.y, (_, i) => (i === 2 ? 0 : 1)) }),
      ).toThrow(/not positive, with the log target \(at task "bad", row 3\)/);
      // A default model's document has no logTarget key (documents written before it read the same).
      expect('logTarget' in byHand.toJSON().options).toBe(false);
    } finally {
      logged.dispose();
      byHand.dispose();
    }
  });

  it('refuses a target ≤ 0, naming its task and row', async () => {
    const sim = simulateFactor({ seed: 22, numTasks: 2, n: 20, p: 6, testRows: 1 });
    await expect(
      new DualEncoderRegressor({ ...quick, logTarget: true }).fit(sim.train),
    ).rejects.toThrow(/not positive, with the log target \(at task "task1", row \d+, column "y"\)/);
    expect(() => new DualEncoderRegressor({ logTarget: 'yes' as never })).toThrow(/logTarget/);
  });
});
