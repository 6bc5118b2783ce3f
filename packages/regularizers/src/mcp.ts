import { describeReceived, ValidationError } from '@hetmtl/tensor';
import { softThresholdNorm } from './fused-lasso.js';
import { createPenalty, type Penalty } from './penalty.js';

export interface McpOptions {
  /** Concavity κ > 0 (default 3): the penalty is flat beyond κλ. The ADMM needs κ·ϑ > 1. */
  readonly kappa?: number;
}

/** Throws unless κ is a finite number above `min`. */
export function checkKappa(kind: string, kappa: number, min: number): void {
  if (typeof kappa !== 'number' || !Number.isFinite(kappa) || kappa <= min) {
    throw new ValidationError(`Invalid kappa for ${kind}`, {
      expected: `a finite number κ > ${min}`,
      received: describeReceived(kappa),
      fix: `Use the default (${kind === 'mcp' ? 3 : 3.7}) or another κ > ${min}`,
    });
  }
}

/**
 * The minimax concave penalty (Zhang 2010) on a group norm:
 * p_λ(t) = λt − t²/(2κ) for t ≤ κλ, κλ²/2 beyond. Exact fusion of similar tasks, no shrinkage of
 * differences larger than κλ. Prox of p_λ/ϑ (needs κϑ > 1): S(z, λ/ϑ)/(1 − 1/(κϑ)) if ‖z‖ ≤ κλ,
 * else z.
 */
export function mcp(options: McpOptions = {}): Penalty {
  const kappa = options.kappa ?? 3;
  checkKappa('mcp', kappa, 0);
  const checkStep = (step: number): void => {
    if (!(kappa * step > 1)) {
      throw new ValidationError('mcp needs kappa·step > 1 for a well-defined ADMM step', {
        expected: 'κ·ϑ > 1',
        received: `κ = ${kappa}, ϑ = ${step} (κ·ϑ = ${kappa * step})`,
        fix: `Use a step ϑ above ${1 / kappa} or a larger kappa`,
      });
    }
  };
  return createPenalty({
    kind: 'mcp',
    config: { kappa },
    value: (norm, lambda) =>
      norm <= kappa * lambda
        ? lambda * norm - (norm * norm) / (2 * kappa)
        : (kappa * lambda * lambda) / 2,
    derivative: (norm, lambda) => Math.max(0, lambda - norm / kappa),
    proxNorm: (norm, lambda, step) =>
      norm <= kappa * lambda
        ? softThresholdNorm(norm, lambda / step) / (1 - 1 / (kappa * step))
        : norm,
    checkStep,
  });
}
