import { type Family, type StandardizedTasks, validationScore } from '@hetmtl/estimator';
import type { Penalty } from '@hetmtl/regularizers';
import { type AlternatingResult, runAlternating, throwIfAborted } from '@hetmtl/optimizer';
import { predictLinear, type Random } from '@hetmtl/tensor';
import type { FittedDual } from '../predictors/dual.js';
import {
  type GlmCoefficientInput,
  type GlmCoefficients,
  glmCoefficientBlock,
} from './glm-coefficient-block.js';
import { INTERCEPT_PRIOR_ROWS, pooledMean } from '../glm-floor.js';
import { start } from './start.js';
import { DualTrainer, type TrainerConfig } from './trainer.js';
import { glmEncoderBlocks } from './blocks.js';
import { glmObjective, type GlmRows, glmRows } from './glm-objective.js';
import type { EncoderPhaseSettings } from './sequence.js';
import { copyCoefficients } from './store.js';

/** One point of the GLM dual's λ path: its validation score (mean task deviance), BIC and groups. */
export interface GlmDualPoint {
  readonly lambda: number;
  readonly score: number;
  /** The modified BIC of method.md §5 with the deviance: D/N + log(log(N + RK))·(log N/N)·(GK + R(1 + K1)). */
  readonly bic: number;
  readonly numGroups: number;
  readonly groups: number[];
}

export interface GlmDualRun {
  /** The fitted predictor at the chosen point (the caller owns it: dispose it). */
  readonly fitted: FittedDual;
  readonly path: GlmDualPoint[];
  /** The chosen point's index on the path. */
  readonly point: number;
  /** The encoder phase (null when it did not run: the PCA start's encoders). */
  readonly phase: AlternatingResult | null;
  /** The validation score (mean task deviance) at λ = 0 after the start and after the encoder phase (NaN without validation rows). */
  readonly startScore: number;
  readonly encoderScore: number;
}

export interface GlmDualOptions {
  readonly family: Family;
  readonly similarity: Penalty;
  readonly numLambdas: number;
  /** Validation rows: every point scored (NaN without them), and the encoder phase's early stopping. */
  readonly validation?: StandardizedTasks;
  /**
   * How the point is chosen: the modified BIC with the deviance, the validation score, or a given
   * index on the path (the refit of the point chosen on K folds).
   */
  readonly criterion: 'bic' | 'validation' | { readonly point: number };
  readonly signal?: AbortSignal | undefined;
  /** The weight of each task's intercept pseudo-row (default: the GLM floor's, 1). */
  readonly priorRows?: number;
  /**
   * The encoder phase on the deviance (method.md §4: Adam on the encoders with the coefficients
   * fixed, then the IRLS coefficient block at λ = 0, alternating; early stopping on the validation
   * rows). Absent or `maxRounds: 0`: the PCA start's encoders.
   */
  readonly encoderPhase?: EncoderPhaseSettings;
}

/**
 * The dual-encoder model for a binomial or poisson family: the two-stage PCA start of start.ts
 * builds the shared and task factors; the encoder phase (`encoderPhase`) alternates Adam blocks on
 * the deviance objective (glm-objective.ts) with the GLM coefficient block at λ = 0; then the GLM
 * coefficient block (glm-coefficient-block.ts, IRLS around the current coefficients) along a λ path
 * with warm starts on the frozen encoders — λ = 0 (no fusion), `numLambdas` values log-spaced from
 * 1e-3·λ_max to λ_max (λ_max: the 0.9-quantile of ‖β_r − β_s‖ at λ = 0), and 1e3·λ_max with the
 * tied refit (one common β) — each point scored on the validation rows by the mean task deviance.
 * The point is the index on this path, so folds and the refit compare like with like.
 */
