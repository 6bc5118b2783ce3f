import type { EncoderWeights } from '@hetmtl/encoders';
import { SerializationError } from '@hetmtl/tensor';

/** The hidden-layer activations of the neural learners (those of the `mlp` encoder). */
export type Activation = 'elu' | 'relu' | 'tanh';
export const ACTIVATION_NAMES: readonly Activation[] = ['elu', 'relu', 'tanh'];

/** One dense layer h ↦ hW + b in Float64: W row-major (fanIn × fanOut). */
export interface DenseLayer {
  readonly fanIn: number;
  readonly fanOut: number;
  readonly W: Float64Array;
  readonly b: Float64Array;
}

function activate(v: number, activation: Activation): number {
  if (activation === 'relu') return Math.max(v, 0);
  if (activation === 'tanh') return Math.tanh(v);
  return v > 0 ? v : Math.expm1(v);
}

/**
 * The forward pass of a stack of dense layers on n rows (row-major n × fanIn of the first layer), in
 * Float64: the activation after every layer but the last (after the last too when `activateLast`).
 * Fitted neural learners predict with it, so prediction needs no tensors and no backend.
 */
export function forwardLayers(
  X: Float64Array,
  n: number,
  layers: readonly DenseLayer[],
  activation: Activation,
  activateLast = false,
): Float64Array {
  let h = X;
  layers.forEach((layer, l) => {
    const { fanIn, fanOut, W, b } = layer;
    const out = new Float64Array(n * fanOut);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < fanOut; k++) out[i * fanOut + k] = b[k];
      for (let a = 0; a < fanIn; a++) {
        const x = h[i * fanIn + a];
        if (x === 0) continue;
        for (let k = 0; k < fanOut; k++)
          out[i * fanOut + k] = out[i * fanOut + k] + x * W[a * fanOut + k];
      }
    }
    if (l < layers.length - 1 || activateLast)
      for (let i = 0; i < out.length; i++) out[i] = activate(out[i], activation);
    h = out;
  });
  return h;
}

/**
 * The layers of an encoder's weights (`w0, b0, …, wL, bL`, after an optional name prefix such as
 * `mlp/`), of task `task` when the encoder is batched over tasks (weights [R, fanIn, fanOut] and
 * [R, 1, fanOut]).
 */
export function layersFromWeights(weights: EncoderWeights, task?: number): DenseLayer[] {
  const find = (kind: 'w' | 'b', l: number) => {
    const key = Object.keys(weights).find((k) => k === `${kind}${l}` || k.endsWith(`/${kind}${l}`));
    return key === undefined ? undefined : weights[key];
  };
  const layers: DenseLayer[] = [];
  for (let l = 0; ; l++) {
    const w = find('w', l);
    if (!w) break;
    const batched = task !== undefined;
    const [fanIn, fanOut] = (batched ? w.shape.slice(1) : w.shape) as [number, number];
    const size = fanIn * fanOut;
    const offset = batched ? task * size : 0;
    const W = Float64Array.from(w.values.slice(offset, offset + size));
    const bw = find('b', l);
    const b = bw
      ? Float64Array.from(
          bw.values.slice(batched ? task * fanOut : 0, (batched ? task * fanOut : 0) + fanOut),
        )
      : new Float64Array(fanOut);
    layers.push({ fanIn, fanOut, W, b });
  }
  return layers;
}

export interface DenseLayerJSON {
  readonly fanIn: number;
  readonly fanOut: number;
  readonly W: number[];
  readonly b: number[];
}

export function layersToJSON(layers: readonly DenseLayer[]): DenseLayerJSON[] {
  return layers.map((l) => ({
    fanIn: l.fanIn,
    fanOut: l.fanOut,
    W: Array.from(l.W),
    b: Array.from(l.b),
  }));
}

/** Reads layers back, checking that they chain from `inputDim` to `outputDim` (when given) with finite weights. */
export function layersFromJSON(
  raw: unknown,
  inputDim: number,
  outputDim: number | null,
  what: string,
): DenseLayer[] {
  const fail = (detail: string) =>
    new SerializationError(`Corrupt document: ${what}`, {
      expected: `dense layers from ${inputDim} inputs${outputDim === null ? '' : ` to ${outputDim} outputs`}`,
      received: detail,
    });
  if (!Array.isArray(raw) || raw.length === 0)
    throw fail(Array.isArray(raw) ? 'no layers' : typeof raw);
  let dim = inputDim;
  const layers = raw.map((l: Partial<DenseLayerJSON>, i) => {
    const ok =
      typeof l === 'object' &&
      l !== null &&
      l.fanIn === dim &&
      Number.isInteger(l.fanOut) &&
      (l.fanOut as number) >= 1 &&
      Array.isArray(l.W) &&
      l.W.length === dim * (l.fanOut as number) &&
      Array.isArray(l.b) &&
      l.b.length === l.fanOut &&
      l.W.every(Number.isFinite) &&
      l.b.every(Number.isFinite);
    if (!ok)
      throw fail(
        `layer ${i} does not have fanIn ${dim}, a positive fanOut and finite W (fanIn·fanOut) and b (fanOut)`,
      );
    dim = l.fanOut;
    return {
      fanIn: l.fanIn,
      fanOut: dim,
      W: Float64Array.from(l.W),
      b: Float64Array.from(l.b),
    };
  });
  if (outputDim !== null && dim !== outputDim) throw fail(`the last layer has ${dim} outputs`);
  return layers;
}
