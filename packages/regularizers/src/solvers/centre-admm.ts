import {
  choleskySolve,
  choleskyWithJitter,
  describeReceived,
  type Matrix,
  matrix,
  matvec,
  pseudoSolve,
  type SymmetricEigen,
  solveWithJitter,
  spectralMatrix,
  symmetricEigen,
  ValidationError,
} from '@hetmtl/tensor';
import { addLowRank, applyLowRank, type Range, rangeOf } from './low-rank.js';

/**
 * Centre shrinkage (ARMUL, Duan & Wang 2023) by an ADMM with per-task eigen solves, the fast path
 * for many tasks of the `centre()` fusion problem. Over task coefficients β_r ∈ R^q and a free
 * centre β̄ it minimises
 *
 *   F(β, β̄) = Σ_r [ s_r (½ β_rᵀA_rβ_r − b_rᵀβ_r) + ½ ρ_r ‖β_r‖² + λ t_r ‖β_r − β̄‖ ]
 *
 * with A_r symmetric PSD, loss weights s_r, a ridge **½ Σ_r ρ_r ‖β_r‖²** (one ρ_r per task, in the
 * objective's own units: the fusion problem's convention; a caller with a ridge inside each task's
 * loss passes ρ_r = s_r ρ) and penalty weights t_r. The `centre()` fusion problem is s_r = w_r,
 * ρ_r = its ridge, t_r = w_r √(K/n_r); the baselines' CentreShrinkageRegressor is s_r = 1,
 * A_r = Z_rᵀZ_r, ρ_r = n_r ρ, t_r = √(p n_r). Convex but not smooth: a task is either shrunk
 * exactly onto the centre or kept at a distance.
 *
 * Solved by ADMM on z_r = β_r − β̄ (scaled duals u_r, step ϑ):
 *
 *   (β, β̄) ← argmin Σ_r f_r(β_r) + (ϑ/2) Σ_r ‖β_r − β̄ − z_r + u_r‖²   (a linear system)
 *   z_r ← S(β_r − β̄ + u_r, λ t_r/ϑ),  S the group soft-threshold
 *   u_r ← u_r + β_r − β̄ − z_r
 *
 * With H_r = s_r A_r + ρ_r I, g_r = s_r b_r, c_r = z_r − u_r and T_r = (H_r + ϑI)⁻¹, the first step
 * is β̄ = (Σ_r T_r H_r)⁻¹ Σ_r T_r(g_r − H_r c_r), then β_r = T_r(g_r + ϑ(β̄ + c_r)): the matrices
 * depend on ϑ only, so they are formed once per ϑ (from one eigen-decomposition of each A_r) —
 * O(R q³) instead of the fusion ADMM's ((R + 1) q)³ factor — and through the range of a low-rank
 * A_r (wide data: rank ≤ n_r − 1 ≪ q), T_r = c_r I + U_k diag(d) U_kᵀ, O(q² n_r) to form and
 * O(q n_r) to apply (low-rank.ts). ϑ is adapted by residual balancing a limited number of times.
 */
export interface CentreShrinkageProblem {
  /** A_r: one symmetric PSD q×q row-major matrix per task. */
  readonly A: readonly Float64Array[];
  /** b_r: one length-q vector per task. */
  readonly b: readonly Float64Array[];
  /** q. */
  readonly dim: number;
  /** s_r, the weight of each task's loss (default 1). */
  readonly lossWeights?: readonly number[];
  /** ρ_r: ridge ½ Σ_r ρ_r ‖β_r‖², one per task. */
  readonly taskRidge: readonly number[];
  /** t_r > 0: the penalty weight of task r per unit λ. */
  readonly penaltyWeights: readonly number[];
}

export interface CentreSolution {
  readonly lambda: number;
  /** β_r = β̄ + z_r: exactly the centre for the tasks shrunk onto it. */
  readonly beta: Float64Array[];
  readonly centre: Float64Array;
  /** Whether each task sits on the centre (z_r = 0). */
  readonly onCentre: boolean[];
  readonly iterations: number;
  readonly converged: boolean;
}