export async function runGlmDual(
  config: TrainerConfig,
  data: StandardizedTasks,
  rng: Random,
  options: GlmDualOptions,
): Promise<GlmDualRun> {
  const { family, signal } = options;
  const trainer = new DualTrainer(config, data, rng, { reconstructionDim: data.p });
  let rows: GlmRows | null = null;
  try {
    await start(trainer, rng.child(), signal);
    const inputAt = () => {
      const { F, G } = trainer.trainingFactors();
      return glmInput(trainer, data, family, F, G, options.priorRows);
    };
    const va = options.validation;
    const score = (co: GlmCoefficients) => {
      if (!va) return Number.NaN;
      const val = trainer.factorsFor(va.X);
      const eta = va.X.map((x, r) =>
        predictLinear(val.F[r], val.G[r], x.length / data.p, co.beta[r], co.gamma[r], co.c[r]),
      );
      return validationScore(family, va, (r) => eta[r], 1);
    };
    // The coefficient block at λ = 0 on the current factors, from the stored coefficients.
    let warm = false;
    const unfused = () => {
      const inp = inputAt();
      const res = glmCoefficientBlock(inp, options.similarity, {
        lambda: 0,
        ...(warm ? { start: trainer.store.coef } : {}),
      });
      warm = true;
      trainer.store.setCoefficients(copyCoefficients(res));
      return { inp, res };
    };
    unfused();
    const startScore = score(trainer.store.coef);
    let phase: AlternatingResult | null = null;
    const settings = options.encoderPhase;
    if (settings && settings.maxRounds > 0) {
      const glm = glmRows(trainer, inputAt());
      rows = glm;
      const blocks = glmEncoderBlocks(trainer, glm, () => {
        unfused();
      });
      try {
        phase = await runAlternating({
          blocks,
          objective: () => glmObjective(trainer, glm),
          ...(va ? { validationLoss: () => score(trainer.store.coef) } : {}),
          snapshot: () => trainer.snapshot(),
          restore: (s) => trainer.restore(s),
          release: (s) => trainer.release(s),
          maxRounds: settings.maxRounds,
          ...(settings.patience !== undefined ? { patience: settings.patience } : {}),
          tolerance: settings.tolerance,
          ...(signal ? { signal } : {}),
        });
      } finally {
        for (const b of blocks) b.dispose?.();
      }
    }
    const { inp, res: free } = unfused();
    const encoderScore = score(free);
    const F = inp.F.map((f, r) => f.subarray(0, data.y[r].length * trainer.K0));
    const G_ = inp.G.map((g, r) => g.subarray(0, data.y[r].length * trainer.K1));
    const top = lambdaTop(free.beta);
    const m = Math.max(1, options.numLambdas);
    const lambdas = [
      0,
      ...Array.from({ length: m }, (_, k) => top * 1e-3 ** (1 - (m === 1 ? 1 : k / (m - 1)))),
      top * 1e3,
    ];
    const given = typeof options.criterion === 'object' ? options.criterion.point : undefined;
    const last = Math.min(given ?? lambdas.length - 1, lambdas.length - 1);
    const N = data.y.reduce((a, y) => a + y.length, 0);
    const K = trainer.K0;
    const bicOf = (co: GlmCoefficients, G: number) => {
      let D = 0;
      data.y.forEach((y, r) => {
        const eta = predictLinear(F[r], G_[r], y.length, co.beta[r], co.gamma[r], co.c[r]);
        for (let i = 0; i < y.length; i++) {
          const o = data.offsets ? data.offsets[r][i] : 0;
          const w = data.weights ? data.weights[r][i] : 1;
          D += w * family.unitDeviance(y[i], family.linkinv(eta[i] + o));
        }
      });
      const R = data.y.length;
      return (
        D / N + Math.log(Math.log(N + R * K)) * (Math.log(N) / N) * (G * K + R * (1 + trainer.K1))
      );
    };
    const path: GlmDualPoint[] = [];
    let best = { key: Number.POSITIVE_INFINITY, point: 0, coef: free as GlmCoefficients };
    let cur: GlmCoefficients = free;
    for (let j = 0; j < lambdas.length && j <= last; j++) {
      throwIfAborted(signal);
      const tied = j === lambdas.length - 1;
      const res =
        j === 0
          ? free
          : glmCoefficientBlock(inp, options.similarity, {
              lambda: lambdas[j],
              start: cur,
              ...(tied ? { refit: true } : {}),
            });
      cur = res;
      const groups = tied ? res.beta.map(() => 0) : groupsOf(res.beta);
      const numGroups = new Set(groups).size;
      const point: GlmDualPoint = {
        lambda: tied ? Number.POSITIVE_INFINITY : lambdas[j],
        score: score(res),
        bic: bicOf(res, numGroups),
        numGroups,
        groups,
      };
      path.push(point);
      const key = (q: GlmDualPoint) => (options.criterion === 'validation' ? q.score : q.bic);
      if (given === j || (given === undefined && (j === 0 || key(point) < best.key)))
        best = { key: key(point), point: j, coef: res };
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    trainer.store.setCoefficients({
      beta: best.coef.beta.map((b) => b.slice()),
      gamma: best.coef.gamma.map((g) => g.slice()),
      c: best.coef.c.slice(),
    });
    return {
      fitted: trainer.toFitted(),
      path,
      point: best.point,
      phase,
      startScore,
      encoderScore,
    };
  } finally {
    rows?.dispose();
    trainer.dispose();
  }
}

/** The GLM coefficient block's input on the trainer's factors, with the intercept pseudo-rows. */
export function glmInput(
  trainer: DualTrainer,
  data: StandardizedTasks,
  family: Family,
  F: Float64Array[],
  G: Float64Array[],
  priorRows: number | undefined,
): GlmCoefficientInput {
  return withPseudoRows(
    {
      family,
      F,
      G,
      y: data.y,
      hasSpecific: trainer.hasSpecific,
      K0: trainer.K0,
      K1: trainer.K1,
      tau: trainer.config.tau,
      ridge: trainer.config.ridge,
      taskWeights: trainer.taskWeights,
      ...(data.weights ? { weights: data.weights } : {}),
      ...(data.offsets ? { offsets: data.offsets } : {}),
    },
    priorRows ?? INTERCEPT_PRIOR_ROWS,
  );
}

/**
 * One pseudo-row per task in factor space (f = 0, g = 0: the factors of the features' means are not
 * 0, so this shrinks the task's intercept toward the pooled mean as the GLM floor's pseudo-row does;
 * y = the pooled weighted mean, on the task's mean offset; weight `rows`).
 */
function withPseudoRows(inp: GlmCoefficientInput, rows: number): GlmCoefficientInput {
  if (rows === 0) return inp;
  const { family, K0, K1 } = inp;
  const w = (r: number, i: number) => (inp.weights ? inp.weights[r][i] : 1);
  const o = (r: number, i: number) => (inp.offsets ? inp.offsets[r][i] : 0);
  const pooled = pooledMean(family, inp);
  const grow = (a: Float64Array, k: number, v: number) => {
    const out = new Float64Array(a.length + k).fill(v);
    out.set(a);
    return out;
  };
  const meanOffset = inp.y.map((y, r) => {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      s += w(r, i) * o(r, i);
      sw += w(r, i);
    }
    return sw > 0 ? s / sw : 0;
  });
  return {
    ...inp,
    F: inp.F.map((f) => grow(f, K0, 0)),
    G: inp.G.map((g) => grow(g, K1, 0)),
    y: inp.y.map((y, r) =>
      grow(y, 1, family.link === 'log' ? pooled * Math.exp(meanOffset[r]) : pooled),
    ),
    weights: inp.y.map((y, r) => {
      const out = new Float64Array(y.length + 1);
      for (let i = 0; i < y.length; i++) out[i] = w(r, i);
      out[y.length] = rows;
      return out;
    }),
    ...(inp.offsets || family.link === 'log'
      ? {
          offsets: inp.y.map((y, r) =>
            Float64Array.from({ length: y.length + 1 }, (_, i) =>
              i < y.length ? o(r, i) : meanOffset[r],
            ),
          ),
        }
      : {}),
  };
}

