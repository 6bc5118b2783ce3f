import type { StandardizedTasks } from '@hetmtl/estimator';
import {
  buildEncoder,
  type EncoderInstance,
  type EncoderSpec,
  encoderRegistry,
  linearDecoder,
  padTasks,
} from '@hetmtl/encoders';
import { NumericError, type Random, type Tensor, tf, type Variable } from '@hetmtl/tensor';
import { FittedDual } from '../predictors/dual.js';
import { CoefficientStore, copyCoefficients, copyStats, type StoreSnapshot } from './store.js';

/** One dual-encoder configuration: the encoders and the weights of the objective (method.md §3). */
export interface TrainerConfig {
  readonly shared: EncoderSpec;
  readonly specific: EncoderSpec | null;
  readonly K0: number;
  readonly K1: number;
  readonly mu: number;
  readonly omega: number;
  readonly tau: number;
  readonly nu: number;
  readonly ridge: number;
  readonly taskWeights: 'size' | 'equal';
  readonly learningRate: number;
  readonly stepsPerBlock: number;
  /**
   * How the Adam blocks get their gradient: 'analytic' (default) runs the fused step of
   * linear-step.ts on linear encoders (autodiff for the others); 'autodiff' differentiates the
   * objective with tfjs's tape everywhere (the reference).
   */
  readonly gradient?: 'analytic' | 'autodiff';
  /**
   * How the encoder phase's coefficient block sets β while the encoders learn: 'free' (default,
   * method.md §4: each task's own β) or 'pooled' (one common β, task intercepts and γ_r per task).
   */
  readonly encoderHeads?: 'free' | 'pooled';
}

/** Rows a task needs for its own encoder: n_r ≥ 10·(K1 + 1) (method.md §2). */
export function hasOwnEncoder(n: number, K1: number): boolean {
  return K1 > 0 && n >= 10 * (K1 + 1);
}

/** The task weights w_r of method.md §3: n_r/N ('size') or 1/R ('equal'). */
export function taskWeightsOf(data: StandardizedTasks, mode: 'size' | 'equal'): number[] {
  const N = data.y.reduce((a, y) => a + y.length, 0);
  return data.y.map((y) => (mode === 'equal' ? 1 / data.y.length : y.length / N));
}

export interface TrainerSnapshot {
  readonly weights: Tensor[];
  readonly store: StoreSnapshot;
}

/**
 * The state of one dual-encoder configuration on its training rows: the encoders and decoders, the
 * padded training tensors, and the {@link CoefficientStore}. The jobs on it are functions of their
 * own files: the start (start.ts), the objective (objective.ts), the rescaling (rescale.ts), the
 * coefficient block (coefficient-block.ts) and the blocks of the encoder phase (blocks.ts).
 */
export class DualTrainer {
  readonly R: number;
  readonly p: number;
  readonly K0: number;
  readonly K1: number;
  readonly counts: readonly number[];
  /** Whether task r has a task-specific encoder ({@link hasOwnEncoder}). */
  readonly hasSpecific: readonly boolean[];
  /** w_r: n_r/N ('size') or 1/R ('equal'). */
  readonly taskWeights: Float64Array;
  readonly shared: EncoderInstance;
  readonly specific: EncoderInstance | null;
  readonly decoder0: EncoderInstance | null;
  readonly decoderS: EncoderInstance | null;
  readonly train: {
    readonly x: Tensor;
    readonly y: Tensor;
    readonly mask: Tensor;
    readonly nMax: number;
  };
  readonly consts: {
    readonly w: Tensor;
    readonly wOver2n: Tensor;
    readonly n: Tensor;
    readonly hasSpec: Tensor;
  };
  readonly store: CoefficientStore;
  /** The p of the reconstruction term's 1/(2n_r·p): the features' count, also when the rows are in row-space coordinates. */
  readonly reconstructionDim: number;
  #handedOver = false;

