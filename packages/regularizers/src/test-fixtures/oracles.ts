/**
 * Independent oracles for the tests: Gaussian elimination with partial pivoting, brute-force 1-D
 * minimisation, an objective written from its definition, finite differences.
 */
import type { Matrix } from '@hetmtl/tensor';

/** Solves M x = b by Gaussian elimination with partial pivoting (M given as rows). */
export function gaussSolve(M: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = M.length;
  const m = M.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(m[i]![c]!) > Math.abs(m[piv]![c]!)) piv = i;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let i = c + 1; i < n; i++) {
      const f = m[i]![c]! / m[c]![c]!;
      for (let j = c; j <= n; j++) m[i]![j]! -= f * m[c]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i]![n]!;
    for (let j = i + 1; j < n; j++) s -= m[i]![j]! * x[j]!;
    x[i] = s / m[i]![i]!;
  }
  return x;
}

/** Rows of a Matrix. */
export function rowsOf(a: Matrix): number[][] {
  return Array.from({ length: a.rows }, (_, i) =>
    Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)),
  );
}

/**
 * argmin over t ∈ [0, hi] of φ(t), by a grid of `points` values and golden-section search in the
 * bracket around the best grid point. Assumes φ is unimodal near its global minimum.
 */
export function bruteMin1D(phi: (t: number) => number, hi: number, points = 20001): number {
  if (hi <= 0) return 0;
  let best = 0;
  let bestV = phi(0);
  const h = hi / (points - 1);
  for (let i = 1; i < points; i++) {
    const v = phi(i * h);
    if (v < bestV) {
      bestV = v;
      best = i;
    }
  }
  let lo = Math.max(0, (best - 1) * h);
  let up = Math.min(hi, (best + 1) * h);
  const gr = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 200 && up - lo > 1e-15 * (1 + hi); it++) {
    const c = up - gr * (up - lo);
    const d = lo + gr * (up - lo);
    if (phi(c) <= phi(d)) up = d;
    else lo = c;
  }
  const t = (lo + up) / 2;
  // The grid end points can beat the interior (e.g. an exact zero).
  return [t, 0, hi].reduce((a, c) => (phi(c) < phi(a) ? c : a));
}

export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! ** 2;
  return Math.sqrt(s);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

export interface ObjectiveSpec {
  readonly A: readonly Matrix[];
  readonly b: readonly ArrayLike<number>[];
  readonly weights: readonly number[];
  readonly ridge: number;
  /** Pair penalty: Σ_e c_e pen(‖x_i − x_j‖), nodes = tasks (and a centre at index R). */
  readonly edges: readonly (readonly [number, number, number])[];
  readonly pen: (t: number) => number;
}

/** The objective, written from its definition (x = tasks' β then the optional centre). */
export function objectiveFrom(spec: ObjectiveSpec, nodes: readonly ArrayLike<number>[]): number {
  let f = 0;
  spec.A.forEach((A, r) => {
    const beta = nodes[r]!;
    const K = A.rows;
    let q = 0;
    let l = 0;
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) q += beta[i]! * A.data[i * K + j]! * beta[j]!;
      l += spec.b[r]![i]! * beta[i]!;
    }
    f += spec.weights[r]! * (0.5 * q - l) + 0.5 * spec.ridge * norm(beta) ** 2;
  });
  for (const [i, j, c] of spec.edges) {
    const d = Array.from(nodes[i]!, (v, k) => v - nodes[j]![k]!);
    f += c * spec.pen(norm(d));
  }
  return f;
}

/** Central finite-difference gradient of f at x. */
export function numericGradient(
  f: (x: Float64Array) => number,
  x: Float64Array,
  h = 1e-6,
): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xp = x.slice();
    const xm = x.slice();
    xp[i] = xp[i]! + h;
    xm[i] = xm[i]! - h;
    g[i] = (f(xp) - f(xm)) / (2 * h);
  }
  return g;
}

/** Pooled solution θ = (Σ_r w_r A_r + ρ_r I)⁻¹ Σ_r w_r b_r, by Gaussian elimination. */
export function pooledOracle(
  A: readonly Matrix[],
  b: readonly ArrayLike<number>[],
  w: readonly number[],
  ridge: number,
): number[] {
  const K = A[0]!.rows;
  const M = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const g = new Array<number>(K).fill(0);
  A.forEach((a, r) => {
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) M[i]![j]! += w[r]! * a.data[i * K + j]!;
      M[i]![i]! += ridge;
      g[i]! += w[r]! * b[r]![i]!;
    }
  });
  return gaussSolve(M, g);
}
