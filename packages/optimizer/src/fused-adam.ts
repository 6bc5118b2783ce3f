import {
  NumericError,
  type Scalar,
  type Tensor,
  tf,
  ValidationError,
  type Variable,
} from '@hetmtl/tensor';
import { throwIfAborted, yieldToEventLoop } from './abort.js';
import type { AdamBlockOptions, Block, BlockContext, BlockResult } from './adam-block.js';

/** The name of the fused Adam kernel (registered for a backend on first use). */
export const FUSED_ADAM_KERNEL = 'HetmtlFusedAdam';

interface AdamAttrs {
  readonly count: number;
  /** Per variable: a decay coefficient λ (the gradient becomes g + λx), or −1 for a tensor input `d_j`. */
  readonly decay: readonly number[];
  /** −lr, β1, 1 − β1, β2, 1 − β2, ε, 1 − β1^t, 1 − β2^t (float32 values, as tfjs's Adam uses them). */
  readonly scalars: readonly number[];
}

const f = Math.fround;

/** Set by the kernel when an updated value is not finite (read right after the kernel runs). */
let lastNonFinite = false;

/**
 * One pass over every element of every variable: the arithmetic of tfjs's `AdamOptimizer`
 * (`m ← m·β1 + g·(1 − β1)`, `v ← v·β2 + g²·(1 − β2)`, `x ← (m/(1 − β1^t)) / (√(v/(1 − β2^t)) + ε)·(−lr) + x`)
 * in the same order, each operation rounded to float32 as tfjs's cpu kernels round it.
 */
function adamValues(
  x: Float32Array,
  g: ArrayLike<number>,
  m: Float32Array,
  v: Float32Array,
  s: readonly number[],
  decay: number | ArrayLike<number>,
): [Float32Array, Float32Array, Float32Array] {
  const [negLr, b1, c1, b2, c2, eps, d1, d2] = s as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const n = x.length;
  const nx = new Float32Array(n);
  const nm = new Float32Array(n);
  const nv = new Float32Array(n);
  const dk = typeof decay === 'number' ? decay : 0;
  const dt = typeof decay === 'number' ? null : decay;
  let finite = true;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    const di = dt ? dt[i] : dk;
    const gi = di === 0 ? g[i] : f(g[i] + f(di * xi));
    const mi = f(f(m[i] * b1) + f(gi * c1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * c2));
    const step = f(f(mi / d1) / f(f(Math.sqrt(f(vi / d2))) + eps));
    const xn = f(f(step * negLr) + xi);
    if (!Number.isFinite(xn)) finite = false;
    nx[i] = xn;
    nm[i] = mi;
    nv[i] = vi;
  }
  if (!finite) lastNonFinite = true;
  return [nx, nm, nv];
}

/**
 * The fused Adam kernel: inputs x_j, g_j, m_j, v_j for j < count; outputs x_j′ (count), then m_j′,
 * then v_j′. One kernel for all the variables of a block, on any backend whose tensors it can read
 * synchronously (cpu, wasm, the native backend): it reads with `readSync` and writes new entries.
 */
const adamKernel: tf.KernelFunc = ({ inputs, backend: b, attrs }) => {
  const { count, scalars, decay } = attrs as unknown as AdamAttrs;
  const backend = b as tf.KernelBackend;
  const read = (t: tf.TensorInfo) => backend.readSync(t.dataId) as Float32Array;
  const outX: tf.TensorInfo[] = [];
  const outM: tf.TensorInfo[] = [];
  const outV: tf.TensorInfo[] = [];
  const make = (values: Float32Array, shape: number[]): tf.TensorInfo => ({
    dataId: backend.write(values, shape, 'float32'),
    shape,
    dtype: 'float32',
  });
  for (let j = 0; j < count; j++) {
    const x = inputs[`x${j}`] as tf.TensorInfo;
    const [nx, nm, nv] = adamValues(
      read(x),
      read(inputs[`g${j}`] as tf.TensorInfo),
      read(inputs[`m${j}`] as tf.TensorInfo),
      read(inputs[`v${j}`] as tf.TensorInfo),
      scalars,
      decay[j] < 0 ? read(inputs[`d${j}`] as tf.TensorInfo) : decay[j],
    );
    outX.push(make(nx, [...x.shape]));
    outM.push(make(nm, [...x.shape]));
    outV.push(make(nv, [...x.shape]));
  }
  return [...outX, ...outM, ...outV];
};

function ensureKernel(): void {
  const backendName = tf.getBackend();
  if (tf.getKernel(FUSED_ADAM_KERNEL, backendName) === undefined)
    tf.registerKernel({ kernelName: FUSED_ADAM_KERNEL, backendName, kernelFunc: adamKernel });
}

/** Adam's state for a list of variables: moments and the bias-correction powers. */
export class FusedAdamState {
  readonly m: Tensor[];
  readonly v: Tensor[];
  #accBeta1: number;
  #accBeta2: number;
  readonly #s: { negLr: number; b1: number; c1: number; b2: number; c2: number; eps: number };

