import { describeReceived, portableLog, Random, ValidationError } from '@hetmtl/tensor';
import {
  buildDatasets,
  checkInt,
  checkReal,
  columnsToMatrix,
  groupMemberships,
  groupValues,
  orthonormalColumns,
  SHARED_FACTORS,
  type Simulation,
  type SimulationTruth,
  TASK_FACTORS,
  taskSizes,
  checkOptionKeys,
} from './simulate-common.js';
import { checkDtype, type Dtype } from './values.js';

/** The five cancer types of the Novartis PDX Encyclopedia (Gao et al. 2015) with expression data. */
export const PDX_TASKS: readonly string[] = Object.freeze(['BRCA', 'CRC', 'CM', 'NSCLC', 'PDAC']);

export interface PdxLikeOptions {
  /** Task names [BRCA, CRC, CM, NSCLC, PDAC]. */
  readonly tasks?: readonly string[];
  /** Training rows per task: one number or one per task. Default: drawn uniformly from [minRows, maxRows]. */
  readonly n?: number | readonly number[];
  /** Smallest task when sizes are drawn [20]. */
  readonly minRows?: number;
  /** Largest task when sizes are drawn [45]. */
  readonly maxRows?: number;
  /** Test rows per task [100]. */
  readonly testRows?: number | readonly number[];
  /** Number of genes (features) [300]; PDX-like data has 200–500. */
  readonly p?: number;
  /** Expression noise σx [0.5]. */
  readonly sigmaX?: number;
  /** Shift of the shared factors between cancer types δX [0.5]. */
  readonly deltaX?: number;
  /** Posterior shift between coefficient groups δY [1]. */
  readonly deltaY?: number;
  /** Size of the log-scale effects: β_r = effect·α_group, γ_r ~ N(0, (effect/2)²) [0.25]. */
  readonly effect?: number;
  /** Log-scale response noise σ [0.3]. */
  readonly sigma?: number;
  /** Median time to tumour doubling in days, the scale of the response [20]. */
  readonly medianDays?: number;
  readonly groups?: readonly number[];
  /** Seed [0]. */
  readonly seed?: number | string;
  readonly dtype?: Dtype;
}

export type PdxLikeSettings = Required<
  Omit<PdxLikeOptions, 'groups' | 'n' | 'testRows' | 'tasks'>
> & {
  readonly tasks: readonly string[];
  readonly n: readonly number[];
  readonly testRows: readonly number[];
  readonly groups: readonly number[];
};

export interface PdxTruth extends SimulationTruth {
  readonly design: 'pdx-like';
  /** Mean log2-expression of each gene (the same in every task). */
  readonly geneBaseline: Float64Array;
  /** Noise-free log responses of the training and test rows: log y = logMean + N(0, σ²). */
  readonly trainLogMeans: readonly Float64Array[];
  readonly testLogMeans: readonly Float64Array[];
  /** Per test row, the median of y given the latent factors, exp(logMean). */
  readonly testMedians: readonly Float64Array[];
}

/**
 * A stand-in for the PDX data of the paper (method.md §8), which is not reachable: five cancer
 * types with 20–45 models each, a few hundred gene-expression-like features (a gene baseline plus
 * the factor structure of the factor design), and a log-normal response, time to tumour doubling
 * in days: log y = log(medianDays) + c_r/4 + β_r·f + γ_r·h + ε. `truth.testMeans` are the
 * conditional means exp(logMean + σ²/2); `truth.testMedians` the medians exp(logMean).
 */
