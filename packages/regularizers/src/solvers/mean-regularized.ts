import {
  describeReceived,
  fromEigenBasis,
  pseudoSolve,
  type SymmetricEigen,
  solveWithJitter,
  spectralMatrix,
  symmetricEigen,
  toEigenBasis,
  ValidationError,
} from '@hetmtl/tensor';
import { addLowRank, type Range, rangeOf } from './low-rank.js';

/**
 * Mean-regularised multi-task learning (Evgeniou & Pontil 2004) in closed form. Over task
 * coefficients β_r ∈ R^p and a free centre m it minimises
 *
 *   Σ_r s_r (½ β_rᵀA_rβ_r − b_rᵀβ_r)                       the tasks' losses, weights s_r
 *   + ½ Σ_r (s_r ρ_loss + ρ_r) ‖β_r‖²                       ridge on every β_r (two conventions)
 *   + (λ/2) Σ_r π_r ‖β_r − m‖²  +  (κ/2) ‖m‖²               pull to the centre, ridge on the centre
 *
 * with A_r symmetric positive semidefinite. The ridge conventions are explicit options, because
 * the callers differ and each keeps its own numbers:
 * - `lossRidge` ρ_loss: a ridge **inside each task's weighted loss** (s_r ρ/2 ‖β_r‖²); at λ = ∞
 *   it is (ρ Σ_r s_r / 2)‖β‖², i.e. ρ·W (the model's linear floor, `fitLinearMtl`);
 * - `taskRidge` ρ_r: **½ Σ_r ρ_r ‖β_r‖²**, the same ρ for every task unless given per task (the
 *   fusion problem's convention: at λ = ∞ it is R·ρ);
 * - `centreRidge` κ: a ridge on the **centre only** (the baselines' MeanRegularizedRegressor).
 *
 * With H_r = s_r A_r + (s_r ρ_loss + ρ_r) I, g_r = s_r b_r and μ_r = λπ_r, stationarity gives
 * β_r = (H_r + μ_r I)⁻¹(g_r + μ_r m), and eliminating the β_r block leaves one p×p system for m:
 *
 *   [κI + Σ_r μ_r H_r (H_r + μ_r I)⁻¹] m = Σ_r μ_r (H_r + μ_r I)⁻¹ g_r.
 *
 * This is the fast path for many tasks (R eigen-decompositions of p×p once, then O(R p²) per λ)
 * instead of the (R p)² system of the general quadratic solve. With A_r = U_r Λ_r U_rᵀ both sides
 * are spectral functions of A_r, which tend to H_r and to 0 as μ → ∞ and μ → 0 without
 * cancellation. λ = 0 gives independent tasks (the minimum-norm solution H_r⁺ g_r when H_r is
 * singular) and the centre reported as 0; λ = ∞ one common β: (Σ_r H_r + κI) β = Σ_r g_r.
 * The p×p systems are solved by Cholesky with jitter (`solveWithJitter`). When an A_r has low rank
 * (wide data in row-space coordinates: rank ≤ n_r − 1 ≪ p), its spectral matrices are formed through
 * its range only (low-rank.ts), O(p² n_r) per λ instead of O(p³).
 */
export interface MeanRegularizedProblem {
  /** A_r: one symmetric PSD p×p row-major matrix per task. */
  readonly A: readonly Float64Array[];
  /** b_r: one length-p vector per task. */
  readonly b: readonly Float64Array[];
  /** p. */
  readonly dim: number;
}

export interface MeanRegularizedOptions {
  /** s_r, the weight of each task's loss (default 1). */
  readonly lossWeights?: readonly number[];
  /** ρ_loss: ridge inside each task's weighted loss, Σ_r s_r (ρ/2)‖β_r‖² (default 0). */
  readonly lossRidge?: number;
  /** ρ_r: ridge ½ Σ_r ρ_r ‖β_r‖², one number for all tasks or one per task (default 0). */
  readonly taskRidge?: number | readonly number[];
  /** κ: ridge (κ/2)‖m‖² on the centre (default 0). */
  readonly centreRidge?: number;
  /** π_r, the weight of each task's pull (λ/2)π_r‖β_r − m‖² (default 1). */
  readonly pullWeights?: readonly number[];
}

