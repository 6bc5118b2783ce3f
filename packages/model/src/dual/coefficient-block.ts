import {
  type FactoredFusionProblem,
  fuse,
  type FusionProblem,
  none,
  refitGroups,
} from '@hetmtl/regularizers';
import {
  crossprod,
  gram,
  type Matrix,
  matmul,
  matrix,
  solveWithJitter,
  spectralMatrix,
  symmetricEigen,
  tf,
  type Variable,
} from '@hetmtl/tensor';
import type { DualTrainer } from './trainer.js';

/**
 * The coefficient block of method.md §4 with the encoders fixed: the task-private terms
 * u_r = (c_r, γ_r) on Z_r = [1, G_r] are profiled out (ridge τ on γ), which leaves the fusion
 * problem in β alone — A_r, b_r, and the residual terms the modified BIC needs.
 */
export interface CoefficientProblem {
  /**
   * The fusion problem in β: A_r dense (K0×K0), or — when K0 exceeds every task's rows (an identity
   * encoder over many features) — factored, A_r = L_rᵀL_r with L_r = M_r^{1/2}F_r/√n_r (n_r×K0) and
   * the residual Q_r = (M_rF_r)ᵀ(M_rF_r), which the regularizers solve through Woodbury systems, so no
   * K0×K0 matrix is formed.
   */
  readonly fusion: (FusionProblem | FactoredFusionProblem) & {
    readonly b: Float64Array[];
    readonly weights: number[];
    readonly n: number[];
  };
  readonly F: readonly Float64Array[];
  readonly Z: readonly Float64Array[];
  readonly zDim: readonly number[];
  /** (ZᵀZ + nτE)⁻¹ per task. */
  readonly P: readonly Float64Array[];
  readonly y: readonly Float64Array[];
  readonly K0: number;
  readonly K1: number;
}

