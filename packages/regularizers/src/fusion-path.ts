import {
  type FusionResult,
  type PathOptions,
  type PrepareOptions,
  prepareFusion,
} from './fusion.js';
import type { Penalty } from './penalty.js';
import type { AnyFusionProblem } from './problem.js';

export interface FusionPathOptions extends PrepareOptions, PathOptions {}

/**
 * Solves along an increasing λ path with warm starts: the first λ starts η at the unfused
 * differences (the λ = 0 solution), each next λ from the previous state. The ADMM matrix is
 * factored once. Default grid: `numLambdas` (20) log-spaced values from `lambdaMinRatio` (1e-3)
 * times the top to the top, the top being {@link lambdaMax}. Results are in ascending λ.
 */
export function fusionPath(
  problem: AnyFusionProblem,
  penalty: Penalty,
  options: FusionPathOptions = {},
): FusionResult[] {
  return prepareFusion(problem, penalty, options).path(options);
}

/**
 * The top of the default λ grid: a high quantile (default 0.9) of the unfused pairwise differences
 * ‖β_r − β_s‖ for pairwise penalties (see `PreparedFusion.lambdaMax` for `centre` and quadratic
 * penalties). Not the exact λ at which every task fuses: that needs quantile 1 or more.
 */
export function lambdaMax(
  problem: AnyFusionProblem,
  penalty: Penalty,
  options: PrepareOptions & { readonly quantile?: number } = {},
): number {
  return prepareFusion(problem, penalty, options).lambdaMax(options.quantile ?? 0.9);
}

/** The default λ grid of {@link fusionPath} (ascending). */
export function lambdaGrid(
  problem: AnyFusionProblem,
  penalty: Penalty,
  options: PrepareOptions & {
    readonly numLambdas?: number;
    readonly lambdaMinRatio?: number;
    readonly quantile?: number;
  } = {},
): number[] {
  return prepareFusion(problem, penalty, options).lambdaGrid(options);
}
