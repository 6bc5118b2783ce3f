import { type MultiTaskDataset, Standardizer, type StandardizerJSON } from '@hetmtl/data';
import {
  checkDataset,
  checkSameShape,
  combineDatasets,
  holdOutSplit,
  kFoldSplits,
  meanTaskRmse,
  type Metrics,
  metrics,
  standardiseTasks,
  taskIndexOf,
  toRowMajor,
} from '@hetmtl/estimator';
import { type EncoderSpec, encoderRegistry } from '@hetmtl/encoders';
import { runAlternating, throwIfAborted, type TraceEntry } from '@hetmtl/optimizer';
import {
  type FusionResult,
  prepareFusion,
  type SimilarityJSON,
  similarityFromJSON,
  similarityToJSON,
} from '@hetmtl/regularizers';
import {
  describeReceived,
  NotFittedError,
  opt,
  Random,
  SerializationError,
  ValidationError,
} from '@hetmtl/tensor';
import { addDualTask, addLinearTask } from './add-task.js';
import { MODEL_FORMAT, MODEL_VERSION, validateModelDocument } from './document.js';
import {
  checkFiniteDocument,
  checkPredictions,
  checkStandardisable,
  predictionError,
} from './finite.js';
import { type DualStateJSON, FittedDual } from './fitted.js';
import { fitLinearMtl, type LinearTask, linearTask } from './linear-mtl.js';
import { type DualEncoderOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { Pacer, solvePath } from './pace.js';
import { DualTrainer, profiledIntercepts, type TaskArrays, type TrainerConfig } from './trainer.js';

export { MODEL_FORMAT, MODEL_VERSION };

export interface FitProgress {
  readonly phase: 'encoders' | 'path' | 'linear' | 'refit' | 'done';
  /** 1-based index of the candidate being fitted, and how many there are. */
  readonly candidate: number;
  readonly candidates: number;
  readonly round?: number;
  readonly maxRounds?: number;
  readonly validationRmse?: number;
  /** Rough share of the fit done, in [0, 1]. */
  readonly fraction: number;
}

export interface FitOptions {
  /** Validation rows (same tasks and features); default: a stratified share of the training rows. */
  readonly validation?: MultiTaskDataset;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: FitProgress) => void;
}

/** One candidate of model selection, with its validation score. */
export interface Candidate {
  readonly id: string;
  readonly kind: 'dual' | 'linear';
  readonly settings: Readonly<Record<string, number | string>>;
  /** The λ chosen on the path (Infinity: one common β). */
  readonly lambda: number;
  /** Mean validation RMSE across tasks, on the original scale of y. */
  readonly validationRmse: number;
  /** The validation RMSE of the two-stage start (dual candidates). */
  readonly startValidationRmse?: number;
  /**
   * The validation RMSE at the end of the encoder phase (unfused coefficients), never above the
   * start: the phase keeps its best state. The λ chosen on the path may then trade a little
   * validation RMSE for fewer groups (BIC).
   */
  readonly encoderValidationRmse?: number;
  readonly numGroups: number;
  readonly rounds?: number;
  readonly bestRound?: number;
  readonly chosen: boolean;
}

export interface PathRow {
  readonly lambda: number;
  readonly validationRmse: number;
  readonly numGroups: number;
  /** The modified BIC of method.md §5 (dual candidates). */
  readonly bic?: number;
}

export interface Evaluation {
  readonly overall: Metrics;
  readonly tasks: Readonly<Record<string, Metrics>>;
  /** Mean of per-task RMSE. */
  readonly meanTaskRmse: number;
}

interface LinearState {
  readonly beta: Float64Array[];
  readonly intercept: Float64Array;
}

/** The best candidate so far during fit (owns its fitted predictor). */
interface BestCandidate {
  readonly score: number;
  readonly index: number;
  readonly kind: 'dual' | 'linear';
  readonly lambda: number;
  readonly config?: TrainerConfig;
  readonly bestRound?: number;
  readonly fitted?: FittedDual;
  readonly groups: number[];
  readonly linear?: LinearState;
  readonly path: PathRow[];
  readonly trace: readonly TraceEntry[];
}

interface FittedState {
  readonly taskNames: string[];
  readonly featureNames: string[];
  readonly standardizer: Standardizer;
  readonly kind: 'dual' | 'linear';
  readonly dual: FittedDual | null;
  readonly linear: LinearState | null;
  readonly lambda: number;
  readonly groups: number[];
  readonly candidates: Candidate[];
  readonly path: PathRow[];
  readonly trace: readonly TraceEntry[];
  /** Validation folds used in model selection (1: one split or the given validation set). */
  readonly folds: number;
}

interface ModelJSON {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly options: Record<string, unknown>;
  readonly similarity: SimilarityJSON;
  readonly taskNames: string[];
  readonly featureNames: string[];
  readonly preprocessing: StandardizerJSON;
  readonly kind: 'dual' | 'linear';
  readonly lambda: number | 'Infinity';
  readonly groups: number[];
  readonly candidates: Candidate[];
  readonly dual: DualStateJSON | null;
  readonly linear: { beta: number[][]; intercept: number[] } | null;
  readonly folds?: number;
}

function groupsFromLabels(names: readonly string[], labels: readonly number[]): string[][] {
  const out: string[][] = [];
  labels.forEach((g, r) => {
    (out[g] ??= []).push(names[r] as string);
  });
  return out.filter((g) => g !== undefined);
}

