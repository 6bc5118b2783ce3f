import { describe, expect, it } from 'vitest';
import {
  bruteMinimize,
  checkPenaltyConformance,
  formatPenaltyConformanceReport,
  type PenaltyCheckName,
  type PenaltyUnderTest,
  penaltyChecks,
} from './penalty-conformance.js';

// Hand-written penalties (the suite is structural: no @hetmtl/regularizers here).
const soft = (a: number, t: number): number => (a > t ? a - t : 0);

function scaled(z: Float64Array, t: number): Float64Array {
  const a = Math.hypot(...z);
  return a === 0 || t === 0 ? new Float64Array(z.length) : z.map((v) => (v * t) / a);
}

/** The minimax concave penalty on a norm (κ = 3), correct or with one flaw. */
function mcp(
  flaw?:
    | 'unscaled-prox'
    | 'wrong-derivative'
    | 'near-zero'
    | 'ignores-step'
    | 'not-parallel'
    | 'bad-proxNorm'
    | 'no-flat-part'
    | 'unsafe-config',
): PenaltyUnderTest {
  const kappa = 3;
  const proxNorm = (a: number, lambda: number, step: number): number => {
    const thr = flaw === 'ignores-step' ? lambda : lambda / step;
    if (flaw !== 'no-flat-part' && a > kappa * lambda) return a;
    const shrink = flaw === 'unscaled-prox' ? 1 : 1 - 1 / (kappa * step);
    return soft(a, thr) / shrink;
  };
  return {
    kind: `mcp${flaw ? `:${flaw}` : ''}`,
    specVersion: 1,
    config: flaw === 'unsafe-config' ? { kappa: Number.POSITIVE_INFINITY } : { kappa },
    value: (t, lambda) =>
      flaw !== 'no-flat-part' && t > kappa * lambda
        ? (kappa * lambda * lambda) / 2
        : lambda * t - (t * t) / (2 * kappa),
    derivative: (t, lambda) =>
      Math.max(0, lambda - t / (flaw === 'wrong-derivative' ? 2 * kappa : kappa)),
    proxNorm: flaw === 'bad-proxNorm' ? (a, l, s) => 1.01 * proxNorm(a, l, s) : proxNorm,
    prox(z, lambda, step) {
      const out = scaled(z, proxNorm(Math.hypot(...z), lambda, step));
      if (flaw === 'near-zero' && out.every((v) => v === 0)) return z.map((v) => v * 1e-17);
      if (flaw === 'not-parallel' && out.length > 1 && lambda > 0) out[0] = out[0] + 1e-3 * lambda;
      return out;
    },
    checkStep(step) {
      if (!(kappa * step > 1)) throw new Error('κϑ > 1 needed');
    },
  };
}

const ridge: PenaltyUnderTest = {
  kind: 'ridge',
  config: {},
  value: (t, lambda) => lambda * t * t,
  derivative: (t, lambda) => 2 * lambda * t,
  prox: (z, lambda, step) => z.map((v) => v / (1 + (2 * lambda) / step)),
};

function failures(p: PenaltyUnderTest): PenaltyCheckName[] {
  return checkPenaltyConformance(p)
    .results.filter((r) => !r.ok)
    .map((r) => r.name);
}

const ARGMIN_1D: PenaltyCheckName =
  'prox is the argmin: brute-force 1-D minimisation over the norm (K = 4)';
const ARGMIN_2D: PenaltyCheckName =
  'prox is the argmin: brute-force 2-D minimisation over the vector (K = 2)';
const ZEROS: PenaltyCheckName =
  'exact zeros where the penalty has them: prox(z) = 0 for ‖z‖ below p′(0+)/ϑ';

