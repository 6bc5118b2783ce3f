import { describeReceived, type Matrix, ValidationError } from '@hetmtl/tensor';
import type { GramFactor } from './low-rank.js';

/**
 * The coefficient problem (method.md §4, encoders fixed):
 *
 *     minimise  Σ_r w_r (½ β_rᵀ A_r β_r − b_rᵀ β_r) + ½ Σ_r ρ_r ‖β_r‖² + penalty(β)
 *
 * with A_r symmetric positive semidefinite (K×K), b_r ∈ R^K, w_r > 0 and, for `centre`, the task
 * sizes n_r. The ridge ρ is an option of the solver (default 1e-3 on every β_r).
 */
export interface FusionProblem {
  /** A_r, one symmetric PSD K×K matrix per task (or see {@link FactoredFusionProblem}). */
  readonly A: readonly Matrix[];
  /** b_r, one length-K vector per task. */
  readonly b: readonly (Float64Array | readonly number[])[];
  /** w_r > 0, one per task (n_r/N by default in the model; they need not sum to 1). */
  readonly weights: readonly number[];
  /** n_r, task sizes (needed by `centre`: its weights are w_r √(K/n_r)). */
  readonly n?: readonly number[];
  /**
   * What the residual sum of squares of each task needs, for the modified BIC of a path:
   * RSS_r(β) = βᵀQ_rβ − 2q_rᵀβ + s_r (Q_r K×K symmetric PSD, q_r ∈ R^K, s_r ≥ 0). For least squares
   * with task-private terms Z_r profiled out, e_r = M_r(y_r − F_rβ): Q_r = F_rᵀM_rᵀM_rF_r,
   * q_r = F_rᵀM_rᵀM_r y_r and s_r = ‖M_r y_r‖². Optional; needs `n`.
   */
  readonly residual?: {
    readonly Q: readonly Matrix[];
    readonly q: readonly (Float64Array | readonly number[])[];
    readonly s: readonly number[];
  };
}

/**
 * The coefficient problem with A_r = L_rᵀL_r in factored form: one m_r×K matrix L_r per task (e.g.
 * F_r/√n_r) instead of K×K A_r. For a large K with few rows — an identity encoder over thousands
 * of genes — every system is then solved through m×m ones (Woodbury), and no K×K or (R·K)² matrix
 * is built; for many tasks on a sparse graph with K ≤ 64 (tasks of a few rows, a small K0) the
 * K×K blocks L_rᵀL_r are formed and factored block-sparse instead, since Woodbury's node and
 * capacitance matrices are dense in R. Needs ridge > 0 on every task. The residual terms likewise: Q_r = E_rᵀE_r from E_r.
 */
export interface FactoredFusionProblem extends Omit<FusionProblem, 'A' | 'residual'> {
  readonly factors: readonly Matrix[];
  readonly residual?: {
    /** E_r (any rows × K): Q_r = E_rᵀE_r. */
    readonly factors: readonly Matrix[];
    readonly q: readonly (Float64Array | readonly number[])[];
    readonly s: readonly number[];
  };
}

/** Either form of the coefficient problem. */
export type AnyFusionProblem = FusionProblem | FactoredFusionProblem;

/** Whether a problem comes in factored form. */
export function isFactored(problem: AnyFusionProblem): problem is FactoredFusionProblem {
  return (
    typeof problem === 'object' &&
    problem !== null &&
    'factors' in problem &&
    problem.factors !== undefined
  );
}

/** A validated problem: symmetrised A_r (copied), b_r as Float64Array. */
export interface CheckedProblem {
  readonly R: number;
  readonly K: number;
  /** Symmetrised A_r (empty when the problem came in factored form). */
  readonly A: readonly Float64Array[];
  /** A_r = L_rᵀL_r, when the problem came in factored form. */
  readonly factors: readonly GramFactor[] | undefined;
  readonly b: readonly Float64Array[];
  readonly w: Float64Array;
  readonly n: Float64Array | undefined;
  readonly residual: FusionProblem['residual'] | FactoredFusionProblem['residual'];
}

function fail(
  summary: string,
  o: { task?: number; expected: string; received: string; fix?: string },
): never {
  throw new ValidationError(summary, o);
}