export interface CentreSolverOptions {
  /** Relative tolerance of the ADMM residuals. */
  readonly tolerance: number;
  readonly maxIterations: number;
}

interface AdmmState {
  z: Float64Array[];
  u: Float64Array[];
  theta: number;
}

interface StepMatrices {
  readonly theta: number;
  /** T_r g_r. */
  readonly Tg: Float64Array[];
  /** v ↦ T_r v (dense q×q, or through the range of A_r). */
  readonly T: ((v: Float64Array) => Float64Array)[];
  /** v ↦ T_r H_r v. */
  readonly P: ((v: Float64Array) => Float64Array)[];
  /** Cholesky factor of Σ_r T_r H_r. */
  readonly L: Matrix;
}

function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] ** 2;
  return Math.sqrt(s);
}

function perTask(name: string, v: readonly number[] | undefined, R: number, positive: boolean) {
  if (
    !Array.isArray(v) ||
    v.length !== R ||
    !v.every((x) => Number.isFinite(x) && (positive ? x > 0 : x >= 0))
  )
    throw new ValidationError(`Invalid ${name}`, {
      expected: `${R} finite numbers ${positive ? '> 0' : '≥ 0'} (one per task)`,
      received: describeReceived(v),
    });
  return Float64Array.from(v);
}

/** The centre-shrinkage problem prepared for a warm-started λ path (see the interface comment). */
export class CentreShrinkageSolver {
  readonly R: number;
  readonly q: number;
  private readonly A: readonly Float64Array[];
  /** s_r. */
  private readonly s: Float64Array;
  /** ρ_r. */
  private readonly ridge: Float64Array;
  private readonly eigs: SymmetricEigen[];
  /** The range of each A_r when it has low rank (null: dense forms). */
  private readonly ranges: (Range | null)[];
  /** Eigenvalues of H_r = s_r A_r + ρ_r I (exactly ρ_r on the null space of a low-rank A_r). */
  private readonly h: Float64Array[];
  /** g_r = s_r b_r. */
  private readonly g: readonly Float64Array[];
  /** t_r: the penalty weight of task r per unit λ. */
  readonly weights: Float64Array;
  private pooledBeta: Float64Array | null = null;
  private lambdaMaxValue: number | null = null;
  private warm: AdmmState | null = null;
  private matrices: StepMatrices | null = null;

  constructor(
    problem: CentreShrinkageProblem,
    private readonly options: CentreSolverOptions,
  ) {
    const R = problem.A.length;
    const q = problem.dim;
    if (R === 0 || problem.b.length !== R || !Number.isInteger(q) || q < 0)
      throw new ValidationError('Invalid centre-shrinkage problem', {
        expected: 'A and b with one entry per task (at least one), dim ≥ 0',
        received: `${R} matrices, ${problem.b.length} vectors, dim ${describeReceived(q)}`,
      });
    this.R = R;
    this.q = q;
    this.A = problem.A;
    this.s = problem.lossWeights
      ? perTask('lossWeights', problem.lossWeights, R, true)
      : new Float64Array(R).fill(1);
    this.ridge = perTask('taskRidge', problem.taskRidge, R, false);
    this.weights = perTask('penaltyWeights', problem.penaltyWeights, R, true);
    this.g = problem.b.map((b, r) => {
      const s = this.s[r];
      return Float64Array.from(b, (v) => s * v);
    });
    this.eigs = problem.A.map((A) => symmetricEigen(A, q));
    this.ranges = this.eigs.map(rangeOf);
    this.h = this.eigs.map((eig, r) => {
      const s = this.s[r];
      const rho = this.ridge[r];
      const range = this.ranges[r];
      const inRange = range ? new Set(range.idx) : null;
      return Float64Array.from(eig.values, (v, j) =>
        inRange && !inRange.has(j) ? rho : s * Math.max(v, 0) + rho,
      );
    });
  }