/** A_r = F_rᵀM_rF_r/n_r, b_r = F_rᵀM_r y_r/n_r with M_r = I − Z_r P_r Z_rᵀ, from the factors. */
export function buildCoefficientProblem(
  F: readonly Float64Array[],
  G: readonly Float64Array[],
  y: readonly Float64Array[],
  hasSpecific: readonly boolean[],
  K0: number,
  K1: number,
  tau: number,
  w: ArrayLike<number>,
  /** Also the residual terms of the modified BIC (only the λ path needs them). */
  withResidual = true,
  /** 'auto': factored when K0 exceeds every task's rows (and the ridge makes it solvable); 'dense': A_r. */
  form: 'auto' | 'dense' = 'auto',
  ridge = 1,
  /**
   * Row weights W_ri (the IRLS working weights, glm-coefficient-block.ts): the loss becomes
   * (1/2n_r) Σ_i W_ri (y_ri − z_riᵀu_r − f_riᵀβ_r)², every row of Z_r, F_r and y_r times √W_ri
   * (the returned F and y are the scaled rows, which `profiledIntercepts` reads).
   */
  rowWeights?: readonly ArrayLike<number>[],
): CoefficientProblem {
  const factored = form === 'auto' && ridge > 0 && y.every((yr) => K0 > yr.length) && K0 > 1;
  const L: Matrix[] = [];
  const E: Matrix[] = [];
  const A: Matrix[] = [];
  const b: Float64Array[] = [];
  const Q: Matrix[] = [];
  const q: Float64Array[] = [];
  const s: number[] = [];
  const Zs: Float64Array[] = [];
  const Ps: Float64Array[] = [];
  const zDim: number[] = [];
  const Fs: Float64Array[] = [];
  const ys: Float64Array[] = [];
  F.forEach((F0, r) => {
    const root = rowWeights ? Float64Array.from(rowWeights[r], Math.sqrt) : null;
    const Fr = root ? F0.map((v, j) => v * root[Math.floor(j / K0)]) : F0;
    const yr = root ? y[r].map((v, i) => v * root[i]) : y[r];
    Fs.push(Fr);
    ys.push(yr);
    const n = yr.length;
    const qd = hasSpecific[r] ? 1 + K1 : 1;
    const Z = new Float64Array(n * qd);
    for (let i = 0; i < n; i++) {
      const s = root ? root[i] : 1;
      Z[i * qd] = s;
      for (let k = 1; k < qd; k++) Z[i * qd + k] = s * G[r][i * K1 + k - 1];
    }
    const ZtZ = gram(Z, n, qd);
    for (let k = 1; k < qd; k++) ZtZ[k * qd + k] = ZtZ[k * qd + k] + n * tau;
    const I = new Float64Array(qd * qd);
    for (let k = 0; k < qd; k++) I[k * qd + k] = 1;
    const P = solveWithJitter(ZtZ, I, qd, qd).x;
    const ZtF = crossprod(Z, Fr, n, qd, K0);
    const Zty = crossprod(Z, yr, n, qd);
    const Fty = crossprod(Fr, yr, n, K0);
    // A = (FᵀF − FᵀZ P ZᵀF)/n, b = (Fᵀy − FᵀZ P Zᵀy)/n
    const PZtF = new Float64Array(qd * K0);
    const PZty = new Float64Array(qd);
    for (let a = 0; a < qd; a++) {
      for (let c = 0; c < qd; c++) {
        const pac = P[a * qd + c];
        PZty[a] = PZty[a] + pac * Zty[c];
        for (let k = 0; k < K0; k++) PZtF[a * K0 + k] = PZtF[a * K0 + k] + pac * ZtF[c * K0 + k];
      }
    }
    const br = new Float64Array(K0);
    for (let j = 0; j < K0; j++) {
      let t = Fty[j];
      for (let a = 0; a < qd; a++) t -= ZtF[a * K0 + j] * PZty[a];
      br[j] = t / n;
    }
    b.push(br);
    if (factored) {
      // M = I − Z P Zᵀ (n×n, PSD): L = M^{1/2} F / √n.
      const M = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) {
          let v = i === j ? 1 : 0;
          for (let a = 0; a < qd; a++)
            for (let c = 0; c < qd; c++) v -= Z[i * qd + a] * P[a * qd + c] * Z[j * qd + c];
          M[i * n + j] = v;
          M[j * n + i] = v;
        }
      const eig = symmetricEigen(M, n);
      const root = spectralMatrix(
        eig,
        Float64Array.from(eig.values, (v) => Math.sqrt(Math.max(v, 0))),
      );
      const Lr = matmul(matrix(n, n, root), matrix(n, K0, Fr)).data;
      for (let i = 0; i < Lr.length; i++) Lr[i] = Lr[i] / Math.sqrt(n);
      L.push({ rows: n, cols: K0, data: Lr });
    } else {
      const FtF = gram(Fr, n, K0);
      const Ar = new Float64Array(K0 * K0);
      for (let j = 0; j < K0; j++) {
        for (let k = 0; k < K0; k++) {
          let v = FtF[j * K0 + k];
          for (let a = 0; a < qd; a++) v -= ZtF[a * K0 + j] * PZtF[a * K0 + k];
          Ar[j * K0 + k] = v / n;
        }
      }
      for (let j = 0; j < K0; j++)
        for (let k = 0; k < j; k++)
          Ar[j * K0 + k] = Ar[k * K0 + j] = (Ar[j * K0 + k] + Ar[k * K0 + j]) / 2;
      A.push({ rows: K0, cols: K0, data: Ar });
    }
    Zs.push(Z);
    Ps.push(P);
    zDim.push(qd);
    if (!withResidual) return;
    // The residual terms: e = M(y − Fβ) with MF = F − Z·PZᵀF and My = y − Z·PZᵀy.
    const MF = Fr.slice();
    const My = yr.slice();
    for (let i = 0; i < n; i++)
      for (let a = 0; a < qd; a++) {
        const z = Z[i * qd + a];
        My[i] = My[i] - z * PZty[a];
        for (let k = 0; k < K0; k++) MF[i * K0 + k] = MF[i * K0 + k] - z * PZtF[a * K0 + k];
      }
    if (factored) E.push({ rows: n, cols: K0, data: MF });
    else Q.push({ rows: K0, cols: K0, data: gram(MF, n, K0) });
    q.push(crossprod(MF, My, n, K0));
    s.push(My.reduce((acc, v) => acc + v * v, 0));
  });
  const common = { b, weights: Array.from(w), n: y.map((v) => v.length) };
  return {
    fusion: factored
      ? { ...common, factors: L, ...(withResidual ? { residual: { factors: E, q, s } } : {}) }
      : { ...common, A, ...(withResidual ? { residual: { Q, q, s } } : {}) },
    F: Fs,
    Z: Zs,
    zDim,
    P: Ps,
    y: ys,
    K0,
    K1,
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
    const y = cp.y[r];
    const n = y.length;
    const Fr = cp.F[r];
    const br = beta[r];
    const res = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = y[i];
      for (let k = 0; k < cp.K0; k++) s -= Fr[i * cp.K0 + k] * br[k];
      res[i] = s;
    }
    const q = cp.zDim[r];
    const Ztr = crossprod(cp.Z[r], res, n, q);
    const P = cp.P[r];
    const u = new Float64Array(q);
    for (let a = 0; a < q; a++)
      for (let b2 = 0; b2 < q; b2++) u[a] = u[a] + P[a * q + b2] * Ztr[b2];
    c[r] = u[0];
    const g = new Float64Array(cp.K1);
    for (let k = 1; k < q; k++) g[k - 1] = u[k];
    gamma.push(g);
  }
  return { c, gamma };
}

