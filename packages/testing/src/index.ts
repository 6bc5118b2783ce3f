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
  bruteMinimise,
  checkPenaltyConformance,
  formatPenaltyConformanceReport,
  type PenaltyCheckName,
  type PenaltyCheckResult,
  type PenaltyConformanceOptions,
  type PenaltyConformanceReport,
  type PenaltyUnderTest,
  penaltyChecks,
} from './penalty-conformance.js';
