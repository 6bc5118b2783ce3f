import { configObject } from './config.js';
import { pluginDefinition } from './plugin-runtime.js';
import { specFactory } from './spec.js';
import type { EncoderDefinition } from './types.js';

/** `identity` takes no options. */
export type IdentityConfig = Record<string, never>;

/**
 * `identity` (spec version 1): g(x) = x, K = p, no variables (method.md §2). With an identity
 * shared encoder and K1 = 0 the model is a linear multi-task model. Building it with an output
 * dimension other than the input dimension is a ValidationError (its trait `fixedOutputDim`).
 */
export const identityDefinition: EncoderDefinition<IdentityConfig> =
  pluginDefinition<IdentityConfig>({
    kind: 'identity',
    specVersion: 1,
    normalizeConfig(config: unknown): IdentityConfig {
      configObject(config, 'identity', []);
      return {};
    },
    params: () => ({}),
    apply: (_config, _params, x) => x,
    traits: { fixedOutputDim: (_config, inputDim) => inputDim },
  });

/** The spec of the identity encoder g(x) = x. */
export const identity = specFactory(identityDefinition);
