import { describeReceived, portableExp, Random, ValidationError } from '@hetmtl/tensor';
import {
  bernoulli,
  buildDatasets,
  checkInt,
  checkReal,
  columnsToMatrix,
  groupMemberships,
  groupValues,
  hAlpha,
  orthonormalColumns,
  poisson,
  SHARED_FACTORS,
  type SimulatedFamily,
  type Simulation,
  type SimulationTruth,
  TASK_FACTORS,
  taskNames,
  taskSizes,
  checkOptionKeys,
} from './simulate-common.js';
import { checkDtype, type Dtype } from './values.js';

/** Parameters of the factor design (method.md §7); defaults in brackets there and here. */
export interface FactorDesignOptions {
  /** R, the number of tasks [5]. */
  readonly numTasks?: number;
  /** n_r, training rows per task [120]: one number, or one per task. */
  readonly n?: number | readonly number[];
  /** Test rows per task [500]: one number, or one per task. */
  readonly testRows?: number | readonly number[];
  /** p, the number of features [100] (at least 5). */
  readonly p?: number;
  /** σx, feature noise [0.5]. */
  readonly sigmaX?: number;
  /** δX, distribution shift: shared factors have mean δX·m_r [0.5]. */
  readonly deltaX?: number;
  /** δY, posterior shift between the coefficient groups [1]. */
  readonly deltaY?: number;
  /** σ, response noise [0.5]. */
  readonly sigma?: number;
  /** α, nonlinearity of h_α [0]. */
  readonly alpha?: number;
  /**
   * The response ['gaussian']: y = η + σε; `binomial`: y ~ Bernoulli(1 / (1 + e^(−s·η))); `poisson`:
   * y ~ Poisson(e^(s·η)), with η = c_r + β_r·h_α(f) + γ_r·h_α(h) and s = `linkScale` (σ is not used).
   */
  readonly family?: SimulatedFamily;
  /** s, the scale of η on the link scale of binomial and poisson [1 binomial, 0.5 poisson; 1 gaussian]. */
  readonly linkScale?: number;
  /** Coefficient group of each task (0, 1 or 2). Default: contiguous blocks ((1,1,2,2,3) for R = 5). */
  readonly groups?: readonly number[];
  /** Seed [0]: everything is drawn from it. */
  readonly seed?: number | string;
  /** Storage of X ["float64"]. */
  readonly dtype?: Dtype;
}

export type FactorDesignSettings = Required<
  Omit<FactorDesignOptions, 'groups' | 'n' | 'testRows'>
> & {
  readonly n: readonly number[];
  readonly testRows: readonly number[];
  readonly groups: readonly number[];
};

export interface FactorTruth extends SimulationTruth {
  readonly design: 'factor';
  /** The linear predictor s·η of the training and test rows, per task (the link scale; gaussian: the means). */
  readonly linearPredictors: {
    readonly train: readonly Float64Array[];
    readonly test: readonly Float64Array[];
  };
  /** m_r per task (3 entries): the shared factors of task r have mean δX·m_r. */
  readonly shift: readonly (readonly number[])[];
  /** The latent factors of the training and test rows (row-major n×3 and n×2), per task. */
  readonly factors: {
    readonly train: readonly { readonly shared: Float64Array; readonly task: Float64Array }[];
    readonly test: readonly { readonly shared: Float64Array; readonly task: Float64Array }[];
  };
}

/**
 * The factor design of method.md §7 (the structure the method assumes). Shared loadings A0 (p×3)
 * and task loadings A_r (p×2, orthogonal to A0) have random orthonormal columns scaled by
 * 0.5·√(p/K); shared factors f ~ N(δX·m_r, I) with m_r ~ N(0, I) per task, task factors
 * h ~ N(0, I); x = A0 f + A_r h + σx·noise; y = c_r + β_r·h_α(f) + γ_r·h_α(h) + ε, ε ~ N(0, σ²).
 * Training and test rows come from separate streams of the seed, so changing testRows leaves the
 * training rows as they are.
 */
