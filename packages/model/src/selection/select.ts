import { type MultiTaskDataset, Standardizer } from '@hetmtl/data';
import { type SeedStreams, type StandardizedTasks, standardizeTasks } from '@hetmtl/estimator';
import { throwIfAborted, type TraceEntry } from '@hetmtl/optimizer';
import { opt, Pacer, ValidationError } from '@hetmtl/tensor';
import { runDual } from '../dual/sequence.js';
import type { TrainerConfig } from '../dual/trainer.js';
import { fitLinearFloor, linearFloorPath } from '../linear-floor.js';
import type { ResolvedOptions } from '../options.js';
import type { TaskPredictor } from '../predictors/predictor.js';
import type { Candidate, FitOptions, FittedState, PathRow } from '../types.js';
import { candidateConfigs } from './candidates.js';
import { type Fold, validationFolds } from './folds.js';
import { candidateReporter } from './progress.js';

/** One fold's data on its own training statistics. */
interface Part {
  readonly st: Standardizer;
  readonly tr: StandardizedTasks;
  readonly va: StandardizedTasks;
  readonly ySd: number;
}

/** The best candidate so far (owns its predictor when there is one fold). */
interface Best {
  readonly score: number;
  readonly index: number;
  readonly kind: 'dual' | 'linear';
  readonly lambda: number;
  readonly config?: TrainerConfig;
  readonly bestRound?: number;
  readonly predictor?: TaskPredictor;
  readonly groups: number[];
  readonly path: PathRow[];
  readonly trace: readonly TraceEntry[];
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * Model selection (method.md §5): the validation folds, every dual candidate and the linear floor
 * scored on them, the best kept, then the refit of the best on all rows. Returns the fitted state
 * (without names); on error or abort every predictor it made is freed.
 */
export async function selectModel(
  o: ResolvedOptions,
  dataset: MultiTaskDataset,
  fitOptions: FitOptions,
  { splitSeed, rng }: SeedStreams,
): Promise<Omit<FittedState, 'taskNames' | 'featureNames'>> {
  const { signal, onProgress } = fitOptions;
  const folds = validationFolds(o, dataset, fitOptions.validation, splitSeed);
  const parts = folds.map(standardizedPart);
  const K = parts.length;
  if (parts.every((part) => part.va.y.every((y) => y.length === 0)))
    throw noValidationRows(dataset);
  const weighted = o.selection.metric === 'weighted';
  const configs = candidateConfigs(o, dataset.numFeatures);
  const refit = o.refit || K > 1;
  const total = configs.length + (o.selection.linearFloor ? 1 : 0) + (refit ? 1 : 0);
  const candidates: Candidate[] = [];
  const held: { best: Best | null } = { best: null };
  const keepBest = (cand: Best) => {
    if (held.best === null || cand.score < held.best.score) {
      held.best?.predictor?.dispose();
      held.best = cand;
    } else cand.predictor?.dispose();
  };
  try {
    for (let i = 0; i < configs.length; i++) {
      const { id, settings, config } = configs[i];
      const runs = [];
      for (let k = 0; k < K; k++) {
        const part = parts[k];
        const res = await runDual(config, part.tr, rng.child(), {
          encoderPhase: { maxRounds: o.maxRounds, patience: o.patience, tolerance: o.tolerance },
          path: pathSettings(o, o.lambda, o.lambdaSelection),
          validation: part.va,
          weighted,
          signal,
          onProgress: candidateReporter(
            onProgress,
            { candidate: i, candidates: total, fold: k, folds: K },
            o.maxRounds,
          ),
        });
        runs.push({ ...res, ySd: part.ySd });
        if (K > 1) res.fitted.dispose();
      }
      const last = runs[runs.length - 1] as (typeof runs)[number];
      const score = mean(runs.map((r) => r.best.score * r.ySd));
      const bestRound = median(runs.map((r) => r.phase.bestRound));
      candidates.push({
        id,
        kind: 'dual',
        settings,
        lambda: last.best.lambda,
        validationRmse: score,
        startValidationRmse: mean(runs.map((r) => r.startScore * r.ySd)),
        encoderValidationRmse: mean(runs.map((r) => r.encoderScore * r.ySd)),
        numGroups: last.best.numGroups,
        rounds: last.phase.rounds,
        bestRound,
        chosen: false,
      });
      keepBest({
        score,
        index: candidates.length - 1,
        kind: 'dual',
        lambda: last.best.lambda,
        config,
        bestRound,
        ...(K === 1 ? { predictor: last.fitted } : {}),
        groups: [...last.best.groups],
        path: last.path.map((p) => ({ ...p, validationRmse: p.validationRmse * last.ySd })),
        trace: last.phase.trace,
      });
    }
    if (o.selection.linearFloor) {
      throwIfAborted(signal);
      onProgress?.({
        phase: 'linear',
        candidate: configs.length + 1,
        candidates: total,
        fraction: configs.length / total,
      });
      const pacer = new Pacer(signal);
      const runs: Awaited<ReturnType<typeof linearFloorPath>>[] = [];
      for (const part of parts)
        runs.push(await linearFloorPath(part.tr, part.va, o.ridge, weighted, pacer));
      // λ by the validation RMSE averaged over the folds.
      const path = runs[0].path.map((row, j) => ({
        ...row,
        validationRmse: mean(runs.map((r, k) => r.path[j].validationRmse * parts[k].ySd)),
      }));
      const best = path.reduce((a, b) => (b.validationRmse < a.validationRmse ? b : a));
      const tied = best.lambda === Number.POSITIVE_INFINITY;
      candidates.push({
        id: 'linear-mtl',
        kind: 'linear',
        settings: { encoder: 'identity', K1: 0, similarity: 'centre (quadratic)' },
        lambda: best.lambda,
        validationRmse: best.validationRmse,
        numGroups: best.numGroups,
        chosen: false,
      });
      keepBest({
        score: best.validationRmse,
        index: candidates.length - 1,
        kind: 'linear',
        lambda: best.lambda,
        groups: dataset.taskNames.map((_, r) => (tied ? 0 : r)),
        // One fold: the fold's own fit at its best λ is the candidate.
        ...(K === 1 ? { predictor: runs[0].best.fit } : {}),
        path,
        trace: [],
      });
    }
    const chosen = held.best as Best;
    candidates[chosen.index] = { ...candidates[chosen.index], chosen: true };
    let standardizer = parts[0].st;
    let predictor = chosen.predictor ?? null;
    let groups = chosen.groups;
    let lambda = chosen.lambda;
    if (refit) {
      throwIfAborted(signal);
      onProgress?.({
        phase: 'refit',
        candidate: total,
        candidates: total,
        fraction: (total - 1) / total,
      });
      const all = K > 1 ? dataset : folds[0].all;
      standardizer = new Standardizer().fit(all);
      const data = standardizeTasks(all, standardizer);
      if (chosen.kind === 'linear') {
        predictor?.dispose();
        predictor = fitLinearFloor(data, chosen.lambda, o.ridge, o.taskWeights);
      } else {
        // With K folds the λ is chosen again on all rows (by the BIC; there is no validation left).
        const res = await runDual(chosen.config as TrainerConfig, data, rng.child(), {
          encoderPhase: { maxRounds: chosen.bestRound ?? 0, tolerance: 0 },
          path:
            K > 1
              ? pathSettings(o, o.lambda, 'bic')
              : pathSettings(o, { walkTo: chosen.lambda }, 'bic'),
          signal,
        });
        predictor?.dispose();
        predictor = res.fitted;
        groups = [...res.best.groups];
        lambda = res.best.lambda;
      }
    }
    held.best = null;
    onProgress?.({ phase: 'done', candidate: total, candidates: total, fraction: 1 });
    return {
      standardizer,
      predictor: predictor as TaskPredictor,
      lambda,
      groups,
      candidates,
      path: chosen.path,
      trace: chosen.trace,
      folds: K,
    };
  } finally {
    held.best?.predictor?.dispose();
  }
}

function pathSettings(
  o: ResolvedOptions,
  lambda: ResolvedOptions['lambda'] | { walkTo: number },
  criterion: 'bic' | 'validation',
) {
  return { similarity: o.similarity, ridge: o.ridge, numLambdas: o.numLambdas, lambda, criterion };
}

function standardizedPart(f: Fold): Part {
  const st = new Standardizer().fit(f.train);
  return {
    st,
    tr: standardizeTasks(f.train, st),
    va: f.validation(st),
    ySd: st.targetScaling().scale,
  };
}

function noValidationRows(dataset: MultiTaskDataset): ValidationError {
  return new ValidationError('No task has a row to spare for validation', {
    expected: 'at least one task with 2 rows or more (one to fit, one to validate)',
    received: `${dataset.numTasks} task${dataset.numTasks === 1 ? '' : 's'} of one row each`,
    fix: [
      'With one row per task there is nothing within a task to learn from or to validate on: add rows to the tasks, merge tasks, or pass validation rows (',
      opt('validation'),
      ')',
    ],
  });
}
