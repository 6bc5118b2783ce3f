import { encoderRegistry } from './default-registry.js';
import { type EncoderPlugin, pluginDefinition } from './plugin-runtime.js';
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
 * Defines an encoder plugin: checks it, registers it (so that saved models using it can be
 * rebuilt) and returns its spec factory. The plugin is either an {@link EncoderPlugin} — parameters
 * and `apply`, the framework owns the rest —
 *
 * ```ts
 * import { defineEncoder } from '@hetmtl/encoders';
 * import { tf } from '@hetmtl/tensor';
 *
 * export const scaled = defineEncoder({ kind: 'my-org:scaled', specVersion: 1,
 *   normalizeConfig: (c): { s: number } => ({ s: 1, ...(c as object) }),
 *   params: (_c, { inputDim: p, outputDim: K }) => ({ w: { shape: [p, K], init: 'glorot-normal' } }),
 *   apply: (c, { w }, x) => tf.mul(tf.matMul(x, w), c.s) });
 * const spec = scaled({ s: 2 });   // { kind: 'my-org:scaled', specVersion: 1, config: { s: 2 } }
 * ```
 *
 * or a full {@link EncoderDefinition} with its own `build` (the plugin then owns its variables).
 */
export function defineEncoder<C, P extends string = string>(
  plugin: EncoderPlugin<C, P> | EncoderDefinition<C>,
  options: DefineEncoderOptions = {},
): EncoderFactory<C> {
  const def =
    'apply' in plugin && !('build' in plugin)
      ? pluginDefinition(plugin)
      : (plugin as EncoderDefinition<C>);
  validateDefinition(def);
  (options.registry ?? encoderRegistry).register(def, { replace: options.replace ?? false });
  return specFactory(def);
}
