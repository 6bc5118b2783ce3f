// The coefficient problem of an identity encoder over many features (K0 = p > n_r): factored
// (A_r = L_rᵀL_r, L_r = M_r^{1/2}F_r/√n_r) instead of K0×K0. Oracle: the dense problem built from the
// same factors — the same A_r (L_rᵀL_r), and the same λ path (β, groups, BIC) through the regularizers.
import { lambdaPath, mcp, prepareFusion } from '@hetmtl/regularizers';
import { Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { buildCoefficientProblem } from './coefficient-block.js';

function factors(seed: number, sizes: readonly number[], K0: number, K1: number) {
  const rng = new Random(seed);
  const F = sizes.map((n) => rng.normals(n * K0));
  const G = sizes.map((n) => rng.normals(n * K1));
  const truth = [rng.normals(K0, 0, 0.2), rng.normals(K0, 0, 0.2)];
  const y = F.map((f, r) =>
    Float64Array.from({ length: sizes[r]! }, (_, i) => {
      let s = 0.5 * rng.normal();
      for (let k = 0; k < K0; k++) s += f[i * K0 + k]! * truth[r % 2]![k]!;
      return s;
    }),
  );
  return { F, G, y };
}

describe('the factored coefficient problem (K0 > n_r)', () => {
  it('has A_r = L_rᵀL_r of the dense A_r and the same residual terms', () => {
    const sizes = [9, 11, 10];
    const { F, G, y } = factors(1, sizes, 30, 2);
    const args = [F, G, y, [true, true, false], 30, 2, 1e-3, [0.3, 0.37, 0.33], true] as const;
    const dense = buildCoefficientProblem(...args, 'dense');
    const fact = buildCoefficientProblem(...args, 'auto', 1e-3);
    expect('factors' in fact.fusion).toBe(true);
    expect('A' in dense.fusion).toBe(true);
    const A = (dense.fusion as unknown as { A: { data: Float64Array }[] }).A;
    const L = (fact.fusion as unknown as { factors: { rows: number; data: Float64Array }[] })
      .factors;
    sizes.forEach((n, r) => {
      expect(L[r]!.rows).toBe(n);
      for (let j = 0; j < 30; j++)
        for (let k = 0; k < 30; k++) {
          let v = 0;
          for (let i = 0; i < n; i++) v += L[r]!.data[i * 30 + j]! * L[r]!.data[i * 30 + k]!;
          expect(v).toBeCloseTo(A[r]!.data[j * 30 + k]!, 12);
        }
      expect(Array.from(fact.fusion.b[r]!)).toEqual(Array.from(dense.fusion.b[r]!));
    });
  });

  it('gives the λ path of the dense problem: β to 1e-8, the same groups and BIC', async () => {
    const { F, G, y } = factors(2, [12, 10, 14, 11], 40, 1);
    const args = [
      F,
      G,
      y,
      [true, true, true, true],
      40,
      1,
      1e-3,
      [0.25, 0.2, 0.3, 0.25],
      true,
    ] as const;
    const paths = [];
    for (const form of ['dense', 'auto'] as const) {
      const cp = buildCoefficientProblem(...args, form, 1e-3);
      const prepared = prepareFusion(cp.fusion, mcp(), { ridge: 1e-3 });
      paths.push(await lambdaPath(prepared, { numLambdas: 6 }));
    }
    const [dense, fact] = paths as [
      Awaited<ReturnType<typeof lambdaPath>>,
      Awaited<ReturnType<typeof lambdaPath>>,
    ];
    // The grid comes from the unfused β (equal to rounding).
    fact.points.forEach((p, j) => {
      const want = dense.points[j]!.lambda;
      if (Number.isFinite(want))
        expect(Math.abs(p.lambda - want)).toBeLessThan(1e-10 * (want || 1));
      else expect(p.lambda).toBe(want);
    });
    dense.points.forEach((pt, j) => {
      const other = fact.points[j]!;
      expect(other.groups).toEqual(pt.groups);
      pt.beta.forEach((b, r) => {
        const scale = Math.max(1, ...Array.from(b, Math.abs));
        b.forEach((v, k) => expect(Math.abs(other.beta[r]![k]! - v)).toBeLessThan(1e-8 * scale));
      });
      expect(fact.bic(other, { taskParameters: 2 })).toBeCloseTo(
        dense.bic(pt, { taskParameters: 2 }),
        8,
      );
    });
  });

  it('many tasks of 3 rows (K0 = 4 > n_r, the knn graph): the dense problem’s path, β to 1e-10', async () => {
    // 60 tasks: the factored form goes through the block-sparse factor of the K0×K0 blocks
    // L_rᵀL_r (no Woodbury node or capacitance matrix), the dense form through the given A_r.
    const R = 60;
    const sizes = Array.from({ length: R }, () => 3);
    const { F, G, y } = factors(3, sizes, 4, 1);
    const args = [
      F,
      G,
      y,
      sizes.map(() => true),
      4,
      1,
      1e-3,
      sizes.map(() => 1 / R),
      true,
    ] as const;
    const paths = [];
    for (const form of ['dense', 'auto'] as const) {
      const cp = buildCoefficientProblem(...args, form, 1e-3);
      expect('factors' in cp.fusion).toBe(form === 'auto');
      const prepared = prepareFusion(cp.fusion, mcp(), { ridge: 1e-3 });
      expect(prepared.numPairs).toBeLessThan((R * (R - 1)) / 8);
      paths.push(await lambdaPath(prepared, { numLambdas: 5 }));
    }
    const [dense, fact] = paths as [
      Awaited<ReturnType<typeof lambdaPath>>,
      Awaited<ReturnType<typeof lambdaPath>>,
    ];
    expect(fact.prepared.pairs).toEqual(dense.prepared.pairs);
    expect(fact.points.length).toBe(dense.points.length);
    expect(new Set(dense.points.map((p) => p.numGroups)).size).toBeGreaterThan(1);
    dense.points.forEach((pt, j) => {
      const other = fact.points[j]!;
      if (Number.isFinite(pt.lambda))
        expect(Math.abs(other.lambda - pt.lambda)).toBeLessThanOrEqual(1e-12 * (pt.lambda || 1));
      else expect(other.lambda).toBe(pt.lambda);
      expect(other.groups).toEqual(pt.groups);
      pt.beta.forEach((b, r) => {
        b.forEach((v, k) => expect(Math.abs(other.beta[r]![k]! - v)).toBeLessThan(1e-10));
      });
    });
  });
});