  /** The common β when every task is on the centre: (Σ H_r)⁻¹ Σ g_r. */
  pooled(): Float64Array {
    if (this.pooledBeta) return this.pooledBeta;
    const { q } = this;
    const H = new Float64Array(q * q);
    const g = new Float64Array(q);
    this.A.forEach((A, r) => {
      const s = this.s[r];
      for (let i = 0; i < A.length; i++) H[i] = H[i] + s * A[i];
      for (let i = 0; i < q; i++) H[i * q + i] = H[i * q + i] + this.ridge[r];
      const gr = this.g[r];
      for (let i = 0; i < q; i++) g[i] = g[i] + gr[i];
    });
    this.pooledBeta = q === 0 ? new Float64Array(0) : solveWithJitter(H, g, q).x;
    return this.pooledBeta;
  }

  /** ∇ of task r's smooth part, H_r β − g_r. */
  gradient(r: number, beta: Float64Array): Float64Array {
    const { q } = this;
    const A = this.A[r];
    const g = this.g[r];
    const sr = this.s[r];
    const rho = this.ridge[r];
    const out = new Float64Array(q);
    for (let i = 0; i < q; i++) {
      let s = rho * beta[i] - g[i];
      for (let j = 0; j < q; j++) s += sr * A[i * q + j] * beta[j];
      out[i] = s;
    }
    return out;
  }

  /**
   * The smallest λ at which every task sits on the centre: at the pooled β*, max_r ‖∇f_r(β*)‖ / t_r
   * (the gradients sum to zero there, so β̄ = β* satisfies its own optimality condition).
   */
  lambdaMax(): number {
    if (this.lambdaMaxValue === null) {
      const beta = this.pooled();
      let top = 0;
      let scale = 0;
      for (let r = 0; r < this.R; r++) {
        const w = this.weights[r];
        top = Math.max(top, norm2(this.gradient(r, beta)) / w);
        scale = Math.max(scale, norm2(this.g[r]) / w);
      }
      // Rounding noise (one task, or tasks that agree exactly) is no reason to shrink.
      this.lambdaMaxValue = top > 1e-10 * scale ? top : 0;
    }
    return this.lambdaMaxValue;
  }

  /** Solves at λ, warm-started from the previous call (call at increasing λ for a path). */
  solve(lambda: number): CentreSolution {
    const { R, q } = this;
    if (lambda === 0) {
      const beta = this.eigs.map((eig, r) => pseudoSolveShifted(eig, this.h[r], this.g[r]));
      const centre = weightedMedian(beta, this.weights);
      this.warm = null;
      return {
        lambda,
        beta,
        centre,
        onCentre: beta.map((b) => distance(b, centre) === 0),
        iterations: 0,
        converged: true,
      };
    }
    if (lambda >= this.lambdaMax()) {
      const b = this.pooled();
      this.warm = {
        z: Array.from({ length: R }, () => new Float64Array(q)),
        u: Array.from({ length: R }, () => new Float64Array(q)),
        theta: this.warm?.theta ?? this.initialTheta(),
      };
      return {
        lambda,
        beta: Array.from({ length: R }, () => b.slice()),
        centre: b.slice(),
        onCentre: new Array<boolean>(R).fill(true),
        iterations: 0,
        converged: true,
      };
    }
    const state = this.warm ?? this.coldStart();
    const result = this.admm(lambda, state);
    this.warm = state;
    return result;
  }

  private initialTheta(): number {
    let s = 0;
    for (const h of this.h) {
      let t = 0;
      for (let i = 0; i < h.length; i++) t += h[i];
      s += t / Math.max(h.length, 1);
    }
    return Math.max(s / this.R, 1e-8);
  }

  /** Start from the unshrunk fit: z_r = β_r(0) − median, u = 0. */
  private coldStart(): AdmmState {
    const beta = this.eigs.map((eig, r) => pseudoSolveShifted(eig, this.h[r], this.g[r]));
    const centre = weightedMedian(beta, this.weights);
    return {
      z: beta.map((b) => Float64Array.from(b, (v, i) => v - centre[i])),
      u: beta.map(() => new Float64Array(this.q)),
      theta: this.initialTheta(),
    };
  }

