import { cholesky, choleskySolve, matrix, NotPositiveDefiniteError, Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { knnPairs } from './fusion-graph.js';
import { minimumDegree, SparseBlockCholesky } from './sparse-cholesky.js';

/** blockdiag(D_v) + Σ_e w_e (e_a − e_b)(e_a − e_b)ᵀ ⊗ I_K as a dense matrix (the oracle's input). */
function dense(diag: Float64Array[], K: number, edges: [number, number][], w: number[]) {
  const n = diag.length * K;
  const H = new Float64Array(n * n);
  diag.forEach((D, v) => {
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++) H[(v * K + i) * n + v * K + j] = D[i * K + j];
  });
  edges.forEach(([a, b], e) => {
    for (let k = 0; k < K; k++) {
      const i = a * K + k;
      const j = b * K + k;
      H[i * n + i] = H[i * n + i] + w[e];
      H[j * n + j] = H[j * n + j] + w[e];
      H[i * n + j] = H[i * n + j] - w[e];
      H[j * n + i] = H[j * n + i] - w[e];
    }
  });
  return H;
}

function problem(seed: number, N: number, K: number, knn: number) {
  const rng = new Random(seed);
  const points = Array.from({ length: N }, () =>
    Float64Array.from({ length: K }, () => rng.normal()),
  );
  const edges = knnPairs(points, knn).map(([a, b]) => [a, b] as [number, number]);
  const w = edges.map(() => 0.1 + rng.uniform());
  const diag = Array.from({ length: N }, () => {
    const M = Float64Array.from({ length: K * K }, () => rng.normal());
    const D = new Float64Array(K * K);
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++) {
        let s = 0;
        for (let m = 0; m < K; m++) s += M[i * K + m] * M[j * K + m];
        D[i * K + j] = s * 1e-3 + (i === j ? 1e-3 : 0);
      }
    return D;
  });
  return { diag, edges, w, rhs: Float64Array.from({ length: N * K }, () => rng.normal()) };
}

describe('SparseBlockCholesky', () => {
  for (const [N, K, knn] of [
    [40, 4, 5],
    [200, 3, 5],
    [60, 1, 2],
    [35, 4, 40],
  ] as const) {
    it(`solves like the dense Cholesky (${N} nodes, K = ${K}, ${knn} neighbours)`, () => {
      const { diag, edges, w, rhs } = problem(N + K, N, K, knn);
      // Laplacian entries plus the diagonal blocks, transferred to the sparse builder's convention.
      const diagWithDegree = diag.map((D) => D.slice());
      edges.forEach(([a, b], e) => {
        for (let k = 0; k < K; k++) {
          (diagWithDegree[a] as Float64Array)[k * K + k] += w[e];
          (diagWithDegree[b] as Float64Array)[k * K + k] += w[e];
        }
      });
      const sparse = new SparseBlockCholesky(diagWithDegree, K, edges, w).solve(rhs);
      const deferred = new SparseBlockCholesky(diagWithDegree, K, edges, w, { deferred: true });
      let steps = 0;
      for (const _ of deferred.factorSteps()) steps++;
      expect(steps).toBeGreaterThan(0);
      expect(deferred.solve(rhs)).toEqual(sparse);
      const H = dense(diag, K, edges, w);
      const oracle = choleskySolve(cholesky(matrix(N * K, N * K, H)), rhs.slice());
      const scale = Math.max(...Array.from(oracle, Math.abs));
      for (let i = 0; i < N * K; i++)
        expect(Math.abs(sparse[i] - oracle[i])).toBeLessThan(1e-10 * scale);
    });
  }

  it('orders a star (the centre penalty) leaves first, with no fill', () => {
    const edges: [number, number][] = Array.from({ length: 50 }, (_, r) => [r, 50]);
    const { order, struct } = minimumDegree(51, edges);
    expect(order[50]).toBe(50);
    for (let j = 0; j < 50; j++) expect(Array.from(struct[j])).toEqual([50]);
  });

  it('refuses a matrix that is not positive definite', () => {
    const diag = Array.from({ length: 40 }, () => Float64Array.from([-1]));
    const edges: [number, number][] = Array.from({ length: 39 }, (_, r) => [r, r + 1]);
    expect(() => new SparseBlockCholesky(diag, 1, edges, new Array(39).fill(0))).toThrow(
      NotPositiveDefiniteError,
    );
  });
});
