import { Random, ValidationError } from '@hetmtl/tensor';
import {
  buildDatasets,
  checkInt,
  checkReal,
  columnsToMatrix,
  groupMemberships,
  groupValues,
  hAlpha,
  orthonormalColumns,
  SHARED_FACTORS,
  type Simulation,
  type SimulationTruth,
  TASK_FACTORS,
  taskNames,
  taskSizes,
  checkOptionKeys,
} from './simulate-common.js';
import { checkDtype, type Dtype } from './values.js';

/** Parameters of the covariate design (method.md §7); defaults in brackets. */
export interface CovariateDesignOptions {
  /** R, the number of tasks [5]. */
  readonly numTasks?: number;
  /** n_r, training rows per task [100]: one number, or one per task. */
  readonly n?: number | readonly number[];
  /** Test rows per task [500]: one number, or one per task. */
  readonly testRows?: number | readonly number[];
  /** p, the number of features [50]; at least sharedSupport + 2. */
  readonly p?: number;
  /** ρ, the base correlation of the AR(1) covariance ρ_r^|j−k| [0.5]. */
  readonly rho?: number;
  /** δX, distribution shift: task means δX·u_r and correlations ρ_r spread around ρ [0.5]. */
  readonly deltaX?: number;
  /** δY, posterior shift between the coefficient groups [1]. */
  readonly deltaY?: number;
  /** α, nonlinearity of h [0.5]. */
  readonly alpha?: number;
  /** σ, response noise [1]. */
  readonly sigma?: number;
  /** Coefficient group of each task (0, 1 or 2). Default: contiguous blocks ((1,1,2,2,3) for R = 5). */
  readonly groups?: readonly number[];
  /** The shared loadings A0 live on the first `sharedSupport` features [10]. */
  readonly sharedSupport?: number;
  /** Each task's loadings A_r live on a block of this many features after the shared ones [10]. */
  readonly taskBlock?: number;
  /** Seed [0]. */
  readonly seed?: number | string;
  /** Storage of X ["float64"]. */
  readonly dtype?: Dtype;
}

export type CovariateDesignSettings = Required<
  Omit<CovariateDesignOptions, 'groups' | 'n' | 'testRows'>
> & {
  readonly n: readonly number[];
  readonly testRows: readonly number[];
  readonly groups: readonly number[];
};

export interface CovariateTruth extends SimulationTruth {
  readonly design: 'covariate';
  /** μ_r = δX·u_r per task (u_r a random unit vector): the mean of x in task r. */
  readonly featureMeans: readonly Float64Array[];
  /** ρ_r = clip(ρ + δX·(r − (R+1)/2)/R, 0, 0.95) (r = 1..R): Σ_r(j,k) = ρ_r^|j−k|. */
  readonly rho: readonly number[];
  /** The features [start, end) that carry each task's loadings A_r. */
  readonly taskBlocks: readonly (readonly [number, number])[];
}

/**
 * The covariate design of method.md §7 (robustness: no factor structure in x). x ~ N(μ_r, Σ_r) with
 * μ_r = δX·u_r and Σ_r(j,k) = ρ_r^|j−k| (drawn exactly as a stationary AR(1) sequence); shared
 * factors z0 = h(A0ᵀx) with A0 orthonormal on the first `sharedSupport` features, task factors
 * zr = h(A_rᵀx) with A_r orthonormal on a task block, h(u) = (1 − α)u + α(u² − 1);
 * y = c_r + z0·β_r + zr·γ_r + ε, ε ~ N(0, σ²). Task blocks of `taskBlock` features are spread
 * evenly over features sharedSupport+1 … p (they overlap when R blocks do not fit side by side).
 */
