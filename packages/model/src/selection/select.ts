import {
  type FitContext,
  meanTaskRmse,
  type Selected,
  type StandardizedFold,
  type StandardizedTasks,
} from '@hetmtl/estimator';
import { throwIfAborted, type TraceEntry } from '@hetmtl/optimizer';
import { opt, Pacer, ValidationError } from '@hetmtl/tensor';
import { runDual } from '../dual/sequence.js';
import type { TrainerConfig } from '../dual/trainer.js';
import { type GlmChoice, refitGlmFloor, selectGlmFloor, usesGlmFloor } from '../glm-floor.js';
import { fitLinearFloor, linearFloorPath } from '../linear-floor.js';
import type { ResolvedOptions } from '../options.js';
import type { TaskPredictor } from '../predictors/predictor.js';
import type { Candidate, FitProgress, FittedModel, ModelSelection, PathRow } from '../types.js';
import { candidateConfigs } from './candidates.js';
import { FittedDual } from '../predictors/dual.js';
import { BlendPredictor, type BlendPart } from '../predictors/blend.js';
import { MAX_BLEND, simplexWeights } from './blend.js';
import { selectionJobs, type JobResult, validationPredictions } from './jobs.js';
import { candidateReporter, parallelReporter } from './progress.js';
import { runInWorkers, selectionWorkers, workersKnow } from './workers.js';

/** The best candidate so far (owns its predictor when there is one fold). */
interface Best extends Choice {
  readonly score: number;
  readonly index: number;
  readonly predictor?: TaskPredictor;
  readonly path: PathRow[];
  readonly trace: readonly TraceEntry[];
}

/** What the refit needs of the chosen candidate beyond its selection record. */
export interface Choice {
  readonly kind: 'dual' | 'linear' | 'blend';
  readonly lambda: number;
  /** The chosen candidate's groups (kept by the linear floor's refit). */
  readonly groups: readonly number[];
  readonly config?: TrainerConfig;
  readonly bestRound?: number;
  /** The path point chosen by the validation RMSE averaged over K folds (its index on the path). */
  readonly point?: number;
  /** Model averaging: the components, heaviest first (kind 'blend'; λ and groups are the first's). */
  readonly parts?: readonly {
    readonly weight: number;
    readonly id: string;
    readonly choice: Choice;
  }[];
  /** The GLM floor's form (binomial, poisson, weighted rows: glm-floor.ts). */
  readonly glmForm?: GlmChoice['glmForm'];
}

/** The smallest weight a component keeps in the averaged model (the rest renormalised). */
export const MIN_BLEND_WEIGHT = 0.01;

/**
 * How far behind the best validation RMSE a candidate may be and still enter the average (3%).
 * Stacking weights fitted on a few validation rows per task gave weight to candidates far behind
 * (the trunk at +18% on the factor design took 0.24 and raised the test RMSE by 4%; its refit on
 * every row is another draw of an mlp): docs/method.md §5.
 */
export const BLEND_TOLERANCE = 0.03;

/** What is kept of one candidate's run on one fold (its fit only with one fold). */
type KeptRun = Omit<JobResult, 'fitted'> & {
  readonly ySd: number;
  fitted?: TaskPredictor | undefined;
};

export type ModelSelected = Selected<FittedModel, ModelSelection, Choice>;

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * Model selection (method.md §5), the skeleton's `select`: every dual candidate and the linear
 * floor scored on the validation folds, the best kept (with its fitted predictor when there is one
 * fold; with K folds only the refit makes the model). On error or abort every predictor it made is
 * freed.
 */
