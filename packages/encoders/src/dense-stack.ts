import { describeReceived, type Random, tf, ValidationError } from '@hetmtl/tensor';
import { checkForwardInput, checkNotDisposed } from './forward-input.js';
import { type Initializer, initialWeights } from './init.js';
import type { EncoderBuildContext, EncoderInstance, EncoderSpec, EncoderWeights } from './types.js';
import { assignVariables, disposeVariables, makeVariable, readVariables } from './weights.js';

/** The hidden-layer activations of the built-in mlp. */
export const ACTIVATIONS = ['elu', 'relu', 'tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export interface DenseStackOptions {
  readonly hidden: readonly number[];
  readonly activation: Activation;
  readonly bias: boolean;
}

interface Layer {
  readonly w: tf.Variable;
  readonly b: tf.Variable | undefined;
  readonly fanIn: number;
  readonly fanOut: number;
}

const activate = (h: tf.Tensor, activation: Activation): tf.Tensor =>
  activation === 'elu' ? tf.elu(h) : activation === 'relu' ? tf.relu(h) : tf.tanh(h);

/**
 * The weights of one task's copy of the stack, in the order they are drawn: for each layer its
 * fanIn × fanOut matrix (biases are zero and draw nothing).
 */
function drawTask(rng: Random, sizes: readonly number[], inits: readonly Initializer[]): Float32Array[] {
  return inits.map((init, l) => initialWeights(rng, init, sizes[l] as number, sizes[l + 1] as number));
}

/**
 * A stack of dense layers — the implementation of `linear` (no hidden layer) and `mlp`:
 * h₀ = x, h_{l+1} = act(h_l W_l + b_l), linear output layer.
 *
 * Unbatched: W_l is [fanIn, fanOut], b_l is [fanOut]. Batched over R tasks: W_l is [R, fanIn, fanOut]
 * and b_l is [R, 1, fanOut], and forward is one batched matMul per layer on [R, n, ·] — the same
 * number of kernels whatever R is. Task r's initial weights come from the r-th child of `ctx.rng`
 * (an unbatched build draws from `ctx.rng` itself, in the same order), so a batched encoder equals
 * the loop of R unbatched encoders the registry would build from the same seed.
 */
export function buildDenseStack(spec: EncoderSpec, options: DenseStackOptions, ctx: EncoderBuildContext): EncoderInstance {
  const { inputDim: p, outputDim: k, tasks } = ctx;
  const prefix = ctx.name ? `${ctx.name}/` : '';
  const what = `${spec.kind} encoder${ctx.name ? ` "${ctx.name}"` : ''}${tasks !== undefined ? ` (batched over ${tasks} tasks)` : ''}`;
  const sizes = [p, ...options.hidden, k];
  const depth = sizes.length - 1;
  const hiddenInit: Initializer = options.activation === 'tanh' ? 'glorot-normal' : 'he-normal';
  const inits: Initializer[] = Array.from({ length: depth }, (_, l) => (l < depth - 1 ? hiddenInit : 'glorot-normal'));

  const perTask: Float32Array[][] =
    tasks === undefined ? [drawTask(ctx.rng, sizes, inits)] : Array.from({ length: tasks }, () => drawTask(ctx.rng.child(), sizes, inits));

  const variables: Record<string, tf.Variable> = {};
  const layers: Layer[] = [];
  for (let l = 0; l < depth; l++) {
    const fanIn = sizes[l] as number;
    const fanOut = sizes[l + 1] as number;
    const size = fanIn * fanOut;
    const values = new Float32Array(perTask.length * size);
    perTask.forEach((draws, r) => {
      values.set(draws[l] as Float32Array, r * size);
    });
    const wKey = `${prefix}w${l}`;
    const w = makeVariable(wKey, values, tasks === undefined ? [fanIn, fanOut] : [tasks, fanIn, fanOut]);
    variables[wKey] = w;
    let b: tf.Variable | undefined;
    if (options.bias) {
      const bKey = `${prefix}b${l}`;
      b = makeVariable(bKey, new Float32Array(perTask.length * fanOut), tasks === undefined ? [fanOut] : [tasks, 1, fanOut]);
      variables[bKey] = b;
    }
    layers.push({ w, b, fanIn, fanOut });
  }
  Object.freeze(variables);

  let disposed = false;
  const instance: EncoderInstance = {
    spec,
    inputDim: p,
    outputDim: k,
    tasks,
    variables,
    forward(x: tf.Tensor): tf.Tensor {
      checkNotDisposed(disposed, what);
      return tf.tidy(() => {
        let h = checkForwardInput(x, p, tasks, what);
        layers.forEach((layer, l) => {
          h = tf.matMul(h, layer.w);
          if (layer.b !== undefined) h = tf.add(h, layer.b);
          if (l < depth - 1) h = activate(h, options.activation);
        });
        return h;
      });
    },
    getWeights(): EncoderWeights {
      checkNotDisposed(disposed, what);
      return readVariables(variables);
    },
    setWeights(weights: EncoderWeights): void {
      checkNotDisposed(disposed, what);
      assignVariables(variables, weights, what);
    },
    dispose(): void {
      disposed = true;
      disposeVariables(variables);
    },
  };
  if (depth === 1) {
    const layer = layers[0] as Layer;
    instance.setLinearMap = (W, mean) => {
      checkNotDisposed(disposed, what);
      setLinearMap(layer, tasks, W, mean, what);
    };
  }
  return Object.freeze(instance);
}

