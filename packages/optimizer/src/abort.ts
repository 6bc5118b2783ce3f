/**
 * AbortError is one of the hetmtl error family (code `E_ABORTED`); it and the two helpers live in
 * `@hetmtl/tensor` and are re-exported here so that imports from `@hetmtl/optimizer` keep working.
 */
export { AbortError, throwIfAborted, yieldToEventLoop } from '@hetmtl/tensor';
