import { cholesky, choleskySolve, matrix, NotPositiveDefiniteError, rowGram } from '@hetmtl/tensor';

/**
 * Solves with the coefficient problem's matrices when A_r = L_rᵀL_r has low rank (m_r rows of L_r
 * ≪ K, e.g. an identity encoder with K = p genes and n_r rows): every K×K system is solved through
 * m×m ones (Woodbury), so no K×K or (R·K)² matrix is ever built.
 */

/** A task's factor: A_r = LᵀL with L row-major m×K. */
export interface GramFactor {
  readonly L: Float64Array;
  readonly m: number;
}

/** Lx (length m). */
export function factorTimes(f: GramFactor, K: number, x: Float64Array, off = 0): Float64Array {
  const out = new Float64Array(f.m);
  for (let i = 0; i < f.m; i++) {
    let s = 0;
    const row = i * K;
    for (let k = 0; k < K; k++) s += f.L[row + k] * x[off + k];
    out[i] = s;
  }
  return out;
}

/** out[off..off+K) += c·Lᵀz. */
export function addFactorTransposeTimes(
  f: GramFactor,
  K: number,
  z: Float64Array,
  c: number,
  out: Float64Array,
  off = 0,
): void {
  for (let i = 0; i < f.m; i++) {
    const zi = c * z[i];
    if (zi === 0) continue;
    const row = i * K;
    for (let k = 0; k < K; k++) out[off + k] = out[off + k] + zi * f.L[row + k];
  }
}

/** xᵀAx = ‖Lx‖². */
export function quadraticForm(f: GramFactor, K: number, x: Float64Array, off = 0): number {
  const Lx = factorTimes(f, K, x, off);
  let s = 0;
  for (let i = 0; i < f.m; i++) s += Lx[i] ** 2;
  return s;
}

/** A = LᵀL (K×K row-major, symmetric by construction). */
export function gramOf(f: GramFactor, K: number): Float64Array {
  const A = new Float64Array(K * K);
  for (let i = 0; i < f.m; i++) {
    const row = i * K;
    for (let a = 0; a < K; a++) {
      const la = f.L[row + a];
      if (la === 0) continue;
      for (let b = a; b < K; b++) A[a * K + b] = A[a * K + b] + la * f.L[row + b];
    }
  }
  for (let a = 0; a < K; a++) for (let b = 0; b < a; b++) A[a * K + b] = A[b * K + a];
  return A;
}

/** The diagonal of A = LᵀL (column sums of squares). */
export function gramDiagonal(f: GramFactor, K: number): Float64Array {
  const d = new Float64Array(K);
  for (let i = 0; i < f.m; i++) for (let k = 0; k < K; k++) d[k] = d[k] + f.L[i * K + k] ** 2;
  return d;
}

function factorOf(A: Float64Array, n: number, what: string) {
  try {
    return cholesky(matrix(n, n, A));
  } catch (e) {
    if (NotPositiveDefiniteError.isInstance(e))
      throw new NotPositiveDefiniteError(e.pivot, e.value, {
        cause: e,
        fix: `${what} is not positive definite: a low-rank problem needs ridge > 0 on every task`,
      });
    throw e;
  }
}

/**
 * (Σ_j c_j L_jᵀL_j + shift·I)⁻¹ g for factors L_j with weights c_j ≥ 0 and shift > 0, through the
 * m×m system shift·I + SSᵀ of the stacked S = [√c_j L_j] (m = Σ m_j):
 * x = (g − Sᵀ(shift·I + SSᵀ)⁻¹Sg)/shift.
 */
export function shiftedGramSolve(
  factors: readonly GramFactor[],
  weights: readonly number[],
  K: number,
  shift: number,
  g: Float64Array,
  what: string,
): Float64Array {
  const rows: Float64Array[] = [];
  factors.forEach((f, j) => {
    const s = Math.sqrt(weights[j]);
    for (let i = 0; i < f.m; i++) rows.push(f.L.subarray(i * K, (i + 1) * K).map((v) => s * v));
  });
  const m = rows.length;
  if (!(shift > 0))
    throw new NotPositiveDefiniteError(0, shift, {
      fix: `${what} is not positive definite: a low-rank problem needs ridge > 0 on every task`,
    });
  const x = g.slice();
  if (m === 0) return x.map((v) => v / shift);
  const C = rowGram(rows, K);
  for (let i = 0; i < m; i++) C[i * m + i] = C[i * m + i] + shift;
  const Sg = new Float64Array(m);
  rows.forEach((row, i) => {
    let s = 0;
    for (let k = 0; k < K; k++) s += row[k] * g[k];
    Sg[i] = s;
  });
  const z = choleskySolve(factorOf(C, m, what), Sg);
  rows.forEach((row, i) => {
    const zi = z[i];
    for (let k = 0; k < K; k++) x[k] = x[k] - zi * row[k];
  });
  for (let k = 0; k < K; k++) x[k] = x[k] / shift;
  return x;
}

