import { MeanRegularizedSolver } from '@hetmtl/regularizers';
import { crossprod, gram } from '@hetmtl/tensor';

/**
 * The closed-form linear MTL special case of the method (method.md §2, §5): identity shared
 * encoder, K1 = 0, and the quadratic centre penalty, i.e. mean-regularised MTL (β_r = m + v_r):
 *
 *   min Σ_r w_r [ (1/2n_r)‖ỹ_r − X̃_r β_r‖² + (λ/2)‖β_r − m‖² + (ρ/2)‖β_r‖² ]
 *
 * on task-centred data (intercepts profiled out), solved by @hetmtl/regularizers'
 * `MeanRegularizedSolver` (block elimination of the β_r, a p×p system for m) with loss weights
 * w_r, the ridge **inside each task's weighted loss** (`lossRidge`: (Σ w_r A_r + ρW·I) β = Σ w_r b_r
 * at λ = ∞, W = Σ w_r) and pull weights w_r. λ = 0 gives per-task ridge (ρ), λ = ∞ one common β.
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
    yMean += y[i];
    for (let a = 0; a < p; a++) xMean[a] = xMean[a] + X[i * p + a];
  }
  yMean /= n;
  for (let a = 0; a < p; a++) xMean[a] = xMean[a] / n;
  const Xc = new Float64Array(n * p);
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    yc[i] = y[i] - yMean;
    for (let a = 0; a < p; a++) Xc[i * p + a] = X[i * p + a] - xMean[a];
  }
  const A = gram(Xc, n, p);
  const b = crossprod(Xc, yc, n, p);
  for (let i = 0; i < p * p; i++) A[i] = A[i] / n;
  for (let a = 0; a < p; a++) b[a] = b[a] / n;
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
  const p = tasks[0].b.length;
  const { beta, centre } = solverFor(tasks, weights, ridge).solve(lambda);
  const intercept = Float64Array.from(tasks, (t, r) => {
    const br = beta[r];
    let s = t.yMean;
    for (let a = 0; a < p; a++) s -= t.xMean[a] * br[a];
    return s;
  });
  return { lambda, beta, intercept, centre };
}

/** One solver per task list (a λ grid reuses its eigen-decompositions), for the same weights and ridge. */
const solvers = new WeakMap<
  readonly LinearTask[],
  { weights: readonly number[]; ridge: number; solver: MeanRegularizedSolver }
>();

function solverFor(
  tasks: readonly LinearTask[],
  weights: readonly number[],
  ridge: number,
): MeanRegularizedSolver {
  const hit = solvers.get(tasks);
  if (
    hit &&
    hit.ridge === ridge &&
    hit.weights.length === weights.length &&
    hit.weights.every((w, r) => w === weights[r])
  )
    return hit.solver;
  const solver = new MeanRegularizedSolver(
    { A: tasks.map((t) => t.A), b: tasks.map((t) => t.b), dim: tasks[0].b.length },
    { lossWeights: weights, lossRidge: ridge, pullWeights: weights },
  );
  solvers.set(tasks, { weights: [...weights], ridge, solver });
  return solver;
}
