import { Random, ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { canonicalLabels, connectedComponents } from './connected-components.js';

/** Oracle: reachability by repeated boolean matrix closure (Warshall). */
function reachability(n: number, pairs: readonly (readonly [number, number])[]): boolean[][] {
  const m = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i === j));
  for (const [a, b] of pairs) {
    m[a]![b] = true;
    m[b]![a] = true;
  }
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) if (m[i]![k] && m[k]![j]) m[i]![j] = true;
  return m;
}

describe('connectedComponents', () => {
  it('labels a hand example 0..G−1 in order of first appearance', () => {
    expect(
      connectedComponents(6, [
        [1, 3],
        [3, 5],
        [2, 4],
      ]),
    ).toEqual([0, 1, 2, 1, 2, 1]);
    expect(connectedComponents(4, [])).toEqual([0, 1, 2, 3]);
    expect(
      connectedComponents(3, [
        [2, 0],
        [1, 2],
      ]),
    ).toEqual([0, 0, 0]);
    expect(connectedComponents(0, [])).toEqual([]);
  });

  it('agrees with reachability on random graphs', () => {
    const rng = new Random(5);
    for (let trial = 0; trial < 30; trial++) {
      const n = 2 + rng.integer(0, 25);
      const pairs: [number, number][] = [];
      const m = rng.integer(0, n);
      for (let k = 0; k < m; k++) pairs.push([rng.integer(0, n), rng.integer(0, n)]);
      const labels = connectedComponents(n, pairs);
      const reach = reachability(n, pairs);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) expect(labels[i] === labels[j]).toBe(reach[i]![j]);
      expect(labels).toEqual(canonicalLabels(labels));
    }
  });

  it('rejects pairs naming missing nodes', () => {
    expect(() => connectedComponents(3, [[0, 3]])).toThrow(ValidationError);
    expect(() => connectedComponents(3, [[0, 3]])).toThrow(/does not exist.*\[0, 3\]/);
    expect(() => connectedComponents(-1, [])).toThrow(ValidationError);
  });
});
