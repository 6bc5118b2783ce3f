// Many tasks with few rows each (m_r < K, the factored form) on a sparse graph: the ADMM matrix is
// factored block-sparse from the K×K blocks L_rᵀL_r instead of through Woodbury's dense node and
// capacitance matrices. Oracles: a dense brute-force solve of the system (Gaussian elimination in
// the test), the Woodbury system on the same matrix, and the dense-A form of the same problem.
import { gram, matrix, Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { connectedComponents } from './connected-components.js';
import { prepareFusion } from './fusion.js';
import { knnPairs, type TaskPair } from './fusion-graph.js';
import { graph } from './graph.js';
import { crossProducts, gramOf, WoodburySystem } from './low-rank.js';
import { mcp } from './mcp.js';
import { refitGroups } from './refit.js';
import type { FactoredFusionProblem, FusionProblem } from './problem.js';
import { minimumDegree, SparseBlockCholesky } from './sparse-cholesky.js';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** Solves H x = y by Gaussian elimination with partial pivoting (the brute-force oracle). */
function gaussSolve(H: Float64Array, y: Float64Array, n: number): Float64Array {
  const A = H.slice();
  const x = y.slice();
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[p * n + c]!)) p = r;
    for (let k = 0; k < n; k++) [A[c * n + k], A[p * n + k]] = [A[p * n + k]!, A[c * n + k]!];
    [x[c], x[p]] = [x[p]!, x[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! / A[c * n + c]!;
      for (let k = c; k < n; k++) A[r * n + k] = A[r * n + k]! - f * A[c * n + k]!;
      x[r] = x[r]! - f * x[c]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let k = r + 1; k < n; k++) s -= A[r * n + k]! * x[k]!;
    x[r] = s / A[r * n + r]!;
  }
  return x;
}

/** R tasks of m rows (m < K) in two clusters of β, in factored and dense form. */
function manyTasks(R: number, K: number, m: number, seed: number) {
  const rng = new Random(seed);
  const centres = [rng.normals(K), rng.normals(K, 3, 1)];
  const L = Array.from({ length: R }, () => rng.normals(m * K));
  const b = L.map((l, r) => {
    const beta = centres[r % 2]!.map((v) => v + 0.05 * rng.normal());
    const A = gram(l, m, K);
    return Float64Array.from({ length: K }, (_, i) => {
      let s = 0.01 * rng.normal();
      for (let j = 0; j < K; j++) s += A[i * K + j]! * beta[j]!;
      return s;
    });
  });
  const weights = L.map(() => 1 / R);
  const factored: FactoredFusionProblem = {
    factors: L.map((l) => matrix(m, K, l)),
    b,
    weights,
    n: L.map(() => m),
  };
  const dense: FusionProblem = {
    A: L.map((l) => matrix(K, K, gram(l, m, K))),
    b,
    weights,
    n: L.map(() => m),
  };
  return { L, b, weights, factored, dense };
}

/** A sparse connected graph: a ring plus chords r — r+7. */
function ringGraph(R: number): [number, number, number][] {
  const edges: [number, number, number][] = [];
  for (let r = 0; r < R; r++) edges.push([r, (r + 1) % R, 1 + (r % 3)]);
  for (let r = 0; r + 7 < R; r += 3) edges.push([r, r + 7, 0.5]);
  return edges;
}