  private stepMatrices(theta: number): StepMatrices {
    if (this.matrices && this.matrices.theta === theta) return this.matrices;
    const { q } = this;
    const T: StepMatrices['T'] = [];
    const P: StepMatrices['P'] = [];
    const Tg: Float64Array[] = [];
    const M = new Float64Array(q * q);
    this.eigs.forEach((eig, r) => {
      const h = this.h[r];
      const range = this.ranges[r];
      if (range) {
        // T_r = c I + U_k diag(d) U_kᵀ, c = 1/(ρ_r + ϑ); T_r H_r = I − ϑ T_r.
        const c = 1 / (this.ridge[r] + theta);
        const d = Float64Array.from(range.idx, (j) => 1 / (h[j] + theta) - c);
        addLowRank(
          M,
          q,
          range,
          1 - theta * c,
          Float64Array.from(d, (v) => -theta * v),
        );
        const Tr = (v: Float64Array) => applyLowRank(range, c, d, v);
        T.push(Tr);
        P.push((v) => {
          const t = Tr(v);
          return Float64Array.from(v, (x, i) => x - theta * t[i]);
        });
      } else {
        const Tr = matrix(
          q,
          q,
          spectralMatrix(
            eig,
            Float64Array.from(h, (v) => 1 / (v + theta)),
          ),
        );
        const Pr = spectralMatrix(
          eig,
          Float64Array.from(h, (v) => v / (v + theta)),
        );
        for (let i = 0; i < M.length; i++) M[i] = M[i] + Pr[i];
        const Pm: Matrix = matrix(q, q, Pr);
        T.push((v) => matvec(Tr, v));
        P.push((v) => matvec(Pm, v));
      }
      Tg.push(T[r](this.g[r]));
    });
    this.matrices = { theta, T, P, Tg, L: choleskyWithJitter(M, q).L };
    return this.matrices;
  }

  private admm(lambda: number, state: AdmmState): CentreSolution {
    const { R, q } = this;
    const { tolerance, maxIterations } = this.options;
    const t = Float64Array.from(this.weights, (w) => lambda * w);
    const hScale = this.initialTheta();
    const absPrimal = 1e-3 * tolerance * Math.sqrt(R * q);
    const absDual = 1e-3 * tolerance * Math.sqrt((R + 1) * q) * hScale;
    let beta: Float64Array[] = [];
    let centre: Float64Array = new Float64Array(q);
    let converged = false;
    let iterations = 0;
    let adaptations = 0;
    const c = Array.from({ length: R }, () => new Float64Array(q));
    for (let it = 1; it <= maxIterations; it++) {
      iterations = it;
      const m = this.stepMatrices(state.theta);
      const theta = state.theta;
      // (β, β̄)-step.
      const rhs = new Float64Array(q);
      for (let r = 0; r < R; r++) {
        const cr = c[r] as Float64Array;
        const z = state.z[r];
        const u = state.u[r];
        for (let i = 0; i < q; i++) cr[i] = z[i] - u[i];
        const Pc = m.P[r](cr);
        const Tg = m.Tg[r];
        for (let i = 0; i < q; i++) rhs[i] = rhs[i] + Tg[i] - Pc[i];
      }
      centre = choleskySolve(m.L, rhs);
      beta = c.map((cr, r) => {
        const v = Float64Array.from(cr, (x, i) => x + centre[i]);
        const Tv = m.T[r](v);
        const Tg = m.Tg[r];
        return Float64Array.from(Tv, (x, i) => Tg[i] + theta * x);
      });
      // z- and u-steps, residuals.
      let primal2 = 0;
      let dz2 = 0;
      let diffNorm2 = 0;
      let zNorm2 = 0;
      let uNorm2 = 0;
      const dzSum = new Float64Array(q);
      const uSum = new Float64Array(q);
      for (let r = 0; r < R; r++) {
        const b = beta[r];
        const z = state.z[r];
        const u = state.u[r];
        const w = new Float64Array(q);
        for (let i = 0; i < q; i++) w[i] = b[i] - centre[i] + u[i];
        const zNew = groupSoftThreshold(w, t[r] / theta);
        for (let i = 0; i < q; i++) {
          const d = b[i] - centre[i];
          const res = d - zNew[i];
          primal2 += res * res;
          diffNorm2 += d * d;
          zNorm2 += zNew[i] ** 2;
          const dz = zNew[i] - z[i];
          dz2 += dz * dz;
          dzSum[i] = dzSum[i] + dz;
          u[i] = u[i] + res;
          uNorm2 += u[i] ** 2;
          uSum[i] = uSum[i] + u[i];
        }
        state.z[r] = zNew;
      }
      const primal = Math.sqrt(primal2);
      const dual = theta * Math.sqrt(dz2 + norm2(dzSum) ** 2);
      const epsPrimal = absPrimal + tolerance * Math.max(Math.sqrt(diffNorm2), Math.sqrt(zNorm2));
      const epsDual = absDual + tolerance * theta * Math.sqrt(uNorm2 + norm2(uSum) ** 2);
      if (primal <= epsPrimal && dual <= epsDual) {
        converged = true;
        break;
      }
      // Residual balancing, at most 40 times (so that the iteration settles).
      if (it % 10 === 0 && adaptations < 40) {
        let factor = 1;
        if (primal / epsPrimal > 10 * (dual / epsDual)) factor = 2;
        else if (dual / epsDual > 10 * (primal / epsPrimal)) factor = 0.5;
        if (factor !== 1) {
          adaptations++;
          state.theta = theta * factor;
          for (const u of state.u) for (let i = 0; i < q; i++) u[i] = u[i] / factor;
        }
      }
    }
    const onCentre = state.z.map((z) => z.every((v) => v === 0));
    return {
      lambda,
      beta: state.z.map((z) => Float64Array.from(z, (v, i) => v + centre[i])),
      centre,
      onCentre,
      iterations,
      converged,
    };
  }
}

