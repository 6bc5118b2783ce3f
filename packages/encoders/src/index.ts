// The plugin interface
export type {
  EncoderBuildContext,
  EncoderDefinition,
  EncoderFactory,
  EncoderInstance,
  EncoderSpec,
  EncoderWeights,
  WeightValues,
} from './types.js';
export { defineEncoder, type DefineEncoderOptions } from './define-encoder.js';
export {
  pluginDefinition,
  type EncoderDims,
  type EncoderParams,
  type EncoderPlugin,
  type EncoderTraits,
  type LinearMap,
  type ParamDeclaration,
  type ParamInit,
} from './plugin-runtime.js';
export { EncoderRegistry, validateDefinition } from './registry.js';
export { buildEncoder, encoderRegistry } from './default-registry.js';

// Built-ins
export { identity, identityDefinition, type IdentityConfig } from './identity.js';
export { linear, linearDefinition, type LinearConfig } from './linear.js';
export { ACTIVATIONS, mlp, mlpDefinition, type Activation, type MlpConfig } from './mlp.js';
export { linearDecoder, type LinearDecoderContext } from './linear-decoder.js';

// Batched task data
export { padTasks, unpadTasks, type PaddedTasks } from './pad-tasks.js';

// For plugin authors
export { initialScale, initialWeights, type Initializer } from './init.js';
export { assignVariables, disposeVariables, makeVariable, readVariables } from './weights.js';
export { checkForwardInput } from './forward-input.js';
export { assertJsonSafe } from './spec.js';
export { booleanOption, configObject, numberOption } from './config.js';