/**
 * The dual-encoder multi-task regressor of method.md: a shared encoder and task-specific encoders
 * build each task's latent factors; the coefficients on the shared factors are fused across tasks
 * by a coefficient-similarity penalty (tasks with equal β form a group); an alternating optimizer
 * learns encoders and coefficients. Model selection compares it with its nested special cases and
 * the closed-form linear MTL model on validation rows.
 */
export class DualEncoderRegressor {
  readonly options: ResolvedOptions;
  private state: FittedState | null = null;

  constructor(options: DualEncoderOptions = {}) {
    this.options = resolveOptions(options);
  }

  get fitted(): boolean {
    return this.state !== null;
  }

  private get s(): FittedState {
    if (!this.state) throw new NotFittedError('DualEncoderRegressor');
    return this.state;
  }

  get taskNames(): readonly string[] {
    return this.s.taskNames;
  }

  /**
   * Learns from a multi-task dataset; returns the model. On error or abort the model is left as it
   * was (unfitted if it was), with no tensors leaked.
   */
  async fit(dataset: MultiTaskDataset, fitOptions: FitOptions = {}): Promise<this> {
    checkDataset(dataset, 'dataset');
    const o = this.options;
    const { signal, onProgress } = fitOptions;
    throwIfAborted(signal);
    // A value whose standardisation overflows is refused here, naming its task, row and column.
    const whole = new Standardizer().fit(dataset);
    checkStandardisable(dataset, whole);
    if (fitOptions.validation) {
      checkDataset(fitOptions.validation, 'validation');
      checkSameShape(dataset, fitOptions.validation);
      checkStandardisable(fitOptions.validation, whole);
    }
    const rng = new Random(o.seed);
    const folds = this.validationFolds(dataset, fitOptions.validation, rng.seed31());
    const parts = folds.map((f) => {
      const st = new Standardizer().fit(f.train);
      return {
        st,
        tr: standardiseTasks(f.train, st),
        va: f.validation(st),
        ySd: st.targetScaling().scale,
      };
    });
    const K = parts.length;
    if (parts.every((part) => part.va.y.every((y) => y.length === 0)))
      throw new ValidationError('No task has a row to spare for validation', {
        expected: 'at least one task with 2 rows or more (one to fit, one to validate)',
        received: `${dataset.numTasks} task${dataset.numTasks === 1 ? '' : 's'} of one row each`,
        fix: [
          'With one row per task there is nothing within a task to learn from or to validate on: add rows to the tasks, merge tasks, or pass validation rows (',
          opt('validation'),
          ')',
        ],
      });
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const median = (xs: readonly number[]) =>
      [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
    const weighted = o.selection.metric === 'weighted';
    const configs = this.candidateConfigs(dataset.numFeatures);
    const refit = o.refit || K > 1;
    const total = configs.length + (o.selection.linearFloor ? 1 : 0) + (refit ? 1 : 0);
    const candidates: Candidate[] = [];
    const held: { best: BestCandidate | null } = { best: null };
    const keepBest = (cand: BestCandidate) => {
      if (held.best === null || cand.score < held.best.score) {
        held.best?.fitted?.dispose();
        held.best = cand;
      } else cand.fitted?.dispose();
    };
    try {
      for (let i = 0; i < configs.length; i++) {
        const { id, settings, config } = configs[i] as (typeof configs)[number];
        const runs = [];
        for (let k = 0; k < K; k++) {
          const part = parts[k] as (typeof parts)[number];
          const report = (e: Partial<FitProgress>) =>
            onProgress?.({
              phase: 'encoders',
              candidate: i + 1,
              candidates: total,
              // The λ path comes after the encoder phase: count it as the end of the fold's share.
              fraction:
                (i +
                  (k +
                    Math.min(
                      1,
                      (e.phase === 'path' ? o.maxRounds : (e.round ?? 0)) /
                        Math.max(o.maxRounds, 1),
                    )) /
                    K) /
                total,
              ...e,
            });
          const res = await this.fitDual(config, part.tr, part.va, rng.child(), {
            signal,
            onProgress: report,
            weighted,
          });
          runs.push({ ...res, ySd: part.ySd });
          if (K > 1) res.fitted.dispose();
        }
        const last = runs[runs.length - 1] as (typeof runs)[number];
        const score = mean(runs.map((r) => r.score * r.ySd));
        candidates.push({
          id,
          kind: 'dual',
          settings,
          lambda: last.lambda,
          validationRmse: score,
          startValidationRmse: mean(runs.map((r) => r.startScore * r.ySd)),
          encoderValidationRmse: mean(runs.map((r) => r.encoderScore * r.ySd)),
          numGroups: new Set(last.groups).size,
          rounds: last.rounds,
          bestRound: median(runs.map((r) => r.bestRound)),
          chosen: false,
        });
        keepBest({
          score,
          index: candidates.length - 1,
          kind: 'dual',
          lambda: last.lambda,
          config,
          bestRound: median(runs.map((r) => r.bestRound)),
          ...(K === 1 ? { fitted: last.fitted } : {}),
          groups: last.groups,
          path: last.path.map((p) => ({ ...p, validationRmse: p.validationRmse * last.ySd })),
          trace: last.trace,
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
        const runs: Awaited<ReturnType<typeof fitLinearCandidate>>[] = [];
        const pacer = new Pacer(signal);
        for (const part of parts)
          runs.push(
            await fitLinearCandidate(part.tr, part.va, this.options.ridge, weighted, pacer),
          );
        // λ by the validation RMSE averaged over the folds.
        const path = (runs[0] as (typeof runs)[number]).path.map((row, j) => ({
          ...row,
          validationRmse: mean(
            runs.map(
              (r, k) =>
                (r.path[j] as PathRow).validationRmse * (parts[k] as (typeof parts)[number]).ySd,
            ),
          ),
        }));
        const best = path.reduce((a, b) => (b.validationRmse < a.validationRmse ? b : a));
        const single = runs[0] as (typeof runs)[number];
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
          groups: single.groups.map((_, r) => (best.lambda === Number.POSITIVE_INFINITY ? 0 : r)),
          ...(K === 1 ? { linear: single.fit } : {}),
          path,
          trace: [],
        });
      }
      const chosen = held.best as BestCandidate;
      candidates[chosen.index] = { ...(candidates[chosen.index] as Candidate), chosen: true };
      let finalStandardizer = (parts[0] as (typeof parts)[number]).st;
      let dual = chosen.fitted ?? null;
      let linear = chosen.linear ?? null;
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
        const only = folds[0] as (typeof folds)[number];
        const all = K > 1 ? dataset : only.all;
        finalStandardizer = new Standardizer().fit(all);
        const data = standardiseTasks(all, finalStandardizer);
        if (chosen.kind === 'linear') {
          const tasks = data.X.map((X, r) =>
            linearTask(X, data.y[r] as Float64Array, (data.y[r] as Float64Array).length, data.p),
          );
          linear = fitLinearMtl(tasks, taskWeightsOf(data, o.taskWeights), chosen.lambda, o.ridge);
        } else {
          // With K folds the λ is chosen again on all rows (by the BIC; there is no validation left).
          const res = await this.refitDual(
            chosen.config as TrainerConfig,
            data,
            chosen.bestRound ?? 0,
            K > 1 ? 'bic' : chosen.lambda,
            rng.child(),
            signal,
          );
          dual?.dispose();
          dual = res.fitted;
          groups = res.groups;
          lambda = res.lambda;
        }
      }
      this.state?.dual?.dispose();
      this.state = {
        taskNames: [...dataset.taskNames],
        featureNames: [...dataset.featureNames],
        standardizer: finalStandardizer,
        kind: chosen.kind,
        dual,
        linear,
        lambda,
        groups,
        candidates,
        path: chosen.path,
        trace: chosen.trace,
        folds: K,
      };
      held.best = null;
      onProgress?.({ phase: 'done', candidate: total, candidates: total, fraction: 1 });
      return this;
    } finally {
      held.best?.fitted?.dispose();
    }
  }

