import {
  buildEncoder,
  type EncoderInstance,
  type EncoderWeights,
  makeVariable,
  mlp,
} from '@hetmtl/encoders';
import { Random, SerializationError, type Tensor, tf, type Variable } from '@hetmtl/tensor';
import { BaselineRegressor, type FitContext } from './baseline-regressor.js';
import {
  type DenseLayer,
  forwardLayers,
  layersFromJSON,
  layersFromWeights,
  layersToJSON,
} from './dense-layers.js';
import { checkKnownOptions, option } from './input-checks.js';
import { decodeVector } from '@hetmtl/estimator';
import {
  type Network,
  type NetworkContext,
  NeuralBaseline,
  type NeuralOptions,
  NEURAL_OPTION_NAMES,
  neuralOptionsToJSON,
  type ResolvedNeuralOptions,
  resolveNeuralOptions,
  taskMeansOf,
  type TrainingRun,
} from './neural-baseline.js';
import type { PaddedSet } from './network-training.js';
import { trainPerTask } from './per-task-training.js';
import type { StandardizedTasks as TaskArrays } from '@hetmtl/estimator';

export const MLP_FORMAT = 'hetmtl/mlp-regressor';

export interface MlpOptions extends NeuralOptions {
  /**
   * 'per-task' (default): the same MLP architecture trained on each task alone, each task stopping
   * at its own best validation epoch; 'pooled': one MLP on all rows plus a task intercept.
   */
  readonly mode?: 'per-task' | 'pooled';
}

export interface ResolvedMlpOptions extends ResolvedNeuralOptions {
  readonly mode: 'per-task' | 'pooled';
}

/** The fitted MLP(s) as plain arrays. */
interface MlpModel {
  /** One layer stack per task (per-task), or one shared stack (pooled). */
  readonly layers: readonly (readonly DenseLayer[])[];
  /** Task intercepts added to the shared MLP (pooled), else null. */
  readonly intercepts: Float64Array | null;
}

/**
 * A multilayer perceptron regressor (the `mlp` encoder of @hetmtl/encoders with one output), per task
 * or pooled with task intercepts. Trained by full-batch Adam on standardised data with weight decay
 * and early stopping on validation rows. Per task, the R networks are trained as one batched network
 * (weights [R, ·, ·]); each task stops and keeps the weights of its own best epoch, and finished
 * tasks leave the batch — every task follows the trajectory it would follow alone. Pooled, the loss
 * is the mean over all rows and training stops on the mean validation RMSE across tasks.
 */
export class MlpRegressor extends NeuralBaseline<MlpModel, ResolvedMlpOptions> {
  constructor(options: MlpOptions = {}) {
    checkKnownOptions('MlpRegressor', options, ['mode', ...NEURAL_OPTION_NAMES]);
    super({
      ...resolveNeuralOptions(options, 0),
      mode: option.oneOf('mode', options.mode, ['per-task', 'pooled'] as const, 'per-task'),
    });
  }

  protected get learner(): string {
    return 'MlpRegressor';
  }

  protected get format(): string {
    return MLP_FORMAT;
  }

  /** The pooled network: one MLP on all rows plus a task intercept. */
  protected buildNetwork(ctx: NetworkContext): Network<MlpModel> {
    const o = this.options;
    let enc: EncoderInstance | null = null;
    let intercepts: Variable | null = null;
    try {
      enc = buildEncoder(mlp({ hidden: [...o.hidden], activation: o.activation }), {
        inputDim: ctx.p,
        outputDim: 1,
        rng: new Random(ctx.initSeed),
        name: 'mlp',
      });
      intercepts = makeVariable('mlp/intercepts', Float32Array.from(ctx.taskMeans), [ctx.R, 1, 1]);
      const encoder = enc;
      const c = intercepts;
      return {
        variables: [...Object.values(encoder.variables), c],
        weights: Object.entries(encoder.variables)
          .filter(([k]) => /(^|\/)w\d+$/.test(k))
          .map(([, v]) => v),
        forward: (set: PaddedSet): Tensor =>
          tf.tidy(() => {
            const flat = tf.reshape(set.x, [set.R * set.nMax, ctx.p]);
            return tf.add(tf.reshape(encoder.forward(flat), [set.R, set.nMax, 1]), c);
          }),
        extract: () => ({
          layers: [layersFromWeights(encoder.getWeights())],
          intercepts: Float64Array.from(c.dataSync()),
        }),
        dispose: () => {
          encoder.dispose();
          c.dispose();
        },
      };
    } catch (e) {
      enc?.dispose();
      intercepts?.dispose();
      throw e;
    }
  }

