import type { StandardisedTasks } from '@hetmtl/estimator';
import {
  buildEncoder,
  type EncoderInstance,
  type EncoderSpec,
  encoderRegistry,
  linearDecoder,
  padTasks,
} from '@hetmtl/encoders';
import { AdamBlock, type Block, functionBlock } from '@hetmtl/optimizer';
import { type FusionResult, fuse, none } from '@hetmtl/regularizers';
import {
  crossprod,
  gram,
  NumericError,
  type Random,
  type Scalar,
  type Tensor,
  tf,
  type Variable,
} from '@hetmtl/tensor';
import { predictLinear, solveRidge, topEigen } from './dense.js';
import { FittedDual } from './fitted.js';
import { Pacer } from './pace.js';

/** Per-task arrays on the model's standardised scale (row-major n_r × p). */
export type TaskArrays = StandardisedTasks;

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
}

/** The learned state of a dual-encoder fit (everything predictions need, on the standardised scale). */
interface Coefficients {
  beta: Float64Array[]; // R × K0
  gamma: Float64Array[]; // R × K1 (zeros for tasks without g_r)
  c: Float64Array; // R
}

interface FactorStats {
  mu0: Float64Array;
  sd0: Float64Array;
  muS: Float64Array[]; // R × K1
  sdS: Float64Array[];
}

export interface Snapshot {
  readonly weights: Tensor[];
  readonly coef: Coefficients;
  readonly stats: FactorStats;
  readonly gRange: DualTrainer['gRange'];
}

const SD_FLOOR = 1e-6;

function copyCoef(c: Coefficients): Coefficients {
  return {
    beta: c.beta.map((b) => b.slice()),
    gamma: c.gamma.map((g) => g.slice()),
    c: c.c.slice(),
  };
}

function copyStats(s: FactorStats): FactorStats {
  return {
    mu0: s.mu0.slice(),
    sd0: s.sd0.slice(),
    muS: s.muS.map((m) => m.slice()),
    sdS: s.sdS.map((m) => m.slice()),
  };
}

/**
 * The tensor side of one dual-encoder configuration: encoders, decoders, factor standardisation,
 * and the coefficients (kept in Float64; mirrored into tensors for the Adam blocks).
 */
export class DualTrainer {
  readonly R: number;
  readonly p: number;
  readonly K0: number;
  readonly K1: number;
  readonly counts: readonly number[];
  /** Whether task r has a task-specific encoder (n_r ≥ 10·(K1 + 1)). */
  readonly hasSpecific: readonly boolean[];
  readonly shared: EncoderInstance;
  readonly specific: EncoderInstance | null;
  private readonly decoder0: EncoderInstance | null;
  private readonly decoderS: EncoderInstance | null;
  private readonly train: { x: Tensor; y: Tensor; mask: Tensor; nMax: number };
  private readonly w: Float64Array;
  private readonly consts: { w: Tensor; wOver2n: Tensor; n: Tensor; hasSpec: Tensor };
  coef: Coefficients;
  stats: FactorStats;
  /** Tensor mirrors of coef/stats used by the loss closures (rebuilt by syncTensors). */
  private t: {
    beta: Variable;
    gamma: Variable;
    c: Variable;
    mu0: Tensor;
    sd0: Tensor;
    muS: Tensor;
    sdS: Tensor;
  } | null = null;
  /** Per-task min / max of the standardised task factors over training rows (clipping at predict). */
  gRange: { min: Float64Array[]; max: Float64Array[] } | null = null;

  constructor(
    readonly config: TrainerConfig,
    private readonly data: TaskArrays,
    rng: Random,
  ) {
    this.R = data.X.length;
    this.p = data.p;
    this.K0 = config.K0;
    this.K1 = config.specific ? config.K1 : 0;
    this.counts = data.y.map((y) => y.length);
    this.hasSpecific = this.counts.map((n) => this.K1 > 0 && n >= 10 * (this.K1 + 1));
    const N = this.counts.reduce((a, b) => a + b, 0);
    this.w = Float64Array.from(this.counts, (n) =>
      config.taskWeights === 'equal' ? 1 / this.R : n / N,
    );
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
    this.decoder0 =
      config.omega > 0
        ? linearDecoder({
            inputDim: this.K0,
            outputDim: this.p,
            rng: rng.child(),
            name: 'decoder.shared',
          })
        : null;
    this.decoderS =
      config.omega > 0 && this.specific
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
    this.consts = {
      w: tf.tensor1d(Float32Array.from(this.w)),
      wOver2n: tf.tensor1d(
        Float32Array.from(this.counts, (n, r) => (this.w[r] as number) / (2 * n)),
      ),
      n: tf.tensor3d(Float32Array.from(this.counts), [this.R, 1, 1]),
      hasSpec: tf.tensor3d(
        Float32Array.from(this.hasSpecific, (h) => (h ? 1 : 0)),
        [this.R, 1, 1],
      ),
    };
    this.coef = {
      beta: this.counts.map(() => new Float64Array(this.K0)),
      gamma: this.counts.map(() => new Float64Array(this.K1)),
      c: new Float64Array(this.R),
    };
    this.stats = {
      mu0: new Float64Array(this.K0),
      sd0: new Float64Array(this.K0).fill(1),
      muS: this.counts.map(() => new Float64Array(this.K1)),
      sdS: this.counts.map(() => new Float64Array(this.K1).fill(1)),
    };
  }

