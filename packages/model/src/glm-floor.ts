import {
  type Family,
  type FamilyName,
  type FitContext,
  familyOf,
  type GlmForm,
  type LinearFit,
  type Selected,
  type StandardizedFold,
  type StandardizedTasks,
  solveGlm,
  validationScore,
} from '@hetmtl/estimator';
import { throwIfAborted } from '@hetmtl/optimizer';
import { Pacer } from '@hetmtl/tensor';
import { type GlmDualRun, runGlmDual } from './dual/glm-dual.js';
import { useRowSpace } from './dual/row-space.js';
import type { TrainerConfig } from './dual/trainer.js';
import type { ResolvedOptions } from './options.js';
import { LinearPredictor } from './predictors/linear.js';
import type { TaskPredictor } from './predictors/predictor.js';
import { candidateConfigs } from './selection/candidates.js';
import type { Candidate, FitProgress, FittedModel, ModelSelection, PathRow } from './types.js';

/**
 * The GLM linear floor (binomial, poisson; and the gaussian family with row weights): penalised
 * logistic / Poisson regression with task intercepts, on standardised features, solved by
 * `@hetmtl/estimator`'s `solveGlm` (Newton = IRLS, step-halving), with the row weights and
 * offsets of the data. Two candidates:
 *
 * - `glm-mtl`: mean-regularised MTL, β_r = w₀ + v_r, penalty (λ/2) Σ_r ‖v_r‖² + (ρ/2)‖w₀‖² (ρ the
 *   `ridge` option): the task coefficients shrunk toward a common one, λ on {@link GLM_FLOOR_LAMBDAS}
 *   (λ = ∞: one common β);
 * - `glm-pooled`: one β for all tasks with task intercepts, ridge λ on {@link GLM_POOLED_LAMBDAS}.
 *
 * Every λ is scored on the validation rows by the mean task deviance (gaussian: the RMSE), averaged
 * over the folds; the best of both candidates is refitted on all rows. Each task's intercept is
 * shrunk toward the pooled mean by one pseudo-row per task (x = 0: the features' means; y = the
 * pooled weighted mean, on the task's mean offset; weight {@link INTERCEPT_PRIOR_ROWS}, in the
 * units of the row weights, so integer weights still equal duplicated rows), so a task whose binary
 * target is all one class, or whose counts are all zero, gets a finite intercept between its own
 * and the others' instead of ±∞.
 */
export const GLM_FLOOR_LAMBDAS: readonly number[] = [
  ...Array.from({ length: 13 }, (_, i) => 1e-4 * 10 ** (i / 2)),
  Number.POSITIVE_INFINITY,
];

/** The ridge λ of the pooled GLM candidate. */
export const GLM_POOLED_LAMBDAS: readonly number[] = Array.from(
  { length: 13 },
  (_, i) => 1e-5 * 10 ** (i / 2),
);

/** The weight of each task's intercept pseudo-row (one row of weight 1). */
export const INTERCEPT_PRIOR_ROWS = 1;

/** Whether the model fits by the GLM floor alone: a non-gaussian family, or row weights on the training rows. */
export function usesGlmFloor(o: Pick<ResolvedOptions, 'family'>, data: StandardizedTasks): boolean {
  return o.family !== 'gaussian' || data.weights !== undefined;
}

/** Why the dual-encoder candidates were not fitted (the fit's note and the model's description). */
export function glmFloorNote(family: FamilyName, dual = true, phase = false): string {
  if (family === 'gaussian')
    return 'With row weights the model is the GLM floor (weighted mean-regularised and pooled linear MTL); the dual-encoder candidates do not take row weights yet';
  const floor = `mean-regularised and pooled ${family === 'binomial' ? 'logistic' : 'Poisson'} regression with task intercepts`;
  return dual
    ? `The ${family} family is fitted by the GLM floor (${floor}) and one dual-encoder candidate ${phase ? 'whose encoders are trained on the deviance from the PCA start' : "on the PCA start's encoders (no encoder phase: selection.glmEncoderPhase is off)"} (the coefficients fused by IRLS along the λ path); the selection grid is not tried`
    : `The ${family} family is fitted by the GLM floor (${floor}); the dual-encoder candidate was skipped (K0 or K1 above the number of features, a fixed λ, or wide data)`;
}

