import {
  type EncoderInstance,
  type EncoderSpec,
  type EncoderWeights,
  encoderRegistry,
} from '@hetmtl/encoders';
import { Random, SerializationError, type Tensor, tf, predictLinear } from '@hetmtl/tensor';
import type { TaskCoefficients, TaskPredictor } from './predictor.js';

/** What a fitted dual-encoder model needs to predict (no training data). */
export interface DualState {
  readonly p: number;
  readonly K0: number;
  readonly K1: number;
  readonly hasSpecific: readonly boolean[];
  readonly mu0: Float64Array;
  readonly sd0: Float64Array;
  readonly muS: readonly Float64Array[];
  readonly sdS: readonly Float64Array[];
  readonly gMin: readonly Float64Array[];
  readonly gMax: readonly Float64Array[];
  readonly beta: readonly Float64Array[];
  readonly gamma: readonly Float64Array[];
  readonly c: Float64Array;
}

export interface DualStateJSON {
  readonly p: number;
  readonly K0: number;
  readonly K1: number;
  readonly hasSpecific: boolean[];
  readonly mu0: number[];
  readonly sd0: number[];
  readonly muS: number[][];
  readonly sdS: number[][];
  readonly gMin: number[][];
  readonly gMax: number[][];
  readonly beta: number[][];
  readonly gamma: number[][];
  readonly c: number[];
  readonly shared: { readonly spec: EncoderSpec; readonly weights: EncoderWeights };
  readonly specific: { readonly spec: EncoderSpec; readonly weights: EncoderWeights } | null;
}

const arr = (x: ArrayLike<number>) => Array.from(x);

/** A fitted dual-encoder predictor: frozen encoders, factor statistics and coefficients. */
export class FittedDual implements TaskPredictor {
  readonly kind = 'dual' as const;

  constructor(
    readonly state: DualState,
    readonly shared: EncoderInstance,
    readonly specific: EncoderInstance | null,
  ) {}

  get R(): number {
    return this.state.beta.length;
  }

  get numTasks(): number {
    return this.R;
  }

  coefficients(): TaskCoefficients {
    const s = this.state;
    return {
      beta: s.beta.map((b) => Array.from(b)),
      gamma: s.gamma.map((g) => Array.from(g)),
      intercept: Array.from(s.c),
    };
  }

  /** Standardised shared factors of standardised rows (n × K0, row-major). */
  sharedFactors(X: Float64Array): Float64Array {
    const { p, K0, mu0, sd0 } = this.state;
    const n = X.length / p;
    if (n === 0) return new Float64Array(0);
    const out = tf.tidy(() => this.shared.forward(tf.tensor2d(Float32Array.from(X), [n, p])));
    const raw = out.dataSync();
    out.dispose();
    const F = new Float64Array(n * K0);
    for (let i = 0; i < n * K0; i++) F[i] = (raw[i] - mu0[i % K0]) / sd0[i % K0];
    return F;
  }