/** The coefficient problem of the trainer's current encoders on its training rows. */
export function coefficientProblem(tr: DualTrainer): CoefficientProblem {
  const { F, G } = tr.trainingFactors();
  return problemFrom(tr, F, G, true);
}

function problemFrom(
  tr: DualTrainer,
  F: Float64Array[],
  G: Float64Array[],
  withResidual: boolean,
): CoefficientProblem {
  return buildCoefficientProblem(
    F,
    G,
    tr.data.y,
    tr.hasSpecific,
    tr.K0,
    tr.K1,
    tr.config.tau,
    tr.taskWeights,
    withResidual,
    'auto',
    tr.config.ridge,
  );
}

/** Sets β and the profiled c, γ (from a fusion solution) in the trainer's store. */
export function setBeta(
  tr: DualTrainer,
  beta: readonly Float64Array[],
  cp: CoefficientProblem,
): void {
  const u = profiledIntercepts(cp, beta);
  tr.store.setCoefficients({ beta: beta.map((b) => b.slice()), gamma: u.gamma, c: u.c });
}

/**
 * Step (d) of method.md §4 in the encoder phase: least-squares decoders, then the coefficients at
 * λ = 0 (no fusion: exact β per task, then (c_r, γ_r) in closed form), or with
 * `encoderHeads: 'pooled'` at λ = ∞ (one common β; c_r and γ_r still per task). The λ path runs on
 * the frozen encoders after the phase (path.ts).
 */
export function solveCoefficients(tr: DualTrainer): void {
  const { F, G } = tr.trainingFactors();
  solveDecoders(tr, F, G);
  const cp = problemFrom(tr, F, G, false);
  const beta =
    tr.config.encoderHeads === 'pooled'
      ? refitGroups(cp.fusion, new Array<number>(tr.R).fill(0), { ridge: tr.config.ridge })
      : fuse(cp.fusion, none(), { ridge: tr.config.ridge }).beta;
  setBeta(tr, beta, cp);
}

/**
 * Least-squares decoders for the reconstruction term (encoders fixed): D0 from the pooled shared
 * factors, then each D_r from task r's factors on what D0 leaves. Run with the coefficient block,
 * so the Adam blocks start from decoders that fit.
 */
function solveDecoders(
  tr: DualTrainer,
  F: readonly Float64Array[],
  G: readonly Float64Array[],
): void {
  if (!tr.decoder0) return;
  const { K0, K1, p } = tr;
  const FtF = new Float64Array(K0 * K0);
  const FtX = new Float64Array(K0 * p);
  F.forEach((Fr, r) => {
    const n = tr.counts[r];
    const a = gram(Fr, n, K0);
    const b = crossprod(Fr, tr.data.X[r], n, K0, p);
    for (let i = 0; i < a.length; i++) FtF[i] = FtF[i] + a[i];
    for (let i = 0; i < b.length; i++) FtX[i] = FtX[i] + b[i];
  });
  for (let k = 0; k < K0; k++) FtF[k * K0 + k] = FtF[k * K0 + k] + 1e-6;
  const D0 = solveWithJitter(FtF, FtX, K0, p).x;
  assignWeight(tr.decoder0.variables, D0);
  if (!tr.decoderS || K1 === 0) return;
  const Ds = new Float64Array(tr.R * K1 * p);
  G.forEach((Gr, r) => {
    if (!tr.hasSpecific[r]) return;
    const n = tr.counts[r];
    const X = tr.data.X[r];
    const Fr = F[r];
    const resid = new Float64Array(n * p);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < p; a++) {
        let v = X[i * p + a];
        for (let k = 0; k < K0; k++) v -= Fr[i * K0 + k] * D0[k * p + a];
        resid[i * p + a] = v;
      }
    }
    const GtG = gram(Gr, n, K1);
    for (let k = 0; k < K1; k++) GtG[k * K1 + k] = GtG[k * K1 + k] + 1e-6;
    Ds.set(solveWithJitter(GtG, crossprod(Gr, resid, n, K1, p), K1, p).x, r * K1 * p);
  });
  assignWeight(tr.decoderS.variables, Ds);
}

function assignWeight(variables: Readonly<Record<string, Variable>>, values: Float64Array): void {
  const v = Object.values(variables)[0];
  const t = tf.tensor(Float32Array.from(values), v.shape);
  v.assign(t);
  t.dispose();
}