export function simulateCovariate(
  options: CovariateDesignOptions = {},
): Simulation<CovariateTruth, CovariateDesignSettings> {
  const R = checkInt(options.numTasks ?? 5, 'numTasks', 1);
  const sharedSupport = checkInt(options.sharedSupport ?? 10, 'sharedSupport', SHARED_FACTORS);
  const p = checkInt(options.p ?? 50, 'p', sharedSupport + TASK_FACTORS);
  const settings: CovariateDesignSettings = Object.freeze({
    numTasks: R,
    n: Object.freeze(taskSizes(options.n ?? 100, R, 'n')),
    testRows: Object.freeze(taskSizes(options.testRows ?? 500, R, 'testRows')),
    p,
    rho: checkReal(options.rho ?? 0.5, 'rho', 0, 0.95),
    deltaX: checkReal(options.deltaX ?? 0.5, 'deltaX'),
    deltaY: checkReal(options.deltaY ?? 1, 'deltaY'),
    alpha: checkReal(options.alpha ?? 0.5, 'alpha'),
    sigma: checkReal(options.sigma ?? 1, 'sigma', 0),
    groups: Object.freeze(groupMemberships(R, options.groups)),
    sharedSupport,
    taskBlock: checkInt(options.taskBlock ?? 10, 'taskBlock', TASK_FACTORS),
    seed: options.seed ?? 0,
    dtype: checkDtype(options.dtype) ?? 'float64',
  });
  checkOptionKeys(options, Object.keys(settings), 'simulateCovariate');
  const block = Math.min(settings.taskBlock, p - sharedSupport);
  if (block < TASK_FACTORS) {
    throw new ValidationError('Too few features for the task blocks', {
      column: 'p',
      expected: `p ≥ sharedSupport + ${TASK_FACTORS}`,
      received: `p = ${p}, sharedSupport = ${sharedSupport}`,
    });
  }
  const { deltaX, alpha, sigma } = settings;
  const root = new Random(settings.seed);
  const structure = root.child();
  const trainRng = root.child();
  const testRng = root.child();
  const K0 = SHARED_FACTORS;
  const K1 = TASK_FACTORS;

  const sharedRows = Array.from({ length: sharedSupport }, (_, i) => i);
  const A0 = columnsToMatrix(orthonormalColumns(structure, p, K0, sharedRows), p);
  const alphas = groupValues(settings.deltaY);
  const names = taskNames(R);
  const span = p - sharedSupport - block;
  const tasks = names.map((_, r) => {
    const start = sharedSupport + Math.round((r * span) / Math.max(1, R - 1));
    const blockRows = Array.from({ length: block }, (__, i) => start + i);
    const u = new Float64Array(p);
    let norm = 0;
    for (let j = 0; j < p; j++) {
      u[j] = structure.normal();
      norm += u[j] ** 2;
    }
    norm = Math.sqrt(norm);
    const mu = Float64Array.from(u, (v) => (deltaX * v) / norm);
    const rho = Math.min(0.95, Math.max(0, settings.rho + (deltaX * (r + 1 - (R + 1) / 2)) / R));
    const Ar = columnsToMatrix(orthonormalColumns(structure, p, K1, blockRows), p);
    const gamma = Array.from({ length: K1 }, () => structure.normal(0, 0.5));
    const c = structure.normal();
    return {
      mu,
      rho,
      Ar,
      gamma,
      c,
      beta: alphas[settings.groups[r]],
      block: [start, start + block] as const,
    };
  });

  const draw = (rng: Random, r: number, n: number) => {
    const t = tasks[r];
    const X = new Float64Array(n * p);
    const y = new Float64Array(n);
    const mean = new Float64Array(n);
    const innov = Math.sqrt(1 - t.rho * t.rho);
    const a0 = A0.data;
    const ar = t.Ar.data;
    for (let i = 0; i < n; i++) {
      // Stationary AR(1): unit variance, Corr(x_j, x_k) = ρ^|j−k|.
      let prev = rng.normal();
      for (let j = 0; j < p; j++) {
        if (j > 0) prev = t.rho * prev + innov * rng.normal();
        X[i * p + j] = t.mu[j] + prev;
      }
      let m = t.c;
      for (let k = 0; k < K0; k++) {
        let z = 0;
        for (let j = 0; j < sharedSupport; j++) z += a0[j * K0 + k] * X[i * p + j];
        m += t.beta[k] * hAlpha(z, alpha);
      }
      for (let k = 0; k < K1; k++) {
        let z = 0;
        for (let j = t.block[0]; j < t.block[1]; j++) z += ar[j * K1 + k] * X[i * p + j];
        m += t.gamma[k] * hAlpha(z, alpha);
      }
      mean[i] = m;
      y[i] = m + sigma * rng.normal();
    }
    return { X, y, mean };
  };
  const train = names.map((_, r) => draw(trainRng.child(), r, settings.n[r]));
  const test = names.map((_, r) => draw(testRng.child(), r, settings.testRows[r]));
  const data = buildDatasets(names, train, test, p, settings.dtype);
  const truth: CovariateTruth = Object.freeze({
    design: 'covariate',
    groups: settings.groups,
    groupValues: alphas,
    beta: tasks.map((t) => t.beta),
    gamma: tasks.map((t) => t.gamma),
    c: tasks.map((t) => t.c),
    sharedLoadings: A0,
    taskLoadings: tasks.map((t) => t.Ar),
    featureMeans: tasks.map((t) => t.mu),
    rho: tasks.map((t) => t.rho),
    taskBlocks: tasks.map((t) => t.block),
    trainMeans: train.map((d) => d.mean),
    testMeans: test.map((d) => d.mean),
  });
  return Object.freeze({ ...data, truth, settings });
}