  /** Standardised, clipped task factors of standardised rows of task r (n × K1). */
  taskFactors(r: number, X: Float64Array): Float64Array {
    const { p, K1 } = this.state;
    const n = X.length / p;
    const G = new Float64Array(n * K1);
    if (!this.specific || !this.state.hasSpecific[r] || n === 0) return G;
    // The batched encoder runs all R copies; only task r's slice is read.
    const out = tf.tidy(() => {
      const x = tf.tensor3d(Float32Array.from(X), [1, n, p]);
      const padded = tf.concat([tf.zeros([r, n, p]), x, tf.zeros([this.R - r - 1, n, p])], 0);
      return tf.slice(this.specific?.forward(padded) as Tensor, [r, 0, 0], [1, n, K1]);
    });
    const raw = out.dataSync();
    out.dispose();
    const m = this.state.muS[r];
    const s = this.state.sdS[r];
    const lo = this.state.gMin[r];
    const hi = this.state.gMax[r];
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K1; k++) {
        const z = (raw[i * K1 + k] - m[k]) / s[k];
        G[i * K1 + k] = Math.min(Math.max(z, lo[k]), hi[k]);
      }
    }
    return G;
  }

  /** Predictions (standardised scale) for standardised rows of task r. */
  predict(r: number, X: Float64Array): Float64Array {
    const n = X.length / this.state.p;
    return predictLinear(
      this.sharedFactors(X),
      this.taskFactors(r, X),
      n,
      this.state.beta[r],
      this.state.gamma[r],
      this.state.c[r],
    );
  }

  toJSON(): DualStateJSON {
    const s = this.state;
    return {
      p: s.p,
      K0: s.K0,
      K1: s.K1,
      hasSpecific: [...s.hasSpecific],
      mu0: arr(s.mu0),
      sd0: arr(s.sd0),
      muS: s.muS.map(arr),
      sdS: s.sdS.map(arr),
      gMin: s.gMin.map(arr),
      gMax: s.gMax.map(arr),
      beta: s.beta.map(arr),
      gamma: s.gamma.map(arr),
      c: arr(s.c),
      shared: { spec: this.shared.spec, weights: this.shared.getWeights() },
      specific: this.specific
        ? { spec: this.specific.spec, weights: this.specific.getWeights() }
        : null,
    };
  }

  static fromJSON(json: DualStateJSON, R: number): FittedDual {
    const f64 = (x: unknown, len: number, what: string): Float64Array => {
      if (
        !Array.isArray(x) ||
        x.length !== len ||
        !x.every((v) => typeof v === 'number' && Number.isFinite(v))
      ) {
        throw new SerializationError(`Corrupt model document: ${what}`, {
          expected: `${len} finite numbers`,
          received: Array.isArray(x) ? `${x.length} entries` : typeof x,
        });
      }
      return Float64Array.from(x as number[]);
    };
    const perTask = (x: unknown, len: number, what: string): Float64Array[] => {
      if (!Array.isArray(x) || x.length !== R)
        throw new SerializationError(`Corrupt model document: ${what}`, {
          expected: `${R} tasks`,
          received: Array.isArray(x) ? `${x.length}` : typeof x,
        });
      return x.map((v, r) => f64(v, len, `${what}[${r}]`));
    };
    const { p, K0, K1 } = json;
    if (![p, K0, K1].every((v) => Number.isInteger(v) && v >= 0))
      throw new SerializationError('Corrupt model document: dimensions', {
        expected: 'integers p, K0, K1',
      });
    const state: DualState = {
      p,
      K0,
      K1,
      hasSpecific:
        Array.isArray(json.hasSpecific) && json.hasSpecific.length === R
          ? json.hasSpecific.map(Boolean)
          : (() => {
              throw new SerializationError('Corrupt model document: hasSpecific', {
                expected: `${R} booleans`,
              });
            })(),
      mu0: f64(json.mu0, K0, 'mu0'),
      sd0: f64(json.sd0, K0, 'sd0'),
      muS: perTask(json.muS, K1, 'muS'),
      sdS: perTask(json.sdS, K1, 'sdS'),
      gMin: perTask(json.gMin, K1, 'gMin'),
      gMax: perTask(json.gMax, K1, 'gMax'),
      beta: perTask(json.beta, K0, 'beta'),
      gamma: perTask(json.gamma, K1, 'gamma'),
      c: f64(json.c, R, 'c'),
    };
    const rng = new Random(0);
    const shared = encoderRegistry.build(json.shared.spec, {
      inputDim: p,
      outputDim: K0,
      rng,
      name: 'shared',
    });
    let specific: EncoderInstance | null = null;
    try {
      shared.setWeights(json.shared.weights);
      if (json.specific) {
        specific = encoderRegistry.build(json.specific.spec, {
          inputDim: p,
          outputDim: K1,
          rng,
          tasks: R,
          name: 'specific',
        });
        specific.setWeights(json.specific.weights);
      }
    } catch (e) {
      shared.dispose();
      specific?.dispose();
      throw e;
    }
    return new FittedDual(state, shared, specific);
  }

  dispose(): void {
    this.shared.dispose();
    this.specific?.dispose();
  }
}
