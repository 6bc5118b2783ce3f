import { tf, ValidationError } from '@hetmtl/tensor';
import { configObject } from './config.js';
import { checkForwardInput, checkNotDisposed } from './forward-input.js';
import { specFactory } from './spec.js';
import type { EncoderDefinition, EncoderInstance } from './types.js';
import { assignVariables } from './weights.js';

/** `identity` takes no options. */
export type IdentityConfig = Record<string, never>;

/**
 * `identity` (spec version 1): g(x) = x, K = p, no variables (method.md §2). With an identity
 * shared encoder and K1 = 0 the model is a linear multi-task model. Building it with an output
 * dimension other than the input dimension is a ValidationError.
 */
export const identityDefinition: EncoderDefinition<IdentityConfig> = Object.freeze<EncoderDefinition<IdentityConfig>>({
  kind: 'identity',
  specVersion: 1,
  batched: true,
  normalizeConfig(config: unknown): IdentityConfig {
    configObject(config, 'identity', []);
    return {};
  },
  fixedOutputDim: (_config: IdentityConfig, inputDim: number) => inputDim,
  build(_config: IdentityConfig, ctx): EncoderInstance {
    if (ctx.outputDim !== ctx.inputDim) {
      throw new ValidationError('The identity encoder cannot change the dimension', {
        expected: `outputDim = inputDim = ${ctx.inputDim}`,
        received: `outputDim ${ctx.outputDim}`,
        fix: 'Use K = p with identity (the factors are the features), or choose linear() or mlp() to reduce the dimension',
      });
    }
    const what = `identity encoder${ctx.name ? ` "${ctx.name}"` : ''}`;
    const variables = Object.freeze({});
    let disposed = false;
    return Object.freeze<EncoderInstance>({
      spec: identity(),
      inputDim: ctx.inputDim,
      outputDim: ctx.outputDim,
      tasks: ctx.tasks,
      variables,
      forward(x: tf.Tensor): tf.Tensor {
        checkNotDisposed(disposed, what);
        // A new tensor (sharing the data), so that the caller may dispose the output but not the input.
        return tf.tidy(() => tf.clone(checkForwardInput(x, ctx.inputDim, ctx.tasks, what)));
      },
      getWeights: () => ({}),
      setWeights(weights) {
        assignVariables(variables, weights, what);
      },
      dispose() {
        disposed = true;
      },
    });
  },
});

/** The spec of the identity encoder g(x) = x. */
export const identity = specFactory(identityDefinition);
