export { AbortError, throwIfAborted, yieldToEventLoop } from './abort.js';
export {
  AdamBlock,
  type AdamBlockOptions,
  type Block,
  type BlockContext,
  type BlockResult,
  functionBlock,
} from './adam-block.js';
export {
  type AlternatingOptions,
  type AlternatingResult,
  type ProgressEvent,
  runAlternating,
  type StopReason,
  type TraceEntry,
} from './alternating.js';
export {
  FUSED_ADAM_KERNEL,
  FusedAdamBlock,
  FusedAdamState,
  type GradientProgram,
  type GradientStep,
} from './fused-adam.js';
