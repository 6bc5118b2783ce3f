export {
  createPenalty,
  penaltyToJSON,
  type JsonValue,
  type PenaltyConfig,
  type PenaltyDefinition,
  type PenaltyJSON,
  type Penalty,
  type PenaltyStructure,
  type TaskGraph,
} from './penalty.js';
export {
  definePenalty,
  type DefinePenaltyOptions,
  penaltyFromJSON,
  penaltyRegistry,
  PenaltyRegistry,
  type PenaltyFactory,
} from './registry.js';
export { mcp, type McpOptions } from './mcp.js';
export { scad, type ScadOptions } from './scad.js';
export { fusedLasso, softThresholdNorm } from './fused-lasso.js';
export { centre } from './centre.js';
export { graph, type GraphOptions } from './graph.js';
export { none } from './none.js';
export type { AnyFusionProblem, FactoredFusionProblem, FusionProblem } from './problem.js';
export {
  fuse,
  prepareFusion,
  PreparedFusion,
  type FuseOptions,
  type FusionGraph,
  type FusionResult,
  type FusionState,
  type PathOptions,
  type PrepareOptions,
  type SolveOptions,
} from './fusion.js';
export { fusionPath, lambdaGrid, lambdaMax, type FusionPathOptions } from './fusion-path.js';
export { refitGroups } from './refit.js';
export { allPairs, knnPairs, type TaskPair } from './fusion-graph.js';
export { connectedComponents } from './connected-components.js';
export {
  type BicOptions,
  FusionPath,
  lambdaPath,
  type LambdaPathOptions,
  type PathPoint,
  solveAlongPath,
  tiedPoint,
} from './path.js';
export { type BicSizes, modifiedBic } from './criteria.js';
export {
  MeanRegularizedSolver,
  solveMeanRegularized,
  type MeanRegularizedOptions,
  type MeanRegularizedProblem,
  type MeanRegularizedSolution,
} from './solvers/mean-regularized.js';
export {
  CentreShrinkageSolver,
  weightedMedian,
  type CentreShrinkageProblem,
  type CentreSolution,
  type CentreSolverOptions,
} from './solvers/centre-admm.js';
export { nearestGroupCentre, pullToward } from './pull.js';
// The names before the penalty concept had one name (deprecated; removed in the next major).
export {
  /** @deprecated Use `createPenalty`. */
  createPenalty as defineSimilarity,
  /** @deprecated Use `penaltyToJSON`. */
  penaltyToJSON as similarityToJSON,
} from './penalty.js';
export {
  /** @deprecated Use `penaltyFromJSON`. */
  penaltyFromJSON as similarityFromJSON,
  /** @deprecated Use `penaltyRegistry`. */
  penaltyRegistry as similarityRegistry,
  /** @deprecated Use `PenaltyRegistry`. */
  PenaltyRegistry as SimilarityRegistry,
} from './registry.js';
export type {
  /** @deprecated Use `Penalty`. */
  Penalty as SimilarityPenalty,
  /** @deprecated Use `PenaltyConfig`. */
  PenaltyConfig as SimilarityConfig,
  /** @deprecated Use `PenaltyDefinition`. */
  PenaltyDefinition as SimilarityDefinition,
  /** @deprecated Use `PenaltyJSON`. */
  PenaltyJSON as SimilarityJSON,
  /** @deprecated Use `PenaltyStructure`. */
  PenaltyStructure as SimilarityStructure,
} from './penalty.js';
export type {
  /** @deprecated Use `PenaltyFactory`. */
  PenaltyFactory as SimilarityFactory,
} from './registry.js';
