export { type PathwaysOptions, simulatePathways } from './pathways.js';
export {
  effectiveWeights,
  SPARSE_LINEAR_KIND,
  type SparseLinearConfig,
  sparseLinear,
  sparsity,
} from './sparse-linear.js';
