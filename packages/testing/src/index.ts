export { type BackendCase, backendCases } from './backend-cases.js';
export {
  type CaseResult,
  type ConformanceOptions,
  type ConformanceReport,
  checkBackendConformance,
  formatConformanceReport,
} from './backend-conformance.js';
