import { solveWithJitter } from '@hetmtl/tensor';

/**
 * The new-task pull of method.md §6: a new task's β is pulled toward the nearest learned group
 * centre — the same quadratic coupling as the centre penalty, for one task against a fixed centre:
 * minimise ½βᵀAβ − bᵀβ + ½ρ‖β‖² + ½λ‖β − centre‖².
 */

/** The group centre (mean β of a group) nearest to b. */
export function nearestGroupCentre(
  beta: readonly Float64Array[],
  groups: readonly number[],
  b: Float64Array,
): { centre: Float64Array; group: number } {
  const K = b.length;
  const sums = new Map<number, { s: Float64Array; n: number }>();
  beta.forEach((br, r) => {
    const g = groups[r];
    const e = sums.get(g) ?? { s: new Float64Array(K), n: 0 };
    for (let k = 0; k < K; k++) e.s[k] = e.s[k] + br[k];
    e.n++;
    sums.set(g, e);
  });
  let best = { centre: new Float64Array(K), group: 0, d: Number.POSITIVE_INFINITY };
  for (const [group, { s, n }] of sums) {
    const centre = s.map((v) => v / n);
    const d = centre.reduce((acc, v, k) => acc + (v - b[k]) ** 2, 0);
    if (d < best.d) best = { centre, group, d };
  }
  return best;
}

/** β = (A + (λ + ρ)I)⁻¹(b + λ·centre); λ = ∞ gives the centre. */
export function pullToward(
  A: Float64Array,
  b: Float64Array,
  centre: Float64Array,
  lambda: number,
  ridge: number,
): Float64Array {
  if (lambda === Number.POSITIVE_INFINITY) return centre.slice();
  const K = b.length;
  const M = A.slice();
  for (let k = 0; k < K; k++) M[k * K + k] = M[k * K + k] + lambda + ridge;
  return solveWithJitter(
    M,
    b.map((v, k) => v + lambda * centre[k]),
    K,
    1,
  ).x;
}
