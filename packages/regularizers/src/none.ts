import { createPenalty, type Penalty } from './penalty.js';

/** No coefficient similarity: independent β_r (single-task coefficients; λ is ignored). */
export function none(): Penalty {
  return createPenalty({
    kind: 'none',
    config: {},
    structure: 'none',
    value: () => 0,
    derivative: () => 0,
    proxNorm: (norm) => norm,
  });
}