  constructor(
    readonly config: TrainerConfig,
    readonly data: StandardizedTasks,
    rng: Random,
    options: { readonly reconstructionDim?: number } = {},
  ) {
    this.R = data.X.length;
    this.p = data.p;
    this.reconstructionDim = options.reconstructionDim ?? data.p;
    this.K0 = config.K0;
    this.K1 = config.specific ? config.K1 : 0;
    this.counts = data.y.map((y) => y.length);
    this.hasSpecific = this.counts.map((n) => hasOwnEncoder(n, this.K1));
    this.taskWeights = Float64Array.from(taskWeightsOf(data, config.taskWeights));
    this.shared = buildEncoder(config.shared, {
      inputDim: this.p,
      outputDim: this.K0,
      rng: rng.child(),
      name: 'shared',
    });
    this.specific =
      this.K1 > 0 && config.specific
        ? buildEncoder(config.specific, {
            inputDim: this.p,
            outputDim: this.K1,
            rng: rng.child(),
            tasks: this.R,
            name: 'specific',
          })
        : null;
    // A fixed-output shared encoder (identity: F = X) reconstructs x exactly with D0 = I, so the
    // reconstruction term is 0 at the decoders' least-squares solution: no decoders (and no p×p D0).
    const reconstructs =
      config.omega > 0 && encoderRegistry.fixedOutputDim(config.shared, this.p) === undefined;
    this.decoder0 = reconstructs
      ? linearDecoder({
          inputDim: this.K0,
          outputDim: this.p,
          rng: rng.child(),
          name: 'decoder.shared',
        })
      : null;
    this.decoderS =
      reconstructs && this.specific
        ? linearDecoder({
            inputDim: this.K1,
            outputDim: this.p,
            rng: rng.child(),
            tasks: this.R,
            name: 'decoder.specific',
          })
        : null;
    const padded = padTasks(data.X as Float64Array[], this.p);
    const yPad = new Float32Array(this.R * padded.nMax);
    data.y.forEach((y, r) => yPad.set(y, r * padded.nMax));
    this.train = {
      x: padded.x,
      mask: padded.mask,
      nMax: padded.nMax,
      y: tf.tensor3d(yPad, [this.R, padded.nMax, 1]),
    };
    const w = this.taskWeights;
    this.consts = {
      w: tf.tensor1d(Float32Array.from(w)),
      wOver2n: tf.tensor1d(Float32Array.from(this.counts, (n, r) => w[r] / (2 * n))),
      n: tf.tensor3d(Float32Array.from(this.counts), [this.R, 1, 1]),
      hasSpec: tf.tensor3d(
        Float32Array.from(this.hasSpecific, (h) => (h ? 1 : 0)),
        [this.R, 1, 1],
      ),
    };
    this.store = new CoefficientStore(this.R, this.K0, this.K1, this.hasSpecific);
  }

  /** g0 on padded [R, nMax, p] input → [R, nMax, K0] (raw, not standardised). */
  sharedRaw(x: Tensor): Tensor {
    const [R, n, p] = x.shape as [number, number, number];
    return tf.reshape(this.shared.forward(tf.reshape(x, [R * n, p])), [R, n, this.K0]);
  }

  /** Standardised factors F [R,n,K0] and G [R,n,K1] (or null) of padded input. */
  factors(x: Tensor, clip: boolean): { F: Tensor; G: Tensor | null } {
    const t = this.store.tensors();
    const F = tf.div(tf.sub(this.sharedRaw(x), t.mu0), t.sd0);
    if (!this.specific) return { F, G: null };
    let G = tf.mul(tf.div(tf.sub(this.specific.forward(x), t.muS), t.sdS), this.consts.hasSpec);
    const range = this.store.range;
    if (clip && range) {
      const shape: [number, number, number] = [this.R, 1, this.K1];
      const lo = tf.tensor3d(Float32Array.from(range.min.flatMap((m) => Array.from(m))), shape);
      const hi = tf.tensor3d(Float32Array.from(range.max.flatMap((m) => Array.from(m))), shape);
      G = tf.minimum(tf.maximum(G, lo), hi);
    }
    return { F, G };
  }