  constructor(
    readonly variables: readonly Variable[],
    learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    epsilon = 1e-8,
  ) {
    this.m = variables.map((x) => tf.keep(tf.zerosLike(x)));
    this.v = variables.map((x) => tf.keep(tf.zerosLike(x)));
    // tfjs keeps β^t as float32 scalars and multiplies them by β after every step.
    this.#accBeta1 = f(beta1);
    this.#accBeta2 = f(beta2);
    this.#s = {
      negLr: f(-learningRate),
      b1: f(beta1),
      c1: f(1 - beta1),
      b2: f(beta2),
      c2: f(1 - beta2),
      eps: f(epsilon),
    };
  }

  /**
   * One Adam step with the given gradients (same order as the variables; not disposed): one
   * kernel for all variables. Same update, bias correction and float32 roundings as `tf.train.adam`.
   * `decay[j]` (a number, or a tensor of the variable's shape) adds decay·x to the gradient: the
   * gradient of a ridge (decay/2)‖x‖². Returns false when an updated value is not finite.
   */
  apply(grads: readonly Tensor[], decay: readonly (number | Tensor)[] = []): boolean {
    const k = this.variables.length;
    if (grads.length !== k)
      throw new ValidationError('Fused Adam: one gradient per variable', {
        expected: `${k} gradients`,
        received: `${grads.length}`,
      });
    ensureKernel();
    const inputs: Record<string, Tensor> = {};
    this.variables.forEach((x, j) => {
      inputs[`x${j}`] = x;
      inputs[`g${j}`] = grads[j];
      inputs[`m${j}`] = this.m[j];
      inputs[`v${j}`] = this.v[j];
      const d = decay[j];
      if (d !== undefined && typeof d !== 'number') inputs[`d${j}`] = d;
    });
    const decayAttr = this.variables.map((_, j) => {
      const d = decay[j];
      return d === undefined ? 0 : typeof d === 'number' ? f(d) : -1;
    });
    lastNonFinite = false;
    const s = this.#s;
    const scalars = [
      s.negLr,
      s.b1,
      s.c1,
      s.b2,
      s.c2,
      s.eps,
      f(1 - this.#accBeta1),
      f(1 - this.#accBeta2),
    ];
    const out = tf.engine().runKernel(FUSED_ADAM_KERNEL, inputs, {
      count: k,
      scalars,
      decay: decayAttr,
    } as unknown as tf.NamedAttrMap) as Tensor[];
    this.variables.forEach((x, j) => {
      x.assign(out[j]);
      out[j].dispose();
      this.m[j].dispose();
      this.v[j].dispose();
      this.m[j] = tf.keep(out[k + j]);
      this.v[j] = tf.keep(out[2 * k + j]);
    });
    this.#accBeta1 = f(this.#accBeta1 * s.b1);
    this.#accBeta2 = f(this.#accBeta2 * s.b2);
    return !lastNonFinite;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}

/** What a gradient step returns: one gradient per variable and, when asked, the loss. */
export interface GradientStep {
  readonly grads: Tensor[];
  readonly loss?: Scalar;
}

/**
 * A gradient function for a block run: `prepare` is called at the start of every run (its result,
 * the run's constants, is disposed at the end of the run) and `step` computes the gradients at
 * the variables' current values — the loss too when `withLoss` (else it may skip it).
 */
export interface GradientProgram<C> {
  prepare(): C;
  step(constants: C, withLoss: boolean): GradientStep;
  release(constants: C): void;
}

/**
 * Adam on a list of variables with a hand-written gradient (no autodiff tape, no saved tensors)
 * and the fused update: the same steps as {@link AdamBlock} on the same loss, when the program's
 * gradient is the loss's gradient. The moments persist across runs.
 */
export class FusedAdamBlock<C> implements Block {
  readonly name: string;
  private readonly state: FusedAdamState;
  private readonly steps: number;
  private readonly yieldEvery: number;
  private readonly decay: readonly (number | Tensor)[];

  constructor(
    name: string,
    variables: readonly Variable[],
    private readonly program: GradientProgram<C>,
    options: AdamBlockOptions & { readonly decay?: readonly (number | Tensor)[] } = {},
  ) {
    this.decay = options.decay ?? [];
    this.name = name;
    this.steps = options.steps ?? 20;
    if (!Number.isInteger(this.steps) || this.steps < 1)
      throw new ValidationError(`Adam block "${name}": invalid steps`, {
        expected: 'a positive integer',
        received: String(options.steps),
      });
    const lr = options.learningRate ?? 1e-2;
    if (!(lr > 0) || !Number.isFinite(lr))
      throw new ValidationError(`Adam block "${name}": invalid learningRate`, {
        expected: 'a positive finite number',
        received: String(lr),
      });
    this.yieldEvery = options.yieldEvery ?? 5;
    this.state = new FusedAdamState(
      variables,
      lr,
      options.beta1 ?? 0.9,
      options.beta2 ?? 0.999,
      options.epsilon ?? 1e-8,
    );
  }

  async run(context: BlockContext): Promise<BlockResult> {
    if (this.state.variables.length === 0) return {};
    let last = Number.NaN;
    const constants = this.program.prepare();
    try {
      for (let i = 0; i < this.steps; i++) {
        throwIfAborted(context.signal);
        // The loss (before the step, as `minimize` returns it) only at the last step; the fused
        // update checks every value it writes, so a divergence stops the block at once.
        const final = i === this.steps - 1;
        const { grads, loss } = this.program.step(constants, final);
        let finite: boolean;
        try {
          finite = this.state.apply(grads, this.decay);
        } finally {
          tf.dispose(grads);
        }
        if (final) {
          last = loss ? (await loss.data())[0] : Number.NaN;
          loss?.dispose();
        } else loss?.dispose();
        if (!finite || (final && !Number.isFinite(last)))
          throw new NumericError(
            `The ${finite ? `loss became ${last}` : 'parameters became non-finite'} in block "${this.name}" (round ${context.round}, step ${i + 1})`,
            { fix: 'Lower the learning rate, or standardise the data' },
          );
        if (final || (i + 1) % this.yieldEvery === 0) await yieldToEventLoop();
      }
    } finally {
      this.program.release(constants);
    }
    return { loss: last };
  }

  dispose(): void {
    this.state.dispose();
  }
}
