import { describeReceived, ValidationError } from '@hetmtl/tensor';
import { createPenalty, type PenaltyConfig, type Penalty, type TaskGraph } from './penalty.js';

/** A user-given task graph: a symmetric R×R weight matrix, or a list of edges [r, s] / [r, s, a_rs]. */
export type GraphOptions =
  | { readonly weights: readonly (readonly number[])[] }
  | { readonly edges: readonly (readonly [number, number] | readonly [number, number, number])[] };

function bad(summary: string, expected: string, received: string, fix?: string): never {
  throw new ValidationError(`graph(): ${summary}`, { expected, received, ...(fix ? { fix } : {}) });
}

function checkWeight(a: unknown, where: string): number {
  if (typeof a !== 'number' || !Number.isFinite(a) || a < 0)
    bad(`invalid weight ${where}`, 'a finite number a_rs ≥ 0', describeReceived(a));
  return a;
}

/** Turns graph options into pairs r < s with positive weights (zero weights are dropped). */
export function taskGraphFrom(options: GraphOptions, numTasks?: number): TaskGraph {
  const map = new Map<string, [number, number, number]>();
  const checkIndex = (i: unknown, where: string): number => {
    if (
      typeof i !== 'number' ||
      !Number.isInteger(i) ||
      i < 0 ||
      (numTasks !== undefined && i >= numTasks)
    ) {
      bad(
        `invalid task index ${where}`,
        numTasks === undefined ? 'a non-negative integer' : `an integer in [0, ${numTasks - 1}]`,
        describeReceived(i),
        'Index tasks 0..R−1 in the order of problem.A',
      );
    }
    return i;
  };
  if ('weights' in options) {
    const W = options.weights;
    if (!Array.isArray(W))
      bad('weights must be an array of rows', 'number[][]', describeReceived(W));
    const R = W.length;
    if (numTasks !== undefined && R !== numTasks) {
      bad(
        'the weight matrix does not match the number of tasks',
        `${numTasks}×${numTasks}`,
        `${R} rows`,
      );
    }
    W.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== R)
        bad(`row ${r} of the weight matrix has the wrong length`, `${R}`, describeReceived(row));
    });
    for (let r = 0; r < R; r++) {
      for (let s = r + 1; s < R; s++) {
        const a = checkWeight(W[r]![s], `[${r}][${s}]`);
        const b = checkWeight(W[s]![r], `[${s}][${r}]`);
        if (Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a))) {
          bad(
            'the weight matrix is not symmetric',
            `weights[${r}][${s}] = weights[${s}][${r}]`,
            `${a} and ${b}`,
          );
        }
        if (a > 0) map.set(`${r},${s}`, [r, s, a]);
      }
    }
  } else if ('edges' in options) {
    const E = options.edges;
    if (!Array.isArray(E))
      bad('edges must be an array', '[r, s] or [r, s, weight] entries', describeReceived(E));
    E.forEach((e, k) => {
      if (!Array.isArray(e) || (e.length !== 2 && e.length !== 3))
        bad(`edge ${k} is malformed`, '[r, s] or [r, s, weight]', describeReceived(e));
      const r0 = checkIndex(e[0], `in edge ${k}`);
      const s0 = checkIndex(e[1], `in edge ${k}`);
      if (r0 === s0) bad(`edge ${k} is a self-loop`, 'r ≠ s', `[${r0}, ${s0}]`);
      const a = e.length === 3 ? checkWeight(e[2], `of edge ${k}`) : 1;
      const [r, s] = r0 < s0 ? [r0, s0] : [s0, r0];
      const key = `${r},${s}`;
      if (map.has(key))
        bad(`edge ${k} repeats the pair (${r}, ${s})`, 'each pair once', `a duplicate`);
      if (a > 0) map.set(key, [r, s, a]);
    });
  } else {
    bad(
      'needs weights or edges',
      '{ weights: number[][] } or { edges: [r, s, weight?][] }',
      describeReceived(options),
    );
  }
  const list = [...map.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return { pairs: list.map(([r, s]) => [r, s] as const), weights: list.map((x) => x[2]) };
}

/**
 * Quadratic similarity on a user-given task graph: λ Σ_{r<s} a_rs ‖β_r − β_s‖² (divided by the
 * number of edges, like every pairwise penalty). Shrinks without fusing: each task stays its own
 * group. The β-problem is a linear system, solved directly for each λ. `value(t, λ)` = λt² and
 * `prox(z, λ, ϑ)` = z/(1 + 2λ/ϑ).
 */
export function graph(options: GraphOptions): Penalty {
  const g = taskGraphFrom(options);
  const config: PenaltyConfig =
    'weights' in options
      ? { weights: options.weights.map((row) => [...row]) }
      : { edges: options.edges.map((e) => [...e]) };
  return createPenalty({
    kind: 'graph',
    config,
    quadratic: true,
    taskGraph: (numTasks) => {
      const max = g.pairs.reduce((m, [, s]) => Math.max(m, s), -1);
      if ('weights' in options && options.weights.length !== numTasks) {
        bad(
          'the weight matrix does not match the number of tasks',
          `${numTasks}×${numTasks}`,
          `${options.weights.length} rows`,
        );
      }
      if (max >= numTasks)
        bad(
          'an edge names a task that does not exist',
          `indices below ${numTasks}`,
          `${max}`,
          'Index tasks 0..R−1',
        );
      return g;
    },
    value: (norm, lambda) => lambda * norm * norm,
    derivative: (norm, lambda) => 2 * lambda * norm,
    proxNorm: (norm, lambda, step) => norm / (1 + (2 * lambda) / step),
  });
}
