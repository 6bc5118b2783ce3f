import { tf } from '@hetmtl/tensor';
import type { Initializer } from './init.js';
import type { EncoderDims, EncoderParams, LinearMap, ParamDeclaration } from './plugin-runtime.js';

/** The hidden-layer activations of the built-in mlp. */
export const ACTIVATIONS = ['elu', 'relu', 'tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export interface DenseStackOptions {
  readonly hidden: readonly number[];
  readonly activation: Activation;
  readonly bias: boolean;
}

const activate = (h: tf.Tensor, activation: Activation): tf.Tensor =>
  activation === 'elu' ? tf.elu(h) : activation === 'relu' ? tf.relu(h) : tf.tanh(h);

/**
 * A stack of dense layers — the maths of `linear` (no hidden layer) and `mlp`:
 * h₀ = x, h_{l+1} = act(h_l W_l + b_l), linear output layer. Parameters `w0, b0, …` layer by layer:
 * W_l is [fanIn, fanOut] (He normal before elu/relu, Glorot normal before tanh and for the output
 * layer), b_l is a zero row of width fanOut. Only the W_l draw from the generator, in layer order.
 */
export function denseStackParams(
  o: DenseStackOptions,
  { inputDim, outputDim }: EncoderDims,
): Record<string, ParamDeclaration> {
  const sizes = [inputDim, ...o.hidden, outputDim];
  const depth = sizes.length - 1;
  const hiddenInit: Initializer = o.activation === 'tanh' ? 'glorot-normal' : 'he-normal';
  const params: Record<string, ParamDeclaration> = {};
  for (let l = 0; l < depth; l++) {
    params[`w${l}`] = {
      shape: [sizes[l], sizes[l + 1]],
      init: l < depth - 1 ? hiddenInit : 'glorot-normal',
    };
    if (o.bias) params[`b${l}`] = { shape: [sizes[l + 1]], init: 'zeros', row: true };
  }
  return params;
}

/** [T, n, p] → [T, n, K]: one batched matMul per layer, whatever T is. */
export function denseStackApply(
  o: DenseStackOptions,
  params: EncoderParams,
  x: tf.Tensor,
): tf.Tensor {
  const depth = o.hidden.length + 1;
  let h = x;
  for (let l = 0; l < depth; l++) {
    h = tf.matMul(h, params[`w${l}`] as tf.Tensor);
    const b = params[`b${l}`];
    if (b !== undefined) h = tf.add(h, b);
    if (l < depth - 1) h = activate(h, o.activation);
  }
  return h;
}

/** A one-layer stack is linear: W is w0 and b is b0 (when it has a bias). */
export function denseStackLinearMap(o: DenseStackOptions): LinearMap | undefined {
  if (o.hidden.length > 0) return undefined;
  return ({ W, b }) => ({ w0: W, b0: o.bias ? b : undefined });
}
