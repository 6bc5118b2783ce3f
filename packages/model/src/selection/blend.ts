import { solveWithJitter } from '@hetmtl/tensor';

/** The most candidates the exact simplex solve takes (2^M − 1 supports); more are cut to the best by score. */
export const MAX_BLEND = 12;

/**
 * Stacking weights (the super learner's convex combination): the a ≥ 0 with Σ a = 1 minimising
 * Σ_i v_i (y_i − Σ_m a_m P_m[i])² — the candidates' validation predictions P_m of the rows y, row
 * weights v. Exact: the optimum of this convex problem is, on its support S, the least-squares
 * solution on the affine hull Σ_{m∈S} a_m = 1, so every support is solved in closed form (KKT:
 * a = Q⁻¹c − μQ⁻¹1, μ from the constraint) and the best feasible one kept. Ties (identical
 * candidates) go to the smaller support, then to the earlier candidates. M ≤ {@link MAX_BLEND}.
 */
export function simplexWeights(
  P: readonly Float64Array[],
  y: Float64Array,
  v: Float64Array,
): { weights: number[]; loss: number } {
  const M = P.length;
  if (M === 0 || M > MAX_BLEND)
    throw new RangeError(`simplexWeights takes 1 to ${MAX_BLEND} candidates, got ${M}`);
  const n = y.length;
  // Q = PᵀVP, c = PᵀVy, s = yᵀVy: the loss of a is aᵀQa − 2aᵀc + s.
  const Q = new Float64Array(M * M);
  const c = new Float64Array(M);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const vi = v[i];
    s += vi * y[i] * y[i];
    for (let a = 0; a < M; a++) {
      const pa = vi * P[a][i];
      c[a] = c[a] + pa * y[i];
      for (let b = a; b < M; b++) Q[a * M + b] = Q[a * M + b] + pa * P[b][i];
    }
  }
  for (let a = 0; a < M; a++) for (let b = 0; b < a; b++) Q[a * M + b] = Q[b * M + a];
  const lossOf = (w: ArrayLike<number>) => {
    let l = s;
    for (let a = 0; a < M; a++) {
      l -= 2 * w[a] * c[a];
      for (let b = 0; b < M; b++) l += w[a] * Q[a * M + b] * w[b];
    }
    return l;
  };
  let best: { weights: number[]; loss: number; size: number } | null = null;
  const scale = Math.max(1e-300, ...Array.from({ length: M }, (_, m) => Q[m * M + m]));
  for (let mask = 1; mask < 1 << M; mask++) {
    const S: number[] = [];
    for (let m = 0; m < M; m++) if (mask & (1 << m)) S.push(m);
    const k = S.length;
    const QS = new Float64Array(k * k);
    const rhs = new Float64Array(2 * k);
    S.forEach((a, i) => {
      S.forEach((b, j) => {
        QS[i * k + j] = Q[a * M + b] / scale;
      });
      rhs[2 * i] = c[a] / scale;
      rhs[2 * i + 1] = 1;
    });
    const x = solveWithJitter(QS, rhs, k, 2).x;
    let sumC = 0;
    let sumOne = 0;
    for (let i = 0; i < k; i++) {
      sumC += x[2 * i];
      sumOne += x[2 * i + 1];
    }
    const mu = (sumC - 1) / sumOne;
    const w = new Array<number>(M).fill(0);
    let feasible = true;
    S.forEach((m, i) => {
      w[m] = x[2 * i] - mu * x[2 * i + 1];
      if (!(w[m] > -1e-12)) feasible = false;
    });
    if (!feasible) continue;
    for (const m of S) w[m] = Math.max(0, w[m]);
    const total = w.reduce((a, b) => a + b, 0);
    for (const m of S) w[m] = w[m] / total;
    const loss = lossOf(w);
    const tol = 1e-12 * Math.max(1, Math.abs(s));
    if (
      best === null ||
      loss < best.loss - tol ||
      (Math.abs(loss - best.loss) <= tol && k < best.size)
    )
      best = { weights: w, loss, size: k };
  }
  // The single candidates are always feasible, so there is a best.
  const b = best as { weights: number[]; loss: number };
  return { weights: b.weights, loss: b.loss };
}
