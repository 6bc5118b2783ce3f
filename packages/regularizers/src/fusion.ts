import {
  describeReceived,
  NotPositiveDefiniteError,
  NumericError,
  ValidationError,
} from '@hetmtl/tensor';
import { connectedComponents } from './connected-components.js';
import { factorOrExplain } from './dense-cholesky.js';
import {
  allPairs,
  allPairsDistanceQuantile,
  knnPairs,
  pairDistances,
  quantile,
  type TaskPair,
} from './fusion-graph.js';
import { checkLambda, checkStepPositive, type Penalty } from './penalty.js';
import {
  crossProducts,
  quadraticForm,
  shiftedGramSolve,
  WoodburySystem,
  factorTimes,
  addFactorTransposeTimes,
  gramDiagonal,
  gramOf,
} from './low-rank.js';
import {
  type AnyFusionProblem,
  type CheckedProblem,
  checkProblem,
  ridgePerTask,
} from './problem.js';
import { refitChecked } from './refit.js';
import { SparseBlockCholesky } from './sparse-cholesky.js';

/**
 * The largest K at which a factored problem on a sparse graph is solved with the block-sparse
 * Cholesky of the K×K blocks L_rᵀL_r (O(R·K²) memory) instead of Woodbury (O(R²)).
 */
const SPARSE_FACTORED_MAX_K = 64;

/** A factored system matrix (dense or block-sparse Cholesky). */
interface SystemFactor {
  solveInto(b: Float64Array, out: Float64Array): Float64Array;
  solve(b: Float64Array): Float64Array;
}

/** The flat η and v of the states made by a solve (see `#finish`), for cheap warm starts. */
const flatStates = new WeakMap<
  object,
  { readonly eta: Float64Array; readonly v: Float64Array; read: boolean }
>();

/** Which pairs of tasks the pairwise penalty acts on. */
export type FusionGraph = 'all' | 'knn' | readonly TaskPair[];

/** Options fixed for a problem: they determine the matrix the ADMM factors once. */
export interface PrepareOptions {
  /** ADMM penalty parameter ϑ (default 1). mcp needs κϑ > 1, scad (κ − 1)ϑ > 1. */
  readonly step?: number;
  /** Ridge ρ on every β_r: ½ Σ_r ρ_r ‖β_r‖² (default 1e-3; a number, or one per task). */
  readonly ridge?: number | readonly number[];
  /**
   * The fusion graph of a pairwise penalty: all pairs, the symmetrised k-nearest-neighbour graph
   * of the unfused β (plus a spanning tree), or explicit pairs [r, s]. Default: 'all' for R ≤ 30,
   * 'knn' above. Not allowed for `centre` and for penalties with their own task graph (`graph`).
   */
  readonly graph?: FusionGraph;
  /** Neighbours per task of the 'knn' graph (default 5). */
  readonly knn?: number;
}

/**
 * ADMM state, for warm starts. `pairs` are the constraint pairs (i, j): η_ij = x_i − x_j with
 * nodes 0..R−1 the tasks and, for `centre`, node R the centre β̄.
 */
export interface FusionState {
  readonly pairs: readonly TaskPair[];
  readonly eta: readonly Float64Array[];
  readonly v: readonly Float64Array[];
  readonly beta: readonly Float64Array[];
  /** β̄, for `centre`. */
  readonly centre?: Float64Array;
}

/** Options of one solve at one λ. */
export interface SolveOptions {
  /** Penalty level λ ≥ 0 (required unless the penalty is `none`). */
  readonly lambda?: number;
  /** Start from this state (a previous result's `state`, on the same prepared problem). */
  readonly warm?: FusionState;
  /**
   * Start when there is no warm state: 'unfused' (default) starts η at the differences of the
   * λ = 0 solution, 'zero' at η = 0 (with a concave penalty this collapses tasks: see README).
   */
  readonly init?: 'unfused' | 'zero';
  /** Relative tolerance on the primal and dual residuals (default 1e-5). */
  readonly tol?: number;
  /** Iteration cap (default 1000); reaching it is reported by `converged: false`. */
  readonly maxIter?: number;
  /** Refit β with coefficients tied within the groups found (default false). */
  readonly refit?: boolean;
}

export interface FuseOptions extends PrepareOptions, SolveOptions {}

/** The solution at one λ. */
export interface FusionResult {
  readonly lambda: number;
  /** β_r per task: the ADMM's β, or the refit when `refit` was asked. */
  readonly beta: Float64Array[];
  /** The ADMM's β (equal to `beta` without refit). */
  readonly fusedBeta: Float64Array[];
  /** The centre β̄ (`centre` penalty only). */
  readonly centre?: Float64Array;
  /** Group label per task (0..G−1 in order of first appearance), from the pairs with η = 0. */
  readonly groups: number[];
  readonly numGroups: number;
  /** ADMM iterations (0 for direct solves). */
  readonly iterations: number;
  /** False when the iteration cap was reached first. */
  readonly converged: boolean;
  /** RMS over pairs of ‖β_i − β_j − η_ij‖, divided by the RMS over tasks of ‖β_r‖. */
  readonly primalResidual: number;
  /** RMS over pairs of the last change of η_ij, divided by the RMS over tasks of ‖β_r‖. */
  readonly dualResidual: number;
  /** The objective at `fusedBeta` (with the penalty at the actual differences). */
  readonly objective: number;
  /** Whether `beta` is the refit. */
  readonly refitted: boolean;
  /** Number of constraint pairs |E| (the pairwise penalty is divided by it). */
  readonly numPairs: number;
  /** Pairs with η_e = 0 (all `numPairs` of them: every pair fused). */
  readonly numFusedPairs: number;
  /** For warm starts. */
  readonly state: FusionState;
}

