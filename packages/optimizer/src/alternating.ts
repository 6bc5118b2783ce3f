import { NumericError, ValidationError } from '@hetmtl/tensor';
import { throwIfAborted, yieldToEventLoop } from './abort.js';
import type { Block } from './adam-block.js';

/** One line of the trace: after a block (or a round) ran. */
export interface TraceEntry {
  readonly round: number;
  /** The block that just ran, or `round` for the end-of-round summary. */
  readonly step: string;
  readonly objective: number;
  readonly validationLoss: number | undefined;
  /** Whether the block's update was rolled back because it raised the validation loss. */
  readonly rolledBack: boolean;
  readonly elapsedMs: number;
}

export type StopReason = 'tolerance' | 'patience' | 'maxRounds';

export interface ProgressEvent {
  readonly phase: string;
  readonly round: number;
  readonly maxRounds: number;
  readonly objective: number;
  readonly validationLoss: number | undefined;
  readonly bestValidationLoss: number | undefined;
}

export interface AlternatingOptions<S> {
  readonly blocks: readonly Block[];
  /** The training objective (lower is better); checked for finiteness after every block. */
  readonly objective: () => number;
  /** The validation loss, for early stopping and rollback; without it only tolerance and maxRounds stop. */
  readonly validationLoss?: () => number;
  /** Captures the state to keep (the best so far, or before a block, for rollback). */
  readonly snapshot: () => S;
  readonly restore: (state: S) => void;
  /** Frees a snapshot that is no longer needed. */
  readonly release?: (state: S) => void;
  /** Rounds at most (default 50). */
  readonly maxRounds?: number;
  /** Stop when the relative change of the objective over a round is below this (default 1e-4). */
  readonly tolerance?: number;
  /** Stop after this many rounds without a better validation loss (default 3). */
  readonly patience?: number;
  /** Roll back a block whose update raises the validation loss (default true). */
  readonly rollback?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Name of the phase in progress events (default 'alternating'). */
  readonly phase?: string;
}

export interface AlternatingResult {
  readonly rounds: number;
  readonly stoppedBy: StopReason;
  readonly bestRound: number;
  readonly bestValidationLoss: number | undefined;
  readonly initialValidationLoss: number | undefined;
  readonly trace: readonly TraceEntry[];
}

function finite(value: number, where: string): number {
  if (!Number.isFinite(value)) {
    throw new NumericError(`The ${where} is ${value}`, {
      fix: 'Lower the learning rates or check the data for extreme values',
    });
  }
  return value;
}

/**
 * Runs the blocks in turn, round after round, keeping the state with the best validation loss
 * (restored at the end, so the result is never worse on validation than the start). Stops on the
 * relative change of the objective, on validation patience, or at the round cap.
 */
export async function runAlternating<S>(
  options: AlternatingOptions<S>,
): Promise<AlternatingResult> {
  const maxRounds = options.maxRounds ?? 50;
  const tolerance = options.tolerance ?? 1e-4;
  const patience = options.patience ?? 3;
  const rollback = options.rollback ?? true;
  const phase = options.phase ?? 'alternating';
  if (!Number.isInteger(maxRounds) || maxRounds < 0)
    throw new ValidationError('Invalid maxRounds', {
      expected: 'an integer ≥ 0',
      received: String(maxRounds),
    });
  const t0 = performance.now();
  const trace: TraceEntry[] = [];
  const val = options.validationLoss;
  let objective = finite(options.objective(), 'initial objective');
  const initialValidationLoss = val ? finite(val(), 'initial validation loss') : undefined;
  let current = initialValidationLoss;
  let best = options.snapshot();
  let bestLoss = initialValidationLoss;
  let bestRound = 0;
  let sinceBest = 0;
  let stoppedBy: StopReason = 'maxRounds';
  let round = 0;
  trace.push({
    round: 0,
    step: 'start',
    objective,
    validationLoss: current,
    rolledBack: false,
    elapsedMs: 0,
  });
  try {
    for (round = 1; round <= maxRounds; round++) {
      const start = objective;
      for (const block of options.blocks) {
        throwIfAborted(options.signal);
        const before = rollback && val ? options.snapshot() : undefined;
        await block.run({ round, ...(options.signal ? { signal: options.signal } : {}) });
        const obj = finite(
          options.objective(),
          `objective after block "${block.name}" (round ${round})`,
        );
        let v = val
          ? finite(val(), `validation loss after block "${block.name}" (round ${round})`)
          : undefined;
        let rolledBack = false;
        if (before !== undefined && v !== undefined && current !== undefined && v > current) {
          options.restore(before);
          v = current;
          rolledBack = true;
        } else {
          objective = obj;
          current = v;
        }
        if (before !== undefined) options.release?.(before);
        trace.push({
          round,
          step: block.name,
          objective,
          validationLoss: current,
          rolledBack,
          elapsedMs: performance.now() - t0,
        });
        await yieldToEventLoop();
      }
      trace.push({
        round,
        step: 'round',
        objective,
        validationLoss: current,
        rolledBack: false,
        elapsedMs: performance.now() - t0,
      });
      if (current !== undefined && bestLoss !== undefined && current < bestLoss) {
        options.release?.(best);
        best = options.snapshot();
        bestLoss = current;
        bestRound = round;
        sinceBest = 0;
      } else if (val) sinceBest++;
      options.onProgress?.({
        phase,
        round,
        maxRounds,
        objective,
        validationLoss: current,
        bestValidationLoss: bestLoss,
      });
      if (val && sinceBest >= patience) {
        stoppedBy = 'patience';
        break;
      }
      if (Math.abs(start - objective) <= tolerance * Math.max(Math.abs(start), 1e-12)) {
        stoppedBy = 'tolerance';
        break;
      }
    }
    if (val) options.restore(best);
  } finally {
    options.release?.(best);
  }
  return {
    rounds: Math.min(round, maxRounds),
    stoppedBy,
    bestRound: val ? bestRound : Math.min(round, maxRounds),
    bestValidationLoss: bestLoss,
    initialValidationLoss,
    trace,
  };
}
