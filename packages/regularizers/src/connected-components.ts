import { describeReceived, ValidationError } from '@hetmtl/tensor';

/**
 * Connected components of the graph on nodes 0..n−1 with the given edges (e.g. the pairs whose
 * fused difference η_rs is exactly zero). Labels are 0..G−1 in order of first appearance: node 0
 * has label 0, the first node not connected to it has label 1, and so on.
 */
export function connectedComponents(
  n: number,
  pairs: readonly (readonly [number, number])[],
): number[] {
  if (!Number.isInteger(n) || n < 0) {
    throw new ValidationError('connectedComponents: invalid number of nodes', {
      expected: 'a non-negative integer',
      received: describeReceived(n),
    });
  }
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r];
    let j = i;
    while (parent[j] !== r) {
      const next = parent[j];
      parent[j] = r;
      j = next;
    }
    return r;
  };
  pairs.forEach(([a, b], k) => {
    for (const i of [a, b]) {
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new ValidationError('connectedComponents: pair names a node that does not exist', {
          row: k,
          expected: `integers in [0, ${n - 1}]`,
          received: `[${a}, ${b}]`,
        });
      }
    }
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  });
  const labelOfRoot = new Map<number, number>();
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = find(i);
    let l = labelOfRoot.get(r);
    if (l === undefined) {
      l = labelOfRoot.size;
      labelOfRoot.set(r, l);
    }
    labels.push(l);
  }
  return labels;
}

/** Relabels any labelling to 0..G−1 in order of first appearance. */
export function canonicalLabels(labels: readonly (number | string)[]): number[] {
  const map = new Map<number | string, number>();
  return labels.map((l) => {
    let v = map.get(l);
    if (v === undefined) {
      v = map.size;
      map.set(l, v);
    }
    return v;
  });
}
