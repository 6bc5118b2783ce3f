import { booleanOption, configObject } from './config.js';
import { denseStackApply, denseStackLinearMap, denseStackParams } from './dense-stack.js';
import { pluginDefinition } from './plugin-runtime.js';
import { specFactory } from './spec.js';
import type { EncoderDefinition } from './types.js';

/** Options of the `linear` encoder. */
export type LinearConfig = {
  /** Whether g(x) = xW + b has the bias b (default true). */
  readonly bias: boolean;
};

/**
 * `linear` (spec version 1): g(x) = xW + b with W p×K (Glorot normal, b = 0). Batched over tasks,
 * W is [R, p, K] and b is [R, 1, K]. Variables `w0` and `b0` (prefixed by the build context's name).
 * Implements `setLinearMap` for the PCA start.
 */
const stack = (config: LinearConfig) =>
  ({ hidden: [], activation: 'elu', bias: config.bias }) as const;

export const linearDefinition: EncoderDefinition<LinearConfig> = pluginDefinition<LinearConfig>({
  kind: 'linear',
  specVersion: 1,
  normalizeConfig(config: unknown): LinearConfig {
    const c = configObject(config, 'linear', ['bias']);
    return { bias: booleanOption(c.bias, 'linear', 'bias', true) };
  },
  params: (config, dims) => denseStackParams(stack(config), dims),
  apply: (config, params, x) => denseStackApply(stack(config), params, x),
  traits: {
    linearMap: (config) => denseStackLinearMap(stack(config)),
    inputWeight: () => 'w0',
  },
});

/** The spec of a linear encoder g(x) = xW + b: `linear()`, or `linear({ bias: false })`. */
export const linear = specFactory(linearDefinition);
