import {
  CentreShrinkageRegressor,
  HardSharingRegressor,
  MeanRegularizedRegressor,
  MlpRegressor,
  RidgeRegressor,
} from '@hetmtl/baselines';
import type { MultiTaskDataset } from '@hetmtl/data';
import type { Metrics } from '@hetmtl/estimator';
import { mlp } from '@hetmtl/encoders';
import { type DualEncoderOptions, DualEncoderRegressor } from '@hetmtl/model';
import { PEERS } from './python-peer.js';

/** What the study needs of a fitted learner (the model and every baseline have it). */
export interface FittedLearner {
  evaluate(dataset: MultiTaskDataset): {
    readonly meanTaskRmse: number;
    /** binomial, poisson: mean over tasks of the per-task mean deviance. */
    readonly meanTaskDeviance?: number;
    readonly overall: Metrics;
    readonly tasks: Readonly<Record<string, Metrics>>;
  };
  /** The method's learned groups (the method and its ablations only). */
  groupLabels?(): number[];
  /** What the learner chose on the validation rows, after `evaluate` (the Python peers). */
  chosen?(): Readonly<Record<string, unknown>>;
  dispose(): void;
}

export interface Learner {
  fit(
    data: MultiTaskDataset,
    options?: { validation?: MultiTaskDataset; signal?: AbortSignal },
  ): Promise<FittedLearner>;
}

export type MethodKind = 'method' | 'ablation' | 'baseline';

/** One entry of the comparison: every command fits all of them in the same splits. */
export interface MethodEntry {
  /** Stable id (JSON, --methods). */
  readonly id: string;
  /** The label in tables and plots. */
  readonly label: string;
  readonly kind: MethodKind;
  /** A fresh learner; `quick` shortens training for CI-sized runs. */
  make(seed: number, quick: boolean): Learner;
  /** Null when the learner can run here, else why not and the remedy (the Python peers). */
  available?(): string | null;
}

/** Shorter training for --quick runs (checks the commands run, not their numbers). */
const QUICK_MODEL: DualEncoderOptions = { maxRounds: 1, stepsPerBlock: 5, numLambdas: 4 };
const QUICK_NET = { maxEpochs: 20, patience: 3 } as const;

/**
 * Worker threads of the method's model selection (--jobs; default: the cores). Kept in the
 * environment too, so the bench's own child processes (wide's fits) use the same.
 */
let modelJobs: number | 'auto' = Number(process.env.HETMTL_BENCH_JOBS) || 'auto';

/** Sets --jobs for every method entry made after (the results are the same for every value). */
export function setModelJobs(jobs: number | 'auto'): void {
  modelJobs = jobs;
  process.env.HETMTL_BENCH_JOBS = String(jobs);
}

/** A method entry's learner: the model with these options (shortened by --quick), seeded. */
export const method =
  (options: DualEncoderOptions) =>
  (seed: number, quick: boolean): Learner =>
    new DualEncoderRegressor({
      jobs: modelJobs,
      ...options,
      ...(quick ? QUICK_MODEL : {}),
      seed,
    });

/** The dual encoder alone (no linear floor): the base of the ablations, so they ablate the encoder model. */
export const DUAL: DualEncoderOptions = { selection: { linearFloor: false, trunk: false } };

/**
 * The method as shipped (linear encoders, with mlp encoders), the dual encoder without the linear
 * floor and its ablations (method.md §7: λ = 0, λ = ∞, K1 = 0, μ = 0), and the baselines.
 */
export const METHODS: readonly MethodEntry[] = Object.freeze([
  { id: 'hetmtl', label: 'hetmtl', kind: 'method', make: method({}) },
  {
    id: 'hetmtl-mlp',
    label: 'hetmtl, mlp encoders',
    kind: 'method',
    make: method({ shared: mlp(), specific: mlp({ hidden: [8] }) }),
  },
  { id: 'dual', label: 'dual encoder (no floor)', kind: 'ablation', make: method(DUAL) },
  {
    id: 'dual-lambda0',
    label: 'dual, λ = 0',
    kind: 'ablation',
    make: method({ ...DUAL, lambda: 0 }),
  },
  {
    id: 'dual-lambdaInf',
    label: 'dual, λ = ∞',
    kind: 'ablation',
    make: method({ ...DUAL, lambda: Number.POSITIVE_INFINITY }),
  },
  {
    id: 'dual-K1-0',
    label: 'dual, K1 = 0',
    kind: 'ablation',
    make: method({ ...DUAL, K1: 0, specific: null }),
  },
  { id: 'dual-mu0', label: 'dual, μ = 0', kind: 'ablation', make: method({ ...DUAL, mu: 0 }) },
  {
    id: 'ridge-task',
    label: 'single-task ridge',
    kind: 'baseline',
    make: (seed) => new RidgeRegressor({ mode: 'per-task', seed }),
  },
  {
    id: 'mlp-task',
    label: 'single-task MLP',
    kind: 'baseline',
    make: (seed, quick) =>
      new MlpRegressor({ mode: 'per-task', seed, ...(quick ? QUICK_NET : {}) }),
  },
  {
    id: 'ridge-pooled',
    label: 'pooled ridge',
    kind: 'baseline',
    make: (seed) => new RidgeRegressor({ mode: 'pooled', seed }),
  },
  {
    id: 'mlp-pooled',
    label: 'pooled MLP',
    kind: 'baseline',
    make: (seed, quick) => new MlpRegressor({ mode: 'pooled', seed, ...(quick ? QUICK_NET : {}) }),
  },
  {
    id: 'hard-sharing',
    label: 'hard sharing',
    kind: 'baseline',
    make: (seed, quick) => new HardSharingRegressor({ seed, ...(quick ? QUICK_NET : {}) }),
  },
  {
    id: 'mean-regularized',
    label: 'mean-regularised',
    kind: 'baseline',
    make: (seed) => new MeanRegularizedRegressor({ seed }),
  },
  {
    id: 'centre-shrinkage',
    label: 'centre shrinkage',
    kind: 'baseline',
    make: (seed) => new CentreShrinkageRegressor({ seed }),
  },
]);

