import { type EncoderSpec, encoderRegistry, mlp } from '@hetmtl/encoders';
import { ValidationError } from '@hetmtl/tensor';
import type { TrainerConfig } from '../dual/trainer.js';
import type { ResolvedOptions } from '../options.js';

/** One dual-encoder candidate of model selection. */
export interface CandidateConfig {
  readonly id: string;
  readonly settings: Record<string, number | string>;
  readonly config: TrainerConfig;
}

/**
 * The dual-encoder candidates: the options' configuration, then one change at a time from the
 * selection grid (K0, K1, μ, ω, width), then the shared trunk (`selection.trunk`), duplicates
 * dropped. K0 and K1 are checked against p.
 */
export function candidateConfigs(o: ResolvedOptions, p: number): CandidateConfig[] {
  const base: TrainerConfig = {
    shared: o.shared,
    specific: o.K1 > 0 ? o.specific : null,
    K0: encoderRegistry.fixedOutputDim(o.shared, p) ?? o.K0,
    K1: o.specific ? o.K1 : 0,
    mu: o.mu,
    omega: o.omega,
    tau: o.tau,
    nu: o.nu,
    ridge: o.ridge,
    taskWeights: o.taskWeights,
    learningRate: o.learningRate,
    stepsPerBlock: o.stepsPerBlock,
  };
  const describe = (c: TrainerConfig) => ({
    encoder: `${c.shared.kind}/${c.specific?.kind ?? 'none'}`,
    ...(Array.isArray(c.shared.config.hidden) ? { width: String(c.shared.config.hidden) } : {}),
    K0: c.K0,
    K1: c.K1,
    mu: c.mu,
    omega: c.omega,
    ...(c.encoderHeads === 'pooled' ? { heads: 'pooled' } : {}),
  });
  const checkK = (c: TrainerConfig) => {
    for (const [key, k, applies] of [
      ['K0', c.K0, encoderRegistry.fixedOutputDim(c.shared, p) === undefined],
      ['K1', c.K1, c.specific !== null],
    ] as const) {
      if (applies && k > p) {
        throw new ValidationError(`${key} is larger than the number of features`, {
          expected: `${key} ≤ p = ${p} (factors are principal directions of x at the start)`,
          received: String(k),
          fix: `Pass ${key} ≤ ${p}`,
        });
      }
    }
    return c;
  };
  const out = [{ id: 'dual', settings: describe(base), config: checkK(base) }];
  const grid = o.selection.grid;
  const seen = new Set([JSON.stringify(describe(base))]);
  const widen = (spec: EncoderSpec, w: number): EncoderSpec =>
    encoderRegistry.widen(spec, w) ?? spec;
  for (const key of ['K0', 'K1', 'mu', 'omega', 'width'] as const) {
    for (const v of grid[key] ?? []) {
      const config = (
        key === 'width'
          ? {
              ...base,
              shared: widen(base.shared, v),
              specific: base.specific && widen(base.specific, v),
            }
          : { ...base, [key]: v, ...(key === 'K1' && v === 0 ? { specific: null } : {}) }
      ) as TrainerConfig;
      const d = describe(config);
      if (seen.has(JSON.stringify(d))) continue;
      seen.add(JSON.stringify(d));
      out.push({ id: `dual ${key}=${v}`, settings: d, config: checkK(config) });
    }
  }
  if (o.selection.trunk) {
    // The shared trunk: an mlp under one common head while the encoder learns (the free per-task
    // heads of method.md §4 overfit small tasks: docs/method.md §5), no task encoders, no
    // reconstruction; the λ path then fuses its heads task by task.
    const config: TrainerConfig = {
      ...base,
      shared: mlp(),
      specific: null,
      K0: Math.min(o.K0, p),
      K1: 0,
      omega: 0,
      encoderHeads: 'pooled',
    };
    const d = describe(config);
    if (!seen.has(JSON.stringify(d))) out.push({ id: 'trunk', settings: d, config });
  }
  return out;
}
