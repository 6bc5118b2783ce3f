// The cases whose initial weights and outputs are pinned in pinned-outputs.json (written from the
// encoders as they were before the plugin runtime; see pinned-outputs.test.ts).
export interface PinnedCase {
  readonly name: string;
  readonly kind: 'identity' | 'linear' | 'mlp';
  readonly config?: Record<string, unknown>;
  readonly p: number;
  readonly K: number;
  readonly n: number;
  readonly seed: number;
  readonly tasks?: number;
  readonly linearMap?: boolean;
}

export const CASES: readonly PinnedCase[] = [
  { name: 'identity', kind: 'identity', p: 4, K: 4, n: 3, seed: 1 },
  { name: 'identity batched', kind: 'identity', p: 3, K: 3, n: 2, seed: 1, tasks: 2 },
  { name: 'linear', kind: 'linear', config: {}, p: 5, K: 3, n: 4, seed: 7, linearMap: true },
  { name: 'linear no bias', kind: 'linear', config: { bias: false }, p: 4, K: 2, n: 3, seed: 8 },
  {
    name: 'linear batched',
    kind: 'linear',
    config: {},
    p: 5,
    K: 2,
    n: 3,
    seed: 9,
    tasks: 3,
    linearMap: true,
  },
  { name: 'linear p=1', kind: 'linear', config: {}, p: 1, K: 1, n: 3, seed: 10, tasks: 2 },
  { name: 'mlp', kind: 'mlp', config: {}, p: 6, K: 3, n: 4, seed: 11 },
  {
    name: 'mlp relu two layers',
    kind: 'mlp',
    config: { hidden: [5, 4], activation: 'relu' },
    p: 4,
    K: 2,
    n: 3,
    seed: 12,
  },
  {
    name: 'mlp tanh batched',
    kind: 'mlp',
    config: { hidden: [3], activation: 'tanh' },
    p: 4,
    K: 2,
    n: 3,
    seed: 13,
    tasks: 3,
  },
  {
    name: 'mlp elu no bias batched',
    kind: 'mlp',
    config: { hidden: [4], bias: false },
    p: 3,
    K: 2,
    n: 2,
    seed: 14,
    tasks: 2,
  },
  {
    name: 'mlp hidden [] (linear)',
    kind: 'mlp',
    config: { hidden: [] },
    p: 3,
    K: 2,
    n: 2,
    seed: 15,
    linearMap: true,
  },
];

/** A fixed input: [n, p], or [R, n, p] when batched (row-major). */
export function input(c: PinnedCase): Float32Array {
  const size = (c.tasks ?? 1) * c.n * c.p;
  return Float32Array.from({ length: size }, (_, i) => Math.cos(0.7 * i + c.seed) * (1 + (i % 3)));
}
