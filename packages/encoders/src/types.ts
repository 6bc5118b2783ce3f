import type { Random, tf } from '@hetmtl/tensor';

/**
 * What users pass around and what a saved model stores: plain JSON-safe data. `kind` names the
 * plugin in a registry, `specVersion` the version of the plugin's config format, `config` its
 * options after validation and defaults.
 */
export interface EncoderSpec<C = Record<string, unknown>> {
  readonly kind: string;
  readonly specVersion: number;
  readonly config: Readonly<C>;
}

/** Everything an encoder needs to build itself besides its config. */
export interface EncoderBuildContext {
  /** p: the number of input features. */
  readonly inputDim: number;
  /** K: the number of latent factors (for `identity` it must equal `inputDim`). */
  readonly outputDim: number;
  /** Every initial weight comes from this generator: same seed, identical weights. */
  readonly rng: Random;
  /**
   * When set, build a *batched* encoder holding R stacked copies (one per task): `forward` takes
   * [R, n, p] and returns [R, n, K], task r's slice computed with task r's weights.
   */
  readonly tasks?: number;
  /** Prefix of the variable names, e.g. `shared` or `specific` (names become `shared/w0`, ...). */
  readonly name?: string;
}

/** A weight as plain JSON-safe data: its shape and its values in row-major order. */
export interface WeightValues {
  shape: number[];
  values: number[];
}

/** The weights of an encoder by name, as returned by {@link EncoderInstance.getWeights}. */
export type EncoderWeights = Record<string, WeightValues>;

/**
 * A built encoder. Owns its variables until {@link EncoderInstance.dispose}.
 *
 * Batched encoders keep the **stacking convention**: each weight has a leading axis of length R and
 * its r-th slice (elements r·s … (r+1)·s − 1 in row-major order, s = size of one task's copy) holds
 * the weight of the same name of an unbatched encoder for task r. The conformance suite relies on
 * it to compare a batched forward with per-task forwards.
 */
export interface EncoderInstance {
  /** The normalized spec the encoder was built from (JSON-safe; rebuild it with the registry). */
  readonly spec: EncoderSpec;
  readonly inputDim: number;
  readonly outputDim: number;
  /** R when batched, else undefined. */
  readonly tasks: number | undefined;
  /** Named trainable variables (empty for identity). */
  readonly variables: Readonly<Record<string, tf.Variable>>;
  /**
   * [n, p] → [n, K], or for a batched encoder [R, n, p] → [R, n, K]. Synchronous and safe inside
   * `tf.tidy`: it creates no variables and keeps no tensors; the caller owns the result.
   */
  forward(x: tf.Tensor): tf.Tensor;
  /**
   * Optional (every encoder built by the plugin runtime has it): task r's encoder alone, [n, p] →
   * [n, K], without padding the other tasks. For an unbatched encoder, r = 0.
   */
  forwardTask?(x: tf.Tensor, task: number): tf.Tensor;
  /** Weights as plain arrays (JSON-safe), for `toJSON` of a model. */
  getWeights(): EncoderWeights;
  /** Sets every weight; validates names and shapes first (throws `SerializationError`). */
  setWeights(weights: EncoderWeights): void;
  /**
   * Optional: sets the map exactly to x ↦ (x − mean)·W, with W p×K row-major (batched: one W and
   * mean per task, or one of each for all tasks). Linear encoders implement it (PCA start).
   */
  setLinearMap?(
    W: Float64Array | readonly Float64Array[],
    mean: Float64Array | readonly Float64Array[],
  ): void;
  /** Frees every variable. Idempotent; the encoder cannot be used afterwards. */
  dispose(): void;
}

/** A plugin: how to validate a config and build an encoder from it. */
export interface EncoderDefinition<C> {
  /** The registry key, e.g. `mlp`. */
  readonly kind: string;
  /** The version of the config format; a saved spec with another version needs `migrate`. */
  readonly specVersion: number;
  /** Whether `build` supports `ctx.tasks` (else the registry loops over R unbatched copies). */
  readonly batched: boolean;
  /** Validates a config and fills its defaults; throws `ValidationError`. Must be idempotent. */
  normalizeConfig(config: unknown): C;
  /** Builds an encoder; all initial weights from `ctx.rng`. */
  build(config: C, ctx: EncoderBuildContext): EncoderInstance;
  /**
   * Optional: the output dimension forced by the config (identity: the input dimension). The model
   * uses it to choose K; the conformance suite to choose `outputDim`.
   */
  fixedOutputDim?(config: C, inputDim: number): number | undefined;
  /** Optional: the config with every hidden layer `width` wide (the model's width grid). */
  widen?(config: C, width: number): C;
  /**
   * Optional: the parameter the input enters through as x·W (per task [inputDim, ·]), so that an
   * input projection x ↦ xV can be folded into it (W ← V·W); undefined when there is none.
   */
  inputWeight?(config: C): string | undefined;
  /** Optional: converts a saved config of an older `specVersion` to the current format. */
  migrate?(config: unknown, fromVersion: number): unknown;
}

/** The factory `defineEncoder` returns: config in, spec out; carries its definition. */
export type EncoderFactory<C> = ((config?: Partial<C>) => EncoderSpec<C>) & {
  readonly kind: string;
  readonly definition: EncoderDefinition<C>;
};
