import { softThresholdNorm } from './fused-lasso.js';
import { createPenalty, type Penalty } from './penalty.js';

/**
 * ARMUL-style shrinkage to a free centre (Duan & Wang 2023):
 * Σ_r w_r λ √(K/n_r) ‖β_r − β̄‖, minimised over β̄ as well. Convex; tasks whose β_r equals the
 * centre form one group, every other task is its own group. `value(t, λ)` = λt and `prox` is the
 * group soft-threshold S(z, λ/ϑ); the per-task weights w_r √(K/n_r) are applied by the solver
 * (they need `problem.n`).
 */
export function centre(): Penalty {
  return createPenalty({
    kind: 'centre',
    config: {},
    structure: 'centre',
    value: (norm, lambda) => lambda * norm,
    derivative: (_norm, lambda) => lambda,
    proxNorm: (norm, lambda, step) => softThresholdNorm(norm, lambda / step),
  });
}
