/**
 * The one handle on TensorFlow.js for the whole library: `@tensorflow/tfjs-core` with its gradient
 * and chained-op registrations and the cpu backend (`@tensorflow/tfjs-backend-cpu`), imported here
 * once. Not the union package `@tensorflow/tfjs`: layers, converter, data and webgl are never used,
 * and a browser bundle of the model is about half the size without them.
 *
 * tfjs-core's own entry registers no gradients and no chained ops (`x.square()`); the union did that
 * for us. `#tfjs-registrations` (package.json "imports") does it here: in bundlers (the `default`
 * condition) it imports tfjs-core's ES modules `register_all_gradients` and
 * `register_all_chained_ops`; in Node (the `node` condition) the same two modules bundled at build
 * time (scripts/bundle-registrations.mjs), since Node cannot load tfjs-core's extensionless ES
 * modules — as the union's own Node build does. Every other hetmtl package imports `tf` from
 * `@hetmtl/tensor`, never from `@tensorflow/*`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '#tfjs-registrations';

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
} from '@tensorflow/tfjs-core';