/** The rows of a problem with one intercept pseudo-row appended to every task. */
export function withInterceptPrior(
  data: StandardizedTasks,
  family: FamilyName,
  rows = INTERCEPT_PRIOR_ROWS,
): StandardizedTasks {
  const fam = familyOf(family);
  const p = data.p;
  const w = (r: number, i: number) => (data.weights ? data.weights[r][i] : 1);
  const o = (r: number, i: number) => (data.offsets ? data.offsets[r][i] : 0);
  const pooled = pooledMean(fam, data);
  const X: Float64Array[] = [];
  const y: Float64Array[] = [];
  const weights: Float64Array[] = [];
  const offsets: Float64Array[] = [];
  data.y.forEach((yr, r) => {
    const n = yr.length;
    let sw = 0;
    let so = 0;
    for (let i = 0; i < n; i++) {
      sw += w(r, i);
      so += w(r, i) * o(r, i);
    }
    const meanO = sw > 0 ? so / sw : 0;
    const Xr = new Float64Array((n + 1) * p);
    Xr.set(data.X[r]);
    X.push(Xr);
    const yy = new Float64Array(n + 1);
    yy.set(yr);
    yy[n] = fam.link === 'log' ? pooled * Math.exp(meanO) : pooled;
    y.push(yy);
    const ww = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) ww[i] = w(r, i);
    ww[n] = rows;
    weights.push(ww);
    const oo = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) oo[i] = o(r, i);
    oo[n] = meanO;
    offsets.push(oo);
  });
  return { X, y, p, weights, ...(data.offsets || fam.link === 'log' ? { offsets } : {}) };
}

/**
 * The pooled weighted mean of the targets, Σ w y / Σ w (for the log link the rate Σ w y / Σ w e^o):
 * the value every task's intercept pseudo-row is shrunk toward (here and in dual/glm-dual.ts).
 */
export function pooledMean(
  family: Family,
  data: Pick<StandardizedTasks, 'y' | 'weights' | 'offsets'>,
): number {
  let sy = 0;
  let se = 0;
  data.y.forEach((y, r) => {
    for (let i = 0; i < y.length; i++) {
      const w = data.weights ? data.weights[r][i] : 1;
      sy += w * y[i];
      se += w * (family.link === 'log' ? Math.exp(data.offsets ? data.offsets[r][i] : 0) : 1);
    }
  });
  return se > 0 ? sy / se : 0;
}

type FloorForm = 'mean-regularized' | 'pooled';

const formOf = (form: FloorForm, ridge: number): GlmForm =>
  form === 'pooled' ? { kind: 'pooled' } : { kind: 'mean-regularized', ridge };

const lambdasOf = (form: FloorForm) => (form === 'pooled' ? GLM_POOLED_LAMBDAS : GLM_FLOOR_LAMBDAS);

/** The GLM floor's fit of one form at one λ on the given rows (the intercept pseudo-rows added). */
export function fitGlmFloor(
  o: Pick<ResolvedOptions, 'family' | 'ridge'>,
  data: StandardizedTasks,
  form: FloorForm,
  lambda: number,
  start: LinearFit | null = null,
): LinearFit {
  return solveGlm(
    familyOf(o.family),
    withInterceptPrior(data, o.family),
    formOf(form, o.ridge),
    lambda,
    { start },
  ).fit;
}

/** One form's λ grid on one fold, with warm starts: the validation score per λ. */
export async function scanGlmLambdas(
  o: Pick<ResolvedOptions, 'family' | 'ridge'>,
  fold: StandardizedFold,
  form: FloorForm,
  pacer: Pacer,
): Promise<{ scores: number[]; fits: LinearFit[] }> {
  const family = familyOf(o.family);
  const va = fold.validation as StandardizedTasks;
  const scores: number[] = [];
  const fits: LinearFit[] = [];
  let start: LinearFit | null = null;
  for (const lambda of lambdasOf(form)) {
    await pacer.turn();
    const fit = fitGlmFloor(o, fold.train, form, lambda, start);
    start = fit;
    const pred = new LinearPredictor(fit.slopes, fit.intercepts);
    scores.push(validationScore(family, va, (r, X) => pred.predict(r, X), fold.yScale));
    fits.push(fit);
  }
  return { scores, fits };
}