/** S(w, κ) = (1 − κ/‖w‖)₊ w. */
function groupSoftThreshold(w: Float64Array, kappa: number): Float64Array {
  const n = norm2(w);
  if (n <= kappa) return new Float64Array(w.length);
  const f = 1 - kappa / n;
  return Float64Array.from(w, (v) => f * v);
}

/** H_r⁺ g for H_r = U diag(h) Uᵀ (the unshrunk per-task fit). */
function pseudoSolveShifted(eig: SymmetricEigen, h: Float64Array, g: Float64Array): Float64Array {
  return pseudoSolve({ n: eig.n, values: h, vectors: eig.vectors }, 0, g);
}

function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/**
 * The weighted geometric median argmin_m Σ_r ω_r ‖β_r − m‖ (Weiszfeld's iteration): the limit of the
 * centre as λ → 0⁺, reported as the centre at λ = 0.
 */
export function weightedMedian(
  points: readonly Float64Array[],
  weights: Float64Array,
): Float64Array {
  const q = points[0]?.length ?? 0;
  let m = new Float64Array(q);
  let W = 0;
  points.forEach((pt, r) => {
    W += weights[r];
    for (let i = 0; i < q; i++) m[i] = m[i] + weights[r] * pt[i];
  });
  for (let i = 0; i < q; i++) m[i] = m[i] / W;
  for (let it = 0; it < 500; it++) {
    const next = new Float64Array(q);
    let denom = 0;
    let onPoint = -1;
    points.forEach((pt, r) => {
      const d = distance(pt, m);
      if (d < 1e-14) {
        onPoint = r;
        return;
      }
      const w = weights[r] / d;
      denom += w;
      for (let i = 0; i < q; i++) next[i] = next[i] + w * pt[i];
    });
    if (denom === 0) break;
    for (let i = 0; i < q; i++) next[i] = next[i] / denom;
    if (onPoint >= 0) {
      // Sitting on a data point: it is the median when the pull of the others is at most its weight.
      const pull = new Float64Array(q);
      points.forEach((pt, r) => {
        if (r === onPoint) return;
        const d = distance(pt, m);
        for (let i = 0; i < q; i++) pull[i] = pull[i] + (weights[r] * (pt[i] - m[i])) / d;
      });
      if (norm2(pull) <= weights[onPoint]) break;
    }
    const change = distance(next, m);
    m = next;
    if (change <= 1e-12 * (1 + norm2(m))) break;
  }
  return m;
}
