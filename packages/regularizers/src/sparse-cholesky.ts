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
  /** Column j's blocks L_ij are entries colPtr[j]..colPtr[j+1] of rowIdx (positions i > j, ascending) and of blocks. */
  #colPtr: Int32Array = new Int32Array(1);
  #rowIdx: Int32Array = new Int32Array(0);
  /** The blocks L_ij, K×K row-major each, concatenated over the columns. */
  #blocks: Float64Array = new Float64Array(0);
  /** The lower-triangular L_jj (K×K row-major) of every position, concatenated. */
  #diag: Float64Array = new Float64Array(0);
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

  /** Number of off-diagonal blocks of the factor (its fill). */
  get offDiagonalBlocks(): number {
    return this.#rowIdx.length;
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
    // Column j of the factor: the diagonal block (at j·KK of D) and the blocks of struct[j] (the
    // pattern is known from the symbolic phase), filled with A's blocks, then overwritten by L's.
    const colPtr = new Int32Array(N + 1);
    for (let j = 0; j < N; j++) colPtr[j + 1] = colPtr[j] + struct[j].length;
    const rowIdx = new Int32Array(colPtr[N]);
    for (let j = 0; j < N; j++) rowIdx.set(struct[j], colPtr[j]);
    const D = new Float64Array(N * KK);
    order.forEach((v, j) => {
      D.set(diag[v], j * KK);
    });
    const B = new Float64Array(colPtr[N] * KK);
    const indexIn = (j: number, i: number): number => {
      let lo = colPtr[j];
      let hi = colPtr[j + 1] - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const v = rowIdx[mid];
        if (v === i) return mid;
        if (v < i) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    };
    edges.forEach(([a, b], e) => {
      const pa = pos[a];
      const pb = pos[b];
      const t = indexIn(Math.min(pa, pb), Math.max(pa, pb));
      const w = weights[e];
      for (let k = 0; k < K; k++) B[t * KK + k * K + k] = B[t * KK + k * K + k] - w;
    });
    for (let j = 0; j < N; j++) {
      if (j % 16 === 15) yield;
      let L: Float64Array;
      try {
        L = cholesky(matrix(K, K, D.subarray(j * KK, (j + 1) * KK))).data;
      } catch (e) {
        if (NotPositiveDefiniteError.isInstance(e))
          throw new NotPositiveDefiniteError(order[j] * K + e.pivot, e.value, {
            cause: e,
          });
        throw e;
      }
      D.set(L, j * KK);
      const p0 = colPtr[j];
      const p1 = colPtr[j + 1];
      // L_ij = A_ij L_jj⁻ᵀ: each row x of A_ij solves x L_jjᵀ = a, i.e. L_jj xᵀ = aᵀ (in place).
      for (let o = p0 * KK; o < p1 * KK; o += K) {
        for (let c = 0; c < K; c++) {
          let v = B[o + c];
          for (let m = 0; m < c; m++) v -= B[o + m] * L[c * K + m];
          B[o + c] = v / L[c * K + c];
        }
      }
      // Schur complement: A_ik −= L_ij L_kjᵀ for i ≥ k in struct[j] (ascending). Every i > k of
      // struct[j] is in struct[k] (fill), found by walking struct[k] alongside.
      for (let u = p0; u < p1; u++) {
        const k = rowIdx[u];
        const ou = u * KK;
        let q = colPtr[k];
        for (let t = u; t < p1; t++) {
          const i = rowIdx[t];
          let target: Float64Array;
          let base: number;
          if (i === k) {
            target = D;
            base = k * KK;
          } else {
            while (rowIdx[q] < i) q++;
            target = B;
            base = q * KK;
          }
          const ot = t * KK;
          if (K === 4) {
            schur4(B, ot, ou, target, base);
            continue;
          }
          for (let r = 0; r < K; r++) {
            const or = ot + r * K;
            const br = base + r * K;
            for (let c = 0; c < K; c++) {
              const oc = ou + c * K;
              let v = 0;
              for (let m = 0; m < K; m++) v += B[or + m] * B[oc + m];
              target[br + c] = target[br + c] - v;
            }
          }
        }
      }
    }
    this.#colPtr = colPtr;
    this.#rowIdx = rowIdx;
    this.#diag = D;
    this.#blocks = B;
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
    const order = this.#order;
    const colPtr = this.#colPtr;
    const rowIdx = this.#rowIdx;
    const B = this.#blocks;
    const L = this.#diag;
    // Permute into elimination order.
    for (let j = 0; j < N; j++) {
      const v = order[j] * K;
      for (let k = 0; k < K; k++) y[j * K + k] = b[v + k];
    }
    // Forward: L y = b.
    for (let j = 0; j < N; j++) {
      const o = j * K;
      const d = j * KK;
      for (let r = 0; r < K; r++) {
        let s = y[o + r];
        for (let m = 0; m < r; m++) s -= L[d + r * K + m] * y[o + m];
        y[o + r] = s / L[d + r * K + r];
      }
      const p1 = colPtr[j + 1];
      if (K === 4) {
        // The default K0 = 4, unrolled (the same sums in the same order).
        const y0 = y[o];
        const y1 = y[o + 1];
        const y2 = y[o + 2];
        const y3 = y[o + 3];
        for (let t = colPtr[j]; t < p1; t++) {
          const oi = rowIdx[t] * 4;
          const ob = t * 16;
          y[oi] = y[oi] - (0 + B[ob] * y0 + B[ob + 1] * y1 + B[ob + 2] * y2 + B[ob + 3] * y3);
          y[oi + 1] =
            y[oi + 1] - (0 + B[ob + 4] * y0 + B[ob + 5] * y1 + B[ob + 6] * y2 + B[ob + 7] * y3);
          y[oi + 2] =
            y[oi + 2] - (0 + B[ob + 8] * y0 + B[ob + 9] * y1 + B[ob + 10] * y2 + B[ob + 11] * y3);
          y[oi + 3] =
            y[oi + 3] - (0 + B[ob + 12] * y0 + B[ob + 13] * y1 + B[ob + 14] * y2 + B[ob + 15] * y3);
        }
        continue;
      }
      for (let t = colPtr[j]; t < p1; t++) {
        const oi = rowIdx[t] * K;
        const ob = t * KK;
        for (let r = 0; r < K; r++) {
          let s = 0;
          const br = ob + r * K;
          for (let m = 0; m < K; m++) s += B[br + m] * y[o + m];
          y[oi + r] = y[oi + r] - s;
        }
      }
    }
    // Backward: Lᵀ x = y.
    for (let j = N - 1; j >= 0; j--) {
      const o = j * K;
      const p1 = colPtr[j + 1];
      if (K === 4) {
        // Unrolled as in the forward pass; y_j's update is accumulated over t in the same order.
        let y0 = y[o];
        let y1 = y[o + 1];
        let y2 = y[o + 2];
        let y3 = y[o + 3];
        for (let t = colPtr[j]; t < p1; t++) {
          const oi = rowIdx[t] * 4;
          const ob = t * 16;
          const a0 = y[oi];
          const a1 = y[oi + 1];
          const a2 = y[oi + 2];
          const a3 = y[oi + 3];
          y0 -= 0 + B[ob] * a0 + B[ob + 4] * a1 + B[ob + 8] * a2 + B[ob + 12] * a3;
          y1 -= 0 + B[ob + 1] * a0 + B[ob + 5] * a1 + B[ob + 9] * a2 + B[ob + 13] * a3;
          y2 -= 0 + B[ob + 2] * a0 + B[ob + 6] * a1 + B[ob + 10] * a2 + B[ob + 14] * a3;
          y3 -= 0 + B[ob + 3] * a0 + B[ob + 7] * a1 + B[ob + 11] * a2 + B[ob + 15] * a3;
        }
        y[o] = y0;
        y[o + 1] = y1;
        y[o + 2] = y2;
        y[o + 3] = y3;
      } else {
        for (let t = colPtr[j]; t < p1; t++) {
          const oi = rowIdx[t] * K;
          const ob = t * KK;
          for (let m = 0; m < K; m++) {
            let s = 0;
            for (let r = 0; r < K; r++) s += B[ob + r * K + m] * y[oi + r];
            y[o + m] = y[o + m] - s;
          }
        }
      }
      const d = j * KK;
      for (let r = K - 1; r >= 0; r--) {
        let s = y[o + r];
        for (let m = r + 1; m < K; m++) s -= L[d + m * K + r] * y[o + m];
        y[o + r] = s / L[d + r * K + r];
      }
    }
    for (let j = 0; j < N; j++) {
      const v = order[j] * K;
      for (let k = 0; k < K; k++) out[v + k] = y[j * K + k];
    }
    return out;
  }

  solve(b: Float64Array): Float64Array {
    return this.solveInto(b, new Float64Array(this.n));
  }
}

