import type { Random } from '@hetmtl/tensor';

/**
 * Initial weights. Both are plain (untruncated) normals with mean 0 drawn from the model's seeded
 * generator, in row-major order:
 * - **He normal** (He et al. 2015), sd = √(2 / fanIn): hidden layers followed by relu or elu;
 * - **Glorot normal** (Glorot & Bengio 2010), sd = √(2 / (fanIn + fanOut)): hidden layers followed
 *   by tanh, and every linear layer (the output layer of an mlp, linear encoders and decoders).
 * Biases start at zero.
 */
export type Initializer = 'he-normal' | 'glorot-normal';

/** The standard deviation an initializer uses for a fanIn × fanOut weight matrix. */
export function initialScale(init: Initializer, fanIn: number, fanOut: number): number {
  return init === 'he-normal' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
}

/** A fanIn × fanOut weight matrix (row-major) drawn from `rng`. */
export function initialWeights(
  rng: Random,
  init: Initializer,
  fanIn: number,
  fanOut: number,
): Float32Array {
  return Float32Array.from(rng.normals(fanIn * fanOut, 0, initialScale(init, fanIn, fanOut)));
}