  /**
   * The validation scheme: the given validation set; else one stratified split, or K folds by task
   * when tasks are too small for one split to say much (mean validation rows per task < 10). The
   * model's own splits keep at least one training row per task: a task too small to spare a
   * validation row trains on all its rows and is skipped by the validation score (splits.ts).
   * Each fold gives its training rows, its validation rows standardised with a fold's statistics
   * (aligned with the training tasks; empty for a task with none), and train + validation together.
   */
  private validationFolds(
    dataset: MultiTaskDataset,
    validation: MultiTaskDataset | undefined,
    seed: number,
  ): {
    train: MultiTaskDataset;
    validation: (st: Standardizer) => TaskArrays;
    all: MultiTaskDataset;
  }[] {
    const o = this.options;
    if (validation) {
      checkSameShape(dataset, validation);
      return [
        {
          train: dataset,
          validation: (st) => standardiseTasks(validation, st),
          all: combineDatasets(dataset, validation),
        },
      ];
    }
    const folds = o.selection.folds;
    const meanValRows = (dataset.totalRows / dataset.numTasks) * o.validationFraction;
    const k =
      folds === 'auto' ? (meanValRows < 10 ? Math.min(5, Math.min(...dataset.sizes)) : 1) : folds;
    const splits =
      k >= 2 ? kFoldSplits(dataset, k, seed) : [holdOutSplit(dataset, o.validationFraction, seed)];
    const tasks = dataset.tasks();
    const p = dataset.numFeatures;
    return splits.map((sp) => ({
      train: dataset.subset(sp.train),
      validation: (st: Standardizer) => {
        const X: Float64Array[] = [];
        const y: Float64Array[] = [];
        tasks.forEach((t, r) => {
          const idx = sp.validation[r] as Int32Array;
          const rows = new Float64Array(idx.length * p);
          const ys = new Float64Array(idx.length);
          idx.forEach((i, j) => {
            rows.set(t.X.subarray(i * p, (i + 1) * p), j * p);
            ys[j] = t.y[i] as number;
          });
          // Rows of this fold's validation part are numbered as in the task (errors say so).
          const inTask = <T>(f: () => T): T => {
            try {
              return f();
            } catch (e) {
              if (!ValidationError.isInstance(e) || e.row === undefined) throw e;
              throw e.at({ task: t.name, row: (idx[e.row - 1] as number) + 1 });
            }
          };
          const far = (k: number, column: string, value: number) =>
            new ValidationError(
              'A value far outside the range of the rows it is validated against',
              {
                task: t.name,
                row: (idx[k] as number) + 1,
                column,
                expected: 'values of the same order as the rest of the column',
                received: String(value),
                fix: 'Rescale the column (other units, or its logarithm), or remove the row if the value is an error',
              },
            );
          const Xs = inTask(() => st.transformX(rows, t.name));
          for (let k = 0; k < Xs.length; k++)
            if (!(Math.abs(Xs[k] as number) < 1e30))
              throw far(
                Math.floor(k / p),
                dataset.featureNames[k % p] as string,
                rows[k] as number,
              );
          const Ys = inTask(() => st.transformY(ys, t.name));
          for (let k = 0; k < Ys.length; k++)
            if (!(Math.abs(Ys[k] as number) < 1e30))
              throw far(k, dataset.encoding.target, ys[k] as number);
          X.push(Xs);
          y.push(Ys);
        });
        return { X, y, p };
      },
      all: dataset.subset(
        sp.train.map((tr, r) => Int32Array.from([...tr, ...(sp.validation[r] as Int32Array)])),
      ),
    }));
  }