/** Validates sizes and values and returns the checked problem. */
export function checkProblem(problem: AnyFusionProblem, needN = false): CheckedProblem {
  if (typeof problem !== 'object' || problem === null) {
    fail('Invalid fusion problem', {
      expected: '{ A: Matrix[], b: Float64Array[], weights: number[] }',
      received: describeReceived(problem),
    });
  }
  const { b, weights } = problem;
  if (isFactored(problem)) {
    if ((problem as { A?: unknown }).A !== undefined)
      fail('The fusion problem has both A and factors', {
        expected: 'exactly one of problem.A (K×K) and problem.factors (A_r = L_rᵀL_r)',
        received: 'both',
        fix: 'Drop problem.A when passing problem.factors',
      });
    return checkFactored(problem, needN);
  }
  const A = problem.A;
  if (!Array.isArray(A) || A.length === 0) {
    fail('problem.A must be a non-empty array of K×K matrices', {
      expected: 'one matrix per task',
      received: describeReceived(A),
    });
  }
  const R = A.length;
  if (!Array.isArray(b) || b.length !== R) {
    fail('problem.b does not match problem.A', {
      expected: `${R} vectors (one per task)`,
      received: describeReceived(b),
    });
  }
  if (!Array.isArray(weights) || weights.length !== R) {
    fail('problem.weights does not match problem.A', {
      expected: `${R} weights (one per task)`,
      received: describeReceived(weights),
    });
  }
  const K = (A[0] as Matrix)?.rows;
  if (!Number.isInteger(K) || K < 1) {
    fail('problem.A[0] is not a matrix', {
      task: 0,
      expected: 'a K×K Matrix with K ≥ 1',
      received: describeReceived(A[0]),
    });
  }
  const As: Float64Array[] = [];
  const bs: Float64Array[] = [];
  const w = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    const a = A[r] as Matrix;
    if (
      typeof a !== 'object' ||
      a === null ||
      a.rows !== K ||
      a.cols !== K ||
      !(a.data instanceof Float64Array) ||
      a.data.length !== K * K
    ) {
      fail('problem.A has a matrix of the wrong size', {
        task: r,
        expected: `a ${K}×${K} Matrix (every task has the same K)`,
        received: a && typeof a === 'object' ? `${a.rows}×${a.cols}` : describeReceived(a),
      });
    }
    let scale = 0;
    for (let i = 0; i < K * K; i++) {
      const v = a.data[i];
      if (!Number.isFinite(v)) {
        fail('problem.A has a non-finite entry', {
          task: r,
          expected: 'finite numbers',
          received: `${v} at [${Math.floor(i / K)}, ${i % K}]`,
          fix: 'Check the factors F_r for NaN or Infinity before building A_r',
        });
      }
      scale = Math.max(scale, Math.abs(v));
    }
    const sym = new Float64Array(K * K);
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        const x = a.data[i * K + j];
        const y = a.data[j * K + i];
        if (Math.abs(x - y) > 1e-8 * Math.max(1, scale)) {
          fail('problem.A has a matrix that is not symmetric', {
            task: r,
            expected: `A[${i},${j}] = A[${j},${i}]`,
            received: `${x} and ${y}`,
            fix: 'Pass A_r = F_rᵀ M_r F_r / n_r (symmetric), or symmetrise it as (A + Aᵀ)/2',
          });
        }
        sym[i * K + j] = (x + y) / 2;
      }
    }
    As.push(sym);
    const checked = checkTaskTerms(problem, r, K);
    bs.push(checked.b);
    w[r] = checked.w;
  }
  const { n: nn, residual } = checkSizesAndResidual(problem, R, K, needN, false);
  return { R, K, A: As, factors: undefined, b: bs, w, n: nn, residual };
}

/** b_r and w_r of task r, checked. */
function checkTaskTerms(
  problem: Pick<FusionProblem, 'b' | 'weights'>,
  r: number,
  K: number,
): { b: Float64Array; w: number } {
  const { b, weights } = problem;
  const br = b[r];
  if (!(br instanceof Float64Array) && !Array.isArray(br)) {
    fail('problem.b has an entry that is not a vector', {
      task: r,
      expected: `a Float64Array of length ${K}`,
      received: describeReceived(br),
    });
  }
  if (br.length !== K)
    fail('problem.b has a vector of the wrong length', {
      task: r,
      expected: `${K}`,
      received: `${br.length}`,
    });
  const bv = Float64Array.from(br as ArrayLike<number>);
  bv.forEach((v, i) => {
    if (!Number.isFinite(v))
      fail('problem.b has a non-finite entry', {
        task: r,
        expected: 'finite numbers',
        received: `${v} at [${i}]`,
      });
  });
  const wr = weights[r];
  if (typeof wr !== 'number' || !Number.isFinite(wr) || wr <= 0) {
    fail('problem.weights has an invalid weight', {
      task: r,
      expected: 'a finite number w_r > 0',
      received: describeReceived(wr),
    });
  }
  return { b: bv, w: wr };
}

