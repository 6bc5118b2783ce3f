import {
  assignVariables,
  checkForwardInput,
  defineEncoder,
  type EncoderBuildContext,
  type EncoderInstance,
  type EncoderWeights,
  initialWeights,
  makeVariable,
  readVariables,
  disposeVariables,
} from '@hetmtl/encoders';
import { describeReceived, HetmtlError, type Random, tf, ValidationError } from '@hetmtl/tensor';

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

const KEYS = ['l1', 'bias'] as const;

function normalizeConfig(config: unknown): SparseLinearConfig {
  const c = (config ?? {}) as Record<string, unknown>;
  if (typeof c !== 'object' || Array.isArray(c))
    throw new ValidationError(`Invalid config for encoder "${SPARSE_LINEAR_KIND}"`, {
      expected: 'an object { l1?, bias? }',
      received: describeReceived(config),
    });
  for (const key of Object.keys(c)) {
    if (!(KEYS as readonly string[]).includes(key))
      throw new ValidationError(`Unknown option "${key}" for encoder "${SPARSE_LINEAR_KIND}"`, {
        expected: `only ${KEYS.join(', ')}`,
        received: `"${key}"`,
        fix:
          key === 'out' || key === 'outputDim'
            ? 'The number of factors is an option of the model (K0, K1), not of the encoder'
            : `Remove "${key}" or check its spelling`,
      });
  }
  const l1 = c.l1 ?? 100;
  if (typeof l1 !== 'number' || !Number.isFinite(l1) || l1 <= 0)
    throw new ValidationError(`Invalid option "l1" for encoder "${SPARSE_LINEAR_KIND}"`, {
      expected: 'a finite number > 0 (the L1 strength as a multiple of the weight decay ν)',
      received: describeReceived(l1),
    });
  const bias = c.bias ?? true;
  if (typeof bias !== 'boolean')
    throw new ValidationError(`Invalid option "bias" for encoder "${SPARSE_LINEAR_KIND}"`, {
      expected: 'true or false',
      received: describeReceived(bias),
    });
  return { l1, bias };
}

/**
 * u and v with u·v/l1 = w: v = √l1 (one everywhere, scaled) and u = √l1·w. The factorisation is
 * deliberately *unbalanced* (|v| > |u|): gradient steps on a product keep u² − v² nearly constant,
 * so from a balanced start (|u| = |v|) a weight could never change sign; with v away from zero u
 * crosses zero freely. The weight decay then balances |u| and |v| where the data allow it, which is
 * where ν/2·(u² + v²) equals the L1 penalty ν·l1·|w|.
 */
function factorise(w: ArrayLike<number>, l1: number): { u: Float32Array; v: Float32Array } {
  const s = Math.sqrt(l1);
  return { u: Float32Array.from(w, (x) => s * x), v: new Float32Array(w.length).fill(s) };
}

/**
 * Builds the encoder: one copy (unbatched) or R stacked copies (`ctx.tasks`), with variables
 * `<name>/u0`, `<name>/v0` (and `<name>/b0`), shapes [p, K] and [K] or [R, p, K] and [R, 1, K].
 */