  private candidateConfigs(
    p: number,
  ): { id: string; settings: Record<string, number | string>; config: TrainerConfig }[] {
    const o = this.options;
    const base: TrainerConfig = {
      shared: o.shared,
      specific: o.K1 > 0 ? o.specific : null,
      K0: encoderRegistry.fixedOutputDim(o.shared, p) ?? o.K0,
      K1: o.specific ? o.K1 : 0,
      mu: o.mu,
      omega: o.omega,
      tau: o.tau,
      nu: o.nu,
      ridge: o.ridge,
      taskWeights: o.taskWeights,
      learningRate: o.learningRate,
      stepsPerBlock: o.stepsPerBlock,
    };
    const describe = (c: TrainerConfig) => ({
      encoder: `${c.shared.kind}/${c.specific?.kind ?? 'none'}`,
      ...(Array.isArray(c.shared.config.hidden) ? { width: String(c.shared.config.hidden) } : {}),
      K0: c.K0,
      K1: c.K1,
      mu: c.mu,
      omega: c.omega,
    });
    const checkK = (c: TrainerConfig) => {
      for (const [key, k, applies] of [
        ['K0', c.K0, encoderRegistry.fixedOutputDim(c.shared, p) === undefined],
        ['K1', c.K1, c.specific !== null],
      ] as const) {
        if (applies && k > p) {
          throw new ValidationError(`${key} is larger than the number of features`, {
            expected: `${key} ≤ p = ${p} (factors are principal directions of x at the start)`,
            received: String(k),
            fix: `Pass ${key} ≤ ${p}`,
          });
        }
      }
      return c;
    };
    const out = [{ id: 'dual', settings: describe(base), config: checkK(base) }];
    const grid = o.selection.grid;
    const seen = new Set([JSON.stringify(describe(base))]);
    const widen = (spec: EncoderSpec, w: number): EncoderSpec =>
      encoderRegistry.widen(spec, w) ?? spec;
    for (const key of ['K0', 'K1', 'mu', 'omega', 'width'] as const) {
      for (const v of grid[key] ?? []) {
        const config = (
          key === 'width'
            ? {
                ...base,
                shared: widen(base.shared, v),
                specific: base.specific && widen(base.specific, v),
              }
            : { ...base, [key]: v, ...(key === 'K1' && v === 0 ? { specific: null } : {}) }
        ) as TrainerConfig;
        const d = describe(config);
        if (seen.has(JSON.stringify(d))) continue;
        seen.add(JSON.stringify(d));
        out.push({ id: `dual ${key}=${v}`, settings: d, config: checkK(config) });
      }
    }
    return out;
  }

  /** One dual-encoder candidate: two-stage start, alternating encoder phase, λ path on frozen encoders. */
  private async fitDual(
    config: TrainerConfig,
    tr: TaskArrays,
    va: TaskArrays,
    rng: Random,
    ctx: {
      signal: AbortSignal | undefined;
      onProgress: (e: Partial<FitProgress>) => void;
      weighted: boolean;
    },
  ) {
    const o = this.options;
    const trainer = new DualTrainer(config, tr, rng);
    try {
      await trainer.initialise(rng.child(), ctx.signal);
      const valLoss = () => meanTaskRmse(va.y, trainer.predictTasks(va.X), ctx.weighted);
      const startScore = valLoss();
      const blocks = trainer.blocks();
      let result: Awaited<ReturnType<typeof runAlternating>>;
      try {
        result = await runAlternating({
          blocks,
          objective: () => trainer.objective(),
          validationLoss: valLoss,
          snapshot: () => trainer.snapshot(),
          restore: (s) => trainer.restore(s),
          release: (s) => trainer.release(s),
          maxRounds: o.maxRounds,
          patience: o.patience,
          tolerance: o.tolerance,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          onProgress: (e) =>
            ctx.onProgress({
              round: e.round,
              maxRounds: e.maxRounds,
              ...(e.validationLoss !== undefined ? { validationRmse: e.validationLoss } : {}),
            }),
        });
      } finally {
        for (const b of blocks) b.dispose?.();
      }
      ctx.onProgress({ phase: 'path' });
      const encoderScore = valLoss();
      const path = await this.runPath(trainer, va, ctx.weighted, new Pacer(ctx.signal));
      trainer.setBeta(path.best.beta, path.problem);
      return {
        score: path.best.score,
        startScore,
        encoderScore,
        lambda: path.best.lambda,
        groups: path.best.groups,
        path: path.rows,
        rounds: result.rounds,
        bestRound: result.bestRound,
        trace: result.trace,
        fitted: trainer.toFitted(),
      };
    } finally {
      trainer.dispose();
    }
  }

