import { ValidationError } from '@hetmtl/tensor';
import { softThresholdNorm } from './fused-lasso.js';
import { checkKappa } from './mcp.js';
import { createPenalty, type Penalty } from './penalty.js';

export interface ScadOptions {
  /** κ > 2 (Fan & Li's a; default 3.7): the penalty is flat beyond κλ. The ADMM needs (κ − 1)·ϑ > 1. */
  readonly kappa?: number;
}

/**
 * The smoothly clipped absolute deviation penalty (Fan & Li 2001) on a group norm:
 * p_λ(t) = λt for t ≤ λ; (2κλt − t² − λ²)/(2(κ − 1)) for λ < t ≤ κλ; (κ + 1)λ²/2 beyond.
 * Prox of p_λ/ϑ (γ = 1/ϑ, needs (κ − 1)ϑ > 1), on a = ‖z‖:
 * (a − γλ)₊ for a ≤ (1 + γ)λ; ((κ − 1)a − γκλ)/(κ − 1 − γ) for (1 + γ)λ < a ≤ κλ; a beyond.
 */
export function scad(options: ScadOptions = {}): Penalty {
  const kappa = options.kappa ?? 3.7;
  checkKappa('scad', kappa, 2);
  const checkStep = (step: number): void => {
    if (!((kappa - 1) * step > 1)) {
      throw new ValidationError('scad needs (kappa − 1)·step > 1 for a well-defined ADMM step', {
        expected: '(κ − 1)·ϑ > 1',
        received: `κ = ${kappa}, ϑ = ${step}`,
        fix: `Use a step ϑ above ${1 / (kappa - 1)} or a larger kappa`,
      });
    }
  };
  return createPenalty({
    kind: 'scad',
    config: { kappa },
    value: (t, lambda) => {
      if (t <= lambda) return lambda * t;
      if (t <= kappa * lambda)
        return (2 * kappa * lambda * t - t * t - lambda * lambda) / (2 * (kappa - 1));
      return ((kappa + 1) * lambda * lambda) / 2;
    },
    derivative: (t, lambda) =>
      t <= lambda ? lambda : Math.max(0, kappa * lambda - t) / (kappa - 1),
    proxNorm: (a, lambda, step) => {
      const g = 1 / step;
      if (a <= (1 + g) * lambda) return softThresholdNorm(a, g * lambda);
      if (a <= kappa * lambda) return ((kappa - 1) * a - g * kappa * lambda) / (kappa - 1 - g);
      return a;
    },
    checkStep,
  });
}
