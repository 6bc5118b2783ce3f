import { type Tensor, tf, type Variable } from '@hetmtl/tensor';

/** The coefficients of a dual-encoder fit, on the standardised scale. */
export interface Coefficients {
  /** β_r on the standardised shared factors, R × K0. */
  readonly beta: Float64Array[];
  /** γ_r on the standardised task factors, R × K1 (zeros for tasks without g_r). */
  readonly gamma: Float64Array[];
  /** c_r, R. */
  readonly c: Float64Array;
}

/** The standardisation of the factors: pooled for the shared ones, per task for the task ones. */
export interface FactorStats {
  readonly mu0: Float64Array;
  readonly sd0: Float64Array;
  /** R × K1. */
  readonly muS: Float64Array[];
  readonly sdS: Float64Array[];
}

/** Per-task min / max of the standardised task factors over training rows (clipping at predict). */
export interface ClipRange {
  readonly min: Float64Array[];
  readonly max: Float64Array[];
}

/** The tensors the loss closures read: the coefficient variables and the factor statistics. */
export interface StoreTensors {
  readonly beta: Variable;
  readonly gamma: Variable;
  readonly c: Variable;
  readonly mu0: Tensor;
  readonly sd0: Tensor;
  readonly muS: Tensor;
  readonly sdS: Tensor;
}

export interface StoreSnapshot {
  readonly coef: Coefficients;
  readonly stats: FactorStats;
  readonly range: ClipRange | null;
}

export function copyCoefficients(c: Coefficients): Coefficients {
  return {
    beta: c.beta.map((b) => b.slice()),
    gamma: c.gamma.map((g) => g.slice()),
    c: c.c.slice(),
  };
}

export function copyStats(s: FactorStats): FactorStats {
  return {
    mu0: s.mu0.slice(),
    sd0: s.sd0.slice(),
    muS: s.muS.map((m) => m.slice()),
    sdS: s.sdS.map((m) => m.slice()),
  };
}

const copyRange = (r: ClipRange | null): ClipRange | null =>
  r && { min: r.min.map((m) => m.slice()), max: r.max.map((m) => m.slice()) };

/**
 * The one store of a dual fit's coefficients (β, γ, c), factor statistics and clipping ranges.
 * The Float64 values are the record. The tensors the loss closures and the Adam blocks read are
 * derived from them at every transition that writes the record (`setCoefficients`, `rescale`,
 * `restore`); the one transition the other way is `pullTrained`, after an Adam block trained γ and
 * c. Nothing else writes either side, so the two never disagree.
 */
export class CoefficientStore {
  #coef: Coefficients;
  #stats: FactorStats;
  #range: ClipRange | null = null;
  #t: StoreTensors | null = null;

  constructor(
    readonly R: number,
    readonly K0: number,
    readonly K1: number,
    private readonly hasSpecific: readonly boolean[],
  ) {
    this.#coef = {
      beta: hasSpecific.map(() => new Float64Array(K0)),
      gamma: hasSpecific.map(() => new Float64Array(K1)),
      c: new Float64Array(R),
    };
    this.#stats = {
      mu0: new Float64Array(K0),
      sd0: new Float64Array(K0).fill(1),
      muS: hasSpecific.map(() => new Float64Array(K1)),
      sdS: hasSpecific.map(() => new Float64Array(K1).fill(1)),
    };
  }

  /** The coefficients (read only: change them through `setCoefficients` or `rescale`). */
  get coef(): Readonly<Coefficients> {
    return this.#coef;
  }

  get stats(): Readonly<FactorStats> {
    return this.#stats;
  }

  get range(): ClipRange | null {
    return this.#range;
  }

  /** The tensors of the record (created on first use; owned by the store). */
  tensors(): StoreTensors {
    if (this.#t === null) this.#sync();
    return this.#t as StoreTensors;
  }

  /** A new β, γ and c (copied in). */
  setCoefficients(coef: Coefficients): void {
    this.#coef = copyCoefficients(coef);
    this.#sync();
  }

  /** New factor statistics and ranges with the coefficients that compensate them (copied in). */
  rescale(coef: Coefficients, stats: FactorStats, range: ClipRange): void {
    this.#coef = copyCoefficients(coef);
    this.#stats = copyStats(stats);
    this.#range = copyRange(range);
    this.#sync();
  }

  /** Reads back γ and c after an Adam block trained their variables. */
  pullTrained(): void {
    const t = this.tensors();
    const g = t.gamma.dataSync();
    const c = t.c.dataSync();
    for (let r = 0; r < this.R; r++) {
      this.#coef.c[r] = c[r];
      for (let k = 0; k < this.K1; k++)
        this.#coef.gamma[r][k] = this.hasSpecific[r] ? g[r * this.K1 + k] : 0;
    }
  }

  snapshot(): StoreSnapshot {
    return {
      coef: copyCoefficients(this.#coef),
      stats: copyStats(this.#stats),
      range: copyRange(this.#range),
    };
  }

  restore(s: StoreSnapshot): void {
    this.#coef = copyCoefficients(s.coef);
    this.#stats = copyStats(s.stats);
    this.#range = copyRange(s.range);
    this.#sync();
  }

  dispose(): void {
    if (this.#t) tf.dispose(Object.values(this.#t));
    this.#t = null;
  }

  /** Rebuilds the tensors from the record (the coefficient variables are created once: the Adam blocks hold them). */
  #sync(): void {
    const { R, K0, K1 } = this;
    const flat = (xs: Float64Array[]) => Float32Array.from(xs.flatMap((x) => Array.from(x)));
    const values = tf.tidy(() => ({
      beta: tf.tensor3d(flat(this.#coef.beta), [R, 1, K0]),
      gamma: tf.tensor3d(K1 > 0 ? flat(this.#coef.gamma) : new Float32Array(0), [R, 1, K1]),
      c: tf.tensor3d(Float32Array.from(this.#coef.c), [R, 1, 1]),
      mu0: tf.tensor1d(Float32Array.from(this.#stats.mu0)),
      sd0: tf.tensor1d(Float32Array.from(this.#stats.sd0)),
      muS: tf.tensor3d(K1 > 0 ? flat(this.#stats.muS) : new Float32Array(0), [R, 1, K1]),
      sdS: tf.tensor3d(K1 > 0 ? flat(this.#stats.sdS) : new Float32Array(0), [R, 1, K1]),
    }));
    if (this.#t === null) {
      const { beta, gamma, c, ...rest } = values;
      this.#t = { beta: tf.variable(beta), gamma: tf.variable(gamma), c: tf.variable(c), ...rest };
      tf.dispose([beta, gamma, c]);
      return;
    }
    const t = this.#t;
    t.beta.assign(values.beta);
    t.gamma.assign(values.gamma);
    t.c.assign(values.c);
    tf.dispose([values.beta, values.gamma, values.c, t.mu0, t.sd0, t.muS, t.sdS]);
    this.#t = { ...t, mu0: values.mu0, sd0: values.sd0, muS: values.muS, sdS: values.sdS };
  }
}
