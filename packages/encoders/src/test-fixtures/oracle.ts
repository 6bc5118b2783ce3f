// Independent Float64 oracles for the encoder tests: plain loops, no tensors.
import type { EncoderWeights } from '../types.js';

export type Act = 'elu' | 'relu' | 'tanh';

const act = (a: Act, v: number): number =>
  a === 'relu' ? Math.max(0, v) : a === 'tanh' ? Math.tanh(v) : v > 0 ? v : Math.expm1(v);

/** A dense layer in Float64: [n, fanIn] · [fanIn, fanOut] + b, row-major. */
export function dense(
  x: Float64Array,
  n: number,
  w: ArrayLike<number>,
  b: ArrayLike<number> | undefined,
  fanIn: number,
  fanOut: number,
): Float64Array {
  const out = new Float64Array(n * fanOut);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < fanOut; j++) {
      let s = b === undefined ? 0 : b[j];
      for (let k = 0; k < fanIn; k++) s += x[i * fanIn + k] * w[k * fanOut + j];
      out[i * fanOut + j] = s;
    }
  }
  return out;
}

export interface OracleLayer {
  w: Float64Array;
  b: Float64Array | undefined;
  fanIn: number;
  fanOut: number;
}

/** The layers of an unbatched mlp/linear encoder from its weights (`w0, b0, …`, optional prefix). */
export function layersOf(weights: EncoderWeights, prefix = ''): OracleLayer[] {
  const layers: OracleLayer[] = [];
  for (let l = 0; weights[`${prefix}w${l}`] !== undefined; l++) {
    const w = weights[`${prefix}w${l}`]!;
    const b = weights[`${prefix}b${l}`];
    layers.push({
      w: Float64Array.from(w.values),
      b: b ? Float64Array.from(b.values) : undefined,
      fanIn: w.shape[0]!,
      fanOut: w.shape[1]!,
    });
  }
  return layers;
}

/** Task r's layers of a batched encoder (weights [R, fanIn, fanOut], biases [R, 1, fanOut]). */
export function taskLayersOf(weights: EncoderWeights, r: number, prefix = ''): OracleLayer[] {
  const layers: OracleLayer[] = [];
  for (let l = 0; weights[`${prefix}w${l}`] !== undefined; l++) {
    const w = weights[`${prefix}w${l}`]!;
    const b = weights[`${prefix}b${l}`];
    const [, fanIn, fanOut] = w.shape as [number, number, number];
    layers.push({
      w: Float64Array.from(w.values.slice(r * fanIn * fanOut, (r + 1) * fanIn * fanOut)),
      b: b ? Float64Array.from(b.values.slice(r * fanOut, (r + 1) * fanOut)) : undefined,
      fanIn,
      fanOut,
    });
  }
  return layers;
}

/** The mlp forward in Float64: hidden layers with `a`, linear output layer. */
export function mlpForward(
  x: Float64Array,
  n: number,
  layers: readonly OracleLayer[],
  a: Act,
): Float64Array {
  let h = x;
  layers.forEach((layer, l) => {
    h = dense(h, n, layer.w, layer.b, layer.fanIn, layer.fanOut);
    if (l < layers.length - 1) h = h.map((v) => act(a, v));
  });
  return h;
}

export function maxRelErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 1e-12;
  let err = 0;
  if (got.length !== want.length) return Number.POSITIVE_INFINITY;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    const d = Math.abs(got[i] - want[i]);
    err = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(err, d);
  }
  return err / scale;
}
