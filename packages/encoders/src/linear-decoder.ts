import type { Random } from '@hetmtl/tensor';
import { encoderRegistry } from './default-registry.js';
import { linear } from './linear.js';
import type { EncoderInstance } from './types.js';

export interface LinearDecoderContext {
  /** K: the number of factors decoded. */
  readonly inputDim: number;
  /** p: the number of features reconstructed. */
  readonly outputDim: number;
  readonly rng: Random;
  /** R for a batched decoder (one D_r per task): [R, n, K] → [R, n, p]. */
  readonly tasks?: number;
  /** Prefix of the variable names, e.g. `decoder.shared`. */
  readonly name?: string;
}

/**
 * A linear decoder x̂ = g·D (D is K×p, no bias, Glorot normal) for the reconstruction term
 * ω Σ_r w_r ‖X_r − F_r D0 − G_r D_r‖² / (2 n_r p) of method.md §3. It is a `linear({ bias: false })`
 * encoder from K to p, so a saved model stores and rebuilds it like any encoder (its `spec`).
 */
export function linearDecoder(ctx: LinearDecoderContext): EncoderInstance {
  return encoderRegistry.build(linear({ bias: false }), ctx);
}
