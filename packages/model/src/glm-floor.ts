import {
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
import type { ResolvedOptions } from './options.js';
import { LinearPredictor } from './predictors/linear.js';
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
export function glmFloorNote(family: FamilyName): string {
  return family === 'gaussian'
    ? 'With row weights the model is the GLM floor (weighted mean-regularised and pooled linear MTL); the dual-encoder candidates do not take row weights yet'
    : `The ${family} family is fitted by the GLM floor (mean-regularised and pooled ${family === 'binomial' ? 'logistic' : 'Poisson'} regression with task intercepts); the dual-encoder candidates are not fitted for it yet`;
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
  // The pooled weighted mean (rate, with offsets: Σ w y / Σ w e^o for the log link).
  let sy = 0;
  let se = 0;
  data.y.forEach((y, r) => {
    for (let i = 0; i < y.length; i++) {
      sy += w(r, i) * y[i];
      se += w(r, i) * (fam.link === 'log' ? Math.exp(o(r, i)) : 1);
    }
  });
  const pooled = se > 0 ? sy / se : 0;
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

/** What the refit needs: the chosen form and λ. */
export interface GlmChoice {
  readonly kind: 'linear';
  readonly glmForm: FloorForm;
  readonly lambda: number;
  readonly groups: readonly number[];
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Model selection by the GLM floor alone (the skeleton's `select` for a non-gaussian family or
 * weighted rows): both forms on every fold, λ by the validation score averaged over the folds, the
 * best (form, λ) kept with its fit when there is one fold.
 */
export async function selectGlmFloor(
  o: ResolvedOptions,
  parts: readonly StandardizedFold[],
  ctx: FitContext<FitProgress>,
): Promise<Selected<FittedModel, ModelSelection, GlmChoice>> {
  const R = parts[0].train.y.length;
  const K = parts.length;
  const pacer = new Pacer(ctx.signal);
  ctx.note(glmFloorNote(o.family));
  const forms: FloorForm[] = ['mean-regularized', 'pooled'];
  const candidates: Candidate[] = [];
  let best: {
    score: number;
    index: number;
    form: FloorForm;
    lambda: number;
    fit: LinearFit | null;
    path: PathRow[];
  } | null = null;
  for (const [f, form] of forms.entries()) {
    throwIfAborted(ctx.signal);
    ctx.emit({
      phase: 'linear',
      candidate: f + 1,
      candidates: forms.length + 1,
      fraction: f / (forms.length + 1),
    });
    const runs: Awaited<ReturnType<typeof scanGlmLambdas>>[] = [];
    for (const part of parts) runs.push(await scanGlmLambdas(o, part, form, pacer));
    const lambdas = lambdasOf(form);
    const tiedAt = (l: number) => form === 'pooled' || l === Number.POSITIVE_INFINITY;
    const path: PathRow[] = lambdas.map((lambda, j) => ({
      lambda,
      validationRmse: mean(runs.map((r) => r.scores[j])),
      numGroups: tiedAt(lambda) ? 1 : R,
    }));
    let j = 0;
    for (let k = 1; k < path.length; k++)
      if (path[k].validationRmse < path[j].validationRmse) j = k;
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
    if (best === null || path[j].validationRmse < best.score)
      best = {
        score: path[j].validationRmse,
        index: candidates.length - 1,
        form,
        lambda,
        fit: K === 1 ? runs[0].fits[j] : null,
        path,
      };
  }
  const chosen = best as NonNullable<typeof best>;
  candidates[chosen.index] = { ...candidates[chosen.index], chosen: true };
  const tied = chosen.form === 'pooled' || chosen.lambda === Number.POSITIVE_INFINITY;
  const groups = Array.from({ length: R }, (_, r) => (tied ? 0 : r));
  const gaussian = o.family === 'gaussian';
  return {
    model: chosen.fit
      ? {
          predictor: new LinearPredictor(chosen.fit.slopes, chosen.fit.intercepts),
          lambda: chosen.lambda,
          groups,
        }
      : null,
    selection: {
      validationRmse: gaussian ? chosen.score : null,
      ...(gaussian ? {} : { validationDeviance: chosen.score }),
      candidates,
      path: chosen.path,
      trace: [],
      folds: K,
    },
    choice: { kind: 'linear', glmForm: chosen.form, lambda: chosen.lambda, groups },
  };
}

/** The skeleton's `refitAll` for the GLM floor: the chosen form at its λ on all rows. */
export function refitGlmFloor(
  o: ResolvedOptions,
  data: StandardizedTasks,
  choice: GlmChoice,
): FittedModel {
  const fit = fitGlmFloor(o, data, choice.glmForm, choice.lambda);
  return {
    predictor: new LinearPredictor(fit.slopes, fit.intercepts),
    lambda: choice.lambda,
    groups: [...choice.groups],
  };
}