export async function selectCandidates(
  o: ResolvedOptions,
  parts: readonly StandardizedFold[],
  ctx: FitContext<FitProgress>,
): Promise<ModelSelected> {
  const { signal, rng, emit } = ctx;
  const K = parts.length;
  const R = parts[0].train.y.length;
  if (parts.every((part) => part.validation?.y.every((y) => y.length === 0) ?? true))
    throw noValidationRows(R);
  if (usesGlmFloor(o, parts[0].train)) return selectGlmFloor(o, parts, ctx);
  const weighted = o.selection.metric === 'weighted';
  const configs = candidateConfigs(o, parts[0].train.p);
  const refit = o.refit || K > 1;
  const total = configs.length + (o.selection.linearFloor ? 1 : 0) + (refit ? 1 : 0);
  const candidates: Candidate[] = [];
  const held: { best: Best | null } = { best: null };
  // Every candidate's record (without its predictor) and validation predictions in units of y, per
  // task, the folds' rows one after another (out-of-fold with K folds): model averaging's inputs.
  const records: Best[] = [];
  const predictions: Float64Array[][] = [];
  const keepBest = (cand: Best) => {
    records.push({ ...cand, predictor: undefined });
    if (held.best === null || cand.score < held.best.score) {
      held.best?.predictor?.dispose();
      held.best = cand;
    } else cand.predictor?.dispose();
  };
  const addCandidate = (i: number, runs: readonly KeptRun[]) => {
    const { id, settings, config } = configs[i];
    const last = runs[runs.length - 1];
    predictions.push(byTask(runs.map((r) => r.validation.map((v) => v.map((x) => x * r.ySd)))));
    const cv = K > 1 && o.lambdaSelection === 'validation' ? pathByFolds(runs) : null;
    const score = cv?.score ?? mean(runs.map((r) => r.best.score * r.ySd));
    const bestRound = median(runs.map((r) => r.phase.bestRound));
    const lambda = cv ? last.path[cv.point].lambda : last.best.lambda;
    candidates.push({
      id,
      kind: 'dual',
      settings,
      lambda,
      validationRmse: score,
      startValidationRmse: mean(runs.map((r) => r.startScore * r.ySd)),
      encoderValidationRmse: mean(runs.map((r) => r.encoderScore * r.ySd)),
      numGroups: cv ? last.path[cv.point].numGroups : last.best.numGroups,
      rounds: last.phase.rounds,
      bestRound,
      chosen: false,
    });
    keepBest({
      score,
      index: candidates.length - 1,
      kind: 'dual',
      lambda,
      ...(cv ? { point: cv.point } : {}),
      config,
      bestRound,
      ...(K === 1 && last.fitted ? { predictor: last.fitted } : {}),
      groups: [...last.best.groups],
      // With K folds and λ by validation: the last fold's λ and groups, the mean over folds of the validation RMSE.
      path: last.path.map((p, j) => ({
        ...p,
        validationRmse: cv
          ? mean(runs.map((r) => r.path[j].validationRmse * r.ySd))
          : p.validationRmse * last.ySd,
      })),
      trace: last.phase.trace,
    });
  };
  try {
    const known = workersKnow(
      configs.map((c) => c.config),
      o.similarity,
    );
    if (!known && o.jobs !== 1)
      ctx.note(
        'Model selection ran on this thread: its encoder or penalty kinds were registered by the program, and worker threads know the built-in kinds only',
      );
    const workers = known ? await selectionWorkers(o.jobs, configs.length * K) : null;
    if (workers !== null) {
      // Candidates × folds on worker threads: the same runs with the same streams, kept in order.
      const jobs = selectionJobs(
        o,
        configs.map((c) => c.config),
        parts,
        rng,
        weighted,
      );
      const report = parallelReporter(emit, jobs, { candidates: total, folds: K }, o.maxRounds);
      const results = await runInWorkers(jobs, {
        ...workers,
        signal,
        onEvent: report.event,
        onDone: report.done,
        onWorkerFailed: (e) =>
          ctx.note(
            `A worker thread of model selection could not activate the ${workers.init.backend} backend, and the others ran its share: ${e.message}`,
          ),
      });
      for (let i = 0; i < configs.length; i++) {
        const runs = parts.map((part, k) => {
          const r = results[i * K + k];
          return { ...r, ySd: part.yScale, fitted: undefined as TaskPredictor | undefined };
        });
        const json = results[i * K + K - 1].fitted;
        // One fold: the fit is rebuilt here from its plain arrays (bit-identical predictions).
        if (K === 1 && json) runs[0].fitted = FittedDual.fromJSON(json, R);
        addCandidate(i, runs);
      }
    } else {
      for (let i = 0; i < configs.length; i++) {
        const { config } = configs[i];
        const runs: KeptRun[] = [];
        for (let k = 0; k < K; k++) {
          const part = parts[k];
          const res = await runDual(config, part.train, rng.child(), {
            encoderPhase: { maxRounds: o.maxRounds, patience: o.patience, tolerance: o.tolerance },
            path: pathSettings(o, o.lambda, o.lambdaSelection),
            validation: part.validation as StandardizedTasks,
            weighted,
            signal,
            onProgress: candidateReporter(
              emit,
              { candidate: i, candidates: total, fold: k, folds: K },
              o.maxRounds,
            ),
          });
          runs.push({
            ...res,
            validation: validationPredictions(res.fitted, part.validation),
            ySd: part.yScale,
            ...(K === 1 ? { fitted: res.fitted } : {}),
          });
          if (K > 1) res.fitted.dispose();
        }
        addCandidate(i, runs);
      }
    }
    if (o.selection.linearFloor) {
      throwIfAborted(signal);
      emit({
        phase: 'linear',
        candidate: configs.length + 1,
        candidates: total,
        fraction: configs.length / total,
      });
      const pacer = new Pacer(signal);
      const runs: Awaited<ReturnType<typeof linearFloorPath>>[] = [];
      for (const part of parts)
        runs.push(
          await linearFloorPath(
            part.train,
            part.validation as StandardizedTasks,
            o.ridge,
            weighted,
            pacer,
          ),
        );
      // λ by the validation RMSE averaged over the folds.
      const path = runs[0].path.map((row, j) => ({
        ...row,
        validationRmse: mean(runs.map((r, k) => r.path[j].validationRmse * parts[k].yScale)),
      }));
      const best = path.reduce((a, b) => (b.validationRmse < a.validationRmse ? b : a));
      const tied = best.lambda === Number.POSITIVE_INFINITY;
      // Each fold's fit at its own best λ (with one fold, the chosen λ).
      predictions.push(
        byTask(
          runs.map((r, k) =>
            validationPredictions(r.best.fit, parts[k].validation).map((v) =>
              v.map((x) => x * parts[k].yScale),
            ),
          ),
        ),
      );
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
        groups: Array.from({ length: R }, (_, r) => (tied ? 0 : r)),
        // One fold: the fold's own fit at its best λ is the candidate.
        ...(K === 1 ? { predictor: runs[0].best.fit } : {}),
        path,
        trace: [],
      });
    }
    const blend =
      o.selection.average && refit && candidates.length > 1
        ? blendWeights(
            candidates,
            predictions,
            byTask(
              parts.map((part) =>
                (part.validation?.y ?? []).map((y) => y.map((v) => v * part.yScale)),
              ),
            ),
            weighted,
          )
        : null;
    if (blend) {
      const order = blend.weights
        .map((w, i) => ({ w, i }))
        .filter((x) => x.w > 0)
        .sort((a, b) => b.w - a.w || a.i - b.i)
        .map((x) => x.i);
      const lead = records[order[0]];
      return {
        model: null,
        selection: {
          validationRmse: blend.score,
          candidates: candidates.map((c, i) => ({
            ...c,
            chosen: i === order[0],
            weight: blend.weights[i],
          })),
          path: lead.path,
          trace: lead.trace,
          folds: K,
        },
        choice: {
          kind: 'blend',
          lambda: lead.lambda,
          groups: lead.groups,
          parts: order.map((i) => ({
            weight: blend.weights[i],
            id: candidates[i].id,
            choice: choiceOf(records[i]),
          })),
        },
      };
    }
    const chosen = held.best as Best;
    held.best = null;
    candidates[chosen.index] = { ...candidates[chosen.index], chosen: true };
    const { kind, lambda, config, bestRound, predictor, groups, point } = chosen;
    return {
      model: predictor ? { predictor, lambda, groups: [...groups] } : null,
      selection: {
        validationRmse: chosen.score,
        candidates,
        path: chosen.path,
        trace: chosen.trace,
        folds: K,
      },
      choice: choiceOf({ kind, lambda, groups, config, bestRound, point }),
    };
  } finally {
    held.best?.predictor?.dispose();
  }
}

