import { MeanRegularizedSolver } from '@hetmtl/regularizers';
import { type CentredDesignOptions, centredDesign } from '@hetmtl/estimator';
import { crossprod, gram, type RowSpace } from '@hetmtl/tensor';

/**
 * The closed-form linear MTL special case of the method (method.md §2, §5): identity shared
 * encoder, K1 = 0, and the quadratic centre penalty, i.e. mean-regularised MTL (β_r = m + v_r):
 *
 *   min Σ_r w_r [ (1/2n_r)‖ỹ_r − X̃_r β_r‖² + (λ/2)‖β_r − m‖² + (ρ/2)‖β_r‖² ]
 *
 * on task-centred data (intercepts profiled out), solved by @hetmtl/regularizers'
 * `MeanRegularizedSolver` (block elimination of the β_r, a q×q system for m) with loss weights
 * w_r, the ridge **inside each task's weighted loss** (`lossRidge`: (Σ w_r A_r + ρW·I) β = Σ w_r b_r
 * at λ = ∞, W = Σ w_r) and pull weights w_r. λ = 0 gives per-task ridge (ρ), λ = ∞ one common β.
 *
 * The solve's coordinates are the features (q = p, the primal form) or — when p exceeds the rank
 * bound N − R of the task-centred rows — an orthonormal basis Q (p×q) of their row space
 * (@hetmtl/tensor's `rowSpace`, the dual form): the losses see β_r only through X̃_rβ_r and the
 * penalties are Euclidean norms, so every β_r and m lie in that span and solving for γ_r = Qᵀβ_r
 * gives the same fit in O(N²p) work and O(Np) memory, with no p×p array.
 */
export interface LinearTask {
  /** Task-centred X̃ᵀX̃/n_r (q×q, in the solve's coordinates). */
  readonly A: Float64Array;
  /** Task-centred X̃ᵀỹ/n_r (q). */
  readonly b: Float64Array;
  /** Task means of x and y (for the intercept). */
  readonly xMean: Float64Array;
  readonly yMean: number;
  readonly n: number;
}

/** One task's primal terms (q = p). */
export function linearTask(
  X: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  p: number,
): LinearTask {
  const d = centredDesign([X], [Array.from({ length: n }, (_, i) => y[i])], p, { form: 'primal' });
  return primalTask(d.Z[0], d.y[0], d.xMean[0], d.yMean[0], n, p);
}

/** A = ZᵀZ/n, b = Zᵀỹ/n for a task's rows Z (n×q) in the solve's coordinates. */
function primalTask(
  Z: Float64Array,
  yc: Float64Array,
  xMean: Float64Array,
  yMean: number,
  n: number,
  q: number,
): LinearTask {
  const A = gram(Z, n, q);
  const b = crossprod(Z, yc, n, q);
  for (let i = 0; i < q * q; i++) A[i] = A[i] / n;
  for (let a = 0; a < q; a++) b[a] = b[a] / n;
  return { A, b, xMean, yMean, n };
}

/** The floor's tasks in the solve's coordinates, and the map back to the features. */
export interface LinearDesign {
  readonly tasks: readonly LinearTask[];
  readonly p: number;
  /** The row space (β = Qγ), or null when the coordinates are the features. */
  readonly space: RowSpace | null;
}

/** Internal: force the primal (q = p) or the dual (row-space) form, and the row space's way. */
export type LinearDesignOptions = CentredDesignOptions;

/**
 * The tasks' terms on `@hetmtl/estimator`'s centred design: the primal form when p ≤ N − R (the most
 * the task-centred rows can span), else the dual form in their row space (unless forced).
 */
export function linearDesign(
  X: readonly ArrayLike<number>[],
  y: readonly ArrayLike<number>[],
  p: number,
  options: LinearDesignOptions = {},
): LinearDesign {
  const d = centredDesign(X, y, p, options);
  return {
    tasks: d.Z.map((Z, r) => primalTask(Z, d.y[r], d.xMean[r], d.yMean[r], d.n[r], d.q)),
    p,
    space: d.space,
  };
}

export interface LinearFit {
  readonly lambda: number;
  readonly beta: Float64Array[];
  readonly intercept: Float64Array;
  readonly centre: Float64Array;
}

/** Solves the mean-regularised problem at one λ (λ = Infinity: one common β). */
export function fitLinearMtl(
  design: LinearDesign,
  weights: readonly number[],
  lambda: number,
  ridge = 1e-3,
): LinearFit {
  const { tasks, p, space } = design;
  const sol = solverFor(tasks, weights, ridge).solve(lambda);
  const toFeatures = (g: Float64Array) => (space ? space.expand(g) : g);
  const beta = sol.beta.map(toFeatures);
  const centre = toFeatures(sol.centre);
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