  get taskWeights(): Float64Array {
    return this.w;
  }

  /** The two-stage start of method.md §4: PCA encoders, standardised factors, unfused coefficients. */
  async initialise(rng: Random, signal?: AbortSignal): Promise<void> {
    const { p, R } = this;
    // (1) g0 from the top-K0 principal directions of the pooled standardised X.
    const N = this.counts.reduce((a, b) => a + b, 0);
    const pooledMean = new Float64Array(p);
    this.data.X.forEach((X) => {
      for (let i = 0; i < X.length; i++)
        pooledMean[i % p] = (pooledMean[i % p] as number) + (X[i] as number) / N;
    });
    const C = new Float64Array(p * p);
    this.data.X.forEach((X, r) => {
      const n = this.counts[r] as number;
      const Xc = new Float64Array(X.length);
      for (let i = 0; i < X.length; i++) Xc[i] = (X[i] as number) - (pooledMean[i % p] as number);
      const G = gram(Xc, n, p);
      for (let i = 0; i < p * p; i++) C[i] = (C[i] as number) + (G[i] as number) / N;
    });
    const V0 =
      encoderRegistry.fixedOutputDim(this.shared.spec, p) !== undefined
        ? null
        : topEigen(C, p, this.K0, rng).vectors;
    if (V0) await this.fitLinearMap(this.shared, V0, pooledMean, null, signal);
    // (2) each g_r from the top-K1 principal directions of task r's X after removing its projection
    //     on the shared directions.
    if (this.specific) {
      const Ws: Float64Array[] = [];
      const means: Float64Array[] = [];
      const pacer = new Pacer(signal);
      for (let r = 0; r < R; r++) {
        await pacer.tick();
        const X = this.data.X[r] as Float64Array;
        const n = this.counts[r] as number;
        const mean = new Float64Array(p);
        for (let i = 0; i < X.length; i++)
          mean[i % p] = (mean[i % p] as number) + (X[i] as number) / n;
        const Xc = new Float64Array(X.length);
        for (let i = 0; i < X.length; i++) Xc[i] = (X[i] as number) - (mean[i % p] as number);
        if (V0) {
          // Xc ← Xc (I − V0 V0ᵀ)
          for (let i = 0; i < n; i++) {
            for (let k = 0; k < this.K0; k++) {
              let s = 0;
              for (let a = 0; a < p; a++)
                s += (Xc[i * p + a] as number) * (V0[a * this.K0 + k] as number);
              for (let a = 0; a < p; a++)
                Xc[i * p + a] = (Xc[i * p + a] as number) - s * (V0[a * this.K0 + k] as number);
            }
          }
        }
        const G = gram(Xc, n, p);
        for (let i = 0; i < p * p; i++) G[i] = (G[i] as number) / n;
        Ws.push(topEigen(G, p, this.K1, rng).vectors);
        means.push(mean);
      }
      await this.fitLinearMap(this.specific, Ws, means, R, signal);
    }
    this.restandardise(false);
    this.solveCoefficients();
  }

