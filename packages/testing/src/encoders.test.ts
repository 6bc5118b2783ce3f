// The encoder conformance suite on every built-in encoder (cpu, and the mlp on wasm too), and on a
// plugin written as a user would: not batched, so the registry's loop over tasks is checked as well.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { wasmBackend } from '@hetmtl/backend-wasm';
import {
  assignVariables,
  defineEncoder,
  type EncoderFactory,
  type EncoderInstance,
  disposeVariables,
  EncoderRegistry,
  identity,
  linear,
  makeVariable,
  mlp,
  readVariables,
} from '@hetmtl/encoders';
import { Random, tf, ValidationError } from '@hetmtl/tensor';
import { describeEncoderConformance } from './vitest.js';

const cpu = { backend: cpuBackend() };

describeEncoderConformance(identity(), cpu);
describeEncoderConformance(linear(), cpu);
describeEncoderConformance(linear({ bias: false }), cpu);
for (const activation of ['elu', 'relu', 'tanh'] as const) {
  describeEncoderConformance(mlp({ hidden: [8], activation }), cpu);
}
describeEncoderConformance(mlp({ hidden: [6, 4], activation: 'tanh', bias: false }), cpu);
describeEncoderConformance(mlp({ hidden: [] }), cpu);
describeEncoderConformance(mlp({ hidden: [8] }), {
  backend: wasmBackend(),
  tasks: 4,
  inputDim: 9,
  outputDim: 2,
});

// A user's plugin: random-feature encoder g(x) = cos(x·Ω)·A with A trained and Ω fixed. Ω is not a
// weight, so it must come from the config (its own seed), or a saved model would not rebuild it.
type RffConfig = { readonly features: number; readonly seed: number };
const registry = new EncoderRegistry();
const rff: EncoderFactory<RffConfig> = defineEncoder<RffConfig>(
  {
    kind: 'user:rff',
    specVersion: 1,
    batched: false,
    normalizeConfig(config) {
      const { features = 16, seed = 1 } = (config ?? {}) as Partial<RffConfig>;
      if (!Number.isInteger(features) || features < 1)
        throw new ValidationError('features must be a positive integer');
      return { features, seed };
    },
    build(config, ctx): EncoderInstance {
      const omega = tf.tensor2d(
        Float32Array.from(new Random(config.seed).normals(ctx.inputDim * config.features)),
        [ctx.inputDim, config.features],
      );
      const key = `${ctx.name ? `${ctx.name}/` : ''}a`;
      const variables = {
        [key]: makeVariable(
          key,
          ctx.rng.normals(config.features * ctx.outputDim, 0, 1 / Math.sqrt(config.features)),
          [config.features, ctx.outputDim],
        ),
      };
      return {
        spec: rff(config),
        inputDim: ctx.inputDim,
        outputDim: ctx.outputDim,
        tasks: undefined,
        variables,
        forward: (x) => tf.tidy(() => tf.matMul(tf.cos(tf.matMul(x, omega)), variables[key]!)),
        getWeights: () => readVariables(variables),
        setWeights: (w) => assignVariables(variables, w, 'rff encoder'),
        dispose: () => {
          omega.dispose();
          disposeVariables(variables);
        },
      };
    },
  },
  { registry },
);
describeEncoderConformance(rff({ features: 12 }), { ...cpu, registry });
