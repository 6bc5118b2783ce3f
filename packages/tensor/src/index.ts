export { tf } from './tf.js';
export type {
  Rank,
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  TensorContainer,
  Variable,
} from './tf.js';
export {
  activeBackend,
  defineBackend,
  unavailable,
  useBackend,
  type ActiveBackend,
  type BackendAvailability,
  type BackendCapabilities,
  type BackendPlugin,
} from './backend.js';
export {
  AbortError,
  apiOptionWords,
  BackendUnavailableError,
  type BackendRemedy,
  describeReceived,
  opt,
  HetmtlError,
  NotFittedError,
  NotPositiveDefiniteError,
  NumericError,
  SerializationError,
  ValidationError,
  type ErrorLocation,
  type ErrorText,
  type HetmtlErrorCode,
  type OptionRef,
  type OptionRenderer,
  type HetmtlErrorOptions,
} from './errors.js';
export {
  backendRegistry,
  BackendRegistry,
  loadBackend,
  useBackendByName,
  type BackendEntry,
  type LoadBackendOptions,
} from './backend-loader.js';
export { portableExp, portableLog, Random, RANDOM_ALGORITHM, type RandomState } from './random.js';
export {
  addDiagonal,
  cholesky,
  choleskySolve,
  choleskyWithJitter,
  crossprod,
  fromRows,
  gram,
  identity,
  matmul,
  matrix,
  matvec,
  predictLinear,
  solveSPD,
  solveWithJitter,
  toRows,
  transpose,
  type Matrix,
  type MatmulOptions,
} from './linalg.js';
export {
  applySpectral,
  fromEigenBasis,
  orthonormalize,
  pseudoSolve,
  spectralMatrix,
  symmetricEigen,
  toEigenBasis,
  topEigen,
  type SymmetricEigen,
} from './eigen.js';
export {
  type PrincipalDirections,
  type PrincipalSide,
  rowGram,
  topPrincipalDirections,
} from './principal.js';
export {
  FLOAT64_CROSSOVER,
  FLOAT64_KERNEL_NAMES,
  float64Kernels,
  setFloat64Kernels,
  withFloat64Kernels,
  type Float64KernelName,
  type Float64KernelProvider,
  type Float64Kernels,
  type Float64KernelsInfo,
} from './float64-kernels.js';
export {
  ROW_SPACE_MAX_CONDITION,
  ROW_SPACE_RANK_TOL,
  rowSpace,
  type RowSpace,
  type RowSpaceOptions,
} from './row-space.js';
export { assertNoLeaks, countTensors, dispose, TensorScope, tidy, trackTensors } from './memory.js';
export { Pacer, throwIfAborted, yieldToEventLoop } from './pace.js';