  /**
   * Least-squares decoders for the reconstruction term (encoders fixed): D0 from the pooled shared
   * factors, then each D_r from task r's factors on what D0 leaves. Run with the coefficient block,
   * so the Adam blocks start from decoders that fit.
   */
  solveDecoders(F: readonly Float64Array[], G: readonly Float64Array[]): void {
    if (!this.decoder0) return;
    const { K0, K1, p } = this;
    const FtF = new Float64Array(K0 * K0);
    const FtX = new Float64Array(K0 * p);
    F.forEach((Fr, r) => {
      const n = this.counts[r] as number;
      const a = gram(Fr, n, K0);
      const b = crossprod(Fr, this.data.X[r] as Float64Array, n, K0, p);
      for (let i = 0; i < a.length; i++) FtF[i] = (FtF[i] as number) + (a[i] as number);
      for (let i = 0; i < b.length; i++) FtX[i] = (FtX[i] as number) + (b[i] as number);
    });
    for (let k = 0; k < K0; k++) FtF[k * K0 + k] = (FtF[k * K0 + k] as number) + 1e-6;
    const D0 = solveRidge(FtF, FtX, K0, p).x;
    this.assignWeight(this.decoder0, D0);
    if (!this.decoderS || K1 === 0) return;
    const Ds = new Float64Array(this.R * K1 * p);
    G.forEach((Gr, r) => {
      if (!this.hasSpecific[r]) return;
      const n = this.counts[r] as number;
      const X = this.data.X[r] as Float64Array;
      const Fr = F[r] as Float64Array;
      const resid = new Float64Array(n * p);
      for (let i = 0; i < n; i++) {
        for (let a = 0; a < p; a++) {
          let v = X[i * p + a] as number;
          for (let k = 0; k < K0; k++) v -= (Fr[i * K0 + k] as number) * (D0[k * p + a] as number);
          resid[i * p + a] = v;
        }
      }
      const GtG = gram(Gr, n, K1);
      for (let k = 0; k < K1; k++) GtG[k * K1 + k] = (GtG[k * K1 + k] as number) + 1e-6;
      Ds.set(solveRidge(GtG, crossprod(Gr, resid, n, K1, p), K1, p).x, r * K1 * p);
    });
    this.assignWeight(this.decoderS, Ds);
  }

  private assignWeight(enc: EncoderInstance, values: Float64Array): void {
    const v = Object.values(enc.variables)[0] as Variable;
    const t = tf.tensor(Float32Array.from(values), v.shape);
    v.assign(t);
    t.dispose();
  }

  /** Sets a linear encoder exactly; pre-trains any other encoder to reproduce the linear map. */
  private async fitLinearMap(
    enc: EncoderInstance,
    W: Float64Array | Float64Array[],
    mean: Float64Array | Float64Array[],
    tasks: number | null,
    signal?: AbortSignal,
  ): Promise<void> {
    if (enc.setLinearMap) {
      enc.setLinearMap(W, mean);
      return;
    }
    const vars = Object.values(enc.variables);
    if (vars.length === 0) return;
    const K = enc.outputDim;
    const target = tf.tidy(() => {
      if (tasks === null) {
        const Wt = tf.tensor2d(Float32Array.from(W as Float64Array), [this.p, K]);
        const m = tf.tensor1d(Float32Array.from(mean as Float64Array));
        return tf.matMul(tf.sub(this.train.x, m), Wt);
      }
      const Wt = tf.tensor3d(
        Float32Array.from((W as Float64Array[]).flatMap((x) => Array.from(x))),
        [tasks, this.p, K],
      );
      const m = tf.tensor3d(
        Float32Array.from((mean as Float64Array[]).flatMap((x) => Array.from(x))),
        [tasks, 1, this.p],
      );
      return tf.matMul(tf.sub(this.train.x, m), Wt);
    });
    const pre = new AdamBlock(
      'pretrain',
      vars,
      () =>
        tf.tidy(() => {
          const out =
            tasks === null ? this.sharedRaw(this.train.x) : (enc.forward(this.train.x) as Tensor);
          return tf.div(
            tf.sum(tf.mul(tf.square(tf.sub(out, target)), this.train.mask)),
            tf.scalar(this.counts.reduce((a, b) => a + b, 0) * K),
          ) as Scalar;
        }),
      { steps: 300, learningRate: 1e-2 },
    );
    try {
      await pre.run({ round: 0, ...(signal ? { signal } : {}) });
    } finally {
      pre.dispose();
      target.dispose();
    }
  }

  /** g0 on padded [R, nMax, p] input → [R, nMax, K0] (raw, not standardised). */
  private sharedRaw(x: Tensor): Tensor {
    const [R, n, p] = x.shape as [number, number, number];
    return tf.reshape(this.shared.forward(tf.reshape(x, [R * n, p])), [R, n, this.K0]);
  }

  /** Standardised factors F [R,n,K0] and G [R,n,K1] (or null) of padded input. */
  private factors(x: Tensor, clip: boolean): { F: Tensor; G: Tensor | null } {
    const t = this.tensors();
    const F = tf.div(tf.sub(this.sharedRaw(x), t.mu0), t.sd0);
    if (!this.specific) return { F, G: null };
    let G = tf.mul(tf.div(tf.sub(this.specific.forward(x), t.muS), t.sdS), this.consts.hasSpec);
    if (clip && this.gRange) {
      const lo = tf.tensor3d(Float32Array.from(this.gRange.min.flatMap((m) => Array.from(m))), [
        this.R,
        1,
        this.K1,
      ]);
      const hi = tf.tensor3d(Float32Array.from(this.gRange.max.flatMap((m) => Array.from(m))), [
        this.R,
        1,
        this.K1,
      ]);
      G = tf.minimum(tf.maximum(G, lo), hi);
    }
    return { F, G };
  }

