import { checkPenaltyConformance } from '@hetmtl/testing';
import { describePenaltyConformance } from '@hetmtl/testing/vitest';
import { describe, expect, it } from 'vitest';
import { centre } from './centre.js';
import { fusedLasso, softThresholdNorm } from './fused-lasso.js';
import { graph } from './graph.js';
import { mcp } from './mcp.js';
import { none } from './none.js';
import { createPenalty, type PenaltyJSON } from './penalty.js';
import { definePenalty, PenaltyRegistry, penaltyRegistry } from './registry.js';
import { scad } from './scad.js';

// Every built-in penalty through @hetmtl/testing's penalty conformance suite: prox against brute-force
// minimisation (1-D over the norm, 2-D over the vector), exact zeros, value/derivative consistency by
// finite differences, and the registry round trip.
const rebuild = (json: PenaltyJSON) => penaltyRegistry.create(json);
for (const penalty of [
  mcp(),
  mcp({ kappa: 1.5 }),
  scad(),
  scad({ kappa: 2.5 }),
  fusedLasso(),
  centre(),
  graph({ edges: [[0, 1]] }),
  graph({
    weights: [
      [0, 2],
      [2, 0],
    ],
  }),
  none(),
]) {
  describePenaltyConformance(penalty, { rebuild });
}

describe('the penalty conformance suite on a deliberately broken penalty', () => {
  it("fails a defineSimilarity penalty whose prox forgets MCP's 1/(1 − 1/(κϑ)) factor, and only on the argmin checks", () => {
    const kappa = 3;
    const broken = createPenalty({
      kind: 'brokenMcp',
      config: { kappa },
      value: (t, lambda) =>
        t <= kappa * lambda ? lambda * t - (t * t) / (2 * kappa) : (kappa * lambda * lambda) / 2,
      derivative: (t, lambda) => Math.max(0, lambda - t / kappa),
      // Continuous at κλ but not the minimiser: a plain soft threshold below κλ.
      proxNorm: (a, lambda, step) =>
        a <= kappa * lambda ? Math.min(softThresholdNorm(a, lambda / step), kappa * lambda) : a,
      checkStep: (step) => mcp({ kappa }).checkStep?.(step),
    });
    const report = checkPenaltyConformance(broken);
    expect(report.results.filter((r) => !r.ok).map((r) => r.name)).toEqual([
      'prox is the argmin: brute-force 1-D minimisation over the norm (K = 4)',
      'prox is the argmin: brute-force 2-D minimisation over the vector (K = 2)',
    ]);
  });
});

describe('definePenalty: define = check + register + return the factory (as defineEncoder)', () => {
  it('registers a custom kind that saved models rebuild, and that passes the suite', () => {
    const registry = new PenaltyRegistry();
    // A group lasso with a scale: p(t) = s·λ·t.
    const scaled = definePenalty(
      'test:scaled-lasso',
      (c: { scale?: number }) => {
        const scale = c.scale ?? 2;
        return createPenalty({
          kind: 'test:scaled-lasso',
          config: { scale },
          value: (t, lambda) => scale * lambda * t,
          derivative: (_t, lambda) => scale * lambda,
          proxNorm: (a, lambda, step) => softThresholdNorm(a, (scale * lambda) / step),
        });
      },
      { registry },
    );
    expect(registry.kinds()).toEqual(['test:scaled-lasso']);
    const p = scaled({ scale: 3 });
    const report = checkPenaltyConformance(p, {
      rebuild: (json) => registry.create(json as PenaltyJSON),
    });
    expect(report.failed).toBe(0);
    expect(() => definePenalty('test:scaled-lasso', () => p, { registry })).toThrow(
      /already registered.*replace: true/,
    );
    const wrong = definePenalty('test:wrong', () => p, { registry });
    expect(() => wrong()).toThrow(/returned another kind/);
  });
});
