import type { Encoding, EncodingJSON } from '@hetmtl/data';
import type { DualEncoderRegressor } from '@hetmtl/model';

/** The model file of the hetmtl CLI (`hetmtl fit --out`), so `hetmtl info/predict/evaluate` read it. */
export const CLI_MODEL_FORMAT = 'hetmtl/cli-model';
export const CLI_MODEL_VERSION = 1;

export interface WebFitRecord {
  readonly source: string;
  readonly format: 'csv' | 'simulation';
  readonly backend: string;
  readonly seed: number;
  readonly test: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly seconds: number;
}

/**
 * `{ format: "hetmtl/cli-model", version: 1, columns, encoding, fit, model }`: the model document of
 * `model.toJSON()` next to the column names and the encoding of the training table, as the CLI writes.
 */
export function modelFileDocument(
  model: DualEncoderRegressor,
  encoding: Encoding,
  fit: WebFitRecord,
): {
  format: string;
  version: number;
  columns: { task: string; target: string; features: string[]; categorical: string[] };
  encoding: EncodingJSON;
  fit: WebFitRecord & { createdAt: string; hetmtlCli: string };
  model: ReturnType<DualEncoderRegressor['toJSON']>;
} {
  return {
    format: CLI_MODEL_FORMAT,
    version: CLI_MODEL_VERSION,
    columns: {
      task: encoding.taskColumn,
      target: encoding.target,
      features: encoding.columns.map((c) => c.name),
      categorical: encoding.columns.filter((c) => c.kind === 'categorical').map((c) => c.name),
    },
    encoding: encoding.toJSON(),
    fit: { ...fit, createdAt: new Date().toISOString(), hetmtlCli: '@hetmtl/web 0.0.0' },
    model: model.toJSON(),
  };
}
