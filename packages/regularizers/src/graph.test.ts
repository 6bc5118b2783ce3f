import { describe, expect, it } from 'vitest';
import { fuse, prepareFusion } from './fusion.js';
import { graph, taskGraphFrom } from './graph.js';
import { createPenalty } from './penalty.js';
import { maxAbsDiff, numericGradient, objectiveFrom } from './test-fixtures/oracles.js';
import { plantedProblem, randomProblem } from './test-fixtures/problems.js';

const RIDGE = 1e-3;

describe('graph (quadratic penalty on a user-given task graph)', () => {
  const problem = randomProblem(21, 6, 3);
  const K = 3;
  const edges = [
    [0, 1, 2],
    [1, 2, 0.5],
    [3, 4, 1],
    [0, 5, 1.5],
    [2, 5, 1],
  ] as const;

  it('the direct solve has zero gradient of the objective λ/|E| Σ a_rs‖β_r − β_s‖² + loss', () => {
    for (const lambda of [0.01, 0.3, 5]) {
      const res = fuse(problem, graph({ edges }), { lambda });
      expect(res.iterations).toBe(0);
      const spec = {
        ...problem,
        ridge: RIDGE,
        edges: edges.map(([r, s, a]) => [r, s, a / edges.length] as const),
        pen: (t: number) => lambda * t * t,
      };
      const flat = new Float64Array(6 * K);
      res.beta.forEach((b, r) => {
        flat.set(b, r * K);
      });
      const f = (x: Float64Array): number =>
        objectiveFrom(
          spec,
          Array.from({ length: 6 }, (_, r) => x.subarray(r * K, (r + 1) * K)),
        );
      const g = numericGradient(f, flat);
      for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-8);
      expect(res.objective).toBeCloseTo(f(flat), 12);
      // Shrinks without fusing.
      expect(res.numGroups).toBe(6);
    }
  });

  it('equals the pairwise ADMM run with the quadratic prox z/(1 + 2λ/ϑ) on the same pairs', () => {
    const pairs = [
      [0, 1],
      [1, 2],
      [3, 4],
      [2, 5],
    ] as const;
    const quadratic = createPenalty({
      kind: 'quadraticAdmm',
      value: (t, l) => l * t * t,
      proxNorm: (a, l, step) => a / (1 + (2 * l) / step),
    });
    for (const lambda of [0.05, 1, 20]) {
      const direct = fuse(problem, graph({ edges: pairs }), { lambda });
      const admm = fuse(problem, quadratic, { lambda, graph: pairs, tol: 1e-13, maxIter: 100000 });
      expect(admm.converged).toBe(true);
      for (let r = 0; r < 6; r++)
        expect(maxAbsDiff(direct.beta[r]!, admm.beta[r]!)).toBeLessThan(1e-9);
    }
  });

  it('a weight matrix and the same edges give the same solution', () => {
    const W = Array.from({ length: 6 }, () => new Array<number>(6).fill(0));
    for (const [r, s, a] of edges) {
      W[r]![s] = a;
      W[s]![r] = a;
    }
    const a = fuse(problem, graph({ weights: W }), { lambda: 0.7 });
    const b = fuse(problem, graph({ edges }), { lambda: 0.7 });
    for (let r = 0; r < 6; r++) expect(maxAbsDiff(a.beta[r]!, b.beta[r]!)).toBeLessThan(1e-14);
    expect(taskGraphFrom({ weights: W })).toEqual(taskGraphFrom({ edges }));
  });

  it('returns a state that warm-starts the same problem and is refused by another graph', () => {
    const prep = prepareFusion(problem, graph({ edges }));
    const res = prep.solve({ lambda: 1 });
    expect(res.state.pairs.length).toBe(5);
    expect(maxAbsDiff(prep.solve({ lambda: 1, warm: res.state }).beta[0]!, res.beta[0]!)).toBe(0);
    expect(() =>
      prepareFusion(problem, graph({ edges: [[0, 1]] })).solve({ lambda: 1, warm: res.state }),
    ).toThrow(/warm start does not belong/);
  });

  it('its default λ grid runs from near-unfused to near-pooled (well-conditioned tasks)', () => {
    const R = 6;
    const { problem } = plantedProblem({ R, seed: 4 });
    const W = Array.from({ length: R }, (_, r) =>
      Array.from({ length: R }, (_, s) => (r === s ? 0 : 1)),
    );
    const path = prepareFusion(problem, graph({ weights: W })).path();
    const unfused = fuse(problem, graph({ weights: W }), { lambda: 0 }).beta;
    const pooled = fuse(problem, graph({ weights: W }), { lambda: 1e9 }).beta[0]!;
    const spread = Math.max(...unfused.map((b) => maxAbsDiff(b, pooled)));
    const first = path[0]!.beta;
    const last = path.at(-1)!.beta;
    expect(Math.max(...first.map((b, r) => maxAbsDiff(b, unfused[r]!)))).toBeLessThan(
      0.05 * spread,
    );
    expect(Math.max(...last.map((b) => maxAbsDiff(b, pooled)))).toBeLessThan(0.05 * spread);
  });

  it('rejects malformed graphs with clear messages', () => {
    expect(() =>
      graph({
        weights: [
          [0, 1],
          [2, 0],
        ],
      }),
    ).toThrow(/not symmetric/);
    expect(() =>
      graph({
        weights: [
          [0, -1],
          [-1, 0],
        ],
      }),
    ).toThrow(/invalid weight.*a_rs ≥ 0/);
    expect(() => graph({ weights: [[0, 1], [1]] })).toThrow(
      /row 1 of the weight matrix has the wrong length/,
    );
    expect(() => graph({ edges: [[0, 0]] })).toThrow(/self-loop/);
    expect(() =>
      graph({
        edges: [
          [0, 1],
          [1, 0],
        ],
      }),
    ).toThrow(/repeats the pair \(0, 1\)/);
    expect(() => graph({ edges: [[0, -1]] })).toThrow(/invalid task index/);
    expect(() => graph({} as never)).toThrow(/needs weights or edges/);
    expect(() => fuse(problem, graph({ edges: [[0, 9]] }), { lambda: 1 })).toThrow(
      /edge names a task that does not exist/,
    );
    expect(() =>
      fuse(
        problem,
        graph({
          weights: [
            [0, 1],
            [1, 0],
          ],
        }),
        { lambda: 1 },
      ),
    ).toThrow(/does not match the number of tasks: expected 6×6/);
  });
});
