import { describeReceived, ValidationError } from '@hetmtl/tensor';
import { booleanOption, configObject, isPositiveInteger } from './config.js';
import {
  ACTIVATIONS,
  type Activation,
  denseStackApply,
  denseStackLinearMap,
  denseStackParams,
} from './dense-stack.js';
import { pluginDefinition } from './plugin-runtime.js';
import { specFactory } from './spec.js';
import type { EncoderDefinition } from './types.js';

export { ACTIVATIONS, type Activation } from './dense-stack.js';

/** Options of the `mlp` encoder. */
export type MlpConfig = {
  /** Widths of the hidden layers (default [32]); [] makes it a linear encoder. */
  readonly hidden: readonly number[];
  /** Activation after every hidden layer (default `elu`); the output layer is linear. */
  readonly activation: Activation;
  /** Whether every layer has a bias (default true). */
  readonly bias: boolean;
};

/**
 * `mlp` (spec version 1): hidden dense layers with elu, relu or tanh, then a linear output layer to
 * K factors. Initialisation: He normal for hidden layers followed by elu/relu, Glorot normal for tanh
 * hidden layers and the output layer; biases zero. Variables `w0, b0, …, wL, bL` (layer by layer,
 * prefixed by the build context's name); batched over tasks each gets a leading axis R (biases
 * [R, 1, width]).
 */
export const mlpDefinition: EncoderDefinition<MlpConfig> = pluginDefinition<MlpConfig>({
  kind: 'mlp',
  specVersion: 1,
  normalizeConfig(config: unknown): MlpConfig {
    const c = configObject(config, 'mlp', ['hidden', 'activation', 'bias']);
    const hidden = c.hidden === undefined ? [32] : c.hidden;
    if (!Array.isArray(hidden) || !hidden.every(isPositiveInteger)) {
      throw new ValidationError('Invalid option "hidden" for encoder "mlp"', {
        expected: 'an array of positive integers (the widths of the hidden layers), e.g. [32]',
        received: Array.isArray(hidden) ? JSON.stringify(hidden) : describeReceived(hidden),
      });
    }
    const activation = c.activation === undefined ? 'elu' : c.activation;
    if (!ACTIVATIONS.includes(activation as Activation)) {
      throw new ValidationError('Invalid option "activation" for encoder "mlp"', {
        expected: ACTIVATIONS.map((a) => `'${a}'`).join(', '),
        received: describeReceived(activation),
      });
    }
    return {
      hidden: [...hidden],
      activation: activation as Activation,
      bias: booleanOption(c.bias, 'mlp', 'bias', true),
    };
  },
  params: (config, dims) => denseStackParams(config, dims),
  apply: (config, params, x) => denseStackApply(config, params, x),
  traits: {
    linearMap: (config) => denseStackLinearMap(config),
    // The model's width grid: every hidden layer as wide.
    widen: (config, width) => ({ ...config, hidden: config.hidden.map(() => width) }),
    inputWeight: () => 'w0',
  },
});

/** The spec of an mlp encoder: `mlp()` is `mlp({ hidden: [32], activation: 'elu', bias: true })`. */
export const mlp = specFactory(mlpDefinition);
