/**
 * The one handle on TensorFlow.js for the whole library. The union package `@tensorflow/tfjs` is
 * imported here, once: it registers the gradients of every op (tfjs-core alone does not, in Node).
 * Every other hetmtl package imports `tf` from `@hetmtl/tensor`, never from `@tensorflow/*`.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type {
  Rank,
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  TensorContainer,
  Variable,
} from '@tensorflow/tfjs';
