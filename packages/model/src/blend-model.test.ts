// Model averaging (selection.average) through the model: the blend predicts the weighted sum of
// its components, each of which is a model of its own (oracle: every component loaded alone from
// the blend's document, as a single-model document); it saves and loads bit for bit, refuses a
// corrupt blend naming the field, adds a task, and leaks no tensor.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { simulateFactor } from '@hetmtl/data';
import { countTensors, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DualEncoderRegressor } from './regressor.js';

const quick = { maxRounds: 3, stepsPerBlock: 5, numLambdas: 8 } as const;

// Weak task differences (δY = 0.3) keep the dual encoder and the linear floor within 3% on
// validation, so that both enter the average (the trunk and the μ = 0 dual are candidates too).
const close = { selection: { grid: { mu: [0] } } } as const;

/** Four tasks of a five-task factor design (the fifth for addTask), fitted to a blend. */
async function fitted() {
  const full = simulateFactor({ seed: 2, numTasks: 5, n: 60, p: 12, testRows: 30, deltaY: 0.3 });
  const first = full.train.taskNames.slice(0, 4);
  const m = new DualEncoderRegressor({ seed: 1, ...quick, ...close });
  await m.fit(full.train.selectTasks(first));
  return { m, full, first, test: full.test.selectTasks(first) };
}

beforeAll(async () => {
  await useBackend(cpuBackend());
});

describe('a blended model', () => {
  it('predicts Σ w_m f_m of its components, saves and loads exactly, leaks nothing', async () => {
    const before = countTensors();
    const { m, test: simTest } = await fitted();
    const sim = { test: simTest };
    expect(m.summary().kind).toBe('blend');
    const cands = m.candidates();
    const weights = cands.map((c) => c.weight ?? 0);
    expect(weights.filter((w) => w > 0).length).toBeGreaterThanOrEqual(2);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // The heaviest component is the chosen one.
    const heaviest = weights.indexOf(Math.max(...weights));
    expect(cands[heaviest]!.chosen).toBe(true);
    expect(cands.filter((c) => c.chosen)).toHaveLength(1);

    const doc = JSON.parse(JSON.stringify(m));
    expect(doc.kind).toBe('blend');
    expect(doc.dual).toBeNull();
    const parts = doc.blend.components as {
      weight: number;
      kind: string;
      dual: unknown;
      linear: unknown;
    }[];
    expect(parts.map((p) => p.weight)).toEqual(
      [...weights].filter((w) => w > 0).sort((a, b) => b - a),
    );
    const alone = parts.map((c) =>
      DualEncoderRegressor.fromJSON({
        ...doc,
        kind: c.kind,
        dual: c.dual,
        linear: c.linear,
        blend: undefined,
      }),
    );
    const loaded = DualEncoderRegressor.fromJSON(JSON.stringify(m));
    for (const t of sim.test.taskNames) {
      const X = sim.test.task(t).X as Float64Array;
      const got = m.predict(X, { task: t });
      const want = new Float64Array(got.length);
      alone.forEach((a, j) => {
        const p = a.predict(X, { task: t });
        for (let i = 0; i < p.length; i++) want[i] = want[i]! + parts[j]!.weight * p[i]!;
      });
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 10);
      expect(Array.from(loaded.predict(X, { task: t }))).toEqual(Array.from(got));
    }
    for (const a of alone) a.dispose();
    loaded.dispose();
    m.dispose();
    expect(countTensors()).toBe(before);
  });

  it('refuses a blend whose weights do not sum to 1 or that has one component, naming the field', async () => {
    const { m } = await fitted();
    const doc = JSON.parse(JSON.stringify(m));
    m.dispose();
    const off = structuredClone(doc);
    off.blend.components[0].weight = off.blend.components[0].weight / 2;
    expect(() => DualEncoderRegressor.fromJSON(off)).toThrow(/blend\.components/);
    const one = structuredClone(doc);
    one.blend.components = one.blend.components.slice(0, 1);
    expect(() => DualEncoderRegressor.fromJSON(one)).toThrow(/blend\.components/);
    const broken = structuredClone(doc);
    const c = broken.blend.components.find((x: { kind: string }) => x.kind === 'dual');
    expect(c).toBeDefined();
    c.dual.c = c.dual.c.slice(1);
    expect(() => DualEncoderRegressor.fromJSON(broken)).toThrow(/blend\.components\[\d\]\.dual\.c/);
  });

  it('adds a task to every component; the fitted tasks predict as before', async () => {
    const { m, full, first } = await fitted();
    expect(m.summary().kind).toBe('blend');
    const before = first.map((t) =>
      Array.from(m.predict(full.test.task(t).X as Float64Array, { task: t })),
    );
    const added = full.train.task(4);
    m.addTask(added.name, { X: added.X as Float64Array, y: added.y });
    first.forEach((t, i) =>
      expect(Array.from(m.predict(full.test.task(t).X as Float64Array, { task: t }))).toEqual(
        before[i],
      ),
    );
    const test = full.test.task(4);
    const pred = m.predict(test.X as Float64Array, { task: test.name });
    const mean = test.y.reduce((a, b) => a + b, 0) / test.n;
    const rmse = Math.sqrt(pred.reduce((s, v, i) => s + (v - test.y[i]!) ** 2, 0) / test.n);
    const sd = Math.sqrt(test.y.reduce((s, v) => s + (v - mean) ** 2, 0) / test.n);
    expect(rmse).toBeLessThan(0.8 * sd);
    const loaded = DualEncoderRegressor.fromJSON(JSON.stringify(m));
    expect(loaded.taskNames).toEqual(full.train.taskNames);
    loaded.dispose();
    m.dispose();
  });

  it("refit on the fit's own rows rebuilds the same blend (every component, the same weights)", async () => {
    const { m, full, first, test } = await fitted();
    const train = full.train.selectTasks(first);
    const before = test.taskNames.map((t) =>
      Array.from(m.predict(test.task(t).X as Float64Array, { task: t })),
    );
    const weights = m.candidates().map((c) => c.weight);
    await m.refit(train);
    expect(m.summary().kind).toBe('blend');
    expect(m.candidates().map((c) => c.weight)).toEqual(weights);
    test.taskNames.forEach((t, i) =>
      expect(Array.from(m.predict(test.task(t).X as Float64Array, { task: t }))).toEqual(before[i]),
    );
    m.dispose();
  });

  it('with selection.average false is one candidate, as before', async () => {
    const full = simulateFactor({ seed: 2, numTasks: 5, n: 60, p: 12, testRows: 30, deltaY: 0.3 });
    const m = new DualEncoderRegressor({ seed: 1, ...quick, selection: { average: false } });
    await m.fit(full.train.selectTasks(full.train.taskNames.slice(0, 4)));
    expect(m.summary().kind).not.toBe('blend');
    expect(m.candidates().every((c) => c.weight === undefined)).toBe(true);
    m.dispose();
  });
});
