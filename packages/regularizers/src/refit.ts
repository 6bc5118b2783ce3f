import { describeReceived, ValidationError } from '@hetmtl/tensor';
import { factorOrExplain } from './dense-cholesky.js';
import { gramOf, shiftedGramSolve } from './low-rank.js';
import {
  type AnyFusionProblem,
  type CheckedProblem,
  checkProblem,
  ridgePerTask,
} from './problem.js';

/** Refit with tied coefficients on checked inputs (internal). */
export function refitChecked(
  p: CheckedProblem,
  groups: readonly number[],
  ridge: Float64Array,
): Float64Array[] {
  const { R, K } = p;
  const G = groups.reduce((m, g) => Math.max(m, g), -1) + 1;
  const factors = p.factors;
  if (factors) {
    // θ_g = (Σ_{r∈g} w_r L_rᵀL_r + (Σ_{r∈g} ρ_r) I)⁻¹ Σ_{r∈g} w_r b_r: through the stacked
    // factors (an m×m system, m = Σ_{r∈g} m_r) when they have fewer rows than K, else through the
    // K×K matrix itself (a group of thousands of few-row tasks: m in the thousands, K small).
    const byGroup: number[][] = Array.from({ length: G }, () => []);
    groups.forEach((l, r) => {
      byGroup[l].push(r);
    });
    const theta = byGroup.map((members, l) => {
      const rhs = new Float64Array(K);
      let shift = 0;
      let rows = 0;
      for (const r of members) {
        shift += ridge[r];
        rows += factors[r].m;
        for (let i = 0; i < K; i++) rhs[i] = rhs[i] + p.w[r] * p.b[r][i];
      }
      if (members.length === 0) return rhs;
      if (rows > K) {
        const H = new Float64Array(K * K);
        for (const r of members) {
          const A = gramOf(factors[r], K);
          for (let i = 0; i < K * K; i++) H[i] = H[i] + p.w[r] * A[i];
        }
        for (let i = 0; i < K; i++) H[i * K + i] = H[i * K + i] + shift;
        return factorOrExplain(H, K, `The refit system of group ${l}`).solve(rhs);
      }
      return shiftedGramSolve(
        members.map((r) => factors[r]),
        members.map((r) => p.w[r]),
        K,
        shift,
        rhs,
        `The refit system of group ${l}`,
      );
    });
    return groups.map((l) => theta[l].slice());
  }
  const H = Array.from({ length: G }, () => new Float64Array(K * K));
  const g = Array.from({ length: G }, () => new Float64Array(K));
  for (let r = 0; r < R; r++) {
    const l = groups[r];
    const Hl = H[l] as Float64Array;
    const gl = g[l] as Float64Array;
    const w = p.w[r];
    const A = p.A[r];
    const b = p.b[r];
    for (let i = 0; i < K * K; i++) Hl[i] = Hl[i] + w * A[i];
    for (let i = 0; i < K; i++) {
      Hl[i * K + i] = Hl[i * K + i] + ridge[r];
      gl[i] = gl[i] + w * b[i];
    }
  }
  const theta = H.map((Hl, l) =>
    factorOrExplain(Hl, K, `The refit system of group ${l}`).solve(g[l] as Float64Array),
  );
  return groups.map((l) => theta[l].slice());
}

/**
 * Refit within groups: the least-squares solution with coefficients tied within each group,
 * θ_g = (Σ_{r∈g} (w_r A_r + ρ_r I))⁻¹ Σ_{r∈g} w_r b_r, returned per task (β_r = θ_{g(r)}).
 * No similarity penalty is applied (it is zero within groups; between groups it is ignored).
 */
export function refitGroups(
  problem: AnyFusionProblem,
  groups: readonly number[],
  options: { readonly ridge?: number | readonly number[] } = {},
): Float64Array[] {
  const p = checkProblem(problem);
  if (!Array.isArray(groups) || groups.length !== p.R) {
    throw new ValidationError('refitGroups: groups do not match the problem', {
      expected: `${p.R} group labels (one per task)`,
      received: describeReceived(groups),
    });
  }
  groups.forEach((l, r) => {
    if (!Number.isInteger(l) || l < 0 || l >= p.R) {
      throw new ValidationError('refitGroups: invalid group label', {
        task: r,
        expected: `an integer in [0, ${p.R - 1}]`,
        received: describeReceived(l),
      });
    }
  });
  // Empty labels (e.g. labels 0 and 2 but no 1) simply produce unused groups; relabel to avoid them.
  const map = new Map<number, number>();
  const dense = groups.map((l) => {
    let v = map.get(l);
    if (v === undefined) {
      v = map.size;
      map.set(l, v);
    }
    return v;
  });
  return refitChecked(p, dense, ridgePerTask(options.ridge, p.R));
}