/** Options of {@link PreparedFusion.path} / `fusionPath`. */
export interface PathOptions extends Omit<SolveOptions, 'lambda'> {
  /** The λ values (sorted ascending before use). Default: {@link PreparedFusion.lambdaGrid}. */
  readonly lambdas?: readonly number[];
  /** Grid size when `lambdas` is not given (default 20). */
  readonly numLambdas?: number;
  /** Smallest λ of the grid as a fraction of its top (default 1e-3). */
  readonly lambdaMinRatio?: number;
  /** Quantile that sets the top of the grid (default 0.9). */
  readonly quantile?: number;
}

function sqNorm(x: Float64Array, off: number, K: number): number {
  let s = 0;
  for (let k = 0; k < K; k++) s += x[off + k] ** 2;
  return s;
}

function assertPenalty(penalty: Penalty): void {
  if (
    typeof penalty !== 'object' ||
    penalty === null ||
    penalty.specVersion !== 1 ||
    typeof penalty.value !== 'function' ||
    typeof penalty.prox !== 'function'
  ) {
    throw new ValidationError('Not a similarity penalty', {
      expected:
        'a penalty from mcp(), scad(), fusedLasso(), centre(), graph(), none() or defineSimilarity()',
      received: describeReceived(penalty),
    });
  }
}

function checkPairs(pairs: readonly TaskPair[], R: number): TaskPair[] {
  if (!Array.isArray(pairs)) {
    throw new ValidationError('Invalid graph option', {
      expected: "'all', 'knn' or an array of pairs [r, s]",
      received: describeReceived(pairs),
    });
  }
  const seen = new Set<number>();
  const out: TaskPair[] = [];
  pairs.forEach((p, k) => {
    const [a, b] = Array.isArray(p) ? p : [Number.NaN, Number.NaN];
    if (
      !Number.isInteger(a) ||
      !Number.isInteger(b) ||
      a < 0 ||
      b < 0 ||
      a >= R ||
      b >= R ||
      a === b
    ) {
      throw new ValidationError('Invalid pair in the fusion graph', {
        row: k,
        expected: `two different task indices in [0, ${R - 1}]`,
        received: describeReceived(p),
      });
    }
    const r = Math.min(a, b);
    const s = Math.max(a, b);
    if (!seen.has(r * R + s)) {
      seen.add(r * R + s);
      out.push([r, s]);
    }
  });
  return out;
}

/**
 * The fusion problem prepared for one penalty, step, ridge and graph: checked inputs, the unfused
 * (λ = 0) solution, the constraint pairs and — on first use — the Cholesky factor of the ADMM
 * matrix, reused for every λ and warm start. Create it once per encoder state.
 */
export class PreparedFusion {
  readonly penalty: Penalty;
  readonly numTasks: number;
  readonly dim: number;
  readonly step: number;
  /** ρ_r per task. */
  readonly ridge: Float64Array;
  /** Constraint pairs (i, j), i < j; for `centre`, (r, R) with node R the centre. */
  readonly pairs: readonly TaskPair[];
  /** Penalty weight c_e of each pair: a_rs/|E| for pairwise penalties, w_r √(K/n_r) for `centre`. */
  readonly pairWeights: Float64Array;
  /** The λ = 0 solution β_r = (w_r A_r + ρ_r I)⁻¹ w_r b_r. */
  readonly unfusedBeta: readonly Float64Array[];
  readonly #p: CheckedProblem;
  readonly #nodes: number;
  #factor: SystemFactor | undefined;

  constructor(problem: AnyFusionProblem, penalty: Penalty, options: PrepareOptions = {}) {
    assertPenalty(penalty);
    const p = checkProblem(problem, penalty.structure === 'centre');
    this.#p = p;
    this.penalty = penalty;
    this.numTasks = p.R;
    this.dim = p.K;
    const step = options.step ?? 1;
    checkStepPositive(step);
    penalty.checkStep?.(step);
    this.step = step;
    this.ridge = ridgePerTask(options.ridge, p.R);
    const { R, K } = p;
    const factors = p.factors;
    if (factors) this.#checkRidge();
    this.unfusedBeta = Object.freeze(
      Array.from({ length: R }, (_, r) => {
        if (factors) {
          const g = p.b[r].map((v) => p.w[r] * v);
          return shiftedGramSolve(
            [factors[r]],
            [p.w[r]],
            K,
            this.ridge[r],
            g,
            `w_r A_r + ridge·I of task ${r}`,
          );
        }
        const A = p.A[r];
        const H = new Float64Array(K * K);
        const g = new Float64Array(K);
        const w = p.w[r];
        for (let i = 0; i < K * K; i++) H[i] = w * A[i];
        for (let i = 0; i < K; i++) {
          H[i * K + i] = H[i * K + i] + this.ridge[r];
          g[i] = w * p.b[r][i];
        }
        return factorOrExplain(H, K, `w_r A_r + ridge·I of task ${r}`, r).solve(g);
      }),
    );
    let pairs: TaskPair[];
    let weights: Float64Array;
    if (penalty.structure === 'centre') {
      if (options.graph !== undefined) {
        throw new ValidationError(
          `The ${penalty.kind} penalty couples each task to a centre, not pairs`,
          {
            received: 'a graph option',
            fix: 'Remove the graph option',
          },
        );
      }
      pairs = Array.from({ length: R }, (_, r) => [r, R] as const);
      const n = p.n as Float64Array;
      weights = Float64Array.from({ length: R }, (_, r) => p.w[r] * Math.sqrt(K / n[r]));
      this.#nodes = R + 1;
    } else if (penalty.structure === 'none') {
      pairs = [];
      weights = new Float64Array(0);
      this.#nodes = R;
    } else if (penalty.taskGraph) {
      if (options.graph !== undefined) {
        throw new ValidationError(`The ${penalty.kind} penalty has its own task graph`, {
          received: 'a graph option as well',
          fix: 'Remove the graph option (or give the pairs to the penalty)',
        });
      }
      const g = penalty.taskGraph(R);
      pairs = checkPairs(g.pairs, R);
      if (pairs.length !== g.pairs.length || g.weights.length !== pairs.length) {
        throw new ValidationError(`The ${penalty.kind} penalty's task graph is inconsistent`, {
          expected: 'distinct pairs, one weight per pair',
          received: `${g.pairs.length} pairs, ${g.weights.length} weights`,
        });
      }
      const P = pairs.length;
      weights = Float64Array.from(g.weights, (a) => a / P);
      this.#nodes = R;
    } else {
      const graph = options.graph ?? (R > 30 ? 'knn' : 'all');
      if (graph === 'all') pairs = allPairs(R);
      else if (graph === 'knn') pairs = knnPairs(this.unfusedBeta, options.knn ?? 5);
      else pairs = checkPairs(graph, R);
      const P = pairs.length;
      weights = new Float64Array(P).fill(1 / Math.max(P, 1));
      this.#nodes = R;
    }
    this.pairs = Object.freeze(pairs);
    this.pairWeights = weights;
  }

