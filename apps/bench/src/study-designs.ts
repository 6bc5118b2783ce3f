import {
  type Simulation,
  type SimulationTruth,
  simulateCovariate,
  simulateFactor,
  simulatePdxLike,
} from '@hetmtl/data';

/** One factor varied (the others at their defaults). */
export interface StudyFactor {
  /** The simulator's option name. */
  readonly key: string;
  readonly label: string;
  /** Levels of the full study (the default among them). */
  readonly levels: readonly number[];
  /** Levels of a --quick run (the quick default among them). */
  readonly quick: readonly number[];
}

export interface StudyDesign {
  readonly name: 'factor' | 'covariate' | 'pdx';
  readonly title: string;
  readonly defaults: Readonly<Record<string, number>>;
  /** Smaller defaults for --quick runs. */
  readonly quickDefaults: Readonly<Record<string, number>>;
  readonly factors: readonly StudyFactor[];
  simulate(options: Record<string, number>, seed: number): Simulation<SimulationTruth, unknown>;
}

const shared = {
  deltaX: {
    key: 'deltaX',
    label: 'distribution shift δX',
    levels: [0, 0.5, 1, 2],
    quick: [0.5, 2],
  },
  deltaY: { key: 'deltaY', label: 'posterior shift δY', levels: [0, 0.5, 1, 2], quick: [0, 1] },
  alpha: { key: 'alpha', label: 'nonlinearity α', levels: [0, 0.25, 0.5, 1] },
  numTasks: { key: 'numTasks', label: 'number of tasks R', levels: [5, 10, 20, 40], quick: [5, 6] },
} as const;

/** method.md §7, factor design: the structure the method assumes. */
export const FACTOR_DESIGN: StudyDesign = {
  name: 'factor',
  title: 'Factor design (method.md §7)',
  defaults: {
    numTasks: 5,
    n: 120,
    testRows: 500,
    p: 100,
    sigmaX: 0.5,
    deltaX: 0.5,
    deltaY: 1,
    sigma: 0.5,
    alpha: 0,
  },
  quickDefaults: {
    numTasks: 5,
    n: 30,
    testRows: 30,
    p: 16,
    sigmaX: 0.5,
    deltaX: 0.5,
    deltaY: 1,
    sigma: 0.5,
    alpha: 0,
  },
  factors: [
    shared.deltaX,
    shared.deltaY,
    { key: 'n', label: 'training rows per task n_r', levels: [60, 120, 240, 480], quick: [30, 40] },
    { key: 'p', label: 'features p', levels: [50, 100, 200, 400], quick: [16, 24] },
    { key: 'sigma', label: 'noise σ', levels: [0.25, 0.5, 1, 2], quick: [0.5, 1] },
    { ...shared.alpha, quick: [0, 0.5] },
    shared.numTasks,
    { key: 'sigmaX', label: 'feature noise σx', levels: [0.25, 0.5, 1, 2], quick: [0.5, 1] },
  ],
  simulate: (options, seed) => simulateFactor({ ...options, seed }),
};

/** method.md §7, covariate design: robustness, no factor structure in x. */
export const COVARIATE_DESIGN: StudyDesign = {
  name: 'covariate',
  title: 'Covariate design (method.md §7)',
  defaults: {
    numTasks: 5,
    n: 100,
    testRows: 500,
    p: 50,
    rho: 0.5,
    deltaX: 0.5,
    deltaY: 1,
    alpha: 0.5,
    sigma: 1,
  },
  quickDefaults: {
    numTasks: 5,
    n: 30,
    testRows: 30,
    p: 16,
    rho: 0.5,
    deltaX: 0.5,
    deltaY: 1,
    alpha: 0.5,
    sigma: 1,
  },
  factors: [
    shared.deltaX,
    shared.deltaY,
    { key: 'n', label: 'training rows per task n_r', levels: [50, 100, 250, 500], quick: [30, 40] },
    { key: 'p', label: 'features p', levels: [25, 50, 100, 200], quick: [16, 24] },
    { key: 'sigma', label: 'noise σ', levels: [0.5, 1, 2, 4], quick: [1, 2] },
    { ...shared.alpha, quick: [0, 0.5] },
    shared.numTasks,
    { key: 'rho', label: 'feature correlation ρ', levels: [0, 0.25, 0.5, 0.9], quick: [0, 0.5] },
  ],
  simulate: (options, seed) => simulateCovariate({ ...options, seed }),
};

/**
 * method.md §8, the paper's own shape of data: five cancer types of 20–45 rows, gene expression,
 * a log-normal response (time to tumour doubling). Its wide levels of p are the ones of
 * `hetmtl-bench wide`, which runs each fit in its own process to measure its memory.
 */
export const PDX_DESIGN: StudyDesign = {
  name: 'pdx',
  title: 'PDX-like design (method.md §8): 5 cancer types × 20–45 rows, gene expression',
  defaults: {
    p: 300,
    testRows: 100,
    sigmaX: 0.5,
    deltaX: 0.5,
    deltaY: 1,
    effect: 0.25,
    sigma: 0.3,
  },
  quickDefaults: {
    p: 30,
    testRows: 20,
    sigmaX: 0.5,
    deltaX: 0.5,
    deltaY: 1,
    effect: 0.25,
    sigma: 0.3,
  },
  factors: [
    { key: 'p', label: 'genes p', levels: [300, 2000, 5000, 20000], quick: [30, 40] },
    { ...shared.deltaY, quick: [0, 1] },
    {
      key: 'effect',
      label: 'log-scale effect size',
      levels: [0.125, 0.25, 0.5, 1],
      quick: [0.25, 1],
    },
    { key: 'sigma', label: 'log-scale noise σ', levels: [0.15, 0.3, 0.6, 1.2], quick: [0.3, 0.6] },
  ],
  simulate: (options, seed) => simulatePdxLike({ ...options, seed }),
};

export const DESIGNS: Readonly<Record<string, StudyDesign>> = {
  factor: FACTOR_DESIGN,
  covariate: COVARIATE_DESIGN,
  pdx: PDX_DESIGN,
};

/** One point of the study: the design's defaults with one factor at one level. */
export interface StudySetting {
  /** Stable key of the simulator options (for results and resuming). */
  readonly key: string;
  readonly options: Readonly<Record<string, number>>;
}

/** The key of a setting: its simulator options as `name=value` pairs in the design's order. */
export function settingKey(options: Readonly<Record<string, number>>): string {
  return Object.entries(options)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * The distinct settings of a one-factor-at-a-time study (the all-defaults point once), and for each
 * factor the setting key at each level.
 */
export function studySettings(
  design: StudyDesign,
  quick: boolean,
): { settings: StudySetting[]; byFactor: Map<string, string[]> } {
  const defaults = quick ? design.quickDefaults : design.defaults;
  const settings = new Map<string, StudySetting>();
  const byFactor = new Map<string, string[]>();
  for (const factor of design.factors) {
    const keys = (quick ? factor.quick : factor.levels).map((level) => {
      const options = { ...defaults, [factor.key]: level };
      const key = settingKey(options);
      if (!settings.has(key)) settings.set(key, { key, options });
      return key;
    });
    byFactor.set(factor.key, keys);
  }
  return { settings: [...settings.values()], byFactor };
}
