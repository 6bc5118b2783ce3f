import { identityDefinition } from './identity.js';
import { linearDefinition } from './linear.js';
import { mlpDefinition } from './mlp.js';
import { EncoderRegistry } from './registry.js';
import type { EncoderBuildContext, EncoderInstance, EncoderSpec } from './types.js';

/**
 * The default registry: the built-ins `identity`, `linear` and `mlp`, plus every plugin created with
 * `defineEncoder`. Models rebuild saved encoders from it.
 */
export const encoderRegistry: EncoderRegistry = new EncoderRegistry([
  identityDefinition,
  linearDefinition,
  mlpDefinition,
]);

/** Builds an encoder from a spec with the default registry (`encoderRegistry.build`). */
export function buildEncoder(spec: EncoderSpec, ctx: EncoderBuildContext): EncoderInstance {
  return encoderRegistry.build(spec, ctx);
}
