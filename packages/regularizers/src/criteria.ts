/** The sizes the modified BIC counts. */
export interface BicSizes {
  /** N = Σ_r n_r. */
  readonly rows: number;
  /** R. */
  readonly tasks: number;
  /** K, the length of each fused β_r. */
  readonly dim: number;
  /** G, the number of groups of tasks with one β. */
  readonly groups: number;
  /** Parameters of each task outside β (counted R times). */
  readonly taskParameters: number;
}

/**
 * The modified BIC of method.md §5 for λ given the encoders:
 *
 *     log(RSS/N) + log(log(N + R·K)) · (log N / N) · (G·K + R·taskParameters)
 *
 * with RSS the residual sum of squares over all tasks. Lower is better.
 */
export function modifiedBic(rss: number, s: BicSizes): number {
  const { rows: N, tasks: R, dim: K, groups: G, taskParameters } = s;
  return (
    Math.log(rss / N) +
    Math.log(Math.log(N + R * K)) * (Math.log(N) / N) * (G * K + R * taskParameters)
  );
}
