import { meanTaskRmse, type StandardizedTasks } from '@hetmtl/estimator';
import { type AlternatingResult, type ProgressEvent, runAlternating } from '@hetmtl/optimizer';
import { predictLinear, type PrincipalSide, type Random } from '@hetmtl/tensor';
import { liftFitted, projectTasks, trainingRowSpace, useRowSpace } from './row-space.js';
import type { FittedDual } from '../predictors/dual.js';
import type { PathRow } from '../types.js';
import { encoderBlocks } from './blocks.js';
import { type CoefficientProblem, setBeta } from './coefficient-block.js';
import { objective } from './objective.js';
import { coefficientPath, type PathSettings, type ScoredPoint } from './path.js';
import { start } from './start.js';
import { DualTrainer, type TrainerConfig } from './trainer.js';

/** The encoder phase's stopping rule (method.md §4). */
export interface EncoderPhaseSettings {
  readonly maxRounds: number;
  /** Rounds without a better validation loss before stopping (with validation rows). */
  readonly patience?: number;
  /** Relative change of the objective over a round that stops the phase (0: run every round). */
  readonly tolerance: number;
}

export interface DualRunOptions {
  readonly encoderPhase: EncoderPhaseSettings;
  readonly path: Omit<PathSettings, 'validation'>;
  /** Validation rows: early stopping and rollback in the encoder phase, scores on the path. */
  readonly validation?: StandardizedTasks;
  readonly weighted?: boolean;
  readonly signal?: AbortSignal | undefined;
  /** Rounds of the encoder phase as they finish, then `{ phase: 'path' }`. */
  readonly onProgress?: (event: {
    phase?: 'path';
    round?: number;
    maxRounds?: number;
    validationRmse?: number;
  }) => void;
  /** Also time every block of the encoder phase (in `DualRun.timing.blocks`). */
  readonly timeBlocks?: boolean;
  /**
   * Whether the run works in the row space of the training rows (row-space.ts): 'auto' (default)
   * when p > 4·N and the encoders can fold it; true / false to force it (where it applies).
   */
  readonly rowSpace?: 'auto' | boolean;
  /** Which side the start's principal directions are computed on (default 'auto': the smaller; the two agree, see start.ts). */
  readonly startSide?: PrincipalSide | 'auto';
}

/** Where the time of one run went (milliseconds). */
export interface DualTiming {
  readonly startMs: number;
  readonly encoderPhaseMs: number;
  readonly pathMs: number;
  /** Total time inside each block of the encoder phase, by block name (with `timeBlocks`). */
  readonly blocks: Readonly<Record<string, number>>;
}

export interface DualRun {
  /** The fitted predictor at the chosen λ (the caller owns it: dispose it). */
  readonly fitted: FittedDual;
  readonly best: ScoredPoint;
  readonly path: PathRow[];
  /** Validation RMSE (standardised scale) after the start and after the encoder phase (NaN without validation rows). */
  readonly startScore: number;
  readonly encoderScore: number;
  readonly phase: AlternatingResult;
  /** The coefficient problem of the final encoders (what the path solved). */
  readonly problem: CoefficientProblem;
  readonly timing: DualTiming;
}

/**
 * The method of method.md §4 for one configuration, written once: the two-stage start, the
 * alternating encoder phase, then the λ path on the frozen encoders and β at the chosen λ. Fit
 * (with validation rows), refit (fixed rounds, λ given or by the BIC) and the speed bench all run
 * it.
 */
export async function runDual(
  config: TrainerConfig,
  data: StandardizedTasks,
  rng: Random,
  options: DualRunOptions,
): Promise<DualRun> {
  const { signal } = options;
  const t0 = performance.now();
  const blocks: Record<string, number> = {};
  const wide =
    options.rowSpace === undefined || options.rowSpace === 'auto'
      ? useRowSpace(config, data)
      : options.rowSpace;
  const projected = wide ? trainingRowSpace(data) : null;
  const space = projected?.space ?? null;
  const va =
    options.validation && space ? projectTasks(space, options.validation) : options.validation;
  const trainer = new DualTrainer(config, projected?.Z ?? data, rng, {
    reconstructionDim: data.p,
  });
  try {
    await start(trainer, rng.child(), signal, options.startSide);
    const t1 = performance.now();
    const valLoss = va
      ? () => meanTaskRmse(va.y, predictTasks(trainer, va.X), options.weighted ?? false)
      : undefined;
    const startScore = valLoss ? valLoss() : Number.NaN;
    const phase = await encoderPhase(trainer, options.encoderPhase, {
      ...(valLoss ? { validationLoss: valLoss } : {}),
      signal,
      onProgress: (e) =>
        options.onProgress?.({
          round: e.round,
          maxRounds: e.maxRounds,
          ...(e.validationLoss !== undefined ? { validationRmse: e.validationLoss } : {}),
        }),
      ...(options.timeBlocks ? { timeBlocks: blocks } : {}),
    });
    const t2 = performance.now();
    options.onProgress?.({ phase: 'path' });
    const encoderScore = valLoss ? valLoss() : Number.NaN;
    const path = await coefficientPath(
      trainer,
      { ...options.path, ...(va ? { validation: va } : {}), weighted: options.weighted ?? false },
      signal,
    );
    const t3 = performance.now();
    setBeta(trainer, path.best.beta, path.problem);
    return {
      fitted: space ? liftFitted(trainer.toFitted(), space) : trainer.toFitted(),
      best: path.best,
      path: path.rows,
      startScore,
      encoderScore,
      phase,
      problem: path.problem,
      timing: { startMs: t1 - t0, encoderPhaseMs: t2 - t1, pathMs: t3 - t2, blocks },
    };
  } finally {
    trainer.dispose();
  }
}

/** The alternating encoder phase: the blocks round after round, the best state kept. */
export async function encoderPhase(
  trainer: DualTrainer,
  settings: EncoderPhaseSettings,
  hooks: {
    readonly validationLoss?: () => number;
    readonly signal?: AbortSignal | undefined;
    readonly onProgress?: (event: ProgressEvent) => void;
    /** Adds the time spent in each block, by name, here. */
    readonly timeBlocks?: Record<string, number>;
  } = {},
): Promise<AlternatingResult> {
  const timed = hooks.timeBlocks;
  const blocks = encoderBlocks(trainer).map((b) =>
    timed
      ? {
          ...b,
          run: async (ctx: Parameters<typeof b.run>[0]) => {
            const s = performance.now();
            const res = await b.run(ctx);
            timed[b.name] = (timed[b.name] ?? 0) + performance.now() - s;
            return res;
          },
        }
      : b,
  );
  try {
    return await runAlternating({
      blocks,
      objective: () => objective(trainer),
      ...(hooks.validationLoss ? { validationLoss: hooks.validationLoss } : {}),
      snapshot: () => trainer.snapshot(),
      restore: (s) => trainer.restore(s),
      release: (s) => trainer.release(s),
      maxRounds: settings.maxRounds,
      ...(settings.patience !== undefined ? { patience: settings.patience } : {}),
      tolerance: settings.tolerance,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    });
  } finally {
    for (const b of blocks) b.dispose?.();
  }
}

/** Predictions (standardised scale) of the trainer's current state for standardised rows of each task. */
export function predictTasks(trainer: DualTrainer, X: readonly Float64Array[]): Float64Array[] {
  const { F, G } = trainer.factorsFor(X);
  const { beta, gamma, c } = trainer.store.coef;
  return X.map((x, r) => predictLinear(F[r], G[r], x.length / trainer.p, beta[r], gamma[r], c[r]));
}