describe('factored problems on a sparse graph (many tasks, few rows each)', () => {
  const R = 40;
  const K = 4;
  const m = 3;
  const ridge = 1e-2;

  it('gramOf is LᵀL', () => {
    const rng = new Random(3);
    const l = rng.normals(3 * 5);
    expect(maxDiff(gramOf({ L: l, m: 3 }, 5), gram(l, 3, 5))).toBeLessThan(1e-14);
  });

  it('the block-sparse factor of w_r L_rᵀL_r + ρI + Laplacian ⊗ I solves as Woodbury and brute force do', () => {
    const { L, weights } = manyTasks(R, K, m, 1);
    const rng = new Random(9);
    const pairs: TaskPair[] = ringGraph(R).map(([a, b]) => [Math.min(a, b), Math.max(a, b)]);
    const c = pairs.map(() => 0.3 + rng.uniform());
    const n = R * K;
    const H = new Float64Array(n * n);
    const M = new Float64Array(R * R);
    const diag = L.map((l, r) => {
      const D = gram(l, m, K).map((v) => weights[r]! * v);
      for (let k = 0; k < K; k++) D[k * K + k] = D[k * K + k]! + ridge;
      M[r * R + r] = ridge;
      return D;
    });
    pairs.forEach(([a, b], e) => {
      for (const v of [a, b]) for (let k = 0; k < K; k++) diag[v]![k * K + k]! += c[e]!;
      M[a * R + a] = M[a * R + a]! + c[e]!;
      M[b * R + b] = M[b * R + b]! + c[e]!;
      M[a * R + b] = M[a * R + b]! - c[e]!;
      M[b * R + a] = M[b * R + a]! - c[e]!;
      for (let k = 0; k < K; k++) {
        H[(a * K + k) * n + b * K + k] = -c[e]!;
        H[(b * K + k) * n + a * K + k] = -c[e]!;
      }
    });
    diag.forEach((D, r) => {
      for (let i = 0; i < K; i++)
        for (let j = 0; j < K; j++) H[(r * K + i) * n + r * K + j] = D[i * K + j]!;
    });
    const factors = L.map((l) => ({ L: l, m }));
    const blocks = L.map((l, r) => {
      const D = gramOf({ L: l, m }, K).map((v) => weights[r]! * v);
      for (let k = 0; k < K; k++) D[k * K + k] = D[k * K + k]! + ridge;
      return D;
    });
    pairs.forEach(([a, b], e) => {
      for (const v of [a, b]) for (let k = 0; k < K; k++) blocks[v]![k * K + k]! += c[e]!;
    });
    const sparse = new SparseBlockCholesky(blocks, K, pairs, c);
    const wood = new WoodburySystem(
      factors,
      Float64Array.from(weights),
      K,
      M,
      R,
      crossProducts(factors, K),
    );
    const y = rng.normals(n);
    const oracle = gaussSolve(H, y, n);
    const scale = Math.max(...oracle.map(Math.abs));
    expect(maxDiff(sparse.solve(y), oracle) / scale).toBeLessThan(1e-10);
    expect(maxDiff(wood.solve(y), oracle) / scale).toBeLessThan(1e-10);
  });

  it('the quadratic graph penalty on a factored problem of 40 tasks: the brute-force dense solve', () => {
    const { L, b, weights, factored } = manyTasks(R, K, m, 2);
    const edges = ringGraph(R);
    const lambda = 0.7;
    const res = prepareFusion(factored, graph({ edges }), { ridge }).solve({ lambda });
    // H = blockdiag(w_r L_rᵀL_r + ρI) + 2λ Σ_e (a_e/|E|)(e_a − e_b)(e_a − e_b)ᵀ ⊗ I, rhs w_r b_r.
    const n = R * K;
    const H = new Float64Array(n * n);
    const y = new Float64Array(n);
    L.forEach((l, r) => {
      const A = gram(l, m, K);
      for (let i = 0; i < K; i++) {
        y[r * K + i] = weights[r]! * b[r]![i]!;
        for (let j = 0; j < K; j++) H[(r * K + i) * n + r * K + j] = weights[r]! * A[i * K + j]!;
        H[(r * K + i) * n + r * K + i] = H[(r * K + i) * n + r * K + i]! + ridge;
      }
    });
    for (const [a, s, w] of edges) {
      const ce = (2 * lambda * w) / edges.length;
      for (let k = 0; k < K; k++) {
        const i = a * K + k;
        const j = s * K + k;
        H[i * n + i] = H[i * n + i]! + ce;
        H[j * n + j] = H[j * n + j]! + ce;
        H[i * n + j] = H[i * n + j]! - ce;
        H[j * n + i] = H[j * n + i]! - ce;
      }
    }
    const x = gaussSolve(H, y, n);
    const beta = res.beta.flatMap((v) => Array.from(v));
    expect(maxDiff(beta, x) / Math.max(...x.map(Math.abs))).toBeLessThan(1e-10);
  });

  it('mcp on the knn graph: the factored form gives the dense form’s groups and β (1e-10)', () => {
    const { factored, dense } = manyTasks(R, K, m, 4);
    const pf = prepareFusion(factored, mcp(), { ridge });
    const pairs = pf.pairs;
    expect(pairs.length).toBeLessThan((R * (R - 1)) / 4); // the sparse path
    const pd = prepareFusion(dense, mcp(), { ridge, graph: pairs });
    for (const lambda of [0.05, 0.5, 3]) {
      const a = pf.solve({ lambda, tol: 1e-9, maxIter: 4000 });
      const d = pd.solve({ lambda, tol: 1e-9, maxIter: 4000 });
      expect(a.iterations).toBe(d.iterations);
      expect(a.groups).toEqual(d.groups);
      for (let r = 0; r < R; r++) expect(maxDiff(a.beta[r]!, d.beta[r]!)).toBeLessThan(1e-10);
    }
  });
});