export interface MeanRegularizedSolution {
  readonly lambda: number;
  /** β_r per task. */
  readonly beta: Float64Array[];
  /** The centre m (0 at λ = 0; the common β at λ = ∞). */
  readonly centre: Float64Array;
}

function perTask(name: string, v: number | readonly number[] | undefined, R: number, dflt: number) {
  if (v === undefined || typeof v === 'number') {
    const x = v ?? dflt;
    if (!Number.isFinite(x) || x < 0)
      throw new ValidationError(`Invalid ${name}`, {
        expected: 'a finite number ≥ 0',
        received: describeReceived(v),
      });
    return new Float64Array(R).fill(x);
  }
  if (!Array.isArray(v) || v.length !== R || !v.every((x) => Number.isFinite(x) && x >= 0))
    throw new ValidationError(`Invalid ${name}`, {
      expected: `${R} finite numbers ≥ 0 (one per task)`,
      received: describeReceived(v),
    });
  return Float64Array.from(v);
}

/** The closed form prepared for one problem and options: solve it at any λ (see the interface comment). */
export class MeanRegularizedSolver {
  readonly numTasks: number;
  readonly dim: number;
  readonly #A: readonly Float64Array[];
  /** s_r. */
  readonly #s: Float64Array;
  /** ρ_loss. */
  readonly #lossRidge: number;
  /** ρ_r. */
  readonly #ridge: Float64Array;
  readonly #kappa: number;
  /** π_r. */
  readonly #pull: Float64Array;
  /** g_r = s_r b_r. */
  readonly #g: readonly Float64Array[];
  #eigs:
    | { eig: SymmetricEigen; h: Float64Array; u: Float64Array; range: Range | null; h0: number }[]
    | undefined;