  /** The increasing λ path on frozen encoders (plus λ = ∞), scored on validation rows. */
  private async runPath(
    trainer: DualTrainer,
    va: TaskArrays | undefined,
    weighted: boolean,
    pacer: Pacer,
  ) {
    const o = this.options;
    const problem = trainer.coefficientProblem();
    // One prepared problem (graph, unfused β, ADMM factor) for the grid and every λ.
    const prepared = prepareFusion(problem.problem, o.similarity, { ridge: o.ridge });
    await pacer.turn();
    const val = va ? trainer.factorsFor(va.X) : null;
    const score = (beta: readonly Float64Array[]) => {
      if (!va || !val) return Number.NaN;
      const saved = { coef: trainer.coef };
      trainer.setBeta(beta, problem);
      const preds = va.X.map((x, r) => {
        const n = x.length / trainer.p;
        const out = new Float64Array(n);
        const F = val.F[r] as Float64Array;
        const G = val.G[r] as Float64Array;
        const b = trainer.coef.beta[r] as Float64Array;
        const g = trainer.coef.gamma[r] as Float64Array;
        for (let i = 0; i < n; i++) {
          let s = trainer.coef.c[r] as number;
          for (let k = 0; k < trainer.K0; k++)
            s += (F[i * trainer.K0 + k] as number) * (b[k] as number);
          for (let k = 0; k < trainer.K1; k++)
            s += (G[i * trainer.K1 + k] as number) * (g[k] as number);
          out[i] = s;
        }
        return out;
      });
      trainer.coef = saved.coef;
      return meanTaskRmse(va.y, preds, weighted);
    };
    const rows: PathRow[] = [];
    const points: { lambda: number; beta: Float64Array[]; groups: number[]; score: number }[] = [];
    if (o.lambda === 'path' || (o.lambda > 0 && o.lambda < Number.POSITIVE_INFINITY)) {
      const lambdas =
        o.lambda === 'path' ? prepared.lambdaGrid({ numLambdas: o.numLambdas }) : [o.lambda];
      // The grid is [0] when every unfused β is the same (e.g. tasks of one training row: A_r = 0,
      // b_r = 0): the path is then λ = 0 and λ = ∞ alone.
      const positive = lambdas.filter((l) => l > 0);
      const results = positive.length > 0 ? await solvePath(prepared, positive, pacer) : [];
      for (const res of results)
        points.push({
          lambda: res.lambda,
          beta: res.beta,
          groups: res.groups,
          score: score(res.beta),
        });
    }
    if (o.lambda === 'path' || o.lambda === 0) {
      const res = (await solvePath(prepared, [0], pacer))[0] as FusionResult;
      points.unshift({ lambda: 0, beta: res.beta, groups: res.groups, score: score(res.beta) });
    }
    if (o.lambda === 'path' || o.lambda === Number.POSITIVE_INFINITY) {
      const beta = commonBeta(problem.problem, o.ridge);
      points.push({
        lambda: Number.POSITIVE_INFINITY,
        beta,
        groups: beta.map(() => 0),
        score: score(beta),
      });
    }
    // λ given the encoders: the modified BIC of method.md §5 (default) or the validation RMSE.
    const N = problem.y.reduce((a, y) => a + y.length, 0);
    const R = problem.y.length;
    const bic = (p: (typeof points)[number]) => {
      const u = profiledIntercepts(problem, p.beta);
      let rss = 0;
      problem.y.forEach((y, r) => {
        const F = problem.F[r] as Float64Array;
        const Z = problem.Z[r] as Float64Array;
        const q = problem.zDim[r] as number;
        const b = p.beta[r] as Float64Array;
        const g = u.gamma[r] as Float64Array;
        for (let i = 0; i < y.length; i++) {
          let e = (y[i] as number) - (u.c[r] as number);
          for (let k = 0; k < trainer.K0; k++)
            e -= (F[i * trainer.K0 + k] as number) * (b[k] as number);
          for (let k = 1; k < q; k++) e -= (Z[i * q + k] as number) * (g[k - 1] as number);
          rss += e * e;
        }
      });
      const G = new Set(p.groups).size;
      return (
        Math.log(rss / N) +
        Math.log(Math.log(N + R * trainer.K0)) *
          (Math.log(N) / N) *
          (G * trainer.K0 + R * (trainer.K1 + 1))
      );
    };
    const criterion = (p: (typeof points)[number]) =>
      o.lambdaSelection === 'bic' || !va ? bic(p) : p.score;
    for (const p of points)
      rows.push({
        lambda: p.lambda,
        validationRmse: p.score,
        numGroups: new Set(p.groups).size,
        bic: bic(p),
      });
    let best = points[0] as (typeof points)[number];
    for (const p of points) if (criterion(p) < criterion(best)) best = p;
    return { best, rows, problem };
  }

