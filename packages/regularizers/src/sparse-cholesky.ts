import { cholesky, matrix, NotPositiveDefiniteError } from '@hetmtl/tensor';
import type { TaskPair } from './fusion-graph.js';

/**
 * A Cholesky factor of a block-sparse symmetric positive-definite matrix with `nodes` diagonal
 * blocks of size K×K and off-diagonal blocks only where the graph has an edge — the ADMM matrix
 * blockdiag(H_r) + c·(Laplacian of the fusion graph ⊗ I_K). The nodes are eliminated in
 * minimum-degree order (ties: the lower index), so a sparse graph (the k-nearest-neighbour graph of
 * many tasks) factors in far less time and memory than the dense (nodes·K)² matrix: the solve is
 * the same, up to rounding.
 */
export class SparseBlockCholesky {
  readonly n: number;
  readonly #K: number;
  /** Elimination order: node of each position. */
  #order: Int32Array = new Int32Array(0);
  /** Per position j: the positions i > j with a block L_ij. */
  #struct: Int32Array[] = [];
  /** Per position j: the lower-triangular L_jj (K×K row-major). */
  #diag: Float64Array[] = [];
  /** Per position j: the blocks L_ij for i in struct[j], K×K row-major each, concatenated. */
  #blocks: Float64Array[] = [];
  #work: Float64Array = new Float64Array(0);
  #input: {
    diag: readonly Float64Array[];
    edges: readonly TaskPair[];
    weights: ArrayLike<number>;
  } | null;

  /**
   * `diag[v]`: the K×K diagonal block of node v; `edges` with `weights`: the block of (a, b) is
   * −weight·I_K (the Laplacian's off-diagonal). Throws NotPositiveDefiniteError (pivot counted in
   * the original row numbering) when the matrix is not positive definite.
   */
  constructor(
    diag: readonly Float64Array[],
    K: number,
    edges: readonly TaskPair[],
    weights: ArrayLike<number>,
    options: { readonly deferred?: boolean } = {},
  ) {
    this.n = diag.length * K;
    this.#K = K;
    this.#input = { diag, edges, weights };
    if (!options.deferred) for (const _ of this.factorSteps());
  }

  /**
   * The factorisation in steps (yielding every few columns), for a constructor called with
   * `{ deferred: true }`: a caller that must stay responsive (an abort, a progress bar) runs it and
   * takes a turn of its event loop between steps. Runs once; later calls return at once.
   */
  *factorSteps(): Generator<void, void, void> {
    if (this.#input === null) return;
    const { diag, edges, weights } = this.#input;
    const K = this.#K;
    const N = diag.length;
    const { order, struct } = yield* minimumDegreeSteps(N, edges);
    const pos = new Int32Array(N);
    order.forEach((v, j) => {
      pos[v] = j;
    });
    this.#order = order;
    const KK = K * K;
    // Column j of the factor: the diagonal block D[j] and the blocks of struct[j] (the pattern is
    // known from the symbolic phase), filled with A's blocks, then overwritten by L's.
    const D: Float64Array[] = Array.from(order, (v) => diag[v].slice());
    const blocks: Float64Array[] = struct.map((st) => new Float64Array(st.length * KK));
    const indexIn = (j: number, i: number): number => {
      const st = struct[j];
      let lo = 0;
      let hi = st.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const v = st[mid];
        if (v === i) return mid;
        if (v < i) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    };
    edges.forEach(([a, b], e) => {
      const pa = pos[a];
      const pb = pos[b];
      const i = Math.max(pa, pb);
      const j = Math.min(pa, pb);
      const t = indexIn(j, i);
      const blk = blocks[j];
      const w = weights[e];
      for (let k = 0; k < K; k++) blk[t * KK + k * K + k] = blk[t * KK + k * K + k] - w;
    });
    const Ldiag: Float64Array[] = [];
    for (let j = 0; j < N; j++) {
      if (j % 16 === 15) yield;
      let L: Float64Array;
      try {
        L = cholesky(matrix(K, K, D[j])).data;
      } catch (e) {
        if (NotPositiveDefiniteError.isInstance(e))
          throw new NotPositiveDefiniteError(order[j] * K + e.pivot, e.value, {
            cause: e,
          });
        throw e;
      }
      Ldiag.push(L);
      const s = struct[j];
      const out = blocks[j];
      // L_ij = A_ij L_jj⁻ᵀ: each row x of A_ij solves x L_jjᵀ = a, i.e. L_jj xᵀ = aᵀ (in place).
      for (let t = 0; t < s.length; t++) {
        for (let r = 0; r < K; r++) {
          const o = t * KK + r * K;
          for (let c = 0; c < K; c++) {
            let v = out[o + c];
            for (let m = 0; m < c; m++) v -= out[o + m] * L[c * K + m];
            out[o + c] = v / L[c * K + c];
          }
        }
      }
      // Schur complement: A_ik −= L_ij L_kjᵀ for i ≥ k in struct[j] (struct ascending). Every
      // i > k of struct[j] is in struct[k] (fill), found by walking struct[k] alongside.
      for (let u = 0; u < s.length; u++) {
        const k = s[u];
        const sk = struct[k];
        const Bk = blocks[k];
        const Dk = D[k];
        const ou = u * KK;
        let q = 0;
        for (let t = u; t < s.length; t++) {
          const i = s[t];
          let target: Float64Array;
          let base: number;
          if (i === k) {
            target = Dk;
            base = 0;
          } else {
            while (sk[q] < i) q++;
            target = Bk;
            base = q * KK;
          }
          const ot = t * KK;
          for (let r = 0; r < K; r++)
            for (let c = 0; c < K; c++) {
              let v = 0;
              for (let m = 0; m < K; m++) v += out[ot + r * K + m] * out[ou + c * K + m];
              target[base + r * K + c] = target[base + r * K + c] - v;
            }
        }
      }
    }
    this.#struct = struct;
    this.#diag = Ldiag;
    this.#blocks = blocks;
    this.#work = new Float64Array(this.n);
    this.#input = null;
  }

  /** Solves A x = b; writes x into `out` (which may be `b`). */
  solveInto(b: Float64Array, out: Float64Array): Float64Array {
    if (this.#input !== null) for (const _ of this.factorSteps());
    const K = this.#K;
    const KK = K * K;
    const N = this.#order.length;
    const y = this.#work;
    // Permute into elimination order.
    for (let j = 0; j < N; j++) {
      const v = this.#order[j];
      for (let k = 0; k < K; k++) y[j * K + k] = b[v * K + k];
    }
    // Forward: L y = b.
    for (let j = 0; j < N; j++) {
      const L = this.#diag[j];
      const o = j * K;
      for (let r = 0; r < K; r++) {
        let s = y[o + r];
        for (let m = 0; m < r; m++) s -= L[r * K + m] * y[o + m];
        y[o + r] = s / L[r * K + r];
      }
      const st = this.#struct[j];
      const B = this.#blocks[j];
      for (let t = 0; t < st.length; t++) {
        const oi = st[t] * K;
        for (let r = 0; r < K; r++) {
          let s = 0;
          for (let m = 0; m < K; m++) s += B[t * KK + r * K + m] * y[o + m];
          y[oi + r] = y[oi + r] - s;
        }
      }
    }
    // Backward: Lᵀ x = y.
    for (let j = N - 1; j >= 0; j--) {
      const o = j * K;
      const st = this.#struct[j];
      const B = this.#blocks[j];
      for (let t = 0; t < st.length; t++) {
        const oi = st[t] * K;
        for (let m = 0; m < K; m++) {
          let s = 0;
          for (let r = 0; r < K; r++) s += B[t * KK + r * K + m] * y[oi + r];
          y[o + m] = y[o + m] - s;
        }
      }
      const L = this.#diag[j];
      for (let r = K - 1; r >= 0; r--) {
        let s = y[o + r];
        for (let m = r + 1; m < K; m++) s -= L[m * K + r] * y[o + m];
        y[o + r] = s / L[r * K + r];
      }
    }
    for (let j = 0; j < N; j++) {
      const v = this.#order[j];
      for (let k = 0; k < K; k++) out[v * K + k] = y[j * K + k];
    }
    return out;
  }

  solve(b: Float64Array): Float64Array {
    return this.solveInto(b, new Float64Array(this.n));
  }
}

/**
 * Minimum-degree elimination order of a graph on N nodes (ties: the lower node index) and the
 * structure of the factor: for each position, the later positions it is joined to when it is
 * eliminated (ascending). Once the remaining nodes form a clique they are taken in index order.
 */
export function minimumDegree(
  N: number,
  edges: readonly TaskPair[],
): { order: Int32Array; struct: Int32Array[] } {
  const steps = minimumDegreeSteps(N, edges);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** {@link minimumDegree} in steps (yielding every 64 eliminations). */
export function* minimumDegreeSteps(
  N: number,
  edges: readonly TaskPair[],
): Generator<void, { order: Int32Array; struct: Int32Array[] }, void> {
  const adj: Set<number>[] = Array.from({ length: N }, () => new Set<number>());
  for (const [a, b] of edges) {
    if (a === b) continue;
    adj[a].add(b);
    adj[b].add(a);
  }
  const done = new Uint8Array(N);
  const order = new Int32Array(N);
  const neighbours: number[][] = [];
  let j = 0;
  for (; j < N; j++) {
    if (j % 64 === 63) yield;
    let v = -1;
    let best = Number.POSITIVE_INFINITY;
    for (let u = 0; u < N; u++) {
      if (done[u]) continue;
      const d = adj[u].size;
      if (d < best) {
        best = d;
        v = u;
      }
    }
    if (best >= N - j - 1 && best > 0) break; // the rest is a clique
    order[j] = v;
    done[v] = 1;
    const nb = [...adj[v]];
    neighbours.push(nb);
    for (const a of nb) {
      const s = adj[a];
      s.delete(v);
      for (const b of nb) if (b !== a) s.add(b);
    }
    adj[v] = new Set();
  }
  const start = j;
  for (let u = 0; u < N; u++) if (!done[u]) order[j++] = u;
  const pos = new Int32Array(N);
  order.forEach((v, p) => {
    pos[v] = p;
  });
  const struct: Int32Array[] = [];
  for (let p = 0; p < N; p++) {
    if (p < start) {
      struct.push(Int32Array.from(neighbours[p], (u) => pos[u]).sort());
    } else {
      struct.push(Int32Array.from({ length: N - 1 - p }, (_, t) => p + 1 + t));
    }
  }
  return { order, struct };
}
