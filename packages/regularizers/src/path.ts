import { describeReceived, Pacer, throwIfAborted, ValidationError } from '@hetmtl/tensor';
import { modifiedBic } from './criteria.js';
import type { FusionResult, PreparedFusion } from './fusion.js';
import { checkLambda } from './penalty.js';
import { refitChecked } from './refit.js';

/** One point of the λ path: β per task and its groups. */
export interface PathPoint {
  readonly lambda: number;
  readonly beta: readonly Float64Array[];
  /** Group label per task (0..G−1); λ = ∞ puts every task in group 0. */
  readonly groups: readonly number[];
  readonly numGroups: number;
  /** The solver's result (absent at λ = ∞, which is solved in closed form). */
  readonly result?: FusionResult;
}

export interface LambdaPathOptions {
  /**
   * 'grid' (default): λ = 0, the positive values of {@link PreparedFusion.lambdaGrid} and λ = ∞.
   * Or the λ values to solve, where 0 is the unfused solution and Infinity the tied refit (every
   * task on one β: the limit of the path as λ → ∞).
   */
  readonly lambdas?: 'grid' | readonly number[];
  /** Grid size (default 20), smallest λ as a fraction of the top (1e-3), quantile of the top (0.9). */
  readonly numLambdas?: number;
  readonly lambdaMinRatio?: number;
  readonly quantile?: number;
  /** ADMM iteration cap per λ, counted over chunks (default 1000). */
  readonly maxIter?: number;
  /**
   * Stops the path with an AbortError. The event loop gets a turn before every chunk of ADMM
   * iterations (about 100 ms of work each) and every 50 ms while the ADMM matrix is factored, so an
   * abort is answered within a fraction of a second.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Stop solving once every pair is fused at a converged λ (default true): from there every larger
   * λ has the same solution (the penalty is zero at zero differences and its threshold only grows
   * with λ, so the warm-started ADMM stays where it is), and each later point is that solution with
   * its λ — one group, 0 iterations. False solves every λ.
   */
  readonly stopWhenFused?: boolean;
}

/** ADMM iterations of the first chunk; later chunks are sized to take about {@link CHUNK_MS}. */
const CHUNK = 25;
const CHUNK_MS = 100;

/** What the modified BIC needs besides the path: the task-private parameters of each task. */
export interface BicOptions {
  /**
   * Parameters per task outside the fused β (e.g. an intercept and K1 task-factor coefficients:
   * K1 + 1). Counted R times.
   */
  readonly taskParameters: number;
}

/**
 * The solutions along λ on one prepared problem, λ ascending, with the modified BIC of method.md
 * §5 (needs the problem's `residual`).
 */
export class FusionPath {
  constructor(
    readonly prepared: PreparedFusion,
    readonly points: readonly PathPoint[],
  ) {}

  /** The modified BIC of a point (lower is better): see {@link modifiedBic}. */
  bic(point: PathPoint, options: BicOptions): number {
    return modifiedBic(this.prepared.residualSumOfSquares(point.beta), {
      rows: this.prepared.totalRows,
      tasks: this.prepared.numTasks,
      dim: this.prepared.dim,
      groups: point.numGroups,
      taskParameters: options.taskParameters,
    });
  }
}

/**
 * The λ = ∞ endpoint: every task on one β, θ = (Σ_r (w_r A_r + ρ_r I))⁻¹ Σ_r w_r b_r. It is the
 * limit of the path as λ → ∞ (the penalty forces β_r = β_s while the ridge stays on every β_r).
 */
export function tiedPoint(prepared: PreparedFusion): PathPoint {
  const R = prepared.numTasks;
  const groups = new Array<number>(R).fill(0);
  const beta = refitChecked(prepared.checked, groups, prepared.ridge);
  return { lambda: Number.POSITIVE_INFINITY, beta, groups, numGroups: 1 };
}

/** The prepared problem's λ grid with the path's grid options. */
function gridOf(prepared: PreparedFusion, o: LambdaPathOptions): number[] {
  return prepared.lambdaGrid({
    ...(o.numLambdas !== undefined ? { numLambdas: o.numLambdas } : {}),
    ...(o.lambdaMinRatio !== undefined ? { lambdaMinRatio: o.lambdaMinRatio } : {}),
    ...(o.quantile !== undefined ? { quantile: o.quantile } : {}),
  });
}

const point = (res: FusionResult): PathPoint => ({
  lambda: res.lambda,
  beta: res.beta,
  groups: res.groups,
  numGroups: res.numGroups,
  result: res,
});

/**
 * Positive finite λ in ascending order with warm starts (the first from the unfused state), each λ
 * solved in chunks of ADMM iterations with a turn of the event loop between them. A chunk is warm-started from the
 * previous one's state (η, v), the same iteration sequence as one uninterrupted solve (the ADMM
 * carries only η and v), so the results do not depend on the chunk sizes.
 */
