import type { Evaluation } from '@hetmtl/baselines';
import type { DualEncoderRegressor, FitProgress, PathRow } from '@hetmtl/model';
import type { ColumnOptions, SimulationSettings, TrainSettings } from './train.js';

/**
 * Where the worker reads its data: the page's simulation settings, or the user's CSV file (a
 * File is cloned to the worker, not copied) with the reader's options the page chose. The worker
 * reads it as the page did (same split seed), so both see the same training and test rows.
 */
export type DataSource =
  | { readonly kind: 'simulation'; readonly settings: SimulationSettings }
  | {
      readonly kind: 'csv';
      readonly file: Blob;
      readonly name: string;
      readonly options: {
        readonly task: string;
        readonly target: string;
        readonly delimiter: string;
        readonly test: number;
        readonly seed: number;
        readonly columns?: ColumnOptions;
      };
    };

/** The page's one request to the training worker. */
export interface TrainRequest {
  readonly type: 'train';
  readonly source: DataSource;
  readonly settings: TrainSettings;
}

/** What the page shows of a fit, in structured-clone form (no tensors, no class instances). */
export interface FitReport {
  /** `model.toJSON()`: the model file's model (and what `DualEncoderRegressor.fromJSON` reads). */
  readonly model: ReturnType<DualEncoderRegressor['toJSON']>;
  readonly evaluation: Evaluation;
  readonly baselines: readonly { readonly name: string; readonly evaluation: Evaluation }[];
  readonly taskNames: readonly string[];
  readonly groups: readonly (readonly string[])[];
  /** 0-based group of each task, in task order. */
  readonly groupLabels: readonly number[];
  readonly similarity: readonly (readonly number[])[];
  readonly summary: ReturnType<DualEncoderRegressor['summary']>;
  /** The chosen candidate's λ path (`model.lambdaPath()`), in the order the model fitted it. */
  readonly lambdaPath: readonly PathRow[];
  readonly seconds: number;
  readonly backend: { readonly name: string; readonly simd: boolean };
}

/** The worker's messages: start-up steps, the model's progress events, the result or an error. */
export type WorkerMessage =
  | {
      readonly type: 'step';
      readonly text: string;
      /** Share of the whole job done (the start-up steps take the first {@link START_SHARE}). */
      readonly fraction: number;
    }
  | { readonly type: 'progress'; readonly event: FitProgress }
  | { readonly type: 'done'; readonly report: FitReport }
  | { readonly type: 'error'; readonly message: string };

/** The share of the progress bar the start-up steps (backend, data) take before the fit's own. */
export const START_SHARE = 0.03;

/** The progress bar's value at a fit progress event (its fraction is of the fit alone). */
export const jobFraction = (fitFraction: number) => START_SHARE + (1 - START_SHARE) * fitFraction;