  private tensors() {
    if (this.t === null) this.syncTensors();
    return this.t as NonNullable<typeof this.t>;
  }

  /** Rebuilds the tensor mirrors of the coefficients and factor statistics. */
  syncTensors(): void {
    const { R, K0, K1 } = this;
    const flat = (xs: Float64Array[]) => Float32Array.from(xs.flatMap((x) => Array.from(x)));
    const values = tf.tidy(() => ({
      beta: tf.tensor3d(flat(this.coef.beta), [R, 1, K0]),
      gamma: tf.tensor3d(K1 > 0 ? flat(this.coef.gamma) : new Float32Array(0), [R, 1, K1]),
      c: tf.tensor3d(Float32Array.from(this.coef.c), [R, 1, 1]),
      mu0: tf.tensor1d(Float32Array.from(this.stats.mu0)),
      sd0: tf.tensor1d(Float32Array.from(this.stats.sd0)),
      muS: tf.tensor3d(K1 > 0 ? flat(this.stats.muS) : new Float32Array(0), [R, 1, K1]),
      sdS: tf.tensor3d(K1 > 0 ? flat(this.stats.sdS) : new Float32Array(0), [R, 1, K1]),
    }));
    if (this.t === null) {
      // The coefficient variables are created once: the Adam blocks hold them.
      const { beta, gamma, c, ...rest } = values;
      this.t = { beta: tf.variable(beta), gamma: tf.variable(gamma), c: tf.variable(c), ...rest };
      tf.dispose([beta, gamma, c]);
      return;
    }
    const t = this.t;
    t.beta.assign(values.beta);
    t.gamma.assign(values.gamma);
    t.c.assign(values.c);
    tf.dispose([values.beta, values.gamma, values.c, t.mu0, t.sd0, t.muS, t.sdS]);
    this.t = { ...t, mu0: values.mu0, sd0: values.sd0, muS: values.muS, sdS: values.sdS };
  }

  /** Copies the Adam-trained γ and c back to Float64. */
  private pullCoefficients(): void {
    const t = this.tensors();
    const g = t.gamma.dataSync();
    const c = t.c.dataSync();
    for (let r = 0; r < this.R; r++) {
      this.coef.c[r] = c[r] as number;
      for (let k = 0; k < this.K1; k++)
        (this.coef.gamma[r] as Float64Array)[k] = this.hasSpecific[r]
          ? (g[r * this.K1 + k] as number)
          : 0;
    }
  }

  /** The objective of method.md §3 without the fusion term (constant in the encoder blocks). */
  objectiveTensor(): Scalar {
    return tf.tidy(() => {
      const t = this.tensors();
      const { x, y, mask } = this.train;
      const { F, G } = this.factors(x, false);
      let pred = tf.add(tf.sum(tf.mul(F, t.beta), -1, true), t.c);
      if (G) pred = tf.add(pred, tf.sum(tf.mul(G, t.gamma), -1, true));
      const resid = tf.mul(tf.sub(y, pred), mask);
      let loss = tf.sum(tf.mul(tf.sum(tf.square(resid), [1, 2]), this.consts.wOver2n));
      const cfg = this.config;
      if (G && this.K1 > 0) {
        loss = tf.add(
          loss,
          tf.mul(cfg.tau / 2, tf.sum(tf.mul(tf.sum(tf.square(t.gamma), [1, 2]), this.consts.w))),
        );
        if (cfg.mu > 0) {
          const n = this.consts.n;
          const Fm = tf.mul(tf.sub(F, tf.div(tf.sum(tf.mul(F, mask), 1, true), n)), mask);
          const Gm = tf.mul(tf.sub(G, tf.div(tf.sum(tf.mul(G, mask), 1, true), n)), mask);
          const Cm = tf.div(tf.matMul(Fm, Gm, true, false), n);
          loss = tf.add(loss, tf.mul(cfg.mu, tf.sum(tf.square(Cm))));
        }
      }
      if (cfg.omega > 0 && this.decoder0) {
        let xhat = tf.reshape(this.decoder0.forward(tf.reshape(F, [-1, this.K0])), [
          this.R,
          this.train.nMax,
          this.p,
        ]);
        if (G && this.decoderS) xhat = tf.add(xhat, this.decoderS.forward(G));
        const rec = tf.sum(tf.square(tf.mul(tf.sub(x, xhat), mask)), [1, 2]);
        loss = tf.add(loss, tf.mul(cfg.omega / this.p, tf.sum(tf.mul(rec, this.consts.wOver2n))));
      }
      if (cfg.nu > 0) {
        const enc = [
          ...Object.values(this.shared.variables),
          ...Object.values(this.specific?.variables ?? {}),
        ];
        if (enc.length > 0)
          loss = tf.add(loss, tf.mul(cfg.nu / 2, tf.addN(enc.map((v) => tf.sum(tf.square(v))))));
      }
      return loss as Scalar;
    });
  }

