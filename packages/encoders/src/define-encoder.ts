import { encoderRegistry } from './default-registry.js';
import type { EncoderRegistry } from './registry.js';
import { validateDefinition } from './registry.js';
import { specFactory } from './spec.js';
import type { EncoderDefinition, EncoderFactory } from './types.js';

export interface DefineEncoderOptions {
  /** The registry to add the plugin to (default: the default registry, {@link encoderRegistry}). */
  readonly registry?: EncoderRegistry;
  /** Replace a plugin already registered under the same kind (default false: that is an error). */
  readonly replace?: boolean;
}

/**
 * Defines an encoder plugin: checks the definition, registers it (so that saved models using it
 * can be rebuilt) and returns its spec factory, e.g.
 *
 * ```ts
 * export const rff = defineEncoder<RffConfig>({ kind: 'my-org:rff', specVersion: 1, batched: false,
 *   normalizeConfig: (c) => ({ scale: 1, ...(c as object) }), build: (config, ctx) => ... });
 * const spec = rff({ scale: 2 });   // { kind: 'my-org:rff', specVersion: 1, config: { scale: 2 } }
 * ```
 */
export function defineEncoder<C>(def: EncoderDefinition<C>, options: DefineEncoderOptions = {}): EncoderFactory<C> {
  validateDefinition(def);
  (options.registry ?? encoderRegistry).register(def, { replace: options.replace ?? false });
  return specFactory(def);
}