describe('the refit of a factored problem with more rows in a group than K', () => {
  it('is the dense form’s refit (K×K, not the Σ m_r × Σ m_r system), to 1e-10', () => {
    const { factored, dense, L, b, weights } = manyTasks(60, 4, 3, 12);
    const ridge = 1e-3;
    for (const groups of [
      new Array<number>(60).fill(0),
      Array.from({ length: 60 }, (_, r) => r % 3),
      Array.from({ length: 60 }, (_, r) => (r < 59 ? 0 : 1)),
    ]) {
      const a = refitGroups(factored, groups, { ridge });
      const d = refitGroups(dense, groups, { ridge });
      // And the normal equations by brute force for group 0.
      const K = 4;
      const H = new Float64Array(K * K);
      const g = new Float64Array(K);
      groups.forEach((l, r) => {
        if (l !== 0) return;
        const A = gram(L[r]!, 3, K);
        for (let i = 0; i < K * K; i++) H[i] = H[i]! + weights[r]! * A[i]!;
        for (let i = 0; i < K; i++) {
          H[i * K + i] = H[i * K + i]! + ridge;
          g[i] = g[i]! + weights[r]! * b[r]![i]!;
        }
      });
      const theta = gaussSolve(H, g, K);
      const r0 = groups.indexOf(0);
      expect(maxDiff(a[r0]!, theta)).toBeLessThan(1e-10 * Math.max(1, ...theta.map(Math.abs)));
      for (let r = 0; r < 60; r++) expect(maxDiff(a[r]!, d[r]!)).toBeLessThan(1e-10);
    }
  });
});

describe('warm starts from a solve’s own state (flat copies)', () => {
  it('continue exactly as one uninterrupted solve, and as from a plain copy of the state', () => {
    const { factored } = manyTasks(40, 4, 3, 6);
    const pf = prepareFusion(factored, mcp(), { ridge: 1e-2 });
    const lambda = 0.3;
    const whole = pf.solve({ lambda, maxIter: 20, tol: 1e-14 });
    const first = pf.solve({ lambda, maxIter: 7, tol: 1e-14 });
    const fromState = pf.solve({ lambda, maxIter: 13, tol: 1e-14, warm: first.state });
    const copy = {
      pairs: first.state.pairs.map((p) => [p[0], p[1]] as const),
      eta: first.state.eta.map((x) => x.slice()),
      v: first.state.v.map((x) => x.slice()),
      beta: first.state.beta,
    };
    const fromCopy = pf.solve({ lambda, maxIter: 13, tol: 1e-14, warm: copy });
    for (let r = 0; r < 40; r++) {
      expect(Array.from(fromState.beta[r]!)).toEqual(Array.from(whole.beta[r]!));
      expect(Array.from(fromCopy.beta[r]!)).toEqual(Array.from(whole.beta[r]!));
    }
  });

  it('a state whose η was read and changed warm-starts from the changed η', () => {
    const { factored } = manyTasks(40, 4, 3, 7);
    const pf = prepareFusion(factored, mcp(), { ridge: 1e-2 });
    const a = pf.solve({ lambda: 0.3, maxIter: 5 });
    const b = pf.solve({ lambda: 0.3, maxIter: 5 });
    for (const x of b.state.eta) x.fill(0);
    const zeroed = {
      pairs: a.state.pairs,
      eta: a.state.eta.map((x) => x.map(() => 0)),
      v: a.state.v,
      beta: a.state.beta,
    };
    const fromB = pf.solve({ lambda: 0.3, maxIter: 3, warm: b.state });
    const oracle = pf.solve({ lambda: 0.3, maxIter: 3, warm: zeroed });
    const fromA = pf.solve({ lambda: 0.3, maxIter: 3, warm: a.state });
    expect(Array.from(fromB.beta[0]!)).toEqual(Array.from(oracle.beta[0]!));
    expect(maxDiff(fromA.beta[0]!, oracle.beta[0]!)).toBeGreaterThan(0);
  });
});