  objective(): number {
    const t = this.objectiveTensor();
    const v = t.dataSync()[0] as number;
    t.dispose();
    return v;
  }

  /** The Adam blocks (a) task-specific and (b) shared, and the rescaling block (c). */
  blocks(): Block[] {
    const out: Block[] = [];
    const lossA = () => this.objectiveTensor();
    if (this.specific) {
      const t = this.tensors();
      const vars = [
        ...Object.values(this.specific.variables),
        t.gamma,
        t.c,
        ...Object.values(this.decoderS?.variables ?? {}),
      ];
      const block = new AdamBlock('task-specific', vars, lossA, {
        steps: this.config.stepsPerBlock,
        learningRate: this.config.learningRate,
      });
      out.push(this.wrapAdam(block));
    }
    const sharedVars = [
      ...Object.values(this.shared.variables),
      ...Object.values(this.decoder0?.variables ?? {}),
    ];
    if (Object.keys(this.shared.variables).length > 0) {
      const block = new AdamBlock('shared', sharedVars, lossA, {
        steps: this.config.stepsPerBlock,
        learningRate: this.config.learningRate,
      });
      out.push(this.wrapAdam(block));
    }
    out.push(functionBlock('rescale', () => this.restandardise(true)));
    out.push(functionBlock('coefficients', () => this.solveCoefficients()));
    return out;
  }

  private wrapAdam(block: AdamBlock): Block {
    return {
      name: block.name,
      run: async (ctx) => {
        const res = await block.run(ctx);
        this.pullCoefficients();
        return res;
      },
      dispose: () => block.dispose(),
    };
  }

  /** Training-row factors in Float64, per task: F_r (n_r × K0) and G_r (n_r × K1). */
  trainingFactors(): { F: Float64Array[]; G: Float64Array[] } {
    return this.factorsOf(this.train.x, this.train.nMax, this.counts, false);
  }

