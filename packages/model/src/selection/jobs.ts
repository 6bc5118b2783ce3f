import type { StandardizedTasks } from '@hetmtl/estimator';
import type { TraceEntry } from '@hetmtl/optimizer';
import { type PenaltyJSON, penaltyFromJSON, penaltyToJSON } from '@hetmtl/regularizers';
import { Random, type RandomState } from '@hetmtl/tensor';
import { type DualRun, runDual } from '../dual/sequence.js';
import type { TrainerConfig } from '../dual/trainer.js';
import type { ResolvedOptions } from '../options.js';
import type { DualStateJSON } from '../predictors/dual.js';
import type { TaskPredictor } from '../predictors/predictor.js';
import type { PathRow } from '../types.js';

/**
 * One run of model selection, candidate × fold, as plain data (structured-cloneable): what a worker
 * thread needs to run it exactly as the serial loop of select.ts does — the fold's standardised
 * rows, the candidate's configuration, the state of the random stream the serial run would get
 * (`rng.child()` drawn in the serial order), the run settings with the penalty as its JSON.
 */
export interface SelectionJob {
  readonly candidate: number;
  readonly fold: number;
  readonly config: TrainerConfig;
  readonly train: StandardizedTasks;
  readonly validation: StandardizedTasks;
  readonly rng: RandomState;
  readonly encoderPhase: {
    readonly maxRounds: number;
    readonly patience: number;
    readonly tolerance: number;
  };
  readonly path: {
    readonly similarity: PenaltyJSON;
    readonly ridge: number;
    readonly numLambdas: number;
    readonly lambda: ResolvedOptions['lambda'];
    readonly criterion: 'bic' | 'validation';
  };
  readonly weighted: boolean;
  /** Whether the fitted predictor is sent back (one fold: the best candidate's fit is the model). */
  readonly keepFitted: boolean;
}

/** What select.ts keeps of one run (plain data: a worker's answer). */
export interface JobResult {
  readonly best: {
    readonly score: number;
    readonly lambda: number;
    readonly numGroups: number;
    readonly groups: readonly number[];
  };
  readonly path: PathRow[];
  readonly startScore: number;
  readonly encoderScore: number;
  readonly phase: {
    readonly rounds: number;
    readonly bestRound: number;
    readonly trace: readonly TraceEntry[];
  };
  /** The fitted predictor's document part (with `keepFitted`). */
  readonly fitted: DualStateJSON | null;
  /** The fitted predictor's predictions of the validation rows, per task (standardised scale). */
  readonly validation: Float64Array[];
}

/** A progress event of a run, as runDual reports it. */
export type JobEvent = Parameters<NonNullable<Parameters<typeof runDual>[3]['onProgress']>>[0];

/**
 * The jobs of a selection in the serial order (candidate by candidate, fold by fold), each with the
 * state of the stream `rng.child()` gives that run in the serial loop. Draws those children from
 * `rng` in that order, so the stream is left where the serial loop leaves it (the refit draws next).
 */
export function selectionJobs(
  o: ResolvedOptions,
  configs: readonly TrainerConfig[],
  parts: readonly {
    readonly train: StandardizedTasks;
    readonly validation: StandardizedTasks | null;
  }[],
  rng: Random,
  weighted: boolean,
): SelectionJob[] {
  const jobs: SelectionJob[] = [];
  const similarity = penaltyToJSON(o.similarity);
  configs.forEach((config, i) => {
    parts.forEach((part, k) => {
      jobs.push({
        candidate: i,
        fold: k,
        config,
        train: part.train,
        validation: part.validation as StandardizedTasks,
        rng: rng.child().state(),
        encoderPhase: { maxRounds: o.maxRounds, patience: o.patience, tolerance: o.tolerance },
        path: {
          similarity,
          ridge: o.ridge,
          numLambdas: o.numLambdas,
          lambda: o.lambda,
          criterion: o.lambdaSelection,
        },
        weighted,
        keepFitted: parts.length === 1,
      });
    });
  });
  return jobs;
}

/** What select.ts keeps of a run (the fitted predictor's JSON with `keepFitted`). */
export function jobResult(
  res: DualRun,
  keepFitted: boolean,
  validation: StandardizedTasks | null,
): JobResult {
  const { score, lambda, numGroups, groups } = res.best;
  return {
    best: { score, lambda, numGroups, groups: [...groups] },
    path: res.path,
    startScore: res.startScore,
    encoderScore: res.encoderScore,
    phase: {
      rounds: res.phase.rounds,
      bestRound: res.phase.bestRound,
      trace: res.phase.trace,
    },
    fitted: keepFitted ? res.fitted.toJSON() : null,
    validation: validationPredictions(res.fitted, validation),
  };
}

/**
 * Runs one job (in a worker thread, or on the main thread as one of the pool's workers): runDual
 * with the job's stream, the same call as the serial loop of select.ts. The fitted predictor is
 * freed once its JSON is taken.
 */
export async function runJob(
  job: SelectionJob,
  onProgress: (event: JobEvent) => void,
  signal?: AbortSignal,
): Promise<JobResult> {
  const res = await runDual(job.config, job.train, Random.fromState(job.rng), {
    encoderPhase: job.encoderPhase,
    path: { ...job.path, similarity: penaltyFromJSON(job.path.similarity) },
    validation: job.validation,
    weighted: job.weighted,
    signal,
    onProgress,
  });
  try {
    return jobResult(res, job.keepFitted, job.validation);
  } finally {
    res.fitted.dispose();
  }
}

/** A predictor's predictions of validation rows, per task (empty for a task without any). */
export function validationPredictions(
  fitted: TaskPredictor,
  validation: StandardizedTasks | null,
): Float64Array[] {
  return (validation?.X ?? []).map((X, r) =>
    X.length === 0 ? new Float64Array(0) : fitted.predict(r, X),
  );
}