export function simulateFactor(
  options: FactorDesignOptions = {},
): Simulation<FactorTruth, FactorDesignSettings> {
  const R = checkInt(options.numTasks ?? 5, 'numTasks', 1);
  const p = checkInt(options.p ?? 100, 'p', SHARED_FACTORS + TASK_FACTORS);
  const settings: FactorDesignSettings = Object.freeze({
    numTasks: R,
    n: Object.freeze(taskSizes(options.n ?? 120, R, 'n')),
    testRows: Object.freeze(taskSizes(options.testRows ?? 500, R, 'testRows')),
    p,
    sigmaX: checkReal(options.sigmaX ?? 0.5, 'sigmaX', 0),
    deltaX: checkReal(options.deltaX ?? 0.5, 'deltaX'),
    deltaY: checkReal(options.deltaY ?? 1, 'deltaY'),
    sigma: checkReal(options.sigma ?? 0.5, 'sigma', 0),
    alpha: checkReal(options.alpha ?? 0, 'alpha'),
    family: checkFamily(options.family),
    linkScale: checkReal(
      options.linkScale ?? (options.family === 'poisson' ? 0.5 : 1),
      'linkScale',
      Number.MIN_VALUE,
    ),
    groups: Object.freeze(groupMemberships(R, options.groups)),
    seed: options.seed ?? 0,
    dtype: checkDtype(options.dtype) ?? 'float64',
  });
  checkOptionKeys(options, Object.keys(settings), 'simulateFactor');
  const { sigmaX, deltaX, sigma, alpha, family, linkScale } = settings;
  const root = new Random(settings.seed);
  const structure = root.child();
  const trainRng = root.child();
  const testRng = root.child();

  const K0 = SHARED_FACTORS;
  const K1 = TASK_FACTORS;
  const q0 = orthonormalColumns(structure, p, K0);
  const A0 = columnsToMatrix(q0, p, 0.5 * Math.sqrt(p / K0));
  const alphas = groupValues(settings.deltaY);
  const names = taskNames(R);
  const tasks = names.map((_, r) => {
    const m = Array.from({ length: K0 }, () => structure.normal());
    const Ar = columnsToMatrix(
      orthonormalColumns(structure, p, K1, undefined, q0),
      p,
      0.5 * Math.sqrt(p / K1),
    );
    const gamma = Array.from({ length: K1 }, () => structure.normal(0, 0.5));
    const c = structure.normal();
    return { m, Ar, gamma, c, beta: alphas[settings.groups[r]] };
  });

  const draw = (rng: Random, r: number, n: number) => {
    const t = tasks[r];
    const X = new Float64Array(n * p);
    const y = new Float64Array(n);
    const mean = new Float64Array(n);
    const eta = new Float64Array(n);
    const F = new Float64Array(n * K0);
    const H = new Float64Array(n * K1);
    const a0 = A0.data;
    const ar = t.Ar.data;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K0; k++) F[i * K0 + k] = deltaX * t.m[k] + rng.normal();
      for (let k = 0; k < K1; k++) H[i * K1 + k] = rng.normal();
      for (let j = 0; j < p; j++) {
        let v = sigmaX * rng.normal();
        for (let k = 0; k < K0; k++) v += a0[j * K0 + k] * F[i * K0 + k];
        for (let k = 0; k < K1; k++) v += ar[j * K1 + k] * H[i * K1 + k];
        X[i * p + j] = v;
      }
      let mu = t.c;
      for (let k = 0; k < K0; k++) mu += t.beta[k] * hAlpha(F[i * K0 + k], alpha);
      for (let k = 0; k < K1; k++) mu += t.gamma[k] * hAlpha(H[i * K1 + k], alpha);
      if (family === 'gaussian') {
        eta[i] = mu;
        mean[i] = mu;
        y[i] = mu + sigma * rng.normal();
      } else {
        eta[i] = linkScale * mu;
        mean[i] = family === 'binomial' ? 1 / (1 + portableExp(-eta[i])) : portableExp(eta[i]);
        y[i] = family === 'binomial' ? bernoulli(rng, eta[i]) : poisson(rng, mean[i]);
      }
    }
    return { X, y, mean, eta, factors: Object.freeze({ shared: F, task: H }) };
  };
  const train = names.map((_, r) => draw(trainRng.child(), r, settings.n[r]));
  const test = names.map((_, r) => draw(testRng.child(), r, settings.testRows[r]));
  const data = buildDatasets(names, train, test, p, settings.dtype);
  const truth: FactorTruth = Object.freeze({
    design: 'factor',
    groups: settings.groups,
    groupValues: alphas,
    beta: tasks.map((t) => t.beta),
    gamma: tasks.map((t) => t.gamma),
    c: tasks.map((t) => t.c),
    sharedLoadings: A0,
    taskLoadings: tasks.map((t) => t.Ar),
    shift: tasks.map((t) => t.m),
    trainMeans: train.map((d) => d.mean),
    testMeans: test.map((d) => d.mean),
    linearPredictors: { train: train.map((d) => d.eta), test: test.map((d) => d.eta) },
    factors: { train: train.map((d) => d.factors), test: test.map((d) => d.factors) },
  });
  return Object.freeze({ ...data, truth, settings });
}

function checkFamily(family: unknown): SimulatedFamily {
  const f = family ?? 'gaussian';
  if (f !== 'gaussian' && f !== 'binomial' && f !== 'poisson')
    throw new ValidationError('Invalid family', {
      column: 'family',
      expected: '"gaussian", "binomial" or "poisson"',
      received: describeReceived(family),
    });
  return f;
}
