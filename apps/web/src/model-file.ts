import type { Encoding } from '@hetmtl/data';
import {
  PIPELINE_FORMAT,
  PIPELINE_VERSION,
  type PipelineDocument,
  type PipelineFitRecord,
  pipelineDocument,
} from '@hetmtl/estimator';
import type { DualEncoderRegressor } from '@hetmtl/model';

/** The model file of the hetmtl CLI (`hetmtl fit --out`), so `hetmtl info/predict/evaluate` read it. */
export const CLI_MODEL_FORMAT = PIPELINE_FORMAT;
export const CLI_MODEL_VERSION = PIPELINE_VERSION;

/** What the page records of a fit: the CLI's fit record without the stamps `modelFileDocument` adds. */
export type WebFitRecord = Omit<PipelineFitRecord, 'format' | 'createdAt' | 'hetmtlCli'> & {
  readonly format: 'csv' | 'simulation';
};

/**
 * `{ format: "hetmtl/cli-model", version: 1, columns, encoding, fit, model }`: the model document of
 * `model.toJSON()` (the training worker's copy of it) next to the column names and the encoding of the training table, as the CLI
 * writes (the pipeline document of @hetmtl/estimator).
 */
export function modelFileDocument(
  model: ReturnType<DualEncoderRegressor['toJSON']>,
  encoding: Encoding,
  fit: WebFitRecord,
): PipelineDocument<
  ReturnType<DualEncoderRegressor['toJSON']>,
  WebFitRecord & { createdAt: string; hetmtlCli: string }
> {
  return pipelineDocument({
    encoding,
    model,
    fit: { ...fit, createdAt: new Date().toISOString(), hetmtlCli: '@hetmtl/web 0.0.0' },
  });
}