/** Groups of tasks whose β agree to 1e-6 (relative to the largest ‖β_r‖), labelled in order of first appearance. */
export function groupsOf(beta: readonly Float64Array[]): number[] {
  const R = beta.length;
  let scale = 0;
  for (const b of beta) scale = Math.max(scale, Math.sqrt(b.reduce((a, v) => a + v * v, 0)));
  const tol = 1e-6 * Math.max(scale, 1e-12);
  const parent = Array.from({ length: R }, (_, r) => r);
  const find = (r: number): number => (parent[r] === r ? r : (parent[r] = find(parent[r])));
  for (let r = 0; r < R; r++)
    for (let s = r + 1; s < R; s++) {
      let q = 0;
      for (let k = 0; k < beta[r].length; k++) q += (beta[r][k] - beta[s][k]) ** 2;
      if (Math.sqrt(q) <= tol) parent[find(s)] = find(r);
    }
  const label = new Map<number, number>();
  return parent.map((_, r) => {
    const root = find(r);
    if (!label.has(root)) label.set(root, label.size);
    return label.get(root) as number;
  });
}

/** The 0.9-quantile of the pairwise distances ‖β_r − β_s‖ (1e-3 when every β is equal). */
function lambdaTop(beta: readonly Float64Array[]): number {
  const d: number[] = [];
  for (let r = 0; r < beta.length; r++)
    for (let s = r + 1; s < beta.length; s++) {
      let q = 0;
      for (let k = 0; k < beta[r].length; k++) q += (beta[r][k] - beta[s][k]) ** 2;
      d.push(Math.sqrt(q));
    }
  if (d.length === 0) return 1e-3;
  d.sort((a, b) => a - b);
  const v = d[Math.min(d.length - 1, Math.floor(0.9 * (d.length - 1)))];
  return v > 0 ? v : 1e-3;
}