  private factorsOf(
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

  /** Factors of new standardised rows of each task (clipped task factors). */
  factorsFor(X: readonly Float64Array[]): { F: Float64Array[]; G: Float64Array[] } {
    const counts = X.map((x) => x.length / this.p);
    const nonEmpty = X.map((x) => (x.length === 0 ? new Float64Array(this.p) : x));
    const padded = padTasks(nonEmpty, this.p);
    try {
      return this.factorsOf(padded.x, padded.nMax, counts, true);
    } finally {
      tf.dispose([padded.x, padded.mask]);
    }
  }

  /**
   * (c) Re-standardises the factors (pooled mean 0 / variance 1 for the shared ones, per task for
   * the task ones) and compensates β, γ, c and the decoders so predictions do not change.
   */
  restandardise(compensate: boolean): void {
    const { R, K0, K1 } = this;
    const [raw0, rawS] = tf.tidy(() => [
      this.sharedRaw(this.train.x),
      this.specific ? this.specific.forward(this.train.x) : tf.zeros([R, this.train.nMax, 0]),
    ]);
    const f = raw0.dataSync();
    const g = rawS.dataSync();
    tf.dispose([raw0, rawS]);
    const nMax = this.train.nMax;
    const N = this.counts.reduce((a, b) => a + b, 0);
    const mu0 = new Float64Array(K0);
    const sd0 = new Float64Array(K0);
    this.counts.forEach((n, r) => {
      for (let i = 0; i < n; i++)
        for (let k = 0; k < K0; k++)
          mu0[k] = (mu0[k] as number) + (f[(r * nMax + i) * K0 + k] as number) / N;
    });
    this.counts.forEach((n, r) => {
      for (let i = 0; i < n; i++)
        for (let k = 0; k < K0; k++)
          sd0[k] =
            (sd0[k] as number) +
            ((f[(r * nMax + i) * K0 + k] as number) - (mu0[k] as number)) ** 2 / N;
    });
    for (let k = 0; k < K0; k++) sd0[k] = Math.max(Math.sqrt(sd0[k] as number), SD_FLOOR);
    const muS = this.counts.map(() => new Float64Array(K1));
    const sdS = this.counts.map(() => new Float64Array(K1).fill(1));
    const gMin = this.counts.map(() => new Float64Array(K1));
    const gMax = this.counts.map(() => new Float64Array(K1));
    this.counts.forEach((n, r) => {
      if (!this.hasSpecific[r]) return;
      const m = muS[r] as Float64Array;
      const s = sdS[r] as Float64Array;
      s.fill(0);
      for (let i = 0; i < n; i++)
        for (let k = 0; k < K1; k++)
          m[k] = (m[k] as number) + (g[(r * nMax + i) * K1 + k] as number) / n;
      for (let i = 0; i < n; i++)
        for (let k = 0; k < K1; k++)
          s[k] =
            (s[k] as number) + ((g[(r * nMax + i) * K1 + k] as number) - (m[k] as number)) ** 2 / n;
      for (let k = 0; k < K1; k++) s[k] = Math.max(Math.sqrt(s[k] as number), SD_FLOOR);
      const lo = gMin[r] as Float64Array;
      const hi = gMax[r] as Float64Array;
      lo.fill(Number.POSITIVE_INFINITY);
      hi.fill(Number.NEGATIVE_INFINITY);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < K1; k++) {
          const z = ((g[(r * nMax + i) * K1 + k] as number) - (m[k] as number)) / (s[k] as number);
          lo[k] = Math.min(lo[k] as number, z);
          hi[k] = Math.max(hi[k] as number, z);
        }
      }
    });
    for (const v of [...mu0, ...sd0])
      if (!Number.isFinite(v))
        throw new NumericError('The shared factors are not finite in the rescaling step', {
          fix: 'Lower the learning rate',
        });
    if (compensate) {
      const old = this.stats;
      for (let r = 0; r < R; r++) {
        const b = this.coef.beta[r] as Float64Array;
        let dc = 0;
        for (let k = 0; k < K0; k++) {
          dc +=
            (b[k] as number) *
            (((mu0[k] as number) - (old.mu0[k] as number)) / (old.sd0[k] as number));
          b[k] = (b[k] as number) * ((sd0[k] as number) / (old.sd0[k] as number));
        }
        const gm = this.coef.gamma[r] as Float64Array;
        for (let k = 0; k < K1; k++) {
          if (!this.hasSpecific[r]) continue;
          const om = old.muS[r] as Float64Array;
          const os = old.sdS[r] as Float64Array;
          dc +=
            ((gm[k] as number) * (((muS[r] as Float64Array)[k] as number) - (om[k] as number))) /
            (os[k] as number);
          gm[k] = (gm[k] as number) * (((sdS[r] as Float64Array)[k] as number) / (os[k] as number));
        }
        this.coef.c[r] = (this.coef.c[r] as number) + dc;
      }
      this.scaleDecoders(old, sd0, sdS);
    }
    this.stats = { mu0, sd0, muS, sdS };
    this.gRange = { min: gMin, max: gMax };
    this.syncTensors();
  }

  private scaleDecoders(old: FactorStats, sd0: Float64Array, sdS: Float64Array[]): void {
    const scaleRows = (v: Variable, factors: Float32Array) => {
      const scaled = tf.tidy(() =>
        tf.mul(
          v,
          tf.reshape(tf.tensor1d(factors), v.shape.length === 2 ? [-1, 1] : [this.R, -1, 1]),
        ),
      );
      v.assign(scaled);
      scaled.dispose();
    };
    const d0 = this.decoder0 ? Object.values(this.decoder0.variables)[0] : undefined;
    if (d0)
      scaleRows(
        d0,
        Float32Array.from(sd0, (s, k) => s / (old.sd0[k] as number)),
      );
    const ds = this.decoderS ? Object.values(this.decoderS.variables)[0] : undefined;
    if (ds) {
      scaleRows(
        ds,
        Float32Array.from(
          sdS.flatMap((s, r) =>
            Array.from(s, (x, k) => x / ((old.sdS[r] as Float64Array)[k] as number)),
          ),
        ),
      );
    }
  }

  /**
   * (d) The coefficient block at λ = 0 (no fusion): exact β per task, then (c_r, γ_r) in closed form.
   * Used during the encoder phase; the λ path is run by the model on the frozen encoders.
   */
  solveCoefficients(): void {
    const { F, G } = this.trainingFactors();
    this.solveDecoders(F, G);
    const problem = buildCoefficientProblem(
      F,
      G,
      this.data.y,
      this.hasSpecific,
      this.K0,
      this.K1,
      this.config.tau,
      this.w,
    );
    const res = fuse(problem.problem, none(), { ridge: this.config.ridge });
    this.setBeta(res.beta, problem);
  }

  /** A_r, b_r of method.md §4 (Z_r = [1, G_r] profiled out with ridge τ), from training factors. */
  coefficientProblem(): CoefficientProblem {
    const { F, G } = this.trainingFactors();
    return buildCoefficientProblem(
      F,
      G,
      this.data.y,
      this.hasSpecific,
      this.K0,
      this.K1,
      this.config.tau,
      this.w,
    );
  }

  /** Sets β (and the profiled c, γ) from a fusion solution. */
  setBeta(beta: readonly Float64Array[], problem: CoefficientProblem): void {
    const u = profiledIntercepts(problem, beta);
    this.coef = { beta: beta.map((b) => b.slice()), gamma: u.gamma, c: u.c };
    this.syncTensors();
  }

  /** Predictions (standardised scale) for standardised rows of each task. */
  predictTasks(X: readonly Float64Array[]): Float64Array[] {
    const { F, G } = this.factorsFor(X);
    return X.map((x, r) =>
      predictLinear(
        F[r] as Float64Array,
        G[r] as Float64Array,
        x.length / this.p,
        this.coef.beta[r] as Float64Array,
        this.coef.gamma[r] as Float64Array,
        this.coef.c[r] as number,
      ),
    );
  }

  snapshot(): Snapshot {
    const vars = this.allVariables();
    return {
      weights: vars.map((v) => tf.clone(v)),
      coef: copyCoef(this.coef),
      stats: copyStats(this.stats),
      gRange: this.gRange && {
        min: this.gRange.min.map((m) => m.slice()),
        max: this.gRange.max.map((m) => m.slice()),
      },
    };
  }

  restore(s: Snapshot): void {
    this.allVariables().forEach((v, i) => v.assign(s.weights[i] as Tensor));
    this.coef = copyCoef(s.coef);
    this.stats = copyStats(s.stats);
    this.gRange = s.gRange && {
      min: s.gRange.min.map((m) => m.slice()),
      max: s.gRange.max.map((m) => m.slice()),
    };
    this.syncTensors();
  }

  release(s: Snapshot): void {
    tf.dispose(s.weights);
  }

  private allVariables(): Variable[] {
    return [this.shared, this.specific, this.decoder0, this.decoderS].flatMap((e) =>
      e ? Object.values(e.variables) : [],
    );
  }

  /** The fitted predictor; the trainer gives up its encoders (dispose the trainer afterwards). */
  toFitted(): FittedDual {
    const gr = this.gRange ?? {
      min: this.counts.map(() => new Float64Array(this.K1)),
      max: this.counts.map(() => new Float64Array(this.K1)),
    };
    const fitted = new FittedDual(
      {
        p: this.p,
        K0: this.K0,
        K1: this.K1,
        hasSpecific: this.hasSpecific,
        ...copyStats(this.stats),
        gMin: gr.min,
        gMax: gr.max,
        ...copyCoef(this.coef),
      },
      this.shared,
      this.specific,
    );
    this.handedOver = true;
    return fitted;
  }

  private handedOver = false;

  dispose(): void {
    const owned = this.handedOver
      ? [this.decoder0, this.decoderS]
      : [this.shared, this.specific, this.decoder0, this.decoderS];
    for (const e of owned) e?.dispose();
    if (this.t) tf.dispose(Object.values(this.t));
    this.t = null;
    tf.dispose([this.train.x, this.train.y, this.train.mask, ...Object.values(this.consts)]);
  }
}

