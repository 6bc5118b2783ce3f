export { adjustedRandIndex } from './adjusted-rand-index.js';
export {
  type CentredDesign,
  type CentredDesignOptions,
  centredDesign,
  expandCoordinates,
} from './centred-design.js';
export {
  checkEnvelope,
  type Envelope,
  type EnvelopeSpec,
  parseDocument,
  readEnvelope,
} from './document.js';
export {
  Estimator,
  type EstimatorDocument,
  type EstimatorFitOptions,
  type EstimatorOptions,
  type EstimatorProgress,
  type EstimatorSelection,
  type FitContext,
  type PredictOptions,
  type RestoreSpec,
  type Selected,
  validationRmse,
  validationScore,
} from './estimator.js';
export {
  checkDataset,
  checkSameShape,
  combineDatasets,
  type FeatureRows,
  standardizeTasks,
  type StandardizedTasks,
  taskIndexOf,
  toRowMajor,
} from './estimator-input.js';
export {
  decodeNumber,
  decodeVector,
  decodeVectors,
  encodeNumber,
  type JsonNumber,
} from './json-numbers.js';
export {
  auc,
  binomialMetrics,
  familyMetrics,
  type Metrics,
  meanTaskDeviance,
  meanTaskRmse,
  metrics,
  poissonMetrics,
} from './metrics.js';
export {
  Pipeline,
  PIPELINE_FORMAT,
  PIPELINE_VERSION,
  type PipelineColumns,
  pipelineColumns,
  type PipelineDocument,
  pipelineDocument,
  pipelineEncoding,
  type PipelineFitRecord,
  type PipelineIssue,
  pipelineIssue,
  pipelineIssueError,
  pipelinePartsIssue,
  type PipelineReadOptions,
} from './pipeline.js';
export {
  type Evaluation,
  evaluatePredictions,
  type Predictor,
  predictDataset,
} from './predictor.js';
export {
  type GlmForm,
  type GlmSolution,
  type GlmSolveOptions,
  type LinearFit,
  solveGlm,
} from './glm-solver.js';
export { logOfTarget } from './log-target.js';
export {
  binomial,
  checkFamilyTarget,
  FAMILY_NAMES,
  type Family,
  type FamilyName,
  familyOf,
  gaussian,
  meanDeviance,
  poisson,
  type Working,
  workingResponse,
} from './family.js';
export {
  holdOutDatasets,
  holdOutSplit,
  type IndexSplit,
  kFoldSplits,
  type SeedStreams,
  seedStreams,
} from './splits.js';
export {
  defaultFolds,
  type Fold,
  foldsFromSplits,
  givenValidationFold,
  type StandardizedFold,
  standardizeFold,
} from './validation-scheme.js';