function perTaskArrays(value: Float64Array | readonly Float64Array[], tasks: number | undefined, length: number, label: string, what: string): Float64Array[] {
  const count = tasks ?? 1;
  const list = ArrayBuffer.isView(value) ? Array.from({ length: count }, () => value as Float64Array) : [...(value as readonly Float64Array[])];
  if (list.length !== count) {
    throw new ValidationError(`setLinearMap of the ${what}: wrong number of ${label} arrays`, {
      expected: tasks === undefined ? 'one array' : `one array for all tasks or ${tasks} (one per task)`,
      received: `${list.length}`,
    });
  }
  list.forEach((a, r) => {
    if (!ArrayBuffer.isView(a) || a.length !== length) {
      throw new ValidationError(`setLinearMap of the ${what}: wrong ${label}`, {
        ...(tasks !== undefined ? { task: r } : {}),
        expected: `a Float64Array of length ${length}`,
        received: describeReceived(a),
      });
    }
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) {
        throw new ValidationError(`setLinearMap of the ${what}: non-finite ${label} at index ${i}`, { ...(tasks !== undefined ? { task: r } : {}), expected: 'finite numbers' });
      }
    }
  });
  return list;
}

/** Sets the single layer to x ↦ (x − mean)·W: weight W, bias −meanᵀW (computed in Float64). */
function setLinearMap(layer: Layer, tasks: number | undefined, W: Float64Array | readonly Float64Array[], mean: Float64Array | readonly Float64Array[], what: string): void {
  const { fanIn: p, fanOut: k } = layer;
  const ws = perTaskArrays(W, tasks, p * k, 'W (p×K, row-major)', what);
  const means = perTaskArrays(mean, tasks, p, 'mean', what);
  const wValues = new Float32Array(ws.length * p * k);
  const bValues = new Float32Array(ws.length * k);
  ws.forEach((w, r) => {
    wValues.set(w, r * p * k);
    const m = means[r] as Float64Array;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < p; i++) s += (m[i] as number) * (w[i * k + j] as number);
      bValues[r * k + j] = -s;
    }
  });
  if (layer.b === undefined && bValues.some((v) => v !== 0)) {
    throw new ValidationError(`setLinearMap of the ${what}: this encoder has no bias, so the mean must be zero`, {
      fix: 'Centre the data first, or build the encoder with linear({ bias: true })',
    });
  }
  tf.tidy(() => {
    layer.w.assign(tf.tensor(wValues, layer.w.shape, 'float32'));
    layer.b?.assign(tf.tensor(bValues, layer.b.shape, 'float32'));
  });
}