describe('knnPairs without an R×R distance matrix', () => {
  it('is the k nearest of every task (by sorting) plus the minimum spanning tree (Kruskal)', () => {
    const rng = new Random(5);
    const R = 60;
    const beta = Array.from({ length: R }, (_, r) => rng.normals(4, r < 30 ? 0 : 20, 1));
    const dist = (r: number, s: number) =>
      Math.sqrt(beta[r]!.reduce((acc, v, k) => acc + (v - beta[s]![k]!) ** 2, 0));
    const keys = new Set<string>();
    const add = (a: number, b: number) => keys.add(`${Math.min(a, b)},${Math.max(a, b)}`);
    for (let r = 0; r < R; r++) {
      const others = [...Array(R).keys()].filter((s) => s !== r);
      others.sort((x, y) => dist(r, x) - dist(r, y) || x - y);
      for (const s of others.slice(0, 3)) add(r, s);
    }
    const all: [number, number, number][] = [];
    for (let r = 0; r < R; r++) for (let s = r + 1; s < R; s++) all.push([dist(r, s), r, s]);
    all.sort((x, y) => x[0] - y[0]);
    const parent = [...Array(R).keys()];
    const find = (v: number): number => (parent[v] === v ? v : (parent[v] = find(parent[v]!)));
    for (const [, r, s] of all) {
      if (find(r) !== find(s)) {
        parent[find(r)] = find(s);
        add(r, s);
      }
    }
    const got = knnPairs(beta, 3);
    expect(new Set(got.map(([r, s]) => `${r},${s}`))).toEqual(keys);
    expect(got.length).toBe(keys.size);
    expect(new Set(connectedComponents(R, got)).size).toBe(1);
  });
});

/** Minimum degree by scanning every node per elimination (ties: the lowest index): the oracle. */
function scanMinimumDegree(N: number, edges: readonly TaskPair[]): number[] {
  const adj = Array.from({ length: N }, () => new Set<number>());
  for (const [a, b] of edges) {
    adj[a]!.add(b);
    adj[b]!.add(a);
  }
  const done = new Array<boolean>(N).fill(false);
  const order: number[] = [];
  for (let j = 0; j < N; j++) {
    let v = -1;
    for (let u = 0; u < N; u++) if (!done[u] && (v < 0 || adj[u]!.size < adj[v]!.size)) v = u;
    if (adj[v]!.size >= N - j - 1 && adj[v]!.size > 0) break;
    order.push(v);
    done[v] = true;
    for (const a of adj[v]!) {
      adj[a]!.delete(v);
      for (const b of adj[v]!) if (b !== a) adj[a]!.add(b);
    }
    adj[v] = new Set();
  }
  for (let u = 0; u < N; u++) if (!done[u]) order.push(u);
  return order;
}

describe('minimumDegree', () => {
  it('eliminates in the order of a full scan (least degree, then lowest index)', () => {
    const rng = new Random(11);
    for (const N of [12, 80, 300]) {
      const beta = Array.from({ length: N }, () => rng.normals(3));
      const graphs: TaskPair[][] = [
        knnPairs(beta, 4),
        Array.from({ length: 2 * N }, () => {
          const a = Math.floor(rng.uniform() * N);
          const b = (a + 1 + Math.floor(rng.uniform() * (N - 1))) % N;
          return [Math.min(a, b), Math.max(a, b)] as const;
        }),
      ];
      for (const edges of graphs)
        expect(Array.from(minimumDegree(N, edges).order)).toEqual(scanMinimumDegree(N, edges));
    }
  });
});