/**
 * The skeleton's `refitAll`: the chosen candidate refitted on all rows. The linear floor at its λ;
 * a dual candidate for its median best round, its λ walked to on one split, or chosen again on all
 * rows by the BIC with K folds (there is no validation left).
 */
export async function refitChosen(
  o: ResolvedOptions,
  data: StandardizedTasks,
  { selection, choice }: Selected<FittedModel, ModelSelection>,
  ctx: FitContext<FitProgress>,
): Promise<FittedModel> {
  const total = selection.candidates.length + 1;
  ctx.emit({ phase: 'refit', candidate: total, candidates: total, fraction: (total - 1) / total });
  const chosen = choice as Choice;
  if (chosen.kind === 'blend') {
    // Every component refitted on all rows, heaviest first, each on the next stream.
    const fitted: { part: BlendPart; model: FittedModel }[] = [];
    try {
      for (const part of chosen.parts ?? []) {
        const model = await refitChosen(
          o,
          data,
          { model: null, selection, choice: part.choice },
          ctx,
        );
        fitted.push({
          part: {
            weight: part.weight,
            candidate: part.id,
            predictor: model.predictor as BlendPart['predictor'],
          },
          model,
        });
      }
    } catch (e) {
      for (const f of fitted) f.model.predictor.dispose();
      throw e;
    }
    return {
      predictor: new BlendPredictor(fitted.map((f) => f.part)),
      lambda: fitted[0].model.lambda,
      groups: [...fitted[0].model.groups],
    };
  }
  if (chosen.glmForm !== undefined) return refitGlmFloor(o, data, chosen as GlmChoice, ctx);
  if (chosen.kind === 'linear') {
    return {
      predictor: fitLinearFloor(data, chosen.lambda, o.ridge, o.taskWeights),
      lambda: chosen.lambda,
      groups: [...chosen.groups],
    };
  }
  const res = await runDual(chosen.config as TrainerConfig, data, ctx.rng.child(), {
    encoderPhase: { maxRounds: chosen.bestRound ?? 0, tolerance: 0 },
    path:
      selection.folds > 1
        ? pathSettings(o, o.lambda, chosen.point !== undefined ? { point: chosen.point } : 'bic')
        : pathSettings(o, { walkTo: chosen.lambda }, 'bic'),
    signal: ctx.signal,
  });
  return { predictor: res.fitted, lambda: res.best.lambda, groups: [...res.best.groups] };
}