/**
 * The ADMM / quadratic-penalty system H = blockdiag(w_r L_rᵀL_r, 0 for a centre node) + M ⊗ I_K
 * with M = diag(ρ_r, 0) + c·(weighted graph Laplacian) on the nodes (SPD when every ρ_r > 0), solved by
 * Woodbury: H⁻¹y = B⁻¹y − B⁻¹Uᵀ(I + UB⁻¹Uᵀ)⁻¹UB⁻¹y with B = M ⊗ I_K and U = blockdiag(√w_r L_r).
 * Building it costs O(m²K) (the cross products L_rL_sᵀ, shared across c by {@link crossProducts})
 * and a solve O(nodes²K + mK + m²).
 */
export class WoodburySystem {
  readonly #K: number;
  readonly #nodes: number;
  readonly #factors: readonly GramFactor[];
  readonly #sqrtW: Float64Array;
  readonly #Minv: Float64Array;
  readonly #cap: ReturnType<typeof cholesky>;
  readonly #offsets: number[];
  readonly #m: number;

  constructor(
    factors: readonly GramFactor[],
    w: Float64Array,
    K: number,
    M: Float64Array,
    nodes: number,
    cross: readonly (readonly Float64Array[])[],
  ) {
    this.#K = K;
    this.#nodes = nodes;
    this.#factors = factors;
    this.#sqrtW = w.map(Math.sqrt);
    const R = factors.length;
    const eye = new Float64Array(nodes * nodes);
    for (let i = 0; i < nodes; i++) eye[i * nodes + i] = 1;
    this.#Minv = choleskySolve(
      factorOf(M, nodes, 'The node matrix of the ADMM system'),
      matrix(nodes, nodes, eye),
    ).data;
    this.#offsets = [];
    let m = 0;
    for (const f of factors) {
      this.#offsets.push(m);
      m += f.m;
    }
    this.#m = m;
    const C = new Float64Array(m * m);
    for (let r = 0; r < R; r++) {
      for (let s = r; s < R; s++) {
        const c = this.#sqrtW[r] * this.#sqrtW[s] * this.#Minv[r * nodes + s];
        const G = cross[r][s - r];
        const mr = factors[r].m;
        const ms = factors[s].m;
        for (let i = 0; i < mr; i++)
          for (let j = 0; j < ms; j++) {
            const v = c * G[i * ms + j];
            C[(this.#offsets[r] + i) * m + this.#offsets[s] + j] = v;
            C[(this.#offsets[s] + j) * m + this.#offsets[r] + i] = v;
          }
      }
    }
    for (let i = 0; i < m; i++) C[i * m + i] = C[i * m + i] + 1;
    this.#cap = factorOf(C, m, 'The Woodbury capacitance of the ADMM system');
  }

  /** (M⁻¹ ⊗ I_K) y. */
  #nodeSolve(y: Float64Array): Float64Array {
    const K = this.#K;
    const nodes = this.#nodes;
    const out = new Float64Array(nodes * K);
    for (let i = 0; i < nodes; i++)
      for (let j = 0; j < nodes; j++) {
        const c = this.#Minv[i * nodes + j];
        if (c === 0) continue;
        for (let k = 0; k < K; k++) out[i * K + k] = out[i * K + k] + c * y[j * K + k];
      }
    return out;
  }

  solveInto(b: Float64Array, out: Float64Array): Float64Array {
    const K = this.#K;
    const t = this.#nodeSolve(b);
    const u = new Float64Array(this.#m);
    this.#factors.forEach((f, r) => {
      u.set(
        factorTimes(f, K, t, r * K).map((v) => v * this.#sqrtW[r]),
        this.#offsets[r],
      );
    });
    const z = choleskySolve(this.#cap, u);
    const s = new Float64Array(this.#nodes * K);
    this.#factors.forEach((f, r) => {
      addFactorTransposeTimes(
        f,
        K,
        z.subarray(this.#offsets[r], this.#offsets[r] + f.m),
        this.#sqrtW[r],
        s,
        r * K,
      );
    });
    const corr = this.#nodeSolve(s);
    for (let i = 0; i < t.length; i++) out[i] = t[i] - corr[i];
    return out;
  }

  solve(b: Float64Array): Float64Array {
    return this.solveInto(b, new Float64Array(this.#nodes * this.#K));
  }
}

/** L_rL_sᵀ for r ≤ s (cross[r][s − r], m_r×m_s): the O(m²K) part of a {@link WoodburySystem}. */
export function crossProducts(factors: readonly GramFactor[], K: number): Float64Array[][] {
  return factors.map((fr, r) =>
    factors.slice(r).map((fs) => {
      const G = new Float64Array(fr.m * fs.m);
      for (let i = 0; i < fr.m; i++) {
        const a = fr.L.subarray(i * K, (i + 1) * K);
        for (let j = 0; j < fs.m; j++) {
          const b = fs.L.subarray(j * K, (j + 1) * K);
          let s = 0;
          for (let k = 0; k < K; k++) s += a[k] * b[k];
          G[i * fs.m + j] = s;
        }
      }
      return G;
    }),
  );
}