/** problem.n and problem.residual, checked (the residual's Q_r as K×K matrices or, factored, Q_r = E_rᵀE_r). */
function checkSizesAndResidual(
  problem: AnyFusionProblem,
  R: number,
  K: number,
  needN: boolean,
  factored: boolean,
): { n: Float64Array | undefined; residual: CheckedProblem['residual'] } {
  const n = problem.n;
  let nn: Float64Array | undefined;
  if (n !== undefined || needN) {
    if (!Array.isArray(n) || n.length !== R) {
      fail('problem.n does not match problem.A', {
        expected: `${R} task sizes n_r`,
        received: describeReceived(n),
        fix: 'The centre penalty weighs task r by w_r √(K/n_r): pass problem.n',
      });
    }
    nn = new Float64Array(R);
    for (let r = 0; r < R; r++) {
      const v = n[r];
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
        fail('problem.n has an invalid size', {
          task: r,
          expected: 'a number n_r > 0',
          received: describeReceived(v),
        });
      nn[r] = v;
    }
  }
  const residual = problem.residual as
    | { Q?: readonly Matrix[]; factors?: readonly Matrix[]; q: unknown[]; s: unknown[] }
    | undefined;
  if (residual !== undefined) {
    const ok =
      typeof residual === 'object' &&
      residual !== null &&
      (factored
        ? Array.isArray(residual.factors) &&
          residual.Q === undefined &&
          residual.factors.length === R &&
          residual.factors.every(
            (E) => E?.cols === K && E.data instanceof Float64Array && E.data.length === E.rows * K,
          )
        : Array.isArray(residual.Q) &&
          residual.factors === undefined &&
          residual.Q.length === R &&
          residual.Q.every((Q) => Q?.rows === K && Q.cols === K && Q.data?.length === K * K)) &&
      Array.isArray(residual.q) &&
      residual.q.length === R &&
      residual.q.every((q) => (q as ArrayLike<number>)?.length === K) &&
      Array.isArray(residual.s) &&
      residual.s.length === R &&
      residual.s.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
    if (!ok)
      fail('problem.residual does not match problem.A', {
        expected: `{ ${factored ? `factors: ${R} m_r×${K} matrices` : `Q: ${R} ${K}×${K} matrices`}, q: ${R} vectors of length ${K}, s: ${R} numbers ≥ 0 }`,
        received: describeReceived(residual),
      });
  }
  return { n: nn, residual: problem.residual };
}

/** A problem given as factors A_r = L_rᵀL_r (see {@link FusionProblem.factors}). */
function checkFactored(problem: FactoredFusionProblem, needN: boolean): CheckedProblem {
  const L = problem.factors;
  if (!Array.isArray(L) || L.length === 0)
    fail('problem.factors must be a non-empty array of m_r×K matrices', {
      expected: 'one matrix L_r per task (A_r = L_rᵀL_r)',
      received: describeReceived(L),
    });
  const R = L.length;
  if (!Array.isArray(problem.b) || problem.b.length !== R)
    fail('problem.b does not match problem.factors', {
      expected: `${R} vectors (one per task)`,
      received: describeReceived(problem.b),
    });
  if (!Array.isArray(problem.weights) || problem.weights.length !== R)
    fail('problem.weights does not match problem.factors', {
      expected: `${R} weights (one per task)`,
      received: describeReceived(problem.weights),
    });
  const K = (L[0] as Matrix)?.cols;
  if (!Number.isInteger(K) || K < 1)
    fail('problem.factors[0] is not a matrix', {
      task: 0,
      expected: 'an m×K Matrix with K ≥ 1',
      received: describeReceived(L[0]),
    });
  const factors: GramFactor[] = [];
  const bs: Float64Array[] = [];
  const w = new Float64Array(R);
  L.forEach((f, r) => {
    if (
      typeof f !== 'object' ||
      f === null ||
      f.cols !== K ||
      !Number.isInteger(f.rows) ||
      f.rows < 0 ||
      !(f.data instanceof Float64Array) ||
      f.data.length !== f.rows * K
    )
      fail('problem.factors has a matrix of the wrong size', {
        task: r,
        expected: `an m_r×${K} Matrix (every task has the same K)`,
        received: f && typeof f === 'object' ? `${f.rows}×${f.cols}` : describeReceived(f),
      });
    const bad = f.data.findIndex((v: number) => !Number.isFinite(v));
    if (bad >= 0)
      fail('problem.factors has a non-finite entry', {
        task: r,
        expected: 'finite numbers',
        received: `${f.data[bad]} at [${Math.floor(bad / K)}, ${bad % K}]`,
        fix: 'Check the factors F_r for NaN or Infinity',
      });
    factors.push({ L: f.data, m: f.rows });
    const checked = checkTaskTerms(problem, r, K);
    bs.push(checked.b);
    w[r] = checked.w;
  });
  const { n, residual } = checkSizesAndResidual(problem, R, K, needN, true);
  return { R, K, A: [], factors, b: bs, w, n, residual };
}

/** Resolves the ridge option to one ρ_r per task. */
export function ridgePerTask(
  ridge: number | readonly number[] | undefined,
  R: number,
): Float64Array {
  const out = new Float64Array(R);
  if (ridge === undefined || typeof ridge === 'number') {
    const v = ridge ?? 1e-3;
    if (!Number.isFinite(v) || v < 0)
      fail('Invalid ridge', { expected: 'a finite number ≥ 0', received: describeReceived(v) });
    out.fill(v);
    return out;
  }
  if (!Array.isArray(ridge) || ridge.length !== R)
    fail('Invalid ridge', {
      expected: `a number or ${R} numbers (one per task)`,
      received: describeReceived(ridge),
    });
  ridge.forEach((v, r) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      fail('Invalid ridge', {
        task: r,
        expected: 'a finite number ≥ 0',
        received: describeReceived(v),
      });
    out[r] = v;
  });
  return out;
}