function build(config: SparseLinearConfig, ctx: EncoderBuildContext): EncoderInstance {
  const { inputDim: p, outputDim: K, tasks } = ctx;
  const prefix = ctx.name ? `${ctx.name}/` : '';
  const what = `${SPARSE_LINEAR_KIND} encoder${ctx.name ? ` "${ctx.name}"` : ''}`;
  const copies = tasks ?? 1;
  // Initial w: Glorot normal, as the built-in linear encoder. Task r of a batched encoder draws
  // from the r-th child of ctx.rng, an unbatched one from ctx.rng itself (the registry's
  // stacking convention: a batched build equals R unbatched builds from the same seed).
  const draw = (rng: Random) => initialWeights(rng, 'glorot-normal', p, K);
  const w0 = new Float32Array(copies * p * K);
  if (tasks === undefined) w0.set(draw(ctx.rng));
  else for (let r = 0; r < tasks; r++) w0.set(draw(ctx.rng.child()), r * p * K);
  const { u, v } = factorise(w0, config.l1);
  const shapeW = tasks === undefined ? [p, K] : [tasks, p, K];
  const shapeB = tasks === undefined ? [K] : [tasks, 1, K];
  const variables: Record<string, tf.Variable> = {
    [`${prefix}u0`]: makeVariable(`${prefix}u0`, u, shapeW),
    [`${prefix}v0`]: makeVariable(`${prefix}v0`, v, shapeW),
  };
  if (config.bias)
    variables[`${prefix}b0`] = makeVariable(`${prefix}b0`, new Float32Array(copies * K), shapeB);
  Object.freeze(variables);
  const U = variables[`${prefix}u0`] as tf.Variable;
  const V = variables[`${prefix}v0`] as tf.Variable;
  const B = variables[`${prefix}b0`];
  let disposed = false;
  const alive = () => {
    if (disposed)
      throw new HetmtlError(`The ${what} was disposed`, {
        fix: 'Build a new encoder from its spec (registry.build) and set its weights',
      });
  };

  return Object.freeze({
    spec: sparseLinear(config),
    inputDim: p,
    outputDim: K,
    tasks,
    variables,
    forward(x: tf.Tensor): tf.Tensor {
      alive();
      // Synchronous and in its own tidy: the caller owns only the result.
      return tf.tidy(() => {
        const input = checkForwardInput(x, p, tasks, what);
        const W = tf.div(tf.mul(U, V), config.l1);
        const h = tf.matMul(input, W);
        return B ? tf.add(h, B) : h;
      });
    },
    getWeights(): EncoderWeights {
      alive();
      return readVariables(variables);
    },
    setWeights(weights: EncoderWeights): void {
      alive();
      assignVariables(variables, weights, what); // checks every name and shape before assigning
    },
    /** x ↦ (x − mean)·W exactly (the model's PCA start); one W/mean per task, or one for all. */
    setLinearMap(
      W: Float64Array | readonly Float64Array[],
      mean: Float64Array | readonly Float64Array[],
    ) {
      alive();
      const pick = (
        a: Float64Array | readonly Float64Array[],
        r: number,
        len: number,
        label: string,
      ) => {
        const x = ArrayBuffer.isView(a) ? a : a[r];
        if (!x || x.length !== len || (!ArrayBuffer.isView(a) && a.length !== copies))
          throw new ValidationError(`setLinearMap of the ${what}: wrong ${label}`, {
            expected: `a Float64Array of length ${len}${tasks !== undefined ? `, one for all tasks or ${tasks}` : ''}`,
            received: describeReceived(x ?? a),
          });
        return x;
      };
      const wAll = new Float64Array(copies * p * K);
      const bAll = new Float32Array(copies * K);
      for (let r = 0; r < copies; r++) {
        const w = pick(W, r, p * K, 'W (p×K, row-major)');
        const m = pick(mean, r, p, 'mean');
        wAll.set(w, r * p * K);
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let i = 0; i < p; i++) s += (m[i] as number) * (w[i * K + k] as number);
          bAll[r * K + k] = -s;
        }
      }
      if (!B && bAll.some((b) => b !== 0))
        throw new ValidationError(
          `setLinearMap of the ${what}: no bias, so the mean must be zero`,
          {
            fix: 'Build the encoder with sparseLinear({ bias: true })',
          },
        );
      const f = factorise(wAll, config.l1);
      tf.tidy(() => {
        U.assign(tf.tensor(f.u, U.shape, 'float32'));
        V.assign(tf.tensor(f.v, V.shape, 'float32'));
        B?.assign(tf.tensor(bAll, B.shape, 'float32'));
      });
    },
    dispose(): void {
      disposed = true;
      disposeVariables(variables);
    },
  });
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
 * `sparseLinear()` returns a spec `{ kind: 'custom-encoder:sparse-linear', specVersion: 1,
 * config: { l1: 100, bias: true } }`; importing this module registers the plugin, so that a saved
 * model using it can be rebuilt.
 */
export const sparseLinear = defineEncoder<SparseLinearConfig>({
  kind: SPARSE_LINEAR_KIND,
  specVersion: 1,
  batched: true,
  normalizeConfig,
  build,
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
  return Float64Array.from(u.values, (x, i) => (x * (v.values[i] as number)) / config.l1);
}

/** Share of weights with |w| below `tolerance` times the largest |w| (0: dense, near 1: sparse). */
export function sparsity(w: ArrayLike<number>, tolerance = 1e-3): number {
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i] as number));
  if (max === 0) return 1;
  let small = 0;
  for (let i = 0; i < w.length; i++) if (Math.abs(w[i] as number) < tolerance * max) small++;
  return small / w.length;
}
