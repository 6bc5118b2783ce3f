// Huge finite values (issue #11): the fit either succeeds with finite parameters or refuses the value
// naming its task, row and column; a prediction that is not finite is an error naming the row and
// column; a model with a non-finite number is never written.
import { wasmBackend } from '@hetmtl/backend-wasm';
import { fromTaskArrays, simulateFactor } from '@hetmtl/data';
import {
  countTensors,
  HetmtlError,
  NumericError,
  useBackend,
  ValidationError,
} from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DualEncoderRegressor } from './regressor.js';

const quick = { maxRounds: 2, stepsPerBlock: 5, numLambdas: 6 } as const;
const sim = simulateFactor({ seed: 4, numTasks: 4, n: 40, p: 6, testRows: 10 });

beforeAll(async () => {
  await useBackend(wasmBackend());
});

/** The training data with one value replaced: feature `column` (or the target) of task 2, row 5. */
function withValue(value: number, column: number | 'target') {
  const tasks = sim.train.tasks().map((t) => ({
    name: t.name,
    X: Float64Array.from(t.X),
    y: Float64Array.from(t.y),
  }));
  const t = tasks[1];
  if (column === 'target') t.y[4] = value;
  else t.X[4 * 6 + column] = value;
  return fromTaskArrays(tasks, { featureNames: [...sim.train.featureNames] });
}

async function errorOf(p: Promise<unknown>): Promise<HetmtlError | null> {
  try {
    await p;
    return null;
  } catch (e) {
    if (HetmtlError.isInstance(e)) return e;
    throw e;
  }
}

describe('huge finite values', () => {
  for (const [value, column] of [
    [1e160, 2],
    [1e308, 2],
    [-1e308, 0],
    [1e308, 'target'],
    [1e160, 'target'],
  ] as const) {
    it(`a ${value} in ${column === 'target' ? 'the target' : `feature x${column + 1}`}: a finite model or a refusal naming task, row, column`, async () => {
      const ds = withValue(value, column);
      const before = countTensors();
      const m = new DualEncoderRegressor({ seed: 1, ...quick });
      const e = await errorOf(m.fit(ds));
      if (e === null) {
        const json = JSON.stringify(m);
        const again = DualEncoderRegressor.fromJSON(json);
        for (const t of sim.test.tasks())
          expect(again.predict(t.X as Float64Array, { task: t.name }).every(Number.isFinite)).toBe(
            true,
          );
        again.dispose();
        m.dispose();
      } else {
        expect(ValidationError.isInstance(e)).toBe(true);
        expect(e.task).toBe(sim.train.taskNames[1]);
        expect(e.row).toBe(5);
        expect(e.column).toBe(column === 'target' ? sim.train.encoding.target : `x${column + 1}`);
        expect(e.received).toBe(String(value));
        expect(m.fitted).toBe(false);
      }
      expect(countTensors()).toBe(before);
    });
  }

  for (const kind of ['dual', 'linear'] as const) {
    it(`predict, evaluate and score refuse a row that makes the prediction non-finite (${kind} model)`, async () => {
      // With no posterior shift (δY = 0) the linear floor wins.
      const data =
        kind === 'dual'
          ? sim
          : simulateFactor({ seed: 4, numTasks: 4, n: 40, p: 6, testRows: 10, deltaY: 0 });
      const m = await new DualEncoderRegressor({
        seed: 1,
        ...quick,
        selection:
          kind === 'dual' ? { linearFloor: false, trunk: false } : { trunk: false, average: false },
      }).fit(data.train);
      expect(m.summary().kind).toBe(kind);
      const before = countTensors();
      const t = data.test.task(0);
      const X = Float64Array.from(t.X);
      X[1 * 6 + 3] = 1.7e308;
      let e: unknown;
      try {
        m.predict(X, { task: t.name });
      } catch (err) {
        e = err;
      }
      expect(ValidationError.isInstance(e)).toBe(true);
      expect((e as ValidationError).row).toBe(2);
      expect((e as ValidationError).column).toBe('x4');
      expect((e as ValidationError).task).toBe(t.name);
      const bad = fromTaskArrays(
        data.test.tasks().map((u, r) => ({ name: u.name, X: r === 0 ? X : u.X, y: u.y })),
        { featureNames: [...data.test.featureNames] },
      );
      expect(() => m.evaluate(bad)).toThrow(/row 2, column "x4"/);
      expect(() => m.score(bad)).toThrow(ValidationError);
      // A value that keeps the prediction finite but makes the error overflow.
      const big = Float64Array.from(t.X);
      big[3] = 1e200;
      const huge = fromTaskArrays(
        data.test.tasks().map((u, r) => ({ name: u.name, X: r === 0 ? big : u.X, y: u.y })),
        { featureNames: [...data.test.featureNames] },
      );
      let ev: unknown;
      try {
        ev = m.evaluate(huge);
      } catch (err) {
        ev = err;
      }
      if (HetmtlError.isInstance(ev)) expect((ev as ValidationError).row).toBe(1);
      else expect(Number.isFinite((ev as ReturnType<typeof m.evaluate>).overall.rmse)).toBe(true);
      expect(countTensors()).toBe(before);
      m.dispose();
    });
  }

  it('toJSON refuses to write a non-finite number, naming where it is', async () => {
    const m = await new DualEncoderRegressor({
      seed: 1,
      ...quick,
      selection: { linearFloor: false, trunk: false },
    }).fit(sim.train);
    // A corrupted state (as a NaN slipping through would leave it).
    const state = (
      m as unknown as { state: { model: { predictor: { state: { sd0: Float64Array } } } } }
    ).state;
    state.model.predictor.state.sd0[1] = Number.POSITIVE_INFINITY;
    expect(() => JSON.stringify(m)).toThrow(NumericError);
    expect(() => m.toJSON()).toThrow(/dual\.sd0\[1\]/);
    m.dispose();
  });
});