/**
 * target[base..base+16) −= X Yᵀ for the 4×4 blocks X at B[ot..] and Y at B[ou..] (row-major): the
 * K = 4 case of the Schur update, unrolled, each sum in the loop's order.
 */
function schur4(B: Float64Array, ot: number, ou: number, target: Float64Array, base: number): void {
  for (let r = 0; r < 4; r++) {
    const o = ot + r * 4;
    const x0 = B[o];
    const x1 = B[o + 1];
    const x2 = B[o + 2];
    const x3 = B[o + 3];
    const b = base + r * 4;
    target[b] = target[b] - (0 + x0 * B[ou] + x1 * B[ou + 1] + x2 * B[ou + 2] + x3 * B[ou + 3]);
    target[b + 1] =
      target[b + 1] - (0 + x0 * B[ou + 4] + x1 * B[ou + 5] + x2 * B[ou + 6] + x3 * B[ou + 7]);
    target[b + 2] =
      target[b + 2] - (0 + x0 * B[ou + 8] + x1 * B[ou + 9] + x2 * B[ou + 10] + x3 * B[ou + 11]);
    target[b + 3] =
      target[b + 3] - (0 + x0 * B[ou + 12] + x1 * B[ou + 13] + x2 * B[ou + 14] + x3 * B[ou + 15]);
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
  // The node of least degree (ties: the lowest index) from a heap of keys degree·N + node, with
  // stale keys (a degree since changed, a node eliminated) skipped: O(fill · log) instead of a scan
  // of every node per elimination (O(N²)).
  const heap = new MinHeap();
  for (let u = 0; u < N; u++) heap.push(adj[u].size * N + u);
  let j = 0;
  for (; j < N; j++) {
    if (j % 64 === 63) yield;
    let v = -1;
    let best = Number.POSITIVE_INFINITY;
    while (heap.size > 0) {
      const key = heap.pop();
      const u = key % N;
      const d = (key - u) / N;
      if (done[u] || adj[u].size !== d) continue;
      v = u;
      best = d;
      break;
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
      heap.push(s.size * N + a);
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

/** A binary min-heap of non-negative integers (keys below 2⁵³). */
class MinHeap {
  #a: number[] = [];

  get size(): number {
    return this.#a.length;
  }

  push(x: number): void {
    const a = this.#a;
    let i = a.length;
    a.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= x) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = x;
  }

  pop(): number {
    const a = this.#a;
    const top = a[0];
    const n = a.length - 1;
    const last = a[n];
    a.length = n;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const c = l + 1 < n && a[l + 1] < a[l] ? l + 1 : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
