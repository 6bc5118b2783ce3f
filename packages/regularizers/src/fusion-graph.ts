import { describeReceived, ValidationError } from '@hetmtl/tensor';

/** An unordered pair of task indices, stored with r < s. */
export type TaskPair = readonly [number, number];

/** All R(R−1)/2 pairs r < s, in lexicographic order. */
export function allPairs(numTasks: number): TaskPair[] {
  const out: TaskPair[] = [];
  for (let r = 0; r < numTasks; r++) for (let s = r + 1; s < numTasks; s++) out.push([r, s]);
  return out;
}

function sqDist(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
  return s;
}

/**
 * The k tasks nearest to task r (ties broken by the lower index), excluding r, by one pass keeping
 * the k best (O(R·k) instead of sorting R) over one row of distances `d` (d[s] = ‖β_r − β_s‖).
 */
function nearestK(d: Float64Array, numTasks: number, r: number, k: number): number[] {
  const best: number[] = [];
  for (let s = 0; s < numTasks; s++) {
    if (s === r) continue;
    if (best.length === k && d[s] >= d[best[k - 1]]) continue;
    // Insert after every kept index with a distance ≤ d(s) (those have lower indices: ties by index).
    let at = best.length;
    while (at > 0 && d[best[at - 1]] > d[s]) at--;
    best.splice(at, 0, s);
    if (best.length > k) best.pop();
  }
  return best;
}

/** ‖β_r − β_s‖ for every s into `out` (0 at s = r): one row of the distances, O(R) memory. */
function distanceRow(beta: readonly Float64Array[], r: number, out: Float64Array): Float64Array {
  for (let s = 0; s < beta.length; s++) out[s] = s === r ? 0 : Math.sqrt(sqDist(beta[r], beta[s]));
  return out;
}

/**
 * The sparse fusion graph: every task joined to its k nearest tasks by the given coefficients
 * (normally the unfused β), symmetrised (a pair is kept when either task chose the other), plus the
 * edges of a Euclidean minimum spanning tree so that the graph is connected (λ → ∞ then still gives
 * one common β). Pairs r < s, sorted. O(R²K) time but O(R·k) memory: the distances are computed a
 * row at a time, never as an R×R matrix (R is in the thousands).
 */
export function knnPairs(beta: readonly Float64Array[], k = 5): TaskPair[] {
  if (!Number.isInteger(k) || k < 1) {
    throw new ValidationError('Invalid knn', {
      expected: 'a positive integer number of neighbours',
      received: describeReceived(k),
    });
  }
  const R = beta.length;
  if (k >= R - 1) return allPairs(R);
  const row = new Float64Array(R);
  const keys = new Set<number>();
  const add = (a: number, b: number): void => {
    keys.add(Math.min(a, b) * R + Math.max(a, b));
  };
  for (let r = 0; r < R; r++)
    for (const s of nearestK(distanceRow(beta, r, row), R, r, k)) add(r, s);
  // Prim's algorithm on the complete graph (O(R²) distances, one row per added node).
  const inTree = new Uint8Array(R);
  const best = new Float64Array(R).fill(Number.POSITIVE_INFINITY);
  const from = new Int32Array(R).fill(-1);
  best[0] = 0;
  for (let it = 0; it < R; it++) {
    let u = -1;
    for (let v = 0; v < R; v++) if (!inTree[v] && (u < 0 || best[v] < best[u])) u = v;
    inTree[u] = 1;
    if (from[u] >= 0) add(u, from[u]);
    distanceRow(beta, u, row);
    for (let v = 0; v < R; v++) {
      const d = row[v];
      if (!inTree[v] && d < best[v]) {
        best[v] = d;
        from[v] = u;
      }
    }
  }
  return [...keys].sort((x, y) => x - y).map((key) => [Math.floor(key / R), key % R] as const);
}

/**
 * The q-quantile (type 7, as {@link quantile}) of ‖β_r − β_s‖ over all R(R−1)/2 pairs r < s in
 * O(R + buckets) memory: a histogram of the distances finds the buckets holding the two order
 * statistics, and only the distances in those buckets are kept and sorted — the same value as
 * sorting all of them, without the R²/2 array (R is in the thousands). Three passes of O(R²K).
 */
export function allPairsDistanceQuantile(beta: readonly Float64Array[], q: number): number {
  const R = beta.length;
  const P = (R * (R - 1)) / 2;
  if (P === 0) return 0;
  const each = (f: (d: number) => void) => {
    for (let r = 0; r < R; r++)
      for (let s = r + 1; s < R; s++) f(Math.sqrt(sqDist(beta[r], beta[s])));
  };
  let top = 0;
  each((d) => {
    if (d > top) top = d;
  });
  if (top === 0) return 0;
  const B = 1 << 16;
  const bucket = (d: number) => Math.min(B - 1, Math.floor((d / top) * B));
  const counts = new Float64Array(B);
  each((d) => {
    counts[bucket(d)] += 1;
  });
  const h = (P - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, P - 1);
  // The buckets of the order statistics lo and hi (0-based ranks), and the ranks before them.
  let below = 0;
  let bLo = -1;
  let bHi = -1;
  let belowLo = 0;
  for (let b = 0; b < B && bHi < 0; b++) {
    if (bLo < 0 && below + counts[b] > lo) {
      bLo = b;
      belowLo = below;
    }
    if (below + counts[b] > hi) bHi = b;
    below += counts[b];
  }
  const kept: number[] = [];
  each((d) => {
    const b = bucket(d);
    if (b >= bLo && b <= bHi) kept.push(d);
  });
  const v = Float64Array.from(kept).sort();
  const vLo = v[lo - belowLo];
  const vHi = v[hi - belowLo];
  return vLo + (h - lo) * (vHi - vLo);
}

/** ‖β_r − β_s‖ over the given pairs. */
export function pairDistances(
  beta: readonly Float64Array[],
  pairs: readonly TaskPair[],
): Float64Array {
  return Float64Array.from(pairs, ([r, s]) => Math.sqrt(sqDist(beta[r], beta[s])));
}

/** The q-quantile of the values (linear interpolation between order statistics, R's type 7). */
export function quantile(values: ArrayLike<number>, q: number, inPlace = false): number {
  const v =
    inPlace && values instanceof Float64Array ? values.sort() : Float64Array.from(values).sort();
  if (v.length === 0) return 0;
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, v.length - 1);
  return v[lo] + (h - lo) * (v[hi] - v[lo]);
}