/** Everything the coefficient block needs per task. */
export interface CoefficientProblem {
  readonly problem: {
    A: { rows: number; cols: number; data: Float64Array }[];
    b: Float64Array[];
    weights: number[];
    n: number[];
  };
  readonly F: readonly Float64Array[];
  readonly Z: readonly Float64Array[];
  readonly zDim: readonly number[];
  /** (ZᵀZ + nτE)⁻¹ per task. */
  readonly P: readonly Float64Array[];
  readonly y: readonly Float64Array[];
  readonly K0: number;
  readonly K1: number;
  readonly hasSpecific: readonly boolean[];
}

export function buildCoefficientProblem(
  F: readonly Float64Array[],
  G: readonly Float64Array[],
  y: readonly Float64Array[],
  hasSpecific: readonly boolean[],
  K0: number,
  K1: number,
  tau: number,
  w: ArrayLike<number>,
): CoefficientProblem {
  const A: { rows: number; cols: number; data: Float64Array }[] = [];
  const b: Float64Array[] = [];
  const Zs: Float64Array[] = [];
  const Ps: Float64Array[] = [];
  const zDim: number[] = [];
  F.forEach((Fr, r) => {
    const n = (y[r] as Float64Array).length;
    const q = hasSpecific[r] ? 1 + K1 : 1;
    const Z = new Float64Array(n * q);
    for (let i = 0; i < n; i++) {
      Z[i * q] = 1;
      for (let k = 1; k < q; k++) Z[i * q + k] = (G[r] as Float64Array)[i * K1 + k - 1] as number;
    }
    const ZtZ = gram(Z, n, q);
    for (let k = 1; k < q; k++) ZtZ[k * q + k] = (ZtZ[k * q + k] as number) + n * tau;
    const I = new Float64Array(q * q);
    for (let k = 0; k < q; k++) I[k * q + k] = 1;
    const P = solveRidge(ZtZ, I, q, q).x;
    const ZtF = crossprod(Z, Fr, n, q, K0);
    const Zty = crossprod(Z, y[r] as Float64Array, n, q);
    const FtF = gram(Fr, n, K0);
    const Fty = crossprod(Fr, y[r] as Float64Array, n, K0);
    // A = (FᵀF − FᵀZ P ZᵀF)/n, b = (Fᵀy − FᵀZ P Zᵀy)/n
    const PZtF = new Float64Array(q * K0);
    const PZty = new Float64Array(q);
    for (let a = 0; a < q; a++) {
      for (let c = 0; c < q; c++) {
        const pac = P[a * q + c] as number;
        PZty[a] = (PZty[a] as number) + pac * (Zty[c] as number);
        for (let k = 0; k < K0; k++)
          PZtF[a * K0 + k] = (PZtF[a * K0 + k] as number) + pac * (ZtF[c * K0 + k] as number);
      }
    }
    const Ar = new Float64Array(K0 * K0);
    const br = new Float64Array(K0);
    for (let j = 0; j < K0; j++) {
      let s = Fty[j] as number;
      for (let a = 0; a < q; a++) s -= (ZtF[a * K0 + j] as number) * (PZty[a] as number);
      br[j] = s / n;
      for (let k = 0; k < K0; k++) {
        let t = FtF[j * K0 + k] as number;
        for (let a = 0; a < q; a++) t -= (ZtF[a * K0 + j] as number) * (PZtF[a * K0 + k] as number);
        Ar[j * K0 + k] = t / n;
      }
    }
    for (let j = 0; j < K0; j++)
      for (let k = 0; k < j; k++)
        Ar[j * K0 + k] = Ar[k * K0 + j] =
          ((Ar[j * K0 + k] as number) + (Ar[k * K0 + j] as number)) / 2;
    A.push({ rows: K0, cols: K0, data: Ar });
    b.push(br);
    Zs.push(Z);
    Ps.push(P);
    zDim.push(q);
  });
  return {
    problem: { A, b, weights: Array.from(w), n: y.map((v) => v.length) },
    F,
    Z: Zs,
    zDim,
    P: Ps,
    y,
    K0,
    K1,
    hasSpecific,
  };
}

