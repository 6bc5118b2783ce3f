import { type Scalar, type Tensor, tf, type Variable } from '@hetmtl/tensor';
import {
  BaselineRegressor,
  COMMON_OPTION_NAMES,
  type CommonOptions,
  commonOptionsToJSON,
  type FitContext,
  resolveCommonOptions,
  type ResolvedCommonOptions,
  type Selected,
} from './baseline-regressor.js';
import { ACTIVATION_NAMES, type Activation } from './dense-layers.js';
import { option } from './input-checks.js';
import {
  disposeSet,
  meanOverValidatedTasks,
  type PaddedSet,
  padSet,
  taskRmse,
  taskSse,
  trainWithEarlyStopping,
} from './network-training.js';
import type { StandardizedFold, StandardizedTasks as TaskArrays } from '@hetmtl/estimator';

/** Options of the neural learners. */
export interface NeuralOptions extends CommonOptions {
  /** Widths of the hidden layers (default [32]). */
  readonly hidden?: readonly number[];
  /** Hidden-layer activation (default 'elu'). */
  readonly activation?: Activation;
  /** Adam learning rate (default 1e-2). */
  readonly learningRate?: number;
  /** Full-batch Adam steps at most (default 1000). */
  readonly maxEpochs?: number;
  /** Stop after this many epochs without a better validation RMSE (default 50). */
  readonly patience?: number;
  /** Weight decay ν: (ν/2)‖W‖² on every weight matrix, not on biases (default 1e-4). */
  readonly weightDecay?: number;
}

export interface ResolvedNeuralOptions extends ResolvedCommonOptions {
  readonly hidden: readonly number[];
  readonly activation: Activation;
  readonly learningRate: number;
  readonly maxEpochs: number;
  readonly patience: number;
  readonly weightDecay: number;
}

export const NEURAL_OPTION_NAMES = [
  'hidden',
  'activation',
  'learningRate',
  'maxEpochs',
  'patience',
  'weightDecay',
  ...COMMON_OPTION_NAMES,
] as const;

export function resolveNeuralOptions(o: NeuralOptions, minHidden: number): ResolvedNeuralOptions {
  return {
    ...resolveCommonOptions(o),
    hidden: option.widths('hidden', o.hidden, [32], minHidden),
    activation: option.oneOf('activation', o.activation, ACTIVATION_NAMES, 'elu'),
    learningRate: option.number('learningRate', o.learningRate, 1e-2, { exclusiveMin: 0 }),
    maxEpochs: option.number('maxEpochs', o.maxEpochs, 1000, { integer: true, min: 1 }),
    patience: option.number('patience', o.patience, 50, { integer: true, min: 1 }),
    weightDecay: option.number('weightDecay', o.weightDecay, 1e-4, { min: 0 }),
  };
}

export function neuralOptionsToJSON(o: ResolvedNeuralOptions): Record<string, unknown> {
  return {
    hidden: [...o.hidden],
    activation: o.activation,
    learningRate: o.learningRate,
    maxEpochs: o.maxEpochs,
    patience: o.patience,
    weightDecay: o.weightDecay,
    ...commonOptionsToJSON(o),
  };
}

/** A network built for one fit: its variables, its batched forward pass, and how to read it out. */
export interface Network<M> {
  readonly variables: readonly Variable[];
  /** Weight matrices (for weight decay). */
  readonly weights: readonly Variable[];
  /** Predictions [R, nMax, 1] for a padded set. */
  forward(set: PaddedSet): Tensor;
  /** The fitted model as plain Float64 arrays. */
  extract(): M;
  dispose(): void;
}

export interface NetworkContext {
  readonly p: number;
  readonly R: number;
  readonly initSeed: number;
  /** Each task's mean of the (standardised) training y. */
  readonly taskMeans: Float64Array;
}

/** What one training run gives: the model, and per early-stopping group the best epoch and score. */
export interface TrainingRun<M> {
  readonly model: M;
  readonly bestEpochs: number[];
  /** Best validation RMSE per group (standardised scale; empty for a refit). */
  readonly bestScores: number[];
  readonly epochs: number;
}

/**
 * Neural learners: full-batch Adam over all tasks at once (tasks padded into one batched computation)
 * with early stopping on the validation rows, then a refit on all rows for the chosen number of
 * epochs from the same initial weights. Fitted models are plain Float64 arrays: predictions run in
 * JavaScript, so a fitted or loaded learner holds no tensors.
 */