  /** Refit of the chosen dual candidate on train + validation: fixed rounds, the chosen λ. */
  private async refitDual(
    config: TrainerConfig,
    data: TaskArrays,
    rounds: number,
    lambda: number | 'bic',
    rng: Random,
    signal: AbortSignal | undefined,
  ) {
    const o = this.options;
    const trainer = new DualTrainer(config, data, rng);
    try {
      await trainer.initialise(rng.child(), signal);
      const blocks = trainer.blocks();
      try {
        await runAlternating({
          blocks,
          objective: () => trainer.objective(),
          snapshot: () => trainer.snapshot(),
          restore: (s) => trainer.restore(s),
          release: (s) => trainer.release(s),
          maxRounds: rounds,
          tolerance: 0,
          ...(signal ? { signal } : {}),
        });
      } finally {
        for (const b of blocks) b.dispose?.();
      }
      const pacer = new Pacer(signal);
      if (lambda === 'bic') {
        const path = await this.runPath(trainer, undefined, false, pacer);
        trainer.setBeta(path.best.beta, path.problem);
        return { fitted: trainer.toFitted(), groups: path.best.groups, lambda: path.best.lambda };
      }
      const problem = trainer.coefficientProblem();
      let beta: Float64Array[];
      let groups: number[];
      if (lambda === Number.POSITIVE_INFINITY) {
        beta = commonBeta(problem.problem, o.ridge);
        groups = beta.map(() => 0);
      } else if (lambda === 0) {
        const prepared = prepareFusion(problem.problem, o.similarity, { ridge: o.ridge });
        const res = (await solvePath(prepared, [0], pacer))[0] as FusionResult;
        beta = res.beta;
        groups = res.groups;
      } else {
        // Walk the path up to the chosen λ with warm starts (concave fusion needs the path).
        const prepared = prepareFusion(problem.problem, o.similarity, { ridge: o.ridge });
        await pacer.turn();
        const grid = prepared
          .lambdaGrid({ numLambdas: o.numLambdas })
          .filter((l) => l > 0 && l < lambda);
        const results = await solvePath(prepared, [...grid, lambda], pacer);
        const last = results[results.length - 1] as (typeof results)[number];
        beta = last.beta;
        groups = last.groups;
      }
      trainer.setBeta(beta, problem);
      return { fitted: trainer.toFitted(), groups, lambda };
    } finally {
      trainer.dispose();
    }
  }

  /**
   * Adds a new task (method.md §6): the shared encoder and every fitted task stay as they are; the
   * new task gets its own factors and coefficients, β pulled toward the nearest learned group.
   */
  addTask(
    name: string,
    data: {
      readonly X: Float64Array | Float32Array | readonly (readonly number[])[];
      readonly y: ArrayLike<number>;
    },
  ): this {
    const s = this.s;
    if (typeof name !== 'string' || name.length === 0)
      throw new ValidationError('Invalid task name', {
        expected: 'a non-empty string',
        received: describeReceived(name),
      });
    if (s.taskNames.includes(name)) {
      throw new ValidationError('The task already exists', {
        task: name,
        fix: 'Choose a new name; refit the model to change a fitted task',
      });
    }
    const p = s.featureNames.length;
    const X = toRowMajor(data?.X as Float64Array, p, name);
    const n = X.length / p;
    const y = Float64Array.from(data?.y ?? []);
    if (y.length !== n || n < 2) {
      throw new ValidationError(
        'The new task needs X and y with the same number of rows (at least 2)',
        { task: name, expected: `${n} targets`, received: `${y.length}` },
      );
    }
    y.forEach((v, i) => {
      if (!Number.isFinite(v))
        throw new ValidationError('Non-finite target', {
          task: name,
          row: i,
          expected: 'finite numbers',
          received: String(v),
        });
    });
    const Xs = s.standardizer.transformX(X);
    const ys = s.standardizer.transformY(y);
    const rng = new Random(this.options.seed).child();
    let next: FittedState;
    if (s.kind === 'dual') {
      const old = s.dual as FittedDual;
      const added = addDualTask(old, Xs, ys, s.groups, this.options.tau, this.options.ridge, rng);
      if (added.fitted.specific !== old.specific) old.specific?.dispose();
      next = {
        ...s,
        dual: added.fitted,
        groups: [...s.groups, added.group ?? Math.max(...s.groups) + 1],
      };
    } else {
      const lin = s.linear as LinearState;
      const added = addLinearTask(lin.beta, Xs, ys, p, this.options.ridge, rng);
      next = {
        ...s,
        linear: {
          beta: [...lin.beta, added.beta],
          intercept: Float64Array.from([...lin.intercept, added.intercept]),
        },
        groups: [...s.groups, Math.max(...s.groups) + 1],
      };
    }
    this.state = { ...next, taskNames: [...s.taskNames, name] };
    return this;
  }

  /** Predictions for rows of one task (original scale of y). */
  predict(
    X: Float64Array | Float32Array | readonly (readonly number[])[],
    options: { task: string },
  ): Float64Array {
    const s = this.s;
    const r = this.taskIndexOf(options?.task);
    const rows = toRowMajor(X, s.featureNames.length, options.task);
    const Xs = s.standardizer.transformX(rows, options.task);
    let ys: Float64Array;
    if (s.kind === 'linear') {
      const lin = s.linear as LinearState;
      const p = s.featureNames.length;
      const n = Xs.length / p;
      ys = new Float64Array(n);
      const b = lin.beta[r] as Float64Array;
      for (let i = 0; i < n; i++) {
        let v = lin.intercept[r] as number;
        for (let a = 0; a < p; a++) v += (Xs[i * p + a] as number) * (b[a] as number);
        ys[i] = v;
      }
    } else ys = (s.dual as FittedDual).predict(r, Xs);
    const out = s.standardizer.inverseTransformY(ys);
    checkPredictions(out, rows, Xs, s.featureNames, options.task, s.standardizer);
    return out;
  }

