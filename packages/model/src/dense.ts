/**
 * The model's Float64 kernels, now in @hetmtl/tensor (one home for every package); re-exported
 * under their old names until the model's files import them from there.
 */
export {
  matrix as asMatrix,
  orthonormalise,
  predictLinear,
  solveWithJitter as solveRidge,
  topEigen,
} from '@hetmtl/tensor';
