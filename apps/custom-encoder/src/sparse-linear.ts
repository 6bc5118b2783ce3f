import {
  booleanOption,
  configObject,
  defineEncoder,
  type EncoderWeights,
  initialWeights,
  numberOption,
} from '@hetmtl/encoders';
import { tf, ValidationError } from '@hetmtl/tensor';

/** The kind, prefixed with the package's name so that it cannot clash with another plugin. */
export const SPARSE_LINEAR_KIND = 'custom-encoder:sparse-linear';

/** The config of {@link sparseLinear}: plain JSON-safe data, stored in every saved model. */
export type SparseLinearConfig = {
  /**
   * Strength of the L1 penalty, as a multiple of the model's weight decay ν: the model's
   * ν/2·Σ(u² + v²) on this encoder's variables is, at its minimum over the factorisations,
   * ν·l1·Σ|w| on the weights w = u·v/l1 (default 100, i.e. 0.01 with the default ν = 1e-4).
   */
  readonly l1: number;
  /** Whether g(x) = xW + b has the bias b (default true). */
  readonly bias: boolean;
};

/**
 * u and v with u·v/l1 = w: v = √l1 (one everywhere, scaled) and u = √l1·w. The factorisation is
 * deliberately *unbalanced* (|v| > |u|): gradient steps on a product keep u² − v² nearly constant,
 * so from a balanced start (|u| = |v|) a weight could never change sign; with v away from zero u
 * crosses zero freely. The weight decay then balances |u| and |v| where the data allow it, which is
 * where ν/2·(u² + v²) equals the L1 penalty ν·l1·|w|.
 */
function factorize(w: ArrayLike<number>, l1: number): { u: Float32Array; v: Float32Array } {
  const s = Math.sqrt(l1);
  return { u: Float32Array.from(w, (x) => s * x), v: new Float32Array(w.length).fill(s) };
}

/**
 * A sparse linear encoder for wide data (thousands of genes, a few dozen samples per task):
 * g(x) = xW + b with an L1 penalty on W, so that each factor loads on a few features.
 *
 * The model's only penalty on encoder weights is the weight decay ν/2·Σθ². This plugin stores W
 * as the elementwise product W = U ⊙ V / l1 and trains U and V: since the minimum of (u² + v²)/2
 * over u·v = c is |c|, the weight decay on (U, V) acts as the L1 penalty ν·l1·Σ|W| on W — a lasso
 * through the Hadamard product parametrisation, with no change to the model or the optimizer
 * (the stationary points of the decayed product are those of the lasso).
 *
 * The plugin declares its parameters and the map; @hetmtl/encoders owns the variables (`<name>/u0`,
 * `<name>/v0`, `<name>/b0`), stacking over tasks, weights, dispose and the per-task forward.
 * `sparseLinear()` returns a spec `{ kind: 'custom-encoder:sparse-linear', specVersion: 1,
 * config: { l1: 100, bias: true } }`; importing this module registers the plugin, so that a saved
 * model using it can be rebuilt.
 */
export const sparseLinear = defineEncoder<SparseLinearConfig>({
  kind: SPARSE_LINEAR_KIND,
  specVersion: 1,
  normalizeConfig(config) {
    const c = configObject(config, SPARSE_LINEAR_KIND, ['l1', 'bias']);
    return {
      l1: numberOption(
        c.l1,
        SPARSE_LINEAR_KIND,
        'l1',
        100,
        0,
        'the L1 strength as a multiple of the weight decay ν',
      ),
      bias: booleanOption(c.bias, SPARSE_LINEAR_KIND, 'bias', true),
    };
  },
  // Initial w: Glorot normal, as the built-in linear encoder, factorised; v draws nothing.
  params: ({ l1, bias }, { inputDim: p, outputDim: K }) => ({
    u0: {
      shape: [p, K],
      init: (rng) => factorize(initialWeights(rng, 'glorot-normal', p, K), l1).u,
    },
    v0: { shape: [p, K], init: () => new Float32Array(p * K).fill(Math.sqrt(l1)) },
    ...(bias ? { b0: { shape: [K], init: 'zeros', row: true } } : {}),
  }),
  // x: [T, n, p], u0 and v0: [T, p, K], b0: [T, 1, K].
  apply: ({ l1 }, { u0, v0, b0 }, x) => {
    const h = tf.matMul(x, tf.div(tf.mul(u0 as tf.Tensor, v0 as tf.Tensor), l1));
    return b0 ? tf.add(h, b0) : h;
  },
  // x ↦ xW + b exactly (the model's PCA start), with W factorised.
  traits: {
    linearMap:
      ({ l1, bias }) =>
      ({ W, b }) => {
        const { u, v } = factorize(W, l1);
        return { u0: u, v0: v, b0: bias ? b : undefined };
      },
  },
});

/** The effective weights W = U ⊙ V / l1 of a sparse linear encoder's saved weights, by task. */
export function effectiveWeights(
  weights: EncoderWeights,
  config: Pick<SparseLinearConfig, 'l1'>,
): Float64Array {
  const key = (s: string) => Object.keys(weights).find((k) => k === s || k.endsWith(`/${s}`));
  const u = weights[key('u0') ?? 'u0'];
  const v = weights[key('v0') ?? 'v0'];
  if (!u || !v)
    throw new ValidationError('Not the weights of a sparse linear encoder', {
      expected: 'weights u0 and v0',
      received: Object.keys(weights).join(', '),
    });
  return Float64Array.from(u.values, (x, i) => (x * v.values[i]) / config.l1);
}

/** Share of weights with |w| below `tolerance` times the largest |w| (0: dense, near 1: sparse). */
export function sparsity(w: ArrayLike<number>, tolerance = 1e-3): number {
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]));
  if (max === 0) return 1;
  let small = 0;
  for (let i = 0; i < w.length; i++) if (Math.abs(w[i]) < tolerance * max) small++;
  return small / w.length;
}