/** What the refit needs: the chosen form and λ (the GLM dual: its configuration and path point). */
export interface GlmChoice {
  readonly kind: 'linear' | 'dual';
  readonly glmForm: FloorForm | 'dual';
  readonly lambda: number;
  readonly groups: readonly number[];
  readonly config?: TrainerConfig;
  readonly point?: number;
  /** The GLM dual's encoder-phase rounds for the refit (the median of the folds' best rounds). */
  readonly bestRound?: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The dual-encoder configuration of the GLM dual candidate (the options' own, as the gaussian
 * candidates start from), or null where it does not apply: the gaussian family (weighted rows),
 * K0 or K1 above p, or wide data (the row space is not built for it).
 */
export function glmDualConfig(o: ResolvedOptions, data: StandardizedTasks): TrainerConfig | null {
  if (o.family === 'gaussian' || o.lambda !== 'path') return null;
  const p = data.p;
  if (o.K0 > p || (o.specific !== null && o.K1 > p)) return null;
  const config = candidateConfigs(o, p)[0].config;
  return useRowSpace(config, data) ? null : config;
}

interface Held {
  readonly score: number;
  readonly index: number;
  readonly choice: GlmChoice;
  readonly predictor: TaskPredictor | null;
  readonly path: PathRow[];
}

/**
 * Model selection for a non-gaussian family or weighted rows (the skeleton's `select`): both forms
 * of the floor on every fold, λ by the validation score averaged over the folds; for binomial and
 * poisson also the GLM dual (dual/glm-dual.ts: the start's encoders, the IRLS coefficient block on
 * its λ path), its path point by the same average. The best is kept (with its fit when there is one
 * fold); every other fitted predictor is freed.
 */
export async function selectGlmFloor(
  o: ResolvedOptions,
  parts: readonly StandardizedFold[],
  ctx: FitContext<FitProgress>,
): Promise<Selected<FittedModel, ModelSelection, GlmChoice>> {
  const R = parts[0].train.y.length;
  const K = parts.length;
  const pacer = new Pacer(ctx.signal);
  const dualConfig = glmDualConfig(o, parts[0].train);
  ctx.note(glmFloorNote(o.family, dualConfig !== null, o.selection.glmEncoderPhase));
  // `selection.linearFloor: false` leaves the GLM dual alone (the floor stays when there is no dual).
  const forms: FloorForm[] =
    o.selection.linearFloor || dualConfig === null ? ['mean-regularized', 'pooled'] : [];
  const total = forms.length + (dualConfig ? 1 : 0) + 1;
  const candidates: Candidate[] = [];
  let best: Held | null = null;
  const keep = (h: Held) => {
    if (best === null || h.score < best.score) {
      best?.predictor?.dispose();
      best = h;
    } else h.predictor?.dispose();
  };
  try {
    for (const [f, form] of forms.entries()) {
      throwIfAborted(ctx.signal);
      ctx.emit({ phase: 'linear', candidate: f + 1, candidates: total, fraction: f / total });
      const runs: Awaited<ReturnType<typeof scanGlmLambdas>>[] = [];
      for (const part of parts) runs.push(await scanGlmLambdas(o, part, form, pacer));
      const lambdas = lambdasOf(form);
      const tiedAt = (l: number) => form === 'pooled' || l === Number.POSITIVE_INFINITY;
      const path: PathRow[] = lambdas.map((lambda, j) => ({
        lambda,
        validationRmse: mean(runs.map((r) => r.scores[j])),
        numGroups: tiedAt(lambda) ? 1 : R,
      }));
      const j = argmin(path.map((row) => row.validationRmse));
      const lambda = lambdas[j];
      candidates.push({
        id: form === 'pooled' ? 'glm-pooled' : 'glm-mtl',
        kind: 'linear',
        settings: {
          family: o.family,
          encoder: 'identity',
          K1: 0,
          similarity: form === 'pooled' ? 'one β, task intercepts' : 'centre (quadratic)',
        },
        lambda,
        validationRmse: path[j].validationRmse,
        numGroups: path[j].numGroups,
        chosen: false,
      });
      const fit = K === 1 ? runs[0].fits[j] : null;
      const groups = Array.from({ length: R }, (_, r) => (tiedAt(lambda) ? 0 : r));
      keep({
        score: path[j].validationRmse,
        index: candidates.length - 1,
        choice: { kind: 'linear', glmForm: form, lambda, groups },
        predictor: fit ? new LinearPredictor(fit.slopes, fit.intercepts) : null,
        path,
      });
    }
    if (dualConfig) {
      throwIfAborted(ctx.signal);
      ctx.emit({
        phase: 'path',
        candidate: forms.length + 1,
        candidates: total,
        fraction: forms.length / total,
      });
      // λ on the path as the gaussian candidates choose it: by the BIC within each fold (the refit
      // chooses again on all rows), or by the validation score averaged over the folds.
      const byValidation = o.lambdaSelection === 'validation';
      // The encoder phase on the deviance, stopped early on each fold's validation rows; the refit
      // on all rows runs the median of the folds' best rounds (as the gaussian refit does).
      const phased = o.selection.glmEncoderPhase
        ? { maxRounds: o.maxRounds, patience: o.patience, tolerance: o.tolerance }
        : null;
      const runs: GlmDualRun[] = [];
      try {
        for (const part of parts)
          runs.push(
            await runGlmDual(dualConfig, part.train, ctx.rng.child(), {
              family: familyOf(o.family),
              similarity: o.similarity,
              numLambdas: o.numLambdas,
              validation: part.validation as StandardizedTasks,
              criterion: byValidation ? 'validation' : 'bic',
              signal: ctx.signal,
              ...(phased ? { encoderPhase: phased } : {}),
            }),
          );
      } catch (e) {
        for (const r of runs) r.fitted.dispose();
        throw e;
      }
      const last = runs[runs.length - 1];
      const bestRound = median(runs.map((r) => r.phase?.bestRound ?? 0));
      const path: PathRow[] = last.path.map((pt, j) => ({
        lambda: pt.lambda,
        validationRmse: mean(runs.map((r) => r.path[j].score)),
        numGroups: pt.numGroups,
        bic: pt.bic,
      }));
      const j = byValidation ? argmin(path.map((row) => row.validationRmse)) : last.point;
      const score = byValidation
        ? path[j].validationRmse
        : mean(runs.map((r) => r.path[r.point].score));
      candidates.push({
        id: 'glm-dual',
        kind: 'dual',
        settings: {
          family: o.family,
          encoder: `${dualConfig.shared.kind}/${dualConfig.specific?.kind ?? 'none'}`,
          K0: dualConfig.K0,
          K1: dualConfig.K1,
          encoderPhase: phased ? `deviance, ${bestRound} rounds` : 'none (the PCA start)',
        },
        lambda: path[j].lambda,
        validationRmse: score,
        numGroups: path[j].numGroups,
        chosen: false,
      });
      // One fold: its own fit at its best point is the candidate when that is the averaged best.
      const own = K === 1 && (!byValidation || runs[0].point === j) ? runs[0].fitted : null;
      for (const r of runs) if (r.fitted !== own) r.fitted.dispose();
      keep({
        score,
        index: candidates.length - 1,
        choice: {
          kind: 'dual',
          glmForm: 'dual',
          lambda: path[j].lambda,
          groups: last.path[j].groups,
          config: dualConfig,
          ...(byValidation ? { point: j } : {}),
          ...(phased ? { bestRound } : {}),
        },
        predictor: own,
        path,
      });
    }
    const chosen = best as unknown as Held;
    best = null;
    candidates[chosen.index] = { ...candidates[chosen.index], chosen: true };
    const gaussian = o.family === 'gaussian';
    const { choice } = chosen;
    return {
      model: chosen.predictor
        ? { predictor: chosen.predictor, lambda: choice.lambda, groups: [...choice.groups] }
        : null,
      selection: {
        validationRmse: gaussian ? chosen.score : null,
        ...(gaussian ? {} : { validationDeviance: chosen.score }),
        candidates,
        path: chosen.path,
        trace: [],
        folds: K,
      },
      choice,
    };
  } finally {
    (best as Held | null)?.predictor?.dispose();
  }
}

/** The median, rounded to an integer (the folds' best rounds). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return Math.round(m);
}

function argmin(xs: readonly number[]): number {
  let j = 0;
  for (let k = 1; k < xs.length; k++) if (xs[k] < xs[j]) j = k;
  return j;
}

/** The skeleton's `refitAll` for the GLM route: the chosen form at its λ (or the GLM dual at its point) on all rows. */
export async function refitGlmFloor(
  o: ResolvedOptions,
  data: StandardizedTasks,
  choice: GlmChoice,
  ctx: FitContext<FitProgress>,
): Promise<FittedModel> {
  if (choice.glmForm === 'dual') {
    const run = await runGlmDual(choice.config as TrainerConfig, data, ctx.rng.child(), {
      family: familyOf(o.family),
      similarity: o.similarity,
      numLambdas: o.numLambdas,
      criterion: choice.point !== undefined ? { point: choice.point } : 'bic',
      signal: ctx.signal,
      ...(choice.bestRound ? { encoderPhase: { maxRounds: choice.bestRound, tolerance: 0 } } : {}),
    });
    const pt = run.path[run.point];
    return { predictor: run.fitted, lambda: pt.lambda, groups: [...pt.groups] };
  }
  const fit = fitGlmFloor(o, data, choice.glmForm, choice.lambda);
  return {
    predictor: new LinearPredictor(fit.slopes, fit.intercepts),
    lambda: choice.lambda,
    groups: [...choice.groups],
  };
}