  /** Training-row factors in Float64, per task: F_r (n_r × K0) and G_r (n_r × K1). */
  trainingFactors(): { F: Float64Array[]; G: Float64Array[] } {
    return this.#factorsOf(this.train.x, this.train.nMax, this.counts, false);
  }

  /** Factors of new standardised rows of each task (clipped task factors). */
  factorsFor(X: readonly Float64Array[]): { F: Float64Array[]; G: Float64Array[] } {
    const counts = X.map((x) => x.length / this.p);
    const nonEmpty = X.map((x) => (x.length === 0 ? new Float64Array(this.p) : x));
    const padded = padTasks(nonEmpty, this.p);
    try {
      return this.#factorsOf(padded.x, padded.nMax, counts, true);
    } finally {
      tf.dispose([padded.x, padded.mask]);
    }
  }

  #factorsOf(
    x: Tensor,
    nMax: number,
    counts: readonly number[],
    clip: boolean,
  ): { F: Float64Array[]; G: Float64Array[] } {
    const [Fd, Gd] = tf.tidy(() => {
      const { F, G } = this.factors(x, clip);
      return [F, G ?? tf.zeros([this.R, nMax, 0])];
    });
    const f = Fd.dataSync();
    const g = Gd.dataSync();
    tf.dispose([Fd, Gd]);
    const F: Float64Array[] = [];
    const G: Float64Array[] = [];
    counts.forEach((n, r) => {
      F.push(Float64Array.from(f.subarray(r * nMax * this.K0, (r * nMax + n) * this.K0)));
      G.push(Float64Array.from(g.subarray(r * nMax * this.K1, (r * nMax + n) * this.K1)));
    });
    for (const a of F)
      for (const v of a)
        if (!Number.isFinite(v))
          throw new NumericError('The shared factors are not finite', {
            fix: 'Lower the learning rate',
          });
    return { F, G };
  }

  /** Every trained variable: encoders and decoders (the coefficients are the store's). */
  variables(): Variable[] {
    return [this.shared, this.specific, this.decoder0, this.decoderS].flatMap((e) =>
      e ? Object.values(e.variables) : [],
    );
  }

  snapshot(): TrainerSnapshot {
    return { weights: this.variables().map((v) => tf.clone(v)), store: this.store.snapshot() };
  }

  restore(s: TrainerSnapshot): void {
    this.variables().forEach((v, i) => v.assign(s.weights[i]));
    this.store.restore(s.store);
  }

  release(s: TrainerSnapshot): void {
    tf.dispose(s.weights);
  }

  /** The fitted predictor; the trainer gives up its encoders (dispose the trainer afterwards). */
  toFitted(): FittedDual {
    const range = this.store.range ?? {
      min: this.counts.map(() => new Float64Array(this.K1)),
      max: this.counts.map(() => new Float64Array(this.K1)),
    };
    const fitted = new FittedDual(
      {
        p: this.p,
        K0: this.K0,
        K1: this.K1,
        hasSpecific: this.hasSpecific,
        ...copyStats(this.store.stats),
        gMin: range.min,
        gMax: range.max,
        ...copyCoefficients(this.store.coef),
      },
      this.shared,
      this.specific,
    );
    this.#handedOver = true;
    return fitted;
  }

  dispose(): void {
    const owned = this.#handedOver
      ? [this.decoder0, this.decoderS]
      : [this.shared, this.specific, this.decoder0, this.decoderS];
    for (const e of owned) e?.dispose();
    this.store.dispose();
    tf.dispose([this.train.x, this.train.y, this.train.mask, ...Object.values(this.consts)]);
  }
}
