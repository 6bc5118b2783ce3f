export { type BackendCase, backendCases } from './backend-cases.js';
export {
  type CaseResult,
  type ConformanceOptions,
  type ConformanceReport,
  checkBackendConformance,
  formatConformanceReport,
} from './backend-conformance.js';
export {
  checkEncoderConformance,
  type EncoderCheckName,
  type EncoderCheckResult,
  type EncoderConformanceOptions,
  type EncoderConformanceReport,
  encoderChecks,
  formatEncoderConformanceReport,
} from './encoder-conformance.js';
export {
  bruteMinimize,
  checkPenaltyConformance,
  formatPenaltyConformanceReport,
  type PenaltyCheckName,
  type PenaltyCheckResult,
  type PenaltyConformanceOptions,
  type PenaltyConformanceReport,
  type PenaltyUnderTest,
  penaltyChecks,
} from './penalty-conformance.js';
export {
  checkEstimatorConformance,
  type DatasetUnderTest,
  type EstimatorCheckName,
  type EstimatorCheckResult,
  type EstimatorConformanceOptions,
  type EstimatorConformanceReport,
  type EstimatorSubject,
  type EstimatorUnderTest,
  estimatorChecks,
  formatEstimatorConformanceReport,
  type TaskUnderTest,
} from './estimator-conformance.js';
export { gaussSolve, poissonInverse } from './oracles.js';