  /** A factored problem is solved through Woodbury systems, which need ρ_r > 0. */
  #checkRidge(): void {
    const r = this.ridge.findIndex((v) => !(v > 0));
    if (r >= 0)
      throw new ValidationError('A problem in factored form needs ridge > 0 on every task', {
        task: r,
        expected: 'ridge > 0',
        received: String(this.ridge[r]),
        fix: 'Pass ridge > 0 (default 1e-3): A_r = L_rᵀL_r is singular when L_r has fewer rows than K',
      });
  }

  /** L_rL_sᵀ of a factored problem, computed once for every system. */
  #cross: Float64Array[][] | undefined;

  /** The Woodbury form of {@link #system}(c) for a factored problem. */
  #woodbury(c: number): WoodburySystem {
    const { K } = this.#p;
    const factors = this.#p.factors as NonNullable<CheckedProblem['factors']>;
    const nodes = this.#nodes;
    const M = new Float64Array(nodes * nodes);
    for (let r = 0; r < this.numTasks; r++) M[r * nodes + r] = this.ridge[r];
    this.pairs.forEach(([a, b], e) => {
      const ce = c * this.pairWeights[e];
      M[a * nodes + a] = M[a * nodes + a] + ce;
      M[b * nodes + b] = M[b * nodes + b] + ce;
      M[a * nodes + b] = M[a * nodes + b] - ce;
      M[b * nodes + a] = M[b * nodes + a] - ce;
    });
    this.#cross ??= crossProducts(factors, K);
    return new WoodburySystem(factors, this.#p.w, K, M, nodes, this.#cross);
  }

  /** w_r A_r x_r added into out (at task r's block). */
  #addTaskGram(r: number, x: Float64Array, out: Float64Array, off: number): void {
    const { K } = this.#p;
    const w = this.#p.w[r];
    const f = this.#p.factors?.[r];
    if (f) {
      addFactorTransposeTimes(f, K, factorTimes(f, K, x, off), w, out, off);
      return;
    }
    const A = this.#p.A[r];
    for (let i = 0; i < K; i++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += A[i * K + j] * x[off + j];
      out[off + i] = out[off + i] + w * s;
    }
  }

  /** Number of constraint pairs |E|. */
  get numPairs(): number {
    return this.pairs.length;
  }

  /** The validated problem (symmetrised A_r, b_r as Float64Array). */
  get checked(): CheckedProblem {
    return this.#p;
  }

  /** N = Σ_r n_r (needs the problem's `n`). */
  get totalRows(): number {
    const n = this.#p.n;
    if (!n)
      throw new ValidationError('The problem has no task sizes', {
        expected: 'problem.n, one size per task',
        fix: 'Pass problem.n (the modified BIC counts rows)',
      });
    return n.reduce((a, b) => a + b, 0);
  }

  /**
   * Σ_r RSS_r(β_r) = Σ_r β_rᵀQ_rβ_r − 2q_rᵀβ_r + s_r from the problem's `residual` (clamped at 0
   * against rounding).
   */
  residualSumOfSquares(beta: readonly Float64Array[]): number {
    const res = this.#p.residual;
    if (!res)
      throw new ValidationError('The problem has no residual terms', {
        expected: 'problem.residual = { Q, q, s } (see FusionProblem)',
        fix: 'Pass problem.residual to score a path by the modified BIC',
      });
    const K = this.#p.K;
    let total = 0;
    beta.forEach((b, r) => {
      const q = res.q[r] as ArrayLike<number>;
      let v = res.s[r];
      if ('factors' in res) {
        const E = res.factors[r];
        v += quadraticForm({ L: E.data, m: E.rows }, K, b);
        for (let i = 0; i < K; i++) v -= 2 * q[i] * b[i];
        total += Math.max(v, 0);
        return;
      }
      const Q = (res.Q[r] as { data: Float64Array }).data;
      for (let i = 0; i < K; i++) {
        let Qb = 0;
        for (let j = 0; j < K; j++) Qb += Q[i * K + j] * b[j];
        v += b[i] * (Qb - 2 * q[i]);
      }
      total += Math.max(v, 0);
    });
    return total;
  }

  /** The matrix blockdiag(w_r A_r + ρ_r I, 0 for the centre) + c·Σ_e c_e (e_i − e_j)(e_i − e_j)ᵀ ⊗ I_K. */
  #system(c: number): Float64Array {
    const { R, K } = this.#p;
    const n = this.#nodes * K;
    const H = new Float64Array(n * n);
    for (let r = 0; r < R; r++) {
      const A = this.#p.A[r];
      const w = this.#p.w[r];
      for (let i = 0; i < K; i++) {
        for (let j = 0; j < K; j++) H[(r * K + i) * n + r * K + j] = w * A[i * K + j];
        H[(r * K + i) * n + r * K + i] = H[(r * K + i) * n + r * K + i] + this.ridge[r];
      }
    }
    this.pairs.forEach(([a, b], e) => {
      const ce = c * this.pairWeights[e];
      for (let k = 0; k < K; k++) {
        const i = a * K + k;
        const j = b * K + k;
        H[i * n + i] = H[i * n + i] + ce;
        H[j * n + j] = H[j * n + j] + ce;
        H[i * n + j] = H[i * n + j] - ce;
        H[j * n + i] = H[j * n + i] - ce;
      }
    });
    return H;
  }

  /**
   * The Cholesky factor of {@link #system}(c): dense for few nodes or a dense graph (as always), and
   * block-sparse (minimum-degree order) for many nodes on a sparse graph — the 'knn' graph of
   * R > 30 tasks — where the dense (R·K)² matrix costs O(R³) time and O(R²) memory.
   */
  #factorSystem(c: number, what: string): SystemFactor {
    const steps = this.#factorSystemSteps(c, what);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /** {@link #factorSystem} in steps: the sparse factorisation yields every few columns. */
  *#factorSystemSteps(c: number, what: string): Generator<void, SystemFactor, void> {
    const { R, K } = this.#p;
    const nodes = this.#nodes;
    const E = this.pairs.length;
    const factors = this.#p.factors;
    const sparse = nodes > 30 && E <= 0.25 * ((nodes * (nodes - 1)) / 2);
    // A factored problem goes through Woodbury unless the graph is sparse and K small: then the
    // K×K blocks w_r L_rᵀL_r are cheap, while Woodbury's node and capacitance matrices are dense
    // (nodes² and (Σ m_r)²: O(R²) memory and O(R³) time for thousands of tasks).
    if (factors && !(sparse && K <= SPARSE_FACTORED_MAX_K)) return this.#woodbury(c);
    if (!sparse) return factorOrExplain(this.#system(c), nodes * K, what);
    const diag: Float64Array[] = [];
    for (let r = 0; r < nodes; r++) {
      const D = new Float64Array(K * K);
      if (r < R) {
        const A = factors ? gramOf(factors[r], K) : this.#p.A[r];
        const w = this.#p.w[r];
        for (let i = 0; i < K * K; i++) D[i] = w * A[i];
        for (let i = 0; i < K; i++) D[i * K + i] = D[i * K + i] + this.ridge[r];
      }
      diag.push(D);
    }
    const weights = Float64Array.from(this.pairWeights, (ce) => c * ce);
    this.pairs.forEach(([a, b], e) => {
      const ce = weights[e];
      const Da = diag[a];
      const Db = diag[b];
      for (let k = 0; k < K; k++) {
        Da[k * K + k] = Da[k * K + k] + ce;
        Db[k * K + k] = Db[k * K + k] + ce;
      }
    });
    try {
      const factor = new SparseBlockCholesky(diag, K, this.pairs, weights, { deferred: true });
      yield* factor.factorSteps();
      return factor;
    } catch (e) {
      if (NotPositiveDefiniteError.isInstance(e))
        throw new NotPositiveDefiniteError(e.pivot, e.value, {
          cause: e,
          fix: `${what} is not positive definite: each A_r must be positive semidefinite, and a task whose A_r is singular needs ridge > 0 (default 1e-3)`,
        });
      throw e;
    }
  }

  /**
   * Factors the ADMM matrix now — what the first ADMM solve would do — in steps, yielding every few
   * columns of a sparse factor, so that a caller can give its event loop a turn between them (an
   * abort during a fit of thousands of tasks). Nothing to do for penalties solved without the ADMM.
   */
  *factorSteps(): Generator<void, void, void> {
    if (this.#factor || this.penalty.quadratic || this.penalty.structure === 'none') return;
    if (this.pairs.length === 0) return;
    this.#factor = yield* this.#factorSystemSteps(this.step, 'The ADMM system matrix');
  }

  /** The Cholesky factor of the ADMM matrix (computed once). */
  #admmFactor(): SystemFactor {
    this.#factor ??= this.#factorSystem(this.step, 'The ADMM system matrix');
    return this.#factor;
  }

  /** (w_r b_r) stacked, zero for the centre. */
  #rhsBase(): Float64Array {
    const { R, K } = this.#p;
    const g = new Float64Array(this.#nodes * K);
    for (let r = 0; r < R; r++)
      for (let k = 0; k < K; k++) g[r * K + k] = this.#p.w[r] * this.#p.b[r][k];
    return g;
  }

  /**
   * Initial node values: the unfused β and (centre) the λ → 0⁺ limit of the centre, the weighted
   * geometric median argmin_c Σ_r c_r ‖β_r − c‖ (Weiszfeld iterations from the weighted mean).
   */
  #unfusedNodes(): Float64Array {
    const { R, K } = this.#p;
    const x = new Float64Array(this.#nodes * K);
    for (let r = 0; r < R; r++) x.set(this.unfusedBeta[r], r * K);
    if (this.#nodes > R) {
      const c = this.pairWeights;
      const csum = c.reduce((s, v) => s + v, 0);
      const med = new Float64Array(K);
      let scale = 0;
      for (let r = 0; r < R; r++) {
        scale = Math.max(scale, Math.sqrt(sqNorm(x, r * K, K)));
        for (let k = 0; k < K; k++) med[k] = med[k] + (c[r] / csum) * x[r * K + k];
      }
      const floor = 1e-12 * (scale || 1);
      const next = new Float64Array(K);
      for (let it = 0; it < 500; it++) {
        next.fill(0);
        let total = 0;
        for (let r = 0; r < R; r++) {
          let d = 0;
          for (let k = 0; k < K; k++) d += (x[r * K + k] - med[k]) ** 2;
          const a = c[r] / Math.max(Math.sqrt(d), floor);
          total += a;
          for (let k = 0; k < K; k++) next[k] = next[k] + a * x[r * K + k];
        }
        let change = 0;
        for (let k = 0; k < K; k++) {
          const m = next[k] / total;
          change += (m - med[k]) ** 2;
          med[k] = m;
        }
        if (Math.sqrt(change) <= floor) break;
      }
      x.set(med, R * K);
    }
    return x;
  }

  /**
   * The dual consistent with η at λ: v_e = p'_λ(‖η_e‖) η_e/‖η_e‖ (so that η_e = prox(η_e + v_e/ϑ));
   * zero when the penalty has no derivative or η_e = 0.
   */
  #consistentDual(eta: Float64Array, lambda: number): Float64Array {
    const K = this.#p.K;
    const v = new Float64Array(eta.length);
    const deriv = this.penalty.derivative;
    if (!deriv) return v;
    for (let e = 0; e < this.pairs.length; e++) {
      const norm = Math.sqrt(sqNorm(eta, e * K, K));
      if (norm === 0) continue;
      const f = deriv(norm, lambda) / norm;
      for (let k = 0; k < K; k++) v[e * K + k] = f * eta[e * K + k];
    }
    return v;
  }

  /**
   * The objective Σ_r w_r(½β_rᵀA_rβ_r − b_rᵀβ_r) + ½Σ_r ρ_r‖β_r‖² + Σ_e c_e p_λ(‖x_i − x_j‖)
   * (for `centre`, x_R = `centre`, required).
   */
  objective(beta: readonly Float64Array[], lambda: number, centre?: Float64Array): number {
    const { R, K } = this.#p;
    const x = new Float64Array(this.#nodes * K);
    if (beta.length !== R)
      throw new ValidationError('objective: beta does not match the problem', {
        expected: `${R} vectors`,
        received: `${beta.length}`,
      });
    beta.forEach((b, r) => {
      x.set(b, r * K);
    });
    if (this.#nodes > R) {
      if (!centre)
        throw new ValidationError('objective: the centre penalty needs the centre β̄', {
          expected: 'a Float64Array',
          received: 'undefined',
        });
      x.set(centre, R * K);
    }
    return this.#objective(x, lambda);
  }

  #objective(x: Float64Array, lambda: number): number {
    const { R, K } = this.#p;
    let f = 0;
    for (let r = 0; r < R; r++) {
      const b = this.#p.b[r];
      const fac = this.#p.factors?.[r];
      let quad = fac ? quadraticForm(fac, K, x, r * K) : 0;
      let lin = 0;
      for (let i = 0; i < K; i++) {
        const xi = x[r * K + i];
        lin += b[i] * xi;
        if (fac) continue;
        const A = this.#p.A[r];
        let Ax = 0;
        for (let j = 0; j < K; j++) Ax += A[i * K + j] * x[r * K + j];
        quad += xi * Ax;
      }
      f += this.#p.w[r] * (0.5 * quad - lin) + 0.5 * this.ridge[r] * sqNorm(x, r * K, K);
    }
    this.pairs.forEach(([a, b], e) => {
      let s = 0;
      for (let k = 0; k < K; k++) s += (x[a * K + k] - x[b * K + k]) ** 2;
      f += this.pairWeights[e] * this.penalty.value(Math.sqrt(s), lambda);
    });
    return f;
  }

  /**
   * The top of the default λ grid (method.md §3: a high quantile, not the maximum, so that one
   * outlying task does not set it):
   * - pairwise penalties: the q-quantile of ‖β_r − β_s‖ of the unfused solution over all pairs
   *   (over the penalty's own pairs when it has a task graph);
   * - `centre`: the q-quantile over tasks of ‖g_r‖/(w_r √(K/n_r)), g_r the gradient of task r's loss
   *   at the pooled solution — the λ above which task r joins the centre when all others have;
   * - quadratic penalties: the λ at which the penalty's curvature is 30 times the loss curvature
   *   (mean over tasks of 2λ·Σ_e∋r c_e against mean diagonal of w_r A_r + ρ_r I).
   */
  lambdaMax(q = 0.9): number {
    if (!(q >= 0 && q <= 1))
      throw new ValidationError('Invalid quantile', {
        expected: 'a number in [0, 1]',
        received: describeReceived(q),
      });
    const { R, K } = this.#p;
    if (this.penalty.quadratic) {
      let curv = 0;
      for (let r = 0; r < R; r++) {
        const f = this.#p.factors?.[r];
        const A = this.#p.A[r];
        const d = f ? gramDiagonal(f, K) : Float64Array.from({ length: K }, (_, i) => A[i * K + i]);
        for (let i = 0; i < K; i++) curv += this.#p.w[r] * d[i] + this.ridge[r];
      }
      curv /= R * K;
      let deg = 0;
      this.pairWeights.forEach((c) => {
        deg += 2 * c;
      });
      deg /= R;
      return deg > 0 ? (30 * curv) / (2 * deg) : 0;
    }
    if (this.penalty.structure === 'centre') {
      const pooled = refitChecked(this.#p, new Array<number>(R).fill(0), this.ridge)[0];
      const ratios: number[] = [];
      for (let r = 0; r < R; r++) {
        const w = this.#p.w[r];
        const Ap = new Float64Array(K);
        this.#addTaskGram(r, pooled, Ap, 0);
        let s = 0;
        for (let i = 0; i < K; i++) {
          const g = -w * this.#p.b[r][i] + this.ridge[r] * pooled[i] + Ap[i];
          s += g * g;
        }
        ratios.push(Math.sqrt(s) / this.pairWeights[r]);
      }
      return quantile(ratios, q);
    }
    if (this.penalty.taskGraph)
      return quantile(pairDistances(this.unfusedBeta, this.pairs), q, true);
    // All R(R−1)/2 pairs, by selection (no R×R matrix, no pair list: R is in the thousands).
    return allPairsDistanceQuantile(this.unfusedBeta, q);
  }

  /**
   * A log-spaced λ grid of `numLambdas` values from `lambdaMinRatio`·top to top = lambdaMax(q),
   * ascending. A single [0] when top is 0 (all unfused β equal).
   */
  lambdaGrid(
    options: {
      readonly numLambdas?: number;
      readonly lambdaMinRatio?: number;
      readonly quantile?: number;
    } = {},
  ): number[] {
    const num = options.numLambdas ?? 20;
    const ratio = options.lambdaMinRatio ?? 1e-3;
    if (!Number.isInteger(num) || num < 1)
      throw new ValidationError('Invalid numLambdas', {
        expected: 'a positive integer',
        received: describeReceived(num),
      });
    if (!(ratio > 0 && ratio <= 1))
      throw new ValidationError('Invalid lambdaMinRatio', {
        expected: 'a number in (0, 1]',
        received: describeReceived(ratio),
      });
    const top = this.lambdaMax(options.quantile ?? 0.9);
    if (top === 0) return [0];
    if (num === 1) return [top];
    return Array.from({ length: num }, (_, i) => top * ratio ** ((num - 1 - i) / (num - 1)));
  }

  /** Solves the problem at one λ (see {@link SolveOptions}). */
  solve(options: SolveOptions = {}): FusionResult {
    const lambda = options.lambda ?? (this.penalty.structure === 'none' ? 0 : undefined);
    if (lambda === undefined) {
      throw new ValidationError('options.lambda is required', {
        expected: 'a number λ ≥ 0',
        received: 'undefined',
        fix: 'Pass { lambda }, e.g. a value from lambdaGrid()',
      });
    }
    checkLambda(lambda);
    const tol = options.tol ?? 1e-5;
    if (typeof tol !== 'number' || !(tol > 0) || !Number.isFinite(tol))
      throw new ValidationError('Invalid tol', {
        expected: 'a finite number > 0',
        received: describeReceived(tol),
      });
    const maxIter = options.maxIter ?? 1000;
    if (!Number.isInteger(maxIter) || maxIter < 1)
      throw new ValidationError('Invalid maxIter', {
        expected: 'a positive integer',
        received: describeReceived(maxIter),
      });
    const init = options.init ?? 'unfused';
    if (init !== 'unfused' && init !== 'zero')
      throw new ValidationError('Invalid init', {
        expected: "'unfused' or 'zero'",
        received: describeReceived(init),
      });
    const { R, K } = this.#p;
    const E = this.pairs.length;
    const eta = new Float64Array(E * K);
    const v = new Float64Array(E * K);
    // Checked even where it is not used (direct solves), so that a mismatch is never silent.
    if (options.warm !== undefined) this.#loadWarm(options.warm, eta, v);
    if (this.penalty.structure === 'none' || E === 0) {
      return this.#finish(
        lambda,
        this.#unfusedNodes(),
        this.#differences(this.#unfusedNodes()),
        new Float64Array(E * K),
        0,
        true,
        0,
        0,
        options.refit,
      );
    }
    if (this.penalty.quadratic) return this.#solveQuadratic(lambda, options.refit);

    const step = this.step;
    const n = this.#nodes * K;
    if (options.warm === undefined && init === 'unfused') {
      eta.set(this.#differences(this.#unfusedNodes()));
      v.set(this.#consistentDual(eta, lambda));
    }
    const factor = this.#admmFactor();
    const base = this.#rhsBase();
    const rhs = new Float64Array(n);
    const x = new Float64Array(n);
    const z = new Float64Array(K);
    const { proxNorm } = this.penalty;
    const pa = Int32Array.from(this.pairs, (p) => p[0]);
    const pb = Int32Array.from(this.pairs, (p) => p[1]);
    let primal = Number.POSITIVE_INFINITY;
    let dual = Number.POSITIVE_INFINITY;
    let iterations = 0;
    let converged = false;
    while (iterations < maxIter) {
      iterations++;
      // β-step: (blockdiag(w_r A_r + ρ_r I) + ϑ Σ_e c_e D_eᵀD_e) x = (w_r b_r) + Σ_e c_e D_eᵀ(ϑη_e − v_e).
      rhs.set(base);
      for (let e = 0; e < E; e++) {
        const a = pa[e];
        const b = pb[e];
        const c = this.pairWeights[e];
        for (let k = 0; k < K; k++) {
          const u = c * (step * eta[e * K + k] - v[e * K + k]);
          rhs[a * K + k] = rhs[a * K + k] + u;
          rhs[b * K + k] = rhs[b * K + k] - u;
        }
      }
      factor.solveInto(rhs, x);
      // η-step (prox of p_λ/ϑ at z = x_i − x_j + v/ϑ) and dual step v += ϑ(x_i − x_j − η).
      let primalSq = 0;
      let dualSq = 0;
      for (let e = 0; e < E; e++) {
        const a = pa[e];
        const b = pb[e];
        const off = e * K;
        let zz = 0;
        for (let k = 0; k < K; k++) {
          const zk = x[a * K + k] - x[b * K + k] + v[off + k] / step;
          z[k] = zk;
          zz += zk * zk;
        }
        let newEta: Float64Array | undefined;
        let f = 0;
        if (proxNorm) {
          const norm = Math.sqrt(zz);
          f = norm > 0 ? proxNorm(norm, lambda, step) / norm : 0;
        } else {
          newEta = this.penalty.prox(z.slice(), lambda, step);
          if (!(newEta instanceof Float64Array) || newEta.length !== K) {
            throw new ValidationError(
              `The ${this.penalty.kind} penalty's prox returned a wrong value`,
              {
                expected: `a Float64Array of length ${K}`,
                received: describeReceived(newEta),
              },
            );
          }
        }
        for (let k = 0; k < K; k++) {
          const ek = newEta ? newEta[k] : f * z[k];
          const d = x[a * K + k] - x[b * K + k];
          const old = eta[off + k];
          eta[off + k] = ek;
          v[off + k] = v[off + k] + step * (d - ek);
          primalSq += (d - ek) ** 2;
          dualSq += (ek - old) ** 2;
        }
      }
      let bb = 0;
      for (let i = 0; i < R * K; i++) bb += x[i] ** 2;
      const scale = Math.sqrt(bb / R) || 1;
      primal = Math.sqrt(primalSq / E) / scale;
      dual = Math.sqrt(dualSq / E) / scale;
      if (!Number.isFinite(primal) || !Number.isFinite(dual) || !Number.isFinite(scale)) {
        throw new NumericError('The fusion ADMM produced a non-finite value', {
          expected: 'finite β, η and residuals',
          received: `iteration ${iterations}: primal residual ${primal}, dual residual ${dual}`,
          fix: 'Check A_r and b_r, increase the ridge, or (mcp/scad) the step ϑ',
        });
      }
      if (primal <= tol && dual <= tol) {
        converged = true;
        break;
      }
    }
    return this.#finish(lambda, x, eta, v, iterations, converged, primal, dual, options.refit);
  }

  /** The path over increasing λ with warm starts (see `fusionPath`). */
  path(options: PathOptions = {}): FusionResult[] {
    const lambdas =
      options.lambdas !== undefined
        ? [...options.lambdas]
        : this.lambdaGrid({
            ...(options.numLambdas !== undefined ? { numLambdas: options.numLambdas } : {}),
            ...(options.lambdaMinRatio !== undefined
              ? { lambdaMinRatio: options.lambdaMinRatio }
              : {}),
            ...(options.quantile !== undefined ? { quantile: options.quantile } : {}),
          });
    if (!Array.isArray(lambdas) || lambdas.length === 0) {
      throw new ValidationError('Invalid lambdas', {
        expected: 'a non-empty array of λ ≥ 0',
        received: describeReceived(options.lambdas),
      });
    }
    for (const l of lambdas) checkLambda(l, 'lambda in lambdas');
    lambdas.sort((a, b) => a - b);
    const out: FusionResult[] = [];
    let warm = options.warm;
    for (const lambda of lambdas) {
      const res = this.solve({ ...options, lambda, ...(warm ? { warm } : {}) });
      out.push(res);
      warm = res.state;
    }
    return out;
  }

  #solveQuadratic(lambda: number, refit: boolean | undefined): FusionResult {
    let x: Float64Array;
    if (lambda === 0) x = this.#unfusedNodes();
    else x = this.#factorSystem(2 * lambda, 'The quadratic penalty system').solve(this.#rhsBase());
    if (!x.every(Number.isFinite)) {
      throw new NumericError('The quadratic fusion solve produced a non-finite β', {
        received: `λ = ${lambda}`,
        fix: 'Check A_r and b_r or increase the ridge',
      });
    }
    const eta = this.#differences(x);
    // The dual that a warm-started ADMM would hold: v_e = p'(‖η‖) η/‖η‖ = 2λ η_e.
    const v = eta.map((d) => 2 * lambda * d);
    return this.#finish(lambda, x, eta, v, 0, true, 0, 0, refit);
  }

  #differences(x: Float64Array): Float64Array {
    const K = this.#p.K;
    const out = new Float64Array(this.pairs.length * K);
    this.pairs.forEach(([a, b], e) => {
      for (let k = 0; k < K; k++) out[e * K + k] = x[a * K + k] - x[b * K + k];
    });
    return out;
  }

  #loadWarm(warm: FusionState, eta: Float64Array, v: Float64Array): void {
    const K = this.#p.K;
    const E = this.pairs.length;
    const flat = typeof warm === 'object' && warm !== null ? flatStates.get(warm) : undefined;
    if (flat && !flat.read && warm.pairs === this.pairs) {
      // A state of this prepared problem whose per-pair arrays were never handed out (so never
      // changed): its flat copies (finite: the ADMM stops on a non-finite value).
      eta.set(flat.eta);
      v.set(flat.v);
      return;
    }
    const same =
      typeof warm === 'object' &&
      warm !== null &&
      Array.isArray(warm.pairs) &&
      warm.pairs.length === E &&
      warm.pairs.every((p, e) => p[0] === this.pairs[e][0] && p[1] === this.pairs[e][1]);
    if (!same) {
      throw new ValidationError('The warm start does not belong to this problem', {
        expected: `a state with the same ${E} pairs`,
        received: Array.isArray(warm?.pairs)
          ? `${warm.pairs.length} pairs`
          : describeReceived(warm),
        fix: 'Warm-start only from a result of the same prepared problem (same penalty structure, graph and number of tasks)',
      });
    }
    for (let e = 0; e < E; e++) {
      const ee = warm.eta[e];
      const ve = warm.v[e];
      if (
        !(ee instanceof Float64Array) ||
        !(ve instanceof Float64Array) ||
        ee.length !== K ||
        ve.length !== K
      ) {
        throw new ValidationError('The warm start has vectors of the wrong size', {
          row: e,
          expected: `η and v of length ${K}`,
          received: `${describeReceived(ee)}, ${describeReceived(ve)}`,
        });
      }
      eta.set(ee, e * K);
      v.set(ve, e * K);
    }
    if (!eta.every(Number.isFinite) || !v.every(Number.isFinite)) {
      throw new ValidationError('The warm start has non-finite values', {
        expected: 'finite η and v',
        fix: 'Start without warm, or from a converged result',
      });
    }
  }

  #finish(
    lambda: number,
    x: Float64Array,
    eta: Float64Array,
    v: Float64Array,
    iterations: number,
    converged: boolean,
    primal: number,
    dual: number,
    refit: boolean | undefined,
  ): FusionResult {
    const { R, K } = this.#p;
    const E = this.pairs.length;
    const fusedBeta = Array.from({ length: R }, (_, r) => x.slice(r * K, (r + 1) * K));
    const centre = this.#nodes > R ? x.slice(R * K, (R + 1) * K) : undefined;
    const zero: TaskPair[] = [];
    for (let e = 0; e < E; e++) if (sqNorm(eta, e * K, K) === 0) zero.push(this.pairs[e]);
    let groups: number[];
    if (this.penalty.structure === 'none') groups = Array.from({ length: R }, (_, r) => r);
    else {
      const comp = connectedComponents(this.#nodes, zero).slice(0, R);
      const map = new Map<number, number>();
      groups = comp.map((c) => {
        let l = map.get(c);
        if (l === undefined) {
          l = map.size;
          map.set(c, l);
        }
        return l;
      });
    }
    const numGroups = groups.reduce((m, g) => Math.max(m, g), -1) + 1;
    const objective = this.#objective(x, lambda);
    const doRefit = refit === true;
    const beta = doRefit
      ? refitChecked(this.#p, groups, this.ridge)
      : fusedBeta.map((b) => b.slice());
    // η and v per pair are made only when read: a warm start from this state (the path's chunks,
    // thousands of pairs) reads the flat copies instead.
    const flat = { eta: eta.slice(), v: v.slice(), read: false };
    const split = (a: Float64Array) => {
      flat.read = true;
      return Array.from({ length: E }, (_, e) => a.slice(e * K, (e + 1) * K));
    };
    let etaList: Float64Array[] | undefined;
    let vList: Float64Array[] | undefined;
    const state: FusionState = {
      pairs: this.pairs,
      get eta() {
        etaList ??= split(flat.eta);
        return etaList;
      },
      get v() {
        vList ??= split(flat.v);
        return vList;
      },
      beta: fusedBeta.map((b) => b.slice()),
      ...(centre ? { centre: centre.slice() } : {}),
    };
    flatStates.set(state, flat);
    return {
      lambda,
      beta,
      fusedBeta,
      ...(centre ? { centre } : {}),
      groups,
      numGroups,
      iterations,
      converged,
      primalResidual: primal,
      dualResidual: dual,
      objective,
      refitted: doRefit,
      numPairs: E,
      numFusedPairs: zero.length,
      state,
    };
  }
}

/** Prepares a problem for repeated solves (one Cholesky factor for every λ). */
export function prepareFusion(
  problem: AnyFusionProblem,
  penalty: Penalty,
  options: PrepareOptions = {},
): PreparedFusion {
  return new PreparedFusion(problem, penalty, options);
}

/**
 * Solves the coefficient problem at one λ:
 *
 *     min_β Σ_r w_r(½β_rᵀA_rβ_r − b_rᵀβ_r) + ½Σ_r ρ_r‖β_r‖² + (1/|E|) Σ_{(r,s)∈E} a_rs p_λ(‖β_r − β_s‖)
 *
 * (`centre`: Σ_r w_r √(K/n_r) p_λ(‖β_r − β̄‖) over β and β̄). To solve many λ on one problem,
 * use {@link prepareFusion} or `fusionPath` (the ADMM matrix is factored once).
 */
export function fuse(
  problem: AnyFusionProblem,
  penalty: Penalty,
  options: FuseOptions = {},
): FusionResult {
  return prepareFusion(problem, penalty, options).solve(options);
}