export function simulatePdxLike(
  options: PdxLikeOptions = {},
): Simulation<PdxTruth, PdxLikeSettings> {
  const names = options.tasks ?? PDX_TASKS;
  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    names.some((t) => typeof t !== 'string' || t === '') ||
    new Set(names).size !== names.length
  ) {
    throw new ValidationError('Invalid tasks', {
      column: 'tasks',
      expected: 'distinct non-empty task names',
      received: describeReceived(names),
    });
  }
  const R = names.length;
  const minRows = checkInt(options.minRows ?? 20, 'minRows', 1);
  const maxRows = checkInt(options.maxRows ?? 45, 'maxRows', minRows);
  const root = new Random(options.seed ?? 0);
  const sizeRng = root.child();
  const structure = root.child();
  const trainRng = root.child();
  const testRng = root.child();
  const n =
    options.n === undefined
      ? names.map(() => sizeRng.integer(minRows, maxRows + 1))
      : taskSizes(options.n, R, 'n');
  const p = checkInt(options.p ?? 300, 'p', SHARED_FACTORS + TASK_FACTORS);
  const settings: PdxLikeSettings = Object.freeze({
    tasks: Object.freeze([...names]),
    n: Object.freeze(n),
    minRows,
    maxRows,
    testRows: Object.freeze(taskSizes(options.testRows ?? 100, R, 'testRows')),
    p,
    sigmaX: checkReal(options.sigmaX ?? 0.5, 'sigmaX', 0),
    deltaX: checkReal(options.deltaX ?? 0.5, 'deltaX'),
    deltaY: checkReal(options.deltaY ?? 1, 'deltaY'),
    effect: checkReal(options.effect ?? 0.25, 'effect'),
    sigma: checkReal(options.sigma ?? 0.3, 'sigma', 0),
    medianDays: checkReal(options.medianDays ?? 20, 'medianDays', Number.MIN_VALUE),
    groups: Object.freeze(groupMemberships(R, options.groups)),
    seed: options.seed ?? 0,
    dtype: checkDtype(options.dtype) ?? 'float64',
  });
  checkOptionKeys(options, Object.keys(settings), 'simulatePdxLike');
  const { sigmaX, deltaX, sigma, effect } = settings;
  const K0 = SHARED_FACTORS;
  const K1 = TASK_FACTORS;
  const geneBaseline = Float64Array.from({ length: p }, () => structure.normal(6, 1.5));
  const q0 = orthonormalColumns(structure, p, K0);
  const A0 = columnsToMatrix(q0, p, 0.5 * Math.sqrt(p / K0));
  const alphas = groupValues(settings.deltaY);
  const logMedian = portableLog(settings.medianDays);
  const tasks = names.map((_, r) => {
    const m = Array.from({ length: K0 }, () => structure.normal());
    const Ar = columnsToMatrix(
      orthonormalColumns(structure, p, K1, undefined, q0),
      p,
      0.5 * Math.sqrt(p / K1),
    );
    const gamma = Array.from({ length: K1 }, () => structure.normal(0, effect / 2));
    const c = structure.normal();
    const beta = alphas[settings.groups[r]].map((a) => effect * a);
    return { m, Ar, gamma, c, beta };
  });
  const draw = (rng: Random, r: number, rows: number) => {
    const t = tasks[r];
    const X = new Float64Array(rows * p);
    const y = new Float64Array(rows);
    const logMean = new Float64Array(rows);
    const f = new Float64Array(K0);
    const h = new Float64Array(K1);
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < K0; k++) f[k] = deltaX * t.m[k] + rng.normal();
      for (let k = 0; k < K1; k++) h[k] = rng.normal();
      for (let j = 0; j < p; j++) {
        let v = geneBaseline[j] + sigmaX * rng.normal();
        for (let k = 0; k < K0; k++) v += A0.data[j * K0 + k] * f[k];
        for (let k = 0; k < K1; k++) v += t.Ar.data[j * K1 + k] * h[k];
        X[i * p + j] = v;
      }
      let mu = logMedian + t.c / 4;
      for (let k = 0; k < K0; k++) mu += t.beta[k] * f[k];
      for (let k = 0; k < K1; k++) mu += t.gamma[k] * h[k];
      logMean[i] = mu;
      y[i] = Math.exp(mu + sigma * rng.normal());
    }
    return { X, y, logMean };
  };
  const train = names.map((_, r) => draw(trainRng.child(), r, n[r]));
  const test = names.map((_, r) => draw(testRng.child(), r, settings.testRows[r]));
  const data = buildDatasets(
    names,
    train,
    test,
    p,
    settings.dtype,
    Array.from({ length: p }, (_, j) => `gene${j + 1}`),
  );
  const half = (sigma * sigma) / 2;
  const truth: PdxTruth = Object.freeze({
    design: 'pdx-like',
    groups: settings.groups,
    groupValues: alphas.map((a) => a.map((v) => effect * v)),
    beta: tasks.map((t) => t.beta),
    gamma: tasks.map((t) => t.gamma),
    c: tasks.map((t) => logMedian + t.c / 4),
    sharedLoadings: A0,
    taskLoadings: tasks.map((t) => t.Ar),
    geneBaseline,
    trainLogMeans: train.map((d) => d.logMean),
    testLogMeans: test.map((d) => d.logMean),
    trainMeans: train.map((d) => d.logMean.map((v) => Math.exp(v + half))),
    testMeans: test.map((d) => d.logMean.map((v) => Math.exp(v + half))),
    testMedians: test.map((d) => d.logMean.map((v) => Math.exp(v))),
  });
  return Object.freeze({ ...data, truth, settings });
}