  /** Per-task and overall RMSE, MAE and R² on a dataset with the same tasks and features. */
  evaluate(dataset: MultiTaskDataset): Evaluation {
    const s = this.s;
    checkDataset(dataset, 'dataset');
    const tasks: Record<string, Metrics> = {};
    const allY: number[] = [];
    const allP: number[] = [];
    const ys: Float64Array[] = [];
    const ps: Float64Array[] = [];
    for (const t of dataset.tasks()) {
      if (!s.taskNames.includes(t.name)) this.taskIndexOf(t.name);
      const pred = this.predict(t.X as Float64Array, { task: t.name });
      tasks[t.name] = metrics(t.y, pred);
      if (!Number.isFinite((tasks[t.name] as Metrics).rmse)) {
        // Finite predictions whose errors overflow: name the row with the largest prediction.
        let i = 0;
        for (let k = 1; k < pred.length; k++)
          if (Math.abs(pred[k] as number) > Math.abs(pred[i] as number)) i = k;
        const rows = Float64Array.from(t.X);
        throw predictionError(
          i,
          rows,
          s.standardizer.transformX(rows),
          s.featureNames,
          t.name,
          s.standardizer,
          pred[i] as number,
        );
      }
      ys.push(t.y);
      ps.push(pred);
      allY.push(...t.y);
      allP.push(...pred);
    }
    return { overall: metrics(allY, allP), tasks, meanTaskRmse: meanTaskRmse(ys, ps) };
  }

  /** R² over all rows of a dataset. */
  score(dataset: MultiTaskDataset): number {
    return this.evaluate(dataset).overall.r2;
  }

  /** The learned task groups (tasks with fused β), each a list of task names. */
  groups(): string[][] {
    return groupsFromLabels(this.s.taskNames, this.s.groups);
  }

  /** Group label per task, aligned with `taskNames`. */
  groupLabels(): number[] {
    return [...this.s.groups];
  }

  /** Pairwise distances ‖β_r − β_s‖ (R × R). */
  similarity(): number[][] {
    const beta = this.coefficients().beta;
    return beta.map((a) =>
      beta.map((b) => Math.sqrt(a.reduce((s, v, k) => s + (v - (b[k] as number)) ** 2, 0))),
    );
  }

  /** β_r (on the standardised shared factors; for the linear model, on standardised features), γ_r and c_r. */
  coefficients(): {
    taskNames: readonly string[];
    beta: number[][];
    gamma: number[][];
    intercept: number[];
  } {
    const s = this.s;
    if (s.kind === 'linear') {
      const lin = s.linear as LinearState;
      return {
        taskNames: s.taskNames,
        beta: lin.beta.map((b) => Array.from(b)),
        gamma: lin.beta.map(() => []),
        intercept: Array.from(lin.intercept),
      };
    }
    const st = (s.dual as FittedDual).state;
    return {
      taskNames: s.taskNames,
      beta: st.beta.map((b) => Array.from(b)),
      gamma: st.gamma.map((g) => Array.from(g)),
      intercept: Array.from(st.c),
    };
  }

  /** The candidates of model selection with their validation scores (the chosen one marked). */
  candidates(): readonly Candidate[] {
    return this.s.candidates;
  }

  /** The λ path of the chosen candidate: validation RMSE and number of groups per λ. */
  lambdaPath(): readonly PathRow[] {
    return this.s.path;
  }

  /** The trace of the chosen candidate's encoder phase (objective and validation loss per block). */
  trace(): readonly TraceEntry[] {
    return this.s.trace;
  }

  /** Which model was chosen: the dual encoder or the linear MTL floor, and at which λ. */
  summary(): {
    kind: 'dual' | 'linear';
    lambda: number;
    numGroups: number;
    folds: number;
    taskNames: readonly string[];
  } {
    const s = this.s;
    return {
      kind: s.kind,
      lambda: s.lambda,
      numGroups: new Set(s.groups).size,
      folds: s.folds,
      taskNames: s.taskNames,
    };
  }

  private taskIndexOf(task: unknown): number {
    return taskIndexOf(
      this.s.taskNames,
      task,
      'Use a task the model was fitted on, or add it with addTask(name, data)',
    );
  }

  /** One versioned JSON document: options, preprocessing, task names, encoders and weights. */
  toJSON(): ModelJSON {
    const s = this.s;
    const { similarity, shared, specific, ...rest } = this.options;
    const doc: ModelJSON = {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      options: {
        ...rest,
        lambda: rest.lambda === Number.POSITIVE_INFINITY ? 'Infinity' : rest.lambda,
        shared,
        specific,
      },
      similarity: similarityToJSON(similarity),
      taskNames: s.taskNames,
      featureNames: s.featureNames,
      preprocessing: s.standardizer.toJSON(),
      kind: s.kind,
      lambda: s.lambda === Number.POSITIVE_INFINITY ? 'Infinity' : s.lambda,
      groups: s.groups,
      candidates: s.candidates.map((c) => ({
        ...c,
        lambda:
          c.lambda === Number.POSITIVE_INFINITY ? ('Infinity' as unknown as number) : c.lambda,
      })),
      dual: s.dual ? s.dual.toJSON() : null,
      linear: s.linear
        ? {
            beta: s.linear.beta.map((b) => Array.from(b)),
            intercept: Array.from(s.linear.intercept),
          }
        : null,
      folds: s.folds,
    };
    checkFiniteDocument(doc);
    return doc;
  }

