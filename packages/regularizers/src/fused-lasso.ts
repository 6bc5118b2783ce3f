import { createPenalty, type Penalty } from './penalty.js';

/**
 * The norm of the group soft-threshold S(z, t) = (1 − t/‖z‖)₊ z, as a function of a = ‖z‖:
 * max(0, a − t).
 */
export function softThresholdNorm(norm: number, threshold: number): number {
  return norm > threshold ? norm - threshold : 0;
}

/**
 * The convex group-fusion penalty p_λ(t) = λ·t (group fused lasso): it fuses similar tasks but
 * shrinks every difference by the same amount. Its prox is the group soft-threshold S(z, λ/ϑ).
 */
export function fusedLasso(): Penalty {
  return createPenalty({
    kind: 'fusedLasso',
    config: {},
    value: (norm, lambda) => lambda * norm,
    derivative: (_norm, lambda) => lambda,
    proxNorm: (norm, lambda, step) => softThresholdNorm(norm, lambda / step),
  });
}
