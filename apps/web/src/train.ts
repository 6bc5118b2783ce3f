import { type Evaluation, RidgeRegressor } from '@hetmtl/baselines';
import {
  type CsvOptions,
  type Encoding,
  type MultiTaskDataset,
  parseCsv,
  type ReadReport,
  simulateFactor,
  trainTestSplit,
} from '@hetmtl/data';
import { mlp } from '@hetmtl/encoders';
import type { FamilyName } from '@hetmtl/estimator';
import { DualEncoderRegressor, type FitProgress } from '@hetmtl/model';

/** Training and test rows, and where they came from. */
export interface Prepared {
  readonly train: MultiTaskDataset;
  readonly test: MultiTaskDataset;
  /** The encoding of the whole table (what a model file needs to read new files). */
  readonly encoding: Encoding;
  readonly source: string;
  readonly format: 'csv' | 'simulation';
  readonly testShare: number;
  /** The planted groups of a simulation (0-based, one per task). */
  readonly truthGroups?: readonly number[];
}

export interface SimulationSettings {
  readonly seed: number;
  readonly n: number;
  readonly p: number;
  readonly alpha: number;
  /** The response family of the simulated target (default gaussian). */
  readonly family?: FamilyName;
}

/** The factor design of method.md §7, with a separate test set (200 rows per task). */
export function simulated(s: SimulationSettings): Prepared {
  const { train, test, truth } = simulateFactor({
    seed: s.seed,
    n: s.n,
    p: s.p,
    alpha: s.alpha,
    testRows: 200,
    ...(s.family && s.family !== 'gaussian' ? { family: s.family } : {}),
  });
  return {
    train,
    test,
    encoding: train.encoding,
    source: `simulation: factor design, seed ${s.seed}, ${s.n} rows per task, p = ${s.p}, alpha = ${s.alpha}${s.family && s.family !== 'gaussian' ? `, ${s.family} target` : ''}`,
    format: 'simulation',
    testShare: 0,
    truthGroups: truth.groups,
  };
}

/** The reader's column options the page sets (roles of the columns, missing-value policy). */
export type ColumnOptions = Pick<
  CsvOptions,
  'features' | 'categorical' | 'numeric' | 'exclude' | 'missing'
>;

/**
 * What the reader makes of a CSV file with its own defaults (text columns categorical, ID-like
 * columns left out) and missing values filled, so that every column can be shown with a default.
 */
export async function previewCsv(
  input: Blob | string,
  name: string,
  o: { task: string; target: string; delimiter: string },
): Promise<ReadReport> {
  const data = await parseCsv(input, {
    task: o.task,
    target: o.target,
    delimiter: o.delimiter,
    missing: 'mean-impute',
    sourceName: name,
  });
  // parseCsv always reports; the guard keeps the type honest.
  if (!data.report) throw new Error(`Reading ${name} gave no read report`);
  return data.report;
}

/** A CSV file (or text) read with parseCsv and split into training and test rows per task. */
export async function fromCsv(
  input: Blob | string,
  name: string,
  o: {
    task: string;
    target: string;
    delimiter: string;
    test: number;
    seed: number;
    columns?: ColumnOptions;
  },
): Promise<Prepared & { readonly report: ReadReport | undefined }> {
  const data = await parseCsv(input, {
    task: o.task,
    target: o.target,
    delimiter: o.delimiter,
    sourceName: name,
    ...o.columns,
  });
  const { train, test } = trainTestSplit(data, { test: o.test, seed: o.seed });
  return {
    train,
    test,
    encoding: data.encoding,
    source: name,
    format: 'csv',
    testShare: o.test,
    report: data.report,
  };
}

export interface TrainSettings {
  readonly encoders: 'linear' | 'mlp';
  readonly maxRounds: number;
  readonly seed: number;
  /** The response family (gaussian: numbers; binomial: 0/1; poisson: counts). */
  readonly family: FamilyName;
}

export interface TrainResult {
  readonly model: DualEncoderRegressor;
  readonly evaluation: Evaluation;
  readonly baselines: readonly { readonly name: string; readonly evaluation: Evaluation }[];
  readonly seconds: number;
}

export function modelOptions(s: TrainSettings) {
  return {
    seed: s.seed,
    maxRounds: s.maxRounds,
    family: s.family,
    // method.md's defaults are linear encoders; MLP encoders want a smaller learning rate.
    ...(s.encoders === 'mlp'
      ? { shared: mlp({ hidden: [32] }), specific: mlp({ hidden: [8] }), learningRate: 1e-3 }
      : {}),
  };
}

/**
 * Fits the dual encoder and the two ridge baselines (of the same family: penalised GLMs for
 * binomial and poisson) on the training rows; scores on the test rows with the family's metrics.
 */
export async function trainAll(
  data: Prepared,
  s: TrainSettings,
  o: { signal: AbortSignal; onProgress: (e: FitProgress) => void },
): Promise<TrainResult> {
  const t0 = performance.now();
  const model = new DualEncoderRegressor(modelOptions(s));
  await model.fit(data.train, { signal: o.signal, onProgress: o.onProgress });
  const baselines = [];
  for (const mode of ['per-task', 'pooled'] as const) {
    const ridge = await new RidgeRegressor({ mode, seed: s.seed, family: s.family }).fit(
      data.train,
      {
        signal: o.signal,
      },
    );
    baselines.push({
      name: mode === 'per-task' ? 'Ridge per task' : 'Ridge pooled',
      evaluation: ridge.evaluate(data.test),
    });
  }
  return {
    model,
    evaluation: model.evaluate(data.test),
    baselines,
    seconds: (performance.now() - t0) / 1000,
  };
}
