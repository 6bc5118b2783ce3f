import { buildEncoder, type EncoderInstance, linear, mlp } from '@hetmtl/encoders';
import { Random, SerializationError, type Tensor, tf } from '@hetmtl/tensor';
import { BaselineRegressor } from './baseline-regressor.js';
import {
  type Activation,
  type DenseLayer,
  forwardLayers,
  layersFromJSON,
  layersFromWeights,
  layersToJSON,
} from './dense-layers.js';
import { checkKnownOptions } from './input-checks.js';
import {
  type Network,
  type NetworkContext,
  NeuralBaseline,
  type NeuralOptions,
  NEURAL_OPTION_NAMES,
  neuralOptionsToJSON,
  type ResolvedNeuralOptions,
  resolveNeuralOptions,
} from './neural-baseline.js';
import type { PaddedSet } from './network-training.js';

export const HARD_SHARING_FORMAT = 'hetmtl/hard-sharing-regressor';

/** Options of {@link HardSharingRegressor}: `hidden` are the shared layers (at least one). */
export type HardSharingOptions = NeuralOptions;

/** The fitted network as plain arrays. */
interface HardSharingModel {
  /** Shared layers, each followed by the activation. */
  readonly trunk: readonly DenseLayer[];
  /** One linear head (H → 1) per task. */
  readonly heads: readonly DenseLayer[];
}

const act = (h: Tensor, a: Activation): Tensor =>
  a === 'elu' ? tf.elu(h) : a === 'relu' ? tf.relu(h) : tf.tanh(h);

/**
 * Hard parameter sharing (Caruana 1997): a shared MLP trunk — the hidden layers `hidden`, each with
 * the activation — and a linear head per task on the last hidden layer, f_r(x) = a_rᵀh(x) + c_r. All
 * rows train the trunk; each task's rows its head. Full-batch Adam on the mean squared error over all
 * rows, weight decay, early stopping on the mean validation RMSE across tasks.
 */
export class HardSharingRegressor extends NeuralBaseline<HardSharingModel, ResolvedNeuralOptions> {
  constructor(options: HardSharingOptions = {}) {
    checkKnownOptions('HardSharingRegressor', options, NEURAL_OPTION_NAMES);
    super(resolveNeuralOptions(options, 1));
  }

  protected get learner(): string {
    return 'HardSharingRegressor';
  }

  protected get format(): string {
    return HARD_SHARING_FORMAT;
  }

  protected buildNetwork(ctx: NetworkContext): Network<HardSharingModel> {
    const o = this.options;
    const H = o.hidden[o.hidden.length - 1];
    const rng = new Random(ctx.initSeed);
    let trunk: EncoderInstance | null = null;
    let heads: EncoderInstance | null = null;
    try {
      trunk = buildEncoder(mlp({ hidden: o.hidden.slice(0, -1), activation: o.activation }), {
        inputDim: ctx.p,
        outputDim: H,
        rng: rng.child(),
        name: 'trunk',
      });
      heads = buildEncoder(linear(), {
        inputDim: H,
        outputDim: 1,
        rng: rng.child(),
        tasks: ctx.R,
        name: 'heads',
      });
      const t = trunk;
      const h = heads;
      const hw = h.getWeights();
      const bKey = Object.keys(hw).find((k) => /(^|\/)b0$/.test(k));
      if (bKey)
        h.setWeights({
          ...hw,
          [bKey]: {
            shape: (hw[bKey] as { shape: number[] }).shape,
            values: Array.from(ctx.taskMeans),
          },
        });
      const isWeight = ([k]: [string, unknown]) => /(^|\/)w\d+$/.test(k);
      return {
        variables: [...Object.values(t.variables), ...Object.values(h.variables)],
        weights: [...Object.entries(t.variables), ...Object.entries(h.variables)]
          .filter(isWeight)
          .map(([, v]) => v),
        forward: (set: PaddedSet): Tensor =>
          tf.tidy(() => {
            const flat = tf.reshape(set.x, [set.R * set.nMax, ctx.p]);
            const hidden = tf.reshape(act(t.forward(flat), o.activation), [set.R, set.nMax, H]);
            return h.forward(hidden);
          }),
        extract: () => {
          const hw2 = h.getWeights();
          return {
            trunk: layersFromWeights(t.getWeights()),
            heads: Array.from({ length: ctx.R }, (_, r) => layersFromWeights(hw2, r)[0]),
          };
        },
        dispose: () => {
          t.dispose();
          h.dispose();
        },
      };
    } catch (e) {
      trunk?.dispose();
      heads?.dispose();
      throw e;
    }
  }

  protected predictStandardized(
    model: HardSharingModel,
    task: number,
    X: Float64Array,
    p: number,
  ): Float64Array {
    const n = X.length / p;
    const hidden = forwardLayers(X, n, model.trunk, this.options.activation, true);
    return forwardLayers(hidden, n, [model.heads[task]], this.options.activation);
  }

  protected override modelToJSON(model: HardSharingModel): unknown {
    return { trunk: layersToJSON(model.trunk), heads: layersToJSON(model.heads) };
  }

  protected override optionsToJSON(): Record<string, unknown> {
    return neuralOptionsToJSON(this.options);
  }

  static fromJSON(json: unknown): HardSharingRegressor {
    return BaselineRegressor.restore<HardSharingRegressor, HardSharingModel>(
      json,
      HARD_SHARING_FORMAT,
      'HardSharingRegressor',
      (o) => new HardSharingRegressor(o),
      (raw, { R, p }) => {
        const m = (raw ?? {}) as { trunk?: unknown; heads?: unknown };
        const trunk = layersFromJSON(m.trunk, p, null, 'model.trunk');
        const H = trunk[trunk.length - 1].fanOut;
        if (!Array.isArray(m.heads) || m.heads.length !== R) {
          throw new SerializationError('Corrupt document: model.heads', {
            expected: `${R} heads`,
            received: Array.isArray(m.heads) ? `${m.heads.length}` : typeof m.heads,
          });
        }
        return {
          trunk,
          heads: m.heads.map((head, r) => layersFromJSON([head], H, 1, `model.heads[${r}]`)[0]),
        };
      },
    );
  }
}
