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
  return (at.candidate + (at.fold + withinFold(event, maxRounds)) / at.folds) / at.candidates;
}

/** The share of one fold's run done at `event`: the encoder rounds up to the cap, the λ path the end. */
export function withinFold(event: Partial<FitProgress>, maxRounds: number): number {
  const rounds = event.phase === 'path' ? maxRounds : (event.round ?? 0);
  return Math.min(1, rounds / Math.max(maxRounds, 1));
}

/**
 * Progress of candidates × folds run in parallel: each run's share as its events arrive (a run
 * counts 1/(folds·total)), so the fraction never goes back; events are passed on as they arrive.
 */
export function parallelReporter(
  onProgress: ((event: FitProgress) => void) | undefined,
  runs: readonly { readonly candidate: number }[],
  at: { readonly candidates: number; readonly folds: number },
  maxRounds: number,
): { event: (run: number, e: Partial<FitProgress>) => void; done: (run: number) => void } {
  const share = runs.map(() => 0);
  let sum = 0;
  let last = 0;
  const set = (run: number, w: number) => {
    if (w <= share[run]) return;
    sum += w - share[run];
    share[run] = w;
  };
  return {
    event: (run, e) => {
      set(run, withinFold(e, maxRounds));
      last = Math.max(last, sum / (at.folds * at.candidates));
      onProgress?.({
        phase: 'encoders',
        candidate: runs[run].candidate + 1,
        candidates: at.candidates,
        fraction: last,
        ...e,
      });
    },
    done: (run) => set(run, 1),
  };
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
