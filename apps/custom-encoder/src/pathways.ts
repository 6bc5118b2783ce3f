import { fromTaskArrays, type MultiTaskDataset } from '@hetmtl/data';
import { Random } from '@hetmtl/tensor';

export interface PathwaysOptions {
  /** Tasks (cancer types) [5]. */
  readonly tasks?: number;
  /** Training rows per task [40]. */
  readonly n?: number;
  /** Test rows per task [200]. */
  readonly testRows?: number;
  /** Genes [400]. */
  readonly p?: number;
  /** Genes per pathway [15]. */
  readonly block?: number;
  /** Expression noise sd [1]. */
  readonly noise?: number;
  /** Response noise sd [0.5]. */
  readonly sigma?: number;
  readonly seed?: number;
}

/** β of the three coefficient groups on the three shared pathways. */
const GROUP_BETA = [
  [1, -1, 0.5],
  [2, 0, 0.5],
  [0, -2, 1],
];

/**
 * Wide expression-like data where the factors are *sparse*: three shared pathways of `block` genes
 * each (the shared factors) and, per task, two task-specific pathways (the task factors), on top of
 * noise genes around a baseline of 5; y = c_r + β_group(r)·f + γ_r·h + ε. Tasks r fall in three
 * coefficient groups (contiguous blocks, (1,1,2,2,3) for 5 tasks). PCA spreads each factor over
 * every gene; a sparse encoder can find the pathways.
 */
export function simulatePathways(options: PathwaysOptions = {}): {
  train: MultiTaskDataset;
  test: MultiTaskDataset;
  groups: number[];
} {
  const R = options.tasks ?? 5;
  const n = options.n ?? 40;
  const testRows = options.testRows ?? 200;
  const p = options.p ?? 400;
  const block = options.block ?? 15;
  const noise = options.noise ?? 1;
  const sigma = options.sigma ?? 0.5;
  const K0 = 3;
  const K1 = 2;
  if ((K0 + R * K1) * block > p)
    throw new RangeError(`p = ${p} genes cannot hold ${K0 + R * K1} pathways of ${block} genes`);
  const rng = new Random(options.seed ?? 1);
  const groups = Array.from({ length: R }, (_, r) => Math.floor((3 * r) / R));
  const tasks = groups.map((g) => ({
    c: rng.normal(),
    gamma: [rng.normal(0, 0.5), rng.normal(0, 0.5)],
    beta: GROUP_BETA[g],
  }));
  const draw = (r: number, m: number) => {
    const X = new Float64Array(m * p);
    const y = new Float64Array(m);
    const t = tasks[r];
    for (let i = 0; i < m; i++) {
      const f = [rng.normal(), rng.normal(), rng.normal()];
      const h = [rng.normal(), rng.normal()];
      for (let j = 0; j < p; j++) X[i * p + j] = 5 + noise * rng.normal();
      f.forEach((v, k) => {
        for (let j = 0; j < block; j++) X[i * p + k * block + j] += v;
      });
      h.forEach((v, k) => {
        for (let j = 0; j < block; j++) X[i * p + (K0 + r * K1 + k) * block + j] += v;
      });
      let v = t.c + sigma * rng.normal();
      f.forEach((fk, k) => {
        v += t.beta[k] * fk;
      });
      h.forEach((hk, k) => {
        v += t.gamma[k] * hk;
      });
      y[i] = v;
    }
    return { X, y };
  };
  const train: Record<string, { X: Float64Array; y: Float64Array }> = {};
  const test: Record<string, { X: Float64Array; y: Float64Array }> = {};
  const featureNames = Array.from({ length: p }, (_, j) => `gene${j + 1}`);
  for (let r = 0; r < R; r++) {
    train[`type${r + 1}`] = draw(r, n);
    test[`type${r + 1}`] = draw(r, testRows);
  }
  return {
    train: fromTaskArrays(train, { featureNames }),
    test: fromTaskArrays(test, { featureNames }),
    groups,
  };
}