/** The id of the method as shipped: the one the reports compare with the baselines. */
export const METHOD_ID = 'hetmtl';

/** How results files describe the methods that ran. */
export function describeMethods(
  methods: readonly MethodEntry[],
): { id: string; label: string; kind: MethodKind }[] {
  return methods.map((m) => ({ id: m.id, label: m.label, kind: m.kind }));
}

/**
 * The ablations of model selection (issue #14: the trunk candidate and model averaging), run on
 * real data only (the study's roster stays as its results were measured).
 */
export const SELECTION_ABLATIONS: readonly MethodEntry[] = Object.freeze([
  {
    id: 'hetmtl-single',
    label: 'hetmtl, one candidate (no model averaging)',
    kind: 'ablation',
    make: method({ selection: { average: false } }),
  },
  {
    id: 'hetmtl-no-trunk',
    label: 'hetmtl without the trunk candidate',
    kind: 'ablation',
    make: method({ selection: { trunk: false } }),
  },
  {
    id: 'hetmtl-v1',
    label: 'hetmtl as of 0.x (no trunk, no averaging)',
    kind: 'ablation',
    make: method({ selection: { trunk: false, average: false } }),
  },
]);

/** `hetmtl-bench real`'s roster: every method and baseline, the selection ablations, then the Python peers. */
export const REAL_METHODS: readonly MethodEntry[] = Object.freeze([
  ...METHODS,
  ...SELECTION_ABLATIONS,
  ...PEERS,
]);

/**
 * The entries of `roster` named in a comma-separated `--methods` list (all when absent), or an
 * error naming the unknown one.
 */
export function selectMethods(
  list: string | undefined,
  roster: readonly MethodEntry[] = METHODS,
): readonly MethodEntry[] {
  if (!list) return roster;
  return list.split(',').map((id) => {
    const entry = roster.find((m) => m.id === id.trim());
    if (!entry) {
      throw new Error(
        `unknown method "${id}" in --methods (known: ${roster.map((m) => m.id).join(', ')})`,
      );
    }
    return entry;
  });
}

/** The entries that can run here, and for the others why not (one line each, with the remedy). */
export function availableMethods(methods: readonly MethodEntry[]): {
  methods: MethodEntry[];
  omitted: { id: string; label: string; reason: string }[];
} {
  const out: MethodEntry[] = [];
  const omitted: { id: string; label: string; reason: string }[] = [];
  for (const m of methods) {
    const reason = m.available?.() ?? null;
    if (reason === null) out.push(m);
    else omitted.push({ id: m.id, label: m.label, reason });
  }
  return { methods: out, omitted };
}

/** One method's result in one split. */
export interface MethodResult {
  readonly method: string;
  /** Mean over tasks of the per-task test RMSE. */
  readonly rmse: number;
  /** RMSE, MAE and R² (explained variance) over every test row. */
  readonly overall: Metrics;
  /** Test RMSE per task, in the order of the dataset's tasks. */
  readonly taskRmse: readonly number[];
  /** binomial, poisson: mean over tasks of the per-task test deviance, and the per-task values. */
  readonly meanTaskDeviance?: number;
  readonly taskDeviance?: readonly number[];
  /** Learned group label per task (the method and its ablations). */
  readonly groups?: readonly number[];
  /** The setting a Python peer chose on the validation rows. */
  readonly chosen?: Readonly<Record<string, unknown>>;
  readonly seconds: number;
}

/**
 * Fits every method on the same training rows with the same validation rows (used to choose λ,
 * encoders, stopping epochs; every learner then refits on training + validation) and scores it on
 * the same test rows. Without `validation` every learner validates on its own seeded hold-out of
 * the training rows, the same rows in every estimator under the same seed (`@hetmtl/estimator`'s
 * seed protocol; the Python peers draw them the same way).
 */
export async function compareMethods(
  methods: readonly MethodEntry[],
  split: { train: MultiTaskDataset; validation?: MultiTaskDataset; test: MultiTaskDataset },
  seed: number,
  quick: boolean,
  onDone?: (result: MethodResult) => void,
): Promise<MethodResult[]> {
  const out: MethodResult[] = [];
  for (const entry of methods) {
    const t0 = performance.now();
    const fitted = await entry
      .make(seed, quick)
      .fit(split.train, split.validation ? { validation: split.validation } : {});
    try {
      const ev = fitted.evaluate(split.test);
      const taskRmse = split.test.taskNames.map((name) => ev.tasks[name]?.rmse ?? Number.NaN);
      const result: MethodResult = {
        method: entry.id,
        rmse: ev.meanTaskRmse,
        overall: ev.overall,
        taskRmse,
        ...(ev.meanTaskDeviance !== undefined
          ? {
              meanTaskDeviance: ev.meanTaskDeviance,
              taskDeviance: split.test.taskNames.map(
                (name) => ev.tasks[name]?.meanDeviance ?? Number.NaN,
              ),
            }
          : {}),
        ...(fitted.groupLabels ? { groups: fitted.groupLabels() } : {}),
        ...(fitted.chosen ? { chosen: fitted.chosen() } : {}),
        seconds: (performance.now() - t0) / 1000,
      };
      out.push(result);
      onDone?.(result);
    } finally {
      fitted.dispose();
    }
  }
  return out;
}
