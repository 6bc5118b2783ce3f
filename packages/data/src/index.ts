export {
  type BinaryTargetReport,
  type CategoricalColumnReport,
  type ConstantTargetReport,
  type IdColumnReport,
  MultiTaskDataset,
  type PooledData,
  type ReadReport,
  type TaskData,
  type TaskIndices,
  type TaskValues,
  type TinyTaskReport,
} from './dataset.js';
export {
  Encoding,
  type CategoricalColumn,
  type ColumnEncoding,
  type EncodedRows,
  type EncodeRowsOptions,
  type RowEncoder,
  type EncodingJSON,
  type EncodingSpec,
  type NumericColumn,
  type UnseenCategoryPolicy,
} from './encoding.js';
export { DEFAULT_NA_VALUES, type Dtype, type FloatArray, type MissingPolicy } from './values.js';
export type { TableInput, TableRecord } from './value-table.js';
export {
  ID_MIN_ROWS,
  isIdName,
  STRAY_TEXT_SHARE,
  TINY_TASK_ROWS,
  type TableOptions,
} from './table-reader.js';
export {
  fromTaskArrays,
  type FeatureInput,
  type TaskArrays,
  type TaskArraysInput,
  type TaskArraysOptions,
} from './task-arrays.js';
export { fromLongTable } from './long-table.js';
export {
  parseCsv,
  readCsv,
  streamCsvFile,
  streamCsvRows,
  type CsvOptions,
  type CsvRowHandler,
} from './csv.js';
export { toCsv, type ToCsvOptions } from './csv-write.js';
export { keepColumns, mostVariableColumns } from './feature-select.js';
export {
  log1pColumns,
  SKEWNESS_THRESHOLD,
  type SkewedColumn,
  skewedColumns,
} from './skew.js';
export { readReportNotes } from './report-notes.js';
export type { TextInput } from './text-source.js';
export { fromJson, readJson, type JsonOptions } from './json.js';
export { fromArrow, readArrow, type ArrowTableLike, type ArrowVectorLike } from './arrow.js';
export {
  Standardizer,
  type Scaling,
  type ScalingJSON,
  type StandardizeMode,
  type StandardizerJSON,
  type StandardizerOptions,
} from './standardizer.js';
export {
  kFoldByTask,
  repeatedSplits,
  trainTestSplit,
  trainValidationTestSplit,
  type Fold,
  type KFoldOptions,
  type RepeatedSplit,
  type RepeatedSplitsOptions,
  type SplitIndices,
  type TrainTestOptions,
  type TrainTestSplit,
  type TrainValidationTestOptions,
  type TrainValidationTestSplit,
} from './splits.js';
export {
  NUM_GROUPS,
  SHARED_FACTORS,
  TASK_FACTORS,
  type Simulation,
  type SimulationTruth,
} from './simulate-common.js';
export {
  simulateFactor,
  type FactorDesignOptions,
  type FactorDesignSettings,
  type FactorTruth,
} from './simulate-factor.js';
export {
  simulateCovariate,
  type CovariateDesignOptions,
  type CovariateDesignSettings,
  type CovariateTruth,
} from './simulate-covariate.js';
export {
  PDX_TASKS,
  simulatePdxLike,
  type PdxLikeOptions,
  type PdxLikeSettings,
  type PdxTruth,
} from './simulate-pdx.js';
export { decodeTextSync } from './text-source.js';
export { editDistance } from './values.js';
export { MAX_MAGNITUDE } from './table-reader.js';
