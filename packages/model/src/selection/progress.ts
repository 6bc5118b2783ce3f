import type { FitProgress } from '../types.js';

/**
 * The share of the fit done while candidate `i` (0-based) of `total` runs fold `k` of `K`: each
 * candidate counts 1/total, each fold 1/K of that, and within a fold the encoder rounds count up to
 * the round cap, the λ path after them counting as the end of the fold's share.
 */
export function candidateFraction(
  at: {
    readonly candidate: number;
    readonly candidates: number;
    readonly fold: number;
    readonly folds: number;
  },
  event: Partial<FitProgress>,
  maxRounds: number,
): number {
  const rounds = event.phase === 'path' ? maxRounds : (event.round ?? 0);
  const withinFold = Math.min(1, rounds / Math.max(maxRounds, 1));
  return (at.candidate + (at.fold + withinFold) / at.folds) / at.candidates;
}

/** Reports the events of one fold of one dual candidate as fit progress. */
export function candidateReporter(
  onProgress: ((event: FitProgress) => void) | undefined,
  at: {
    readonly candidate: number;
    readonly candidates: number;
    readonly fold: number;
    readonly folds: number;
  },
  maxRounds: number,
): (event: Partial<FitProgress>) => void {
  return (e) =>
    onProgress?.({
      phase: 'encoders',
      candidate: at.candidate + 1,
      candidates: at.candidates,
      fraction: candidateFraction(at, e, maxRounds),
      ...e,
    });
}
