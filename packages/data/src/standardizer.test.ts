import { NotFittedError, SerializationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { simulateFactor } from './simulate-factor.js';
import { trainTestSplit } from './splits.js';
import { Standardizer } from './standardizer.js';
import { fromTaskArrays } from './task-arrays.js';

/** Oracle: mean and population sd of plain numbers, by the textbook formulas on arrays. */
function meanSd(values: readonly number[]): [number, number] {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  const v = values.reduce((a, b) => a + (b - m) * (b - m), 0) / values.length;
  return [m, Math.sqrt(v)];
}

function column(rows: readonly (readonly number[])[], j: number): number[] {
  return rows.map((r) => r[j]);
}

const A = [
  [1, 10, 5],
  [2, 20, 5],
  [4, 30, 5],
];
const B = [
  [8, -10, 5],
  [16, 0, 5],
];
const ds = fromTaskArrays(
  { a: { X: A, y: [1, 2, 6] }, b: { X: B, y: [10, 20] } },
  { featureNames: ['u', 'v', 'const'] },
);

describe('Standardizer (pooled, the default)', () => {
  const st = new Standardizer().fit(ds);

  it('learns pooled means and sds over all training rows (oracle: textbook formulas)', () => {
    const all = [...A, ...B];
    const sc = st.featureScaling();
    for (let j = 0; j < 2; j++) {
      const [m, s] = meanSd(column(all, j));
      expect(sc.mean[j]).toBeCloseTo(m, 12);
      expect(sc.scale[j]).toBeCloseTo(s, 12);
    }
    // A zero-variance column is centred and left unscaled.
    expect(sc.mean[2]).toBe(5);
    expect(sc.scale[2]).toBe(1);
    expect(st.constantFeatures).toEqual(['const']);
    const [ym, ys] = meanSd([1, 2, 6, 10, 20]);
    expect(st.targetScaling().mean).toBeCloseTo(ym, 12);
    expect(st.targetScaling().scale).toBeCloseTo(ys, 12);
  });

  it('transforms a dataset and inverts predictions', () => {
    const z = st.transform(ds);
    const all = [...A, ...B];
    const [m0, s0] = meanSd(column(all, 0));
    expect(z.task('b').X[0]).toBeCloseTo((8 - m0) / s0, 12);
    expect(z.task('b').X[2]).toBe(0);
    const back = st.inverseTransformY(z.task('a').y, 'a');
    expect(Array.from(back).map((v) => Number(v.toFixed(10)))).toEqual([1, 2, 6]);
    // Pooled statistics hold for any task name (a new task uses them too).
    expect(Array.from(st.transformY([3], 'new-task'))).toEqual(Array.from(st.transformY([3])));
    expect(Array.from(st.transformX([[1, 10, 5]]))).toEqual(
      Array.from(z.task('a').X.subarray(0, 3)),
    );
  });

  it('serialises: the JSON copy transforms identically', () => {
    const back = Standardizer.fromJSON(JSON.parse(JSON.stringify(st)));
    expect(back.toJSON()).toEqual(st.toJSON());
    expect(Array.from(back.transform(ds).task('b').X)).toEqual(
      Array.from(st.transform(ds).task('b').X),
    );
    expect(() =>
      Standardizer.fromJSON({
        ...st.toJSON(),
        features: { pooled: { mean: [0], scale: [1] }, perTask: null },
      }),
    ).toThrow(SerializationError);
    expect(() => Standardizer.fromJSON(null)).toThrow(
      'Not a fitted hetmtl standardizer: expected an object with kind "hetmtl/standardizer", received null. Pass the object returned by standardizer.toJSON() (or its JSON.parse)',
    );
  });

  it('refuses use before fit and mismatched features', () => {
    expect(() => new Standardizer().transformY([1])).toThrow(NotFittedError);
    const other = fromTaskArrays(
      { a: { X: [[1, 2, 3]], y: [1] } },
      { featureNames: ['u', 'w', 'const'] },
    );
    expect(() => st.transform(other)).toThrow(
      'Features differ from the fitted ones (at column "w"): expected the 3 fitted features "u", "v", "const", in the same order, received 3 features "u", "w", "const". Read the data with the training encoding (the encoding option of the adapters)',
    );
    expect(() => new Standardizer({ features: 'global' as never })).toThrow(
      'Invalid features option (at column "features"): expected "pooled", "per-task" or "none", received "global"',
    );
  });
});

describe('Standardizer (per task)', () => {
  it("uses each task's own statistics; a one-row task uses the pooled ones", () => {
    const withTiny = fromTaskArrays({
      a: { X: A, y: [1, 2, 6] },
      b: { X: B, y: [10, 20] },
      c: { X: [[3, 3, 3]], y: [0] },
    });
    const st = new Standardizer({ features: 'per-task', target: 'per-task' }).fit(withTiny);
    const [m, s] = meanSd(column(B, 0));
    expect(st.featureScaling('b').mean[0]).toBeCloseTo(m, 12);
    expect(st.featureScaling('b').scale[0]).toBeCloseTo(s, 12);
    const pooled = new Standardizer().fit(withTiny);
    expect(Array.from(st.featureScaling('c').mean)).toEqual(
      Array.from(pooled.featureScaling().mean),
    );
    const [ym, ys] = meanSd([10, 20]);
    expect(st.targetScaling('b')).toEqual({ mean: ym, scale: ys });
    expect(Array.from(st.inverseTransformY(st.transformY([12, 14], 'b'), 'b'))).toEqual([12, 14]);
    expect(() => st.transformY([1])).toThrow(
      'Task required: expected a task name: the target is standardised per task, received no task. Pass the task of the rows',
    );
    const back = Standardizer.fromJSON(JSON.parse(JSON.stringify(st)));
    expect(back.targetScaling('b')).toEqual(st.targetScaling('b'));
  });

  it('"none" leaves values as they are', () => {
    const st = new Standardizer({ features: 'none', target: 'none' }).fit(ds);
    expect(Array.from(st.transform(ds).task('a').X)).toEqual(A.flat());
    expect(Array.from(st.transformY([3, 4]))).toEqual([3, 4]);
  });
});

describe('fitted on training rows only', () => {
  it('the statistics are those of the training split, not of all rows', () => {
    const { train: all } = simulateFactor({ numTasks: 3, n: 40, p: 8, testRows: 1, seed: 5 });
    const { train, test } = trainTestSplit(all, { test: 0.3, seed: 2 });
    const st = new Standardizer().fit(train);
    const rows: number[][] = [];
    for (const t of train)
      for (let i = 0; i < t.n; i++) rows.push(Array.from(t.X.subarray(i * t.p, (i + 1) * t.p)));
    const [m] = meanSd(column(rows, 3));
    expect(st.featureScaling().mean[3]).toBeCloseTo(m, 12);
    const allMean = new Standardizer().fit(all).featureScaling().mean[3];
    expect(Math.abs(allMean - m)).toBeGreaterThan(1e-6);
    // Test rows are transformed with the training statistics.
    const zt = st.transform(test).task(0);
    const sc = st.featureScaling();
    expect(zt.X[3]).toBeCloseTo((test.task(0).X[3] - sc.mean[3]) / sc.scale[3], 12);
  });
});

describe('Standardizer on huge finite values (overflow-safe)', () => {
  /** Integer square root of a BigInt (Newton), for an exact reference. */
  function isqrt(n: bigint): bigint {
    if (n < 2n) return n;
    // Start above the root (2^ceil(bits/2)) and descend.
    let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
    for (;;) {
      const y = (x + n / x) / 2n;
      if (y >= x) return x;
      x = y;
    }
  }
  /** Exact population mean and sd of integer-valued doubles, with BigInt. */
  function exact(values: readonly number[]): [number, number] {
    const n = BigInt(values.length);
    const xs = values.map((v) => BigInt(v));
    const sum = xs.reduce((a, b) => a + b, 0n);
    // sd = sqrt(Σ(x − S/n)² / n) = sqrt(Σ(n·x − S)² / n) / n
    const ss = xs.reduce((a, x) => a + (n * x - sum) ** 2n, 0n);
    return [Number(sum) / Number(n), Number(isqrt(ss / n) / n)];
  }

  it('a column mixing 1e308, -1e308 and 1e160 gets a finite mean and scale and finite standardised values', () => {
    const col = [1e308, -1e308, 1e160, 1e308, 5];
    const big = fromTaskArrays({
      a: { X: col.slice(0, 3).map((v) => [v, 1]), y: [1e308, -1e308, 0] },
      b: { X: col.slice(3).map((v) => [v, 2]), y: [1, 2] },
    });
    const st = new Standardizer().fit(big);
    const sc = st.featureScaling();
    const [m, s] = exact(col);
    expect(Number.isFinite(sc.mean[0])).toBe(true);
    expect(Number.isFinite(sc.scale[0])).toBe(true);
    expect(Math.abs(sc.mean[0] / m - 1)).toBeLessThan(1e-14);
    expect(Math.abs(sc.scale[0] / s - 1)).toBeLessThan(1e-14);
    const [ym, ys] = exact([1e308, -1e308, 0, 1, 2]);
    const t = st.targetScaling();
    expect(Math.abs(t.mean - ym)).toBeLessThan(1e293); // ym = 0.6: the mean of ±1e308 cancels to rounding of 1e308
    expect(Math.abs(t.scale / ys - 1)).toBeLessThan(1e-14);
    const z = st.transform(big);
    for (const task of z.tasks()) {
      for (const v of task.X) expect(Number.isFinite(v)).toBe(true);
      for (const v of task.y) expect(Number.isFinite(v)).toBe(true);
    }
    // Standardised 1e308: (1e308 − m)/s computed with the exact m and s (scaled by 2^-1000 to stay finite).
    const k = 2 ** -1000;
    expect(z.task('a').X[0]).toBeCloseTo((1e308 * k - m * k) / (s * k), 12);
    // Each of 1e308 and -1e308 alone, and 1e160.
    for (const v of [1e308, -1e308, 1e160]) {
      const one = new Standardizer().fit(
        fromTaskArrays({ a: { X: [[v], [v / 2]], y: [v, v / 4] } }),
      );
      const f = one.featureScaling();
      expect(f.mean[0]).toBe(0.75 * v);
      expect(f.scale[0]).toBe(0.25 * Math.abs(v));
      // (v − 0.75v) / (0.25|v|) = sign(v); the target: mean 0.625v, sd 0.375|v|.
      const zx = one.transformX(new Float64Array([v, v / 2]));
      const zy = one.transformY([v, v / 4]);
      for (const [z, want] of [
        [zx[0], Math.sign(v)],
        [zx[1], -Math.sign(v)],
        [zy[0], Math.sign(v)],
        [zy[1], -Math.sign(v)],
      ] as const)
        expect(z).toBeCloseTo(want, 14);
      // A non-finite number would be written as null and the document could not be read back.
      const js = JSON.parse(JSON.stringify(one.toJSON()));
      for (const part of [js.features.pooled, js.target.pooled])
        for (const v of [...part.mean, ...part.scale]) expect(Number.isFinite(v)).toBe(true);
      expect(() => Standardizer.fromJSON(JSON.parse(JSON.stringify(one.toJSON())))).not.toThrow();
    }
  });

  it('a constant column of 1e308 is centred to 0, never NaN', () => {
    const st = new Standardizer().fit(fromTaskArrays({ a: { X: [[1e308], [1e308]], y: [1, 2] } }));
    expect(st.featureScaling().mean[0]).toBe(1e308);
    expect(st.featureScaling().scale[0]).toBe(1);
    expect(Array.from(st.transformX(new Float64Array([1e308])))).toEqual([0]);
  });

  it('ordinary data standardise bit for bit as the plain two-pass formulas', () => {
    const st = new Standardizer().fit(ds);
    const all = [...A, ...B];
    const [m, s] = meanSd(column(all, 0));
    // The plain formula in the same order: sums left to right, then deviations.
    expect(st.featureScaling().mean[0]).toBe(m);
    expect(st.featureScaling().scale[0]).toBe(s);
  });

  it('a value that cannot be represented after standardising is refused with task, row and column', () => {
    const st = new Standardizer().fit(
      fromTaskArrays({ a: { X: [[1e-300], [2e-300]], y: [1, 2] } }, { featureNames: ['tiny'] }),
    );
    expect(() => st.transformX(new Float64Array([0, 1e300]), 'a')).toThrow(
      /^Value too large to standardise \(at task "a", row 2, column "tiny"\): expected a value whose distance from the training mean 1\.5e-300 in units of the training scale 5e-301 is finite, received 1e\+300\. Check the value/,
    );
  });
});
