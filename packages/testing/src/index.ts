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
