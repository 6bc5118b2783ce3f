import { ValidationError } from '@hetmtl/tensor';
import { throwIfAborted, yieldToEventLoop } from './abort.js';

export interface PathPoint<R> {
  readonly lambda: number;
  readonly result: R;
  readonly validationLoss: number | undefined;
}

export interface LambdaPathOptions<R> {
  /** Solves at one λ, warm-started from the previous point's result (undefined at the first). */
  readonly solve: (lambda: number, warm: R | undefined) => R | Promise<R>;
  /** Scores a point (lower is better); the path's best point is the lowest. */
  readonly validationLoss?: (result: R, lambda: number) => number;
  readonly signal?: AbortSignal;
  readonly onPoint?: (point: PathPoint<R>, index: number, total: number) => void;
}

export interface LambdaPathResult<R> {
  readonly points: readonly PathPoint<R>[];
  /** Index of the point with the lowest validation loss (the first point without a scorer). */
  readonly bestIndex: number;
}

/**
 * Walks an increasing λ path, warm-starting each solve from the previous one (for concave fusion,
 * starting each λ cold from η = 0 collapses all tasks: the path is what makes it work).
 */
export async function runLambdaPath<R>(
  lambdas: readonly number[],
  options: LambdaPathOptions<R>,
): Promise<LambdaPathResult<R>> {
  for (let i = 0; i < lambdas.length; i++) {
    const l = lambdas[i] as number;
    if (!(l >= 0) || (i > 0 && l < (lambdas[i - 1] as number))) {
      throw new ValidationError('The λ path must be non-negative and increasing', {
        received: `λ[${i}] = ${l}`,
        fix: 'Sort the λ values in increasing order',
      });
    }
  }
  const points: PathPoint<R>[] = [];
  let warm: R | undefined;
  let bestIndex = 0;
  for (let i = 0; i < lambdas.length; i++) {
    throwIfAborted(options.signal);
    const lambda = lambdas[i] as number;
    const result = await options.solve(lambda, warm);
    const validationLoss = options.validationLoss?.(result, lambda);
    const point = { lambda, result, validationLoss };
    points.push(point);
    if (
      validationLoss !== undefined &&
      validationLoss <
        ((points[bestIndex] as PathPoint<R>).validationLoss ?? Number.POSITIVE_INFINITY)
    )
      bestIndex = i;
    options.onPoint?.(point, i, lambdas.length);
    warm = result;
    await yieldToEventLoop();
  }
  return { points, bestIndex };
}

/** n values from lo to hi evenly spaced on a log scale (lo > 0), optionally with 0 in front. */
export function logGrid(lo: number, hi: number, n: number, withZero = false): number[] {
  if (!(lo > 0) || !(hi >= lo) || !Number.isInteger(n) || n < 1) {
    throw new ValidationError('Invalid log grid', {
      expected: '0 < lo ≤ hi and n ≥ 1',
      received: `lo ${lo}, hi ${hi}, n ${n}`,
    });
  }
  const out = n === 1 ? [hi] : Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
  return withZero ? [0, ...out] : out;
}