async function warmChain(
  prepared: PreparedFusion,
  lambdas: readonly number[],
  options: LambdaPathOptions,
): Promise<FusionResult[]> {
  const pacer = new Pacer(options.signal);
  const maxIter = options.maxIter ?? 1000;
  // The ADMM matrix is factored once per problem; for thousands of tasks that takes seconds.
  for (const _ of prepared.factorSteps()) await pacer.tick();
  const out: FusionResult[] = [];
  let warm: FusionResult['state'] | undefined;
  let size = CHUNK;
  let fused: FusionResult | undefined;
  for (const lambda of [...lambdas].sort((a, b) => a - b)) {
    if (fused) {
      out.push(fusedAt(prepared, fused, lambda));
      continue;
    }
    let done = 0;
    let total = 0;
    let res: FusionResult;
    do {
      await pacer.turn();
      const chunk = Math.min(size, maxIter - done);
      const t0 = performance.now();
      res = prepared.solve({ lambda, maxIter: chunk, ...(warm ? { warm } : {}) });
      const ms = performance.now() - t0;
      if (res.iterations >= chunk && ms > 0)
        size = Math.max(5, Math.min(maxIter, Math.round((chunk * CHUNK_MS) / ms)));
      done += chunk;
      total += res.iterations;
      warm = res.state;
    } while (!res.converged && done < maxIter);
    // The iterations of every chunk at this λ (the last chunk's alone undercounted).
    out.push(total === res.iterations ? res : { ...res, iterations: total });
    if (
      (options.stopWhenFused ?? true) &&
      res.converged &&
      res.numPairs > 0 &&
      res.numFusedPairs === res.numPairs
    )
      fused = res;
  }
  return out;
}

/** The fully fused solution `res` as the point of a larger λ (see `stopWhenFused`). */
function fusedAt(prepared: PreparedFusion, res: FusionResult, lambda: number): FusionResult {
  return {
    ...res,
    lambda,
    beta: res.beta.map((b) => b.slice()),
    fusedBeta: res.fusedBeta.map((b) => b.slice()),
    groups: [...res.groups],
    iterations: 0,
    objective: prepared.objective(res.fusedBeta, lambda, res.centre),
  };
}

/**
 * The λ path of method.md §4 on one prepared problem (one encoder state): the unfused λ = 0
 * solution, the positive λ in ascending order with warm starts, and the tied λ = ∞ refit — each
 * only when asked for. The grid is [0] when every unfused β is the same (for example tasks of one
 * row: A_r = 0, b_r = 0); the path is then λ = 0 and λ = ∞ alone.
 */
export async function lambdaPath(
  prepared: PreparedFusion,
  options: LambdaPathOptions = {},
): Promise<FusionPath> {
  const asked = options.lambdas ?? 'grid';
  let lambdas: number[];
  if (asked === 'grid') {
    lambdas = [0, ...gridOf(prepared, options).filter((l) => l > 0), Number.POSITIVE_INFINITY];
  } else {
    if (!Array.isArray(asked) || asked.length === 0)
      throw new ValidationError('Invalid lambdas', {
        expected: "'grid' or a non-empty array of λ ≥ 0 (Infinity allowed)",
        received: describeReceived(asked),
      });
    for (const l of asked) if (l !== Number.POSITIVE_INFINITY) checkLambda(l, 'lambda in lambdas');
    lambdas = [...new Set(asked)];
  }
  throwIfAborted(options.signal);
  const positive = lambdas.filter((l) => l > 0 && l < Number.POSITIVE_INFINITY);
  const points = (positive.length > 0 ? await warmChain(prepared, positive, options) : []).map(
    point,
  );
  if (lambdas.includes(0)) {
    const zero = (await warmChain(prepared, [0], options))[0];
    points.unshift(point(zero));
  }
  if (lambdas.includes(Number.POSITIVE_INFINITY)) points.push(tiedPoint(prepared));
  return new FusionPath(prepared, points);
}

/**
 * The solution at one λ reached the way the path reaches it: for concave penalties the answer
 * depends on the path, so λ is approached with warm starts through the grid values below it.
 * λ = 0 is the unfused solution and λ = ∞ the tied refit.
 */
export async function solveAlongPath(
  prepared: PreparedFusion,
  lambda: number,
  options: Omit<LambdaPathOptions, 'lambdas'> = {},
): Promise<PathPoint> {
  if (lambda === Number.POSITIVE_INFINITY) return tiedPoint(prepared);
  checkLambda(lambda);
  if (lambda === 0) return point((await warmChain(prepared, [0], options))[0]);
  throwIfAborted(options.signal);
  const below = gridOf(prepared, options).filter((l) => l > 0 && l < lambda);
  const results = await warmChain(prepared, [...below, lambda], options);
  return point(results[results.length - 1]);
}