/**
 * λ by the validation RMSE averaged over K folds, point by point of the path (the grid is a fixed
 * ratio of each fold's λ_max, so the j-th point is comparable across folds): the best point and
 * its mean score in units of y. Null when the folds' paths differ in length (a degenerate fold).
 */
export function pathByFolds(
  runs: readonly { readonly path: readonly PathRow[]; readonly ySd: number }[],
): { point: number; score: number } | null {
  const n = runs[0].path.length;
  if (runs.some((r) => r.path.length !== n)) return null;
  let best: { point: number; score: number } | null = null;
  for (let j = 0; j < n; j++) {
    const score = mean(runs.map((r) => r.path[j].validationRmse * r.ySd));
    if (best === null || score < best.score) best = { point: j, score };
  }
  return best;
}

function pathSettings(
  o: ResolvedOptions,
  lambda: ResolvedOptions['lambda'] | { walkTo: number },
  criterion: 'bic' | 'validation' | { point: number },
) {
  return { similarity: o.similarity, ridge: o.ridge, numLambdas: o.numLambdas, lambda, criterion };
}

function noValidationRows(R: number): ValidationError {
  return new ValidationError('No task has a row to spare for validation', {
    expected: 'at least one task with 2 rows or more (one to fit, one to validate)',
    received: `${R} task${R === 1 ? '' : 's'} of one row each`,
    fix: [
      'With one row per task there is nothing within a task to learn from or to validate on: add rows to the tasks, merge tasks, or pass validation rows (',
      opt('validation'),
      ')',
    ],
  });
}