  protected override async train(
    data: TaskArrays,
    validation: TaskArrays | null,
    keepAt: readonly number[] | null,
    ctx: FitContext,
  ): Promise<TrainingRun<MlpModel>> {
    if (this.options.mode === 'pooled') return super.train(data, validation, keepAt, ctx);
    // Per task: the batched `mlp` encoder's initial weights (task r's from the r-th child stream),
    // output bias at the task's mean, then each task trained and stopped on its own.
    const o = this.options;
    const R = data.y.length;
    const enc = buildEncoder(mlp({ hidden: [...o.hidden], activation: o.activation }), {
      inputDim: data.p,
      outputDim: 1,
      rng: new Random(ctx.initSeed),
      tasks: R,
      name: 'mlp',
    });
    let weights: EncoderWeights;
    try {
      weights = enc.getWeights();
    } finally {
      enc.dispose();
    }
    const means = taskMeansOf(data);
    const initial = Array.from({ length: R }, (_, r) => {
      const layers = layersFromWeights(weights, r);
      layers[layers.length - 1].b[0] = means[r];
      return layers;
    });
    const maxEpochs = keepAt ? Math.max(0, ...keepAt) : o.maxEpochs;
    const run = await trainPerTask({
      initial,
      activation: o.activation,
      train: data,
      validation,
      keepAt,
      maxEpochs: o.maxEpochs,
      patience: o.patience,
      learningRate: o.learningRate,
      weightDecay: o.weightDecay,
      signal: ctx.signal,
      onEpoch: this.epochReporter(ctx, maxEpochs),
    });
    return {
      model: { layers: run.layers, intercepts: null },
      bestEpochs: run.bestEpochs,
      bestScores: run.bestScores,
      epochs: run.epochs,
    };
  }

  protected predictStandardized(
    model: MlpModel,
    task: number,
    X: Float64Array,
    p: number,
  ): Float64Array {
    const n = X.length / p;
    const layers = model.layers[model.intercepts ? 0 : task] as DenseLayer[];
    const out = forwardLayers(X, n, layers, this.options.activation);
    if (model.intercepts) {
      const c = model.intercepts[task];
      for (let i = 0; i < n; i++) out[i] = out[i] + c;
    }
    return out;
  }

  protected override modelToJSON(model: MlpModel): unknown {
    return {
      layers: model.layers.map(layersToJSON),
      intercepts: model.intercepts ? Array.from(model.intercepts) : null,
    };
  }

  protected override optionsToJSON(): Record<string, unknown> {
    return { mode: this.options.mode, ...neuralOptionsToJSON(this.options) };
  }

  static fromJSON(json: unknown): MlpRegressor {
    let mode: 'per-task' | 'pooled' = 'per-task';
    return BaselineRegressor.restore<MlpRegressor, MlpModel>(
      json,
      MLP_FORMAT,
      'MlpRegressor',
      (o) => {
        const m = new MlpRegressor(o);
        mode = m.options.mode;
        return m;
      },
      (raw, { R, p }) => {
        const m = (raw ?? {}) as { layers?: unknown; intercepts?: unknown };
        const stacks = mode === 'per-task' ? R : 1;
        if (!Array.isArray(m.layers) || m.layers.length !== stacks) {
          throw new SerializationError('Corrupt document: model.layers', {
            expected: `${stacks} layer stack(s) (${mode})`,
            received: Array.isArray(m.layers) ? `${m.layers.length}` : typeof m.layers,
          });
        }
        return {
          layers: m.layers.map((l, r) => layersFromJSON(l, p, 1, `model.layers[${r}]`)),
          intercepts: mode === 'pooled' ? decodeVector(m.intercepts, R, 'model.intercepts') : null,
        };
      },
    );
  }
}