/** u_r = P_r Z_rᵀ (y_r − F_r β_r) → (c_r, γ_r). */
export function profiledIntercepts(
  cp: CoefficientProblem,
  beta: readonly Float64Array[],
): { c: Float64Array; gamma: Float64Array[] } {
  const R = beta.length;
  const c = new Float64Array(R);
  const gamma: Float64Array[] = [];
  for (let r = 0; r < R; r++) {
    const y = cp.y[r] as Float64Array;
    const n = y.length;
    const Fr = cp.F[r] as Float64Array;
    const br = beta[r] as Float64Array;
    const res = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = y[i] as number;
      for (let k = 0; k < cp.K0; k++) s -= (Fr[i * cp.K0 + k] as number) * (br[k] as number);
      res[i] = s;
    }
    const q = cp.zDim[r] as number;
    const Ztr = crossprod(cp.Z[r] as Float64Array, res, n, q);
    const P = cp.P[r] as Float64Array;
    const u = new Float64Array(q);
    for (let a = 0; a < q; a++)
      for (let b2 = 0; b2 < q; b2++)
        u[a] = (u[a] as number) + (P[a * q + b2] as number) * (Ztr[b2] as number);
    c[r] = u[0] as number;
    const g = new Float64Array(cp.K1);
    for (let k = 1; k < q; k++) g[k - 1] = u[k] as number;
    gamma.push(g);
  }
  return { c, gamma };
}

export type { FusionResult };