/** What the refit needs of a candidate's record. */
function choiceOf(b: Omit<Choice, 'parts'>): Choice {
  const { kind, lambda, groups, config, bestRound, point } = b;
  return {
    kind,
    lambda,
    groups,
    ...(config ? { config } : {}),
    ...(bestRound !== undefined ? { bestRound } : {}),
    ...(point !== undefined ? { point } : {}),
  };
}

/** Per task, the folds' arrays one after another. */
function byTask(folds: readonly (readonly Float64Array[])[]): Float64Array[] {
  const R = Math.max(0, ...folds.map((f) => f.length));
  return Array.from({ length: R }, (_, r) => {
    const rows = folds.map((f) => f[r] ?? new Float64Array(0));
    const out = new Float64Array(rows.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of rows) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  });
}

/**
 * Model averaging's weights (selection.average): the stacking weights of simplexWeights on the
 * candidates' validation predictions (those within BLEND_TOLERANCE of the best validation RMSE
 * with finite predictions, at most the best MAX_BLEND), each row weighing 1/(R·n_r) with the
 * 'mean' metric (every task alike, as the mean task RMSE) or 1/N with 'weighted'; weights under
 * MIN_BLEND_WEIGHT dropped and the rest renormalised. Null unless two candidates or more keep a
 * weight. `score`: the blend's validation RMSE in the selection metric (optimistic: the weights
 * were fitted on these rows).
 */
export function blendWeights(
  candidates: readonly Candidate[],
  predictions: readonly (readonly Float64Array[])[],
  observed: readonly Float64Array[],
  weighted: boolean,
): { weights: number[]; score: number } | null {
  const finite = (i: number) => predictions[i].every((t) => t.every(Number.isFinite));
  const bestScore = Math.min(...candidates.map((c) => c.validationRmse));
  const close = (i: number) => candidates[i].validationRmse <= (1 + BLEND_TOLERANCE) * bestScore;
  const order = candidates
    .map((_, i) => i)
    .filter((i) => finite(i) && close(i))
    .sort((a, b) => candidates[a].validationRmse - candidates[b].validationRmse || a - b)
    .slice(0, MAX_BLEND);
  const tasks = observed.map((_, r) => r).filter((r) => observed[r].length > 0);
  if (order.length < 2 || tasks.length === 0) return null;
  const N = tasks.reduce((n, r) => n + observed[r].length, 0);
  const y = new Float64Array(N);
  const v = new Float64Array(N);
  const P = order.map(() => new Float64Array(N));
  let at = 0;
  for (const r of tasks) {
    const n = observed[r].length;
    y.set(observed[r], at);
    v.fill(weighted ? 1 / N : 1 / (tasks.length * n), at, at + n);
    order.forEach((c, m) => {
      P[m].set(predictions[c][r], at);
    });
    at += n;
  }
  const raw = simplexWeights(P, y, v).weights.map((w) => (w >= MIN_BLEND_WEIGHT ? w : 0));
  if (raw.filter((w) => w > 0).length < 2) return null;
  const total = raw.reduce((a, b) => a + b, 0);
  const weights = candidates.map(() => 0);
  order.forEach((c, m) => {
    weights[c] = raw[m] / total;
  });
  // The blend's score in the selection metric: the (size-weighted) mean of the per-task RMSE.
  const blended = observed.map((t, r) => {
    const f = new Float64Array(t.length);
    order.forEach((c, m) => {
      const p = predictions[c][r];
      for (let i = 0; i < f.length; i++) f[i] = f[i] + (raw[m] / total) * p[i];
    });
    return f;
  });
  const score = meanTaskRmse(observed, blended, weighted);
  return { weights, score };
}