  constructor(problem: MeanRegularizedProblem, options: MeanRegularizedOptions = {}) {
    const { A, b, dim: p } = problem;
    const R = A.length;
    if (R === 0 || b.length !== R || !Number.isInteger(p) || p < 0)
      throw new ValidationError('Invalid mean-regularised problem', {
        expected: 'A and b with one entry per task (at least one), dim ≥ 0',
        received: `${A.length} matrices, ${b.length} vectors, dim ${describeReceived(p)}`,
      });
    A.forEach((a, r) => {
      if (a.length !== p * p || b[r].length !== p)
        throw new ValidationError('Invalid mean-regularised problem', {
          task: r,
          expected: `a ${p}×${p} A_r and a length-${p} b_r`,
          received: `${a.length} and ${b[r].length} entries`,
        });
    });
    this.numTasks = R;
    this.dim = p;
    this.#A = A;
    this.#s = perTask('lossWeights', options.lossWeights, R, 1);
    this.#lossRidge = perTask('lossRidge', options.lossRidge, 1, 0)[0];
    this.#ridge = perTask('taskRidge', options.taskRidge, R, 0);
    this.#kappa = perTask('centreRidge', options.centreRidge, 1, 0)[0];
    this.#pull = perTask('pullWeights', options.pullWeights, R, 1);
    this.#g = b.map((br, r) => {
      const s = this.#s[r];
      return Float64Array.from(br, (v) => s * v);
    });
  }

  /** Eigen-decompositions of the A_r, the eigenvalues h_r of H_r and U_rᵀg_r (computed on first use). */
  #spectra() {
    this.#eigs ??= this.#A.map((A, r) => {
      const eig = symmetricEigen(A, this.dim);
      const s = this.#s[r];
      const add = s * this.#lossRidge + this.#ridge[r];
      const range = rangeOf(eig);
      // With a low-rank A_r its null space is exactly 0 (rounding noise dropped), so H_r = add there.
      const inRange = range ? new Set(range.idx) : null;
      const h = Float64Array.from(eig.values, (v, j) =>
        inRange && !inRange.has(j) ? add : s * Math.max(v, 0) + add,
      );
      return { eig, h, u: toEigenBasis(eig, this.#g[r]), range, h0: add };
    });
    return this.#eigs;
  }

  /** The solution at λ ∈ [0, ∞] (Infinity: one common β). */
  solve(lambda: number): MeanRegularizedSolution {
    if (typeof lambda !== 'number' || Number.isNaN(lambda) || lambda < 0)
      throw new ValidationError('Invalid lambda', {
        expected: 'a number λ ≥ 0 (Infinity allowed)',
        received: describeReceived(lambda),
      });
    const R = this.numTasks;
    const q = this.dim;
    if (lambda === Number.POSITIVE_INFINITY) {
      // (Σ_r s_r A_r + (ρ_loss Σ_r s_r + Σ_r ρ_r + κ) I) β = Σ_r g_r
      const H = new Float64Array(q * q);
      const g = new Float64Array(q);
      let S = 0;
      let ridge = 0;
      for (let r = 0; r < R; r++) {
        const s = this.#s[r];
        const A = this.#A[r];
        S += s;
        ridge += this.#ridge[r];
        for (let i = 0; i < q * q; i++) H[i] = H[i] + s * A[i];
        const gr = this.#g[r];
        for (let i = 0; i < q; i++) g[i] = g[i] + gr[i];
      }
      const diag = this.#lossRidge * S + ridge + this.#kappa;
      for (let i = 0; i < q; i++) H[i * q + i] = H[i * q + i] + diag;
      const common = q === 0 ? new Float64Array(0) : solveWithJitter(H, g, q).x;
      return { lambda, beta: this.#g.map(() => common.slice()), centre: common };
    }
    const spectra = this.#spectra();
    if (lambda === 0) {
      const beta = spectra.map(({ eig, h }, r) =>
        pseudoSolve({ n: eig.n, values: h, vectors: eig.vectors }, 0, this.#g[r]),
      );
      return { lambda, beta, centre: new Float64Array(q) };
    }
    const M = new Float64Array(q * q);
    const rhs = new Float64Array(q);
    spectra.forEach(({ eig, h, u, range, h0 }, r) => {
      const mu = lambda * this.#pull[r];
      const f = (v: number) => (mu * v) / (v + mu);
      if (range) {
        const w0 = f(h0);
        addLowRank(
          M,
          q,
          range,
          w0,
          Float64Array.from(range.idx, (j) => f(h[j]) - w0),
        );
      } else spectralMatrix(eig, Float64Array.from(h, f), M);
      const add = fromEigenBasis(
        eig,
        Float64Array.from(h, (v, j) => (u[j] * mu) / (v + mu)),
      );
      for (let i = 0; i < q; i++) rhs[i] = rhs[i] + add[i];
    });
    for (let i = 0; i < q; i++) M[i * q + i] = M[i * q + i] + this.#kappa;
    const centre = q === 0 ? new Float64Array(0) : solveWithJitter(M, rhs, q).x;
    const beta = spectra.map(({ eig, h, u }, r) => {
      const mu = lambda * this.#pull[r];
      const um = toEigenBasis(eig, centre);
      return fromEigenBasis(
        eig,
        Float64Array.from(h, (v, j) => (u[j] + mu * um[j]) / (v + mu)),
      );
    });
    return { lambda, beta, centre };
  }
}

/** {@link MeanRegularizedSolver} at one λ. */
export function solveMeanRegularized(
  problem: MeanRegularizedProblem,
  lambda: number,
  options: MeanRegularizedOptions = {},
): MeanRegularizedSolution {
  return new MeanRegularizedSolver(problem, options).solve(lambda);
}