describe('penalty conformance suite', () => {
  it('brute-force minimisation finds the minimum of a known function (1-D and 2-D)', () => {
    const one = bruteMinimize(
      (x) => (x[0] - 0.3) ** 2 + Math.abs(x[0] - 0.3),
      Float64Array.of(-1),
      Float64Array.of(2),
      101,
    );
    expect(Math.abs(one.x[0] - 0.3)).toBeLessThan(1e-9);
    const two = bruteMinimize(
      (x) => (x[0] + 0.2) ** 2 + 3 * (x[1] - 0.7) ** 2,
      Float64Array.of(-1, -1),
      Float64Array.of(1, 1),
      41,
    );
    expect(Math.abs(two.x[0] + 0.2) + Math.abs(two.x[1] - 0.7)).toBeLessThan(1e-8);
  });

  it('passes a correct non-convex penalty (MCP) and a smooth one (ridge) on every check', () => {
    for (const p of [mcp(), ridge]) {
      const report = checkPenaltyConformance(p, { rebuild: () => p });
      expect(report.failed, formatPenaltyConformanceReport(report)).toBe(0);
      expect(report.results.map((r) => r.name)).toEqual([...penaltyChecks]);
    }
    // Steps that checkStep rejects (MCP needs κϑ > 1) are left out.
    expect(checkPenaltyConformance(mcp(), { steps: [0.2, 1] }).steps).toEqual([1]);
  });

  it('catches a prox that is not the minimiser (MCP without the 1/(1 − 1/(κϑ)) factor)', () => {
    const f = failures(mcp('unscaled-prox'));
    expect(f).toEqual(expect.arrayContaining([ARGMIN_1D, ARGMIN_2D]));
    // (Unscaled, the prox jumps at ‖z‖ = κλ, where prox and proxNorm then round differently.)
    expect(f).not.toContain(ZEROS);
    expect(f).not.toContain('derivative agrees with finite differences of value');
  });

  it('catches a prox whose threshold ignores the step ϑ (and then zeros too much)', () => {
    expect(failures(mcp('ignores-step'))).toEqual(expect.arrayContaining([ARGMIN_1D, ARGMIN_2D]));
  });

  it('catches near-zeros where the penalty fuses (1e-17 instead of exactly 0)', () => {
    expect(failures(mcp('near-zero'))).toEqual([ZEROS]);
  });

  it('catches a derivative that does not match the value (finite differences)', () => {
    expect(failures(mcp('wrong-derivative'))).toEqual([
      'derivative agrees with finite differences of value',
    ]);
  });

  it('catches a prox that is not parallel to z (and so not the 2-D minimiser)', () => {
    const f = failures(mcp('not-parallel'));
    expect(f).toContain('prox is parallel to z and returns a new Float64Array of the same length');
    expect(f).toContain(ARGMIN_2D);
  });

  it('catches a proxNorm that disagrees with prox, a decreasing value and an unsafe config', () => {
    expect(failures(mcp('bad-proxNorm'))).toEqual(['proxNorm agrees with prox']);
    expect(failures(mcp('no-flat-part'))).toContain(
      'value is 0 at 0, non-negative and non-decreasing in the norm; 0 at λ = 0',
    );
    expect(failures(mcp('unsafe-config'))).toEqual([
      'config is JSON-safe and the registry rebuilds the same penalty',
    ]);
  });

  it('catches a registry that rebuilds another penalty', () => {
    const report = checkPenaltyConformance(mcp(), { rebuild: () => ridge });
    expect(report.results.filter((r) => !r.ok).map((r) => r.name)).toEqual([
      'config is JSON-safe and the registry rebuilds the same penalty',
    ]);
  });

  it('fails (does not throw) when prox throws or checkStep rejects every step', () => {
    const throwing: PenaltyUnderTest = {
      ...ridge,
      kind: 'throws',
      prox: () => {
        throw new Error('boom');
      },
    };
    const report = checkPenaltyConformance(throwing);
    expect(report.results.find((r) => r.name === ARGMIN_1D)?.failure).toMatch(/threw Error: boom/);
    expect(
      checkPenaltyConformance(mcp(), { steps: [0.1] }).results.find((r) => r.name === ARGMIN_1D)
        ?.failure,
    ).toMatch(/rejects every step/);
  });
});