export abstract class NeuralBaseline<M, O extends ResolvedNeuralOptions> extends BaselineRegressor<
  M,
  O
> {
  protected abstract buildNetwork(ctx: NetworkContext): Network<M>;

  protected needsValidation(): boolean {
    return true;
  }

  protected async select(
    [{ train, validation, yScale }]: readonly StandardizedFold[],
    ctx: FitContext,
  ): Promise<Selected<M>> {
    const run = await this.train(train, validation, null, ctx);
    if (run.bestEpochs.some((e) => e >= this.options.maxEpochs)) {
      ctx.note(
        `Training reached maxEpochs (${this.options.maxEpochs}) while the validation RMSE was still improving: raise maxEpochs or learningRate`,
      );
    }
    const mean = run.bestScores.reduce((a, b) => a + b, 0) / Math.max(run.bestScores.length, 1);
    return {
      model: run.model,
      selection: {
        validationRmse: validation ? mean * yScale : null,
        bestEpochs: run.bestEpochs,
        epochs: run.epochs,
      },
    };
  }

  protected async refitAll(data: TaskArrays, selected: Selected<M>, ctx: FitContext): Promise<M> {
    const keepAt = selected.selection.bestEpochs as readonly number[];
    return (await this.train(data, null, keepAt, ctx)).model;
  }

  /** Progress every 10 epochs. */
  protected epochReporter(ctx: FitContext, maxEpochs: number) {
    return (epoch: number, scores: ArrayLike<number> | null) => {
      if (epoch % 10 !== 0 && epoch !== maxEpochs) return;
      let mean = Number.NaN;
      if (scores && scores.length > 0) {
        mean = 0;
        for (let i = 0; i < scores.length; i++) mean += scores[i] / scores.length;
      }
      ctx.report({
        epoch,
        fraction: Math.min(1, epoch / Math.max(maxEpochs, 1)),
        ...(Number.isFinite(mean) ? { validationRmse: mean * ctx.yScale } : {}),
      });
    };
  }

  /**
   * One training run of a single network on all tasks with one early-stopping criterion: the mean
   * validation RMSE across tasks (or, for a refit, `keepAt[0]` epochs).
   */
  protected async train(
    data: TaskArrays,
    validation: TaskArrays | null,
    keepAt: readonly number[] | null,
    ctx: FitContext,
  ): Promise<TrainingRun<M>> {
    const o = this.options;
    let trainSet: PaddedSet | null = null;
    let valSet: PaddedSet | null = null;
    let net: Network<M> | null = null;
    try {
      trainSet = padSet(data);
      valSet = validation ? padSet(validation) : null;
      net = this.buildNetwork({
        p: data.p,
        R: data.y.length,
        initSeed: ctx.initSeed,
        taskMeans: taskMeansOf(data),
      });
      const network = net;
      const set = trainSet;
      const vset = valSet;
      // (1/2N) Σ over all rows + (ν/2) Σ‖W‖².
      const loss = (): Scalar =>
        tf.tidy(() => {
          let total = tf.div(tf.sum(taskSse(set, network.forward(set))), 2 * set.total);
          if (o.weightDecay > 0) {
            for (const w of network.weights)
              total = tf.add(total, tf.mul(tf.sum(tf.square(w)), o.weightDecay / 2));
          }
          return total as Scalar;
        });
      const score = vset
        ? () => {
            const pred = network.forward(vset);
            const rmse = taskRmse(vset, pred);
            pred.dispose();
            return meanOverValidatedTasks(vset, rmse);
          }
        : null;
      const maxEpochs = keepAt ? keepAt[0] : o.maxEpochs;
      const report = this.epochReporter(ctx, maxEpochs);
      const result = await trainWithEarlyStopping({
        variables: network.variables,
        loss,
        validation: score,
        keepAt: keepAt ? keepAt[0] : null,
        maxEpochs: o.maxEpochs,
        patience: o.patience,
        learningRate: o.learningRate,
        signal: ctx.signal,
        onEpoch: (epoch, s) => report(epoch, s === null ? null : [s]),
      });
      return {
        model: network.extract(),
        bestEpochs: [result.bestEpoch],
        bestScores: vset ? [result.bestScore] : [],
        epochs: result.epochs,
      };
    } finally {
      net?.dispose();
      disposeSet(trainSet);
      disposeSet(valSet);
    }
  }
}

export function taskMeansOf(data: TaskArrays): Float64Array {
  return Float64Array.from(data.y, (y) => y.reduce((a, b) => a + b, 0) / y.length);
}