  /**
   * Rebuilds a fitted model from {@link toJSON}'s document (or its JSON text). The document is
   * checked strictly first ({@link validateModelDocument}): every field, the shapes that must agree,
   * no unknown keys; any fault is a SerializationError naming the field path, never a half model.
   */
  static fromJSON(json: unknown): DualEncoderRegressor {
    const doc = validateModelDocument(json) as unknown as ModelJSON;
    const R = doc.taskNames.length;
    try {
      const opts = doc.options as Record<string, unknown>;
      const model = new DualEncoderRegressor({
        ...(opts as DualEncoderOptions),
        lambda:
          opts.lambda === 'Infinity' ? Number.POSITIVE_INFINITY : (opts.lambda as number | 'path'),
        shared: opts.shared as EncoderSpec,
        specific: (opts.specific as EncoderSpec | null) ?? null,
        similarity: similarityFromJSON(doc.similarity),
      });
      const standardizer = Standardizer.fromJSON(doc.preprocessing);
      let dual: FittedDual | null = null;
      let linear: LinearState | null = null;
      if (doc.kind === 'dual' && doc.dual) dual = FittedDual.fromJSON(doc.dual, R);
      else if (doc.kind === 'linear' && doc.linear) {
        const p = doc.featureNames.length;
        const ok =
          doc.linear.beta?.length === R &&
          doc.linear.beta.every(
            (b) => Array.isArray(b) && b.length === p && b.every(Number.isFinite),
          ) &&
          doc.linear.intercept?.length === R &&
          doc.linear.intercept.every(Number.isFinite);
        if (!ok)
          throw new SerializationError('Corrupt model document: linear coefficients', {
            expected: `${R} vectors of ${p} finite numbers and ${R} intercepts`,
          });
        linear = {
          beta: doc.linear.beta.map((b) => Float64Array.from(b)),
          intercept: Float64Array.from(doc.linear.intercept),
        };
      } else
        throw new SerializationError('Corrupt model document: no fitted coefficients', {
          expected: `kind "dual" with dual state or kind "linear" with linear state`,
          received: String(doc.kind),
        });
      const lambda = doc.lambda === 'Infinity' ? Number.POSITIVE_INFINITY : doc.lambda;
      model.state = {
        taskNames: [...doc.taskNames],
        featureNames: [...doc.featureNames],
        standardizer,
        kind: doc.kind,
        dual,
        linear,
        lambda,
        groups: [...doc.groups],
        candidates: (doc.candidates ?? []).map((c) => ({
          ...c,
          lambda: (c.lambda as unknown) === 'Infinity' ? Number.POSITIVE_INFINITY : c.lambda,
        })),
        path: [],
        trace: [],
        folds: typeof doc.folds === 'number' ? doc.folds : 1,
      };
      return model;
    } catch (e) {
      if (SerializationError.isInstance(e)) throw e;
      throw new SerializationError('The model document could not be loaded', {
        cause: e,
        fix: `Check the document; the cause says what failed (${(e as Error).message})`,
      });
    }
  }

  /** Frees the model's tensors; the model is unfitted afterwards. */
  dispose(): void {
    this.state?.dual?.dispose();
    this.state = null;
  }
}

function taskWeightsOf(data: TaskArrays, mode: 'size' | 'equal'): number[] {
  const N = data.y.reduce((a, y) => a + y.length, 0);
  return data.y.map((y) => (mode === 'equal' ? 1 / data.y.length : y.length / N));
}

/** The closed-form linear MTL floor: λ on a grid (0 … ∞) scored on validation rows. */
async function fitLinearCandidate(
  tr: TaskArrays,
  va: TaskArrays,
  ridge: number,
  weighted: boolean,
  pacer: Pacer,
) {
  const tasks: LinearTask[] = tr.X.map((X, r) =>
    linearTask(X, tr.y[r] as Float64Array, (tr.y[r] as Float64Array).length, tr.p),
  );
  const w = taskWeightsOf(tr, 'size');
  const lambdas = [
    0,
    ...Array.from({ length: 13 }, (_, i) => 1e-3 * 10 ** (i / 2)),
    Number.POSITIVE_INFINITY,
  ];
  const path: PathRow[] = [];
  let best: { score: number; lambda: number; fit: LinearState } | null = null;
  for (const lambda of lambdas) {
    await pacer.turn();
    const fit = fitLinearMtl(tasks, w, lambda, ridge);
    const preds = va.X.map((X, r) => {
      const n = X.length / tr.p;
      const out = new Float64Array(n);
      const b = fit.beta[r] as Float64Array;
      for (let i = 0; i < n; i++) {
        let v = fit.intercept[r] as number;
        for (let a = 0; a < tr.p; a++) v += (X[i * tr.p + a] as number) * (b[a] as number);
        out[i] = v;
      }
      return out;
    });
    const score = meanTaskRmse(va.y, preds, weighted);
    path.push({
      lambda,
      validationRmse: score,
      numGroups: lambda === Number.POSITIVE_INFINITY ? 1 : tr.X.length,
    });
    if (best === null || score < best.score) best = { score, lambda, fit };
  }
  const b = best as NonNullable<typeof best>;
  return {
    ...b,
    path,
    groups: tr.X.map((_, r) => (b.lambda === Number.POSITIVE_INFINITY ? 0 : r)),
  };
}

/** One common β for all tasks (λ = ∞): (Σ w_r A_r + ρ I) β = Σ w_r b_r. */
function commonBeta(
  problem: { A: { rows: number; data: Float64Array }[]; b: Float64Array[]; weights: number[] },
  ridge: number,
): Float64Array[] {
  const K = (problem.A[0] as { rows: number }).rows;
  const fit = fitLinearMtl(
    problem.A.map((A, r) => ({
      A: A.data,
      b: problem.b[r] as Float64Array,
      xMean: new Float64Array(K),
      yMean: 0,
      n: 1,
    })),
    problem.weights,
    Number.POSITIVE_INFINITY,
    ridge,
  );
  return fit.beta;
}
