import { cholesky, choleskySolve, crossprod, gram, matrix } from '@hetmtl/tensor';
import { solveRidge } from './dense.js';

/**
 * The closed-form linear MTL special case of the method (method.md §2, §5): identity shared
 * encoder, K1 = 0, and the quadratic centre penalty, i.e. mean-regularised MTL (β_r = m + v_r):
 *
 *   min Σ_r w_r [ (1/2n_r)‖ỹ_r − X̃_r β_r‖² + (λ/2)‖β_r − m‖² + (ρ/2)‖β_r‖² ]
 *
 * on task-centred data (intercepts profiled out). Given m, β_r = S_r(b_r + λm) with
 * S_r = (A_r + (λ+ρ)I)⁻¹; m solves [λW·I − λ² Σ w_r S_r] m = λ Σ w_r S_r b_r. λ = 0 gives per-task
 * ridge (ρ), λ = ∞ one common β.
 */
export interface LinearTask {
  /** Task-centred X̃ᵀX̃/n_r (p×p). */
  readonly A: Float64Array;
  /** Task-centred X̃ᵀỹ/n_r. */
  readonly b: Float64Array;
  /** Task means of x and y (for the intercept). */
  readonly xMean: Float64Array;
  readonly yMean: number;
  readonly n: number;
}

export function linearTask(
  X: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  p: number,
): LinearTask {
  const xMean = new Float64Array(p);
  let yMean = 0;
  for (let i = 0; i < n; i++) {
    yMean += y[i] as number;
    for (let a = 0; a < p; a++) xMean[a] = (xMean[a] as number) + (X[i * p + a] as number);
  }
  yMean /= n;
  for (let a = 0; a < p; a++) xMean[a] = (xMean[a] as number) / n;
  const Xc = new Float64Array(n * p);
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    yc[i] = (y[i] as number) - yMean;
    for (let a = 0; a < p; a++) Xc[i * p + a] = (X[i * p + a] as number) - (xMean[a] as number);
  }
  const A = gram(Xc, n, p);
  const b = crossprod(Xc, yc, n, p);
  for (let i = 0; i < p * p; i++) A[i] = (A[i] as number) / n;
  for (let a = 0; a < p; a++) b[a] = (b[a] as number) / n;
  return { A, b, xMean, yMean, n };
}

export interface LinearFit {
  readonly lambda: number;
  readonly beta: Float64Array[];
  readonly intercept: Float64Array;
  readonly centre: Float64Array;
}

/** Solves the mean-regularised problem at one λ (λ = Infinity: one common β). */
export function fitLinearMtl(
  tasks: readonly LinearTask[],
  weights: readonly number[],
  lambda: number,
  ridge = 1e-3,
): LinearFit {
  const R = tasks.length;
  const p = (tasks[0] as LinearTask).b.length;
  let beta: Float64Array[];
  let centre: Float64Array;
  if (lambda === Number.POSITIVE_INFINITY) {
    const A = new Float64Array(p * p);
    const b = new Float64Array(p);
    let W = 0;
    tasks.forEach((t, r) => {
      const w = weights[r] as number;
      W += w;
      for (let i = 0; i < p * p; i++) A[i] = (A[i] as number) + w * (t.A[i] as number);
      for (let a = 0; a < p; a++) b[a] = (b[a] as number) + w * (t.b[a] as number);
    });
    for (let a = 0; a < p; a++) A[a * p + a] = (A[a * p + a] as number) + ridge * W;
    centre = solveRidge(A, b, p, 1).x;
    beta = tasks.map(() => centre.slice());
  } else {
    const c = lambda + ridge;
    const solves = tasks.map((t) => {
      const M = matrix(p, p, t.A.slice());
      for (let a = 0; a < p; a++) M.data[a * p + a] = (M.data[a * p + a] as number) + c;
      return cholesky(M);
    });
    const Sb = solves.map((L, r) => choleskySolve(L, (tasks[r] as LinearTask).b.slice()));
    centre = new Float64Array(p);
    if (lambda > 0) {
      // [λW·I − λ² Σ w_r S_r] m = λ Σ w_r S_r b_r
      const M = new Float64Array(p * p);
      const rhs = new Float64Array(p);
      let W = 0;
      for (let r = 0; r < R; r++) {
        const w = weights[r] as number;
        W += w;
        const S = choleskySolve(solves[r] as ReturnType<typeof cholesky>, identityMatrix(p)).data;
        for (let i = 0; i < p * p; i++)
          M[i] = (M[i] as number) - lambda * lambda * w * (S[i] as number);
        const sb = Sb[r] as Float64Array;
        for (let a = 0; a < p; a++) rhs[a] = (rhs[a] as number) + lambda * w * (sb[a] as number);
      }
      for (let a = 0; a < p; a++) M[a * p + a] = (M[a * p + a] as number) + lambda * W;
      for (let a = 0; a < p; a++)
        for (let b2 = 0; b2 < a; b2++)
          M[a * p + b2] = M[b2 * p + a] =
            ((M[a * p + b2] as number) + (M[b2 * p + a] as number)) / 2;
      centre = solveRidge(M, rhs, p, 1).x;
    }
    beta = tasks.map((t, r) => {
      const rhs = new Float64Array(p);
      for (let a = 0; a < p; a++) rhs[a] = (t.b[a] as number) + lambda * (centre[a] as number);
      return choleskySolve(solves[r] as ReturnType<typeof cholesky>, rhs);
    });
  }
  const intercept = Float64Array.from(tasks, (t, r) => {
    const br = beta[r] as Float64Array;
    let s = t.yMean;
    for (let a = 0; a < p; a++) s -= (t.xMean[a] as number) * (br[a] as number);
    return s;
  });
  return { lambda, beta, intercept, centre };
}

function identityMatrix(p: number) {
  const I = matrix(p, p);
  for (let a = 0; a < p; a++) I.data[a * p + a] = 1;
  return I;
}
