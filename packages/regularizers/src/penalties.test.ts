import { Random, ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { centre } from './centre.js';
import { fusedLasso } from './fused-lasso.js';
import { graph } from './graph.js';
import { mcp } from './mcp.js';
import { none } from './none.js';
import type { Penalty } from './penalty.js';
import { scad } from './scad.js';
import { bruteMin1D, norm } from './test-fixtures/oracles.js';

const norms = [0, 1e-3, 0.05, 0.3, 0.5, 0.9, 1, 1.2, 1.5, 2, 2.9, 3, 3.1, 3.7, 4, 5, 8, 12];
const lambdas = [0, 0.1, 0.5, 1, 2];

interface Case {
  readonly name: string;
  readonly penalty: Penalty;
  readonly steps: readonly number[];
}

const cases: Case[] = [
  { name: 'mcp κ=3', penalty: mcp(), steps: [0.4, 1, 2.5] },
  { name: 'mcp κ=1.5', penalty: mcp({ kappa: 1.5 }), steps: [0.8, 1, 3] },
  { name: 'scad κ=3.7', penalty: scad(), steps: [0.5, 1, 2.5] },
  { name: 'scad κ=2.5', penalty: scad({ kappa: 2.5 }), steps: [0.7, 1, 3] },
  { name: 'fusedLasso', penalty: fusedLasso(), steps: [0.3, 1, 2.5] },
  { name: 'centre (group soft-threshold)', penalty: centre(), steps: [0.3, 1, 2.5] },
  { name: 'graph (quadratic)', penalty: graph({ edges: [[0, 1]] }), steps: [0.3, 1, 2.5] },
  { name: 'none', penalty: none(), steps: [0.3, 1, 2.5] },
];

function randomDirection(rng: Random, K: number): Float64Array {
  const u = rng.normals(K);
  const s = norm(u);
  return u.map((x) => x / s);
}

describe('proximal operators against brute-force 1-D minimisation', () => {
  for (const { name, penalty, steps } of cases) {
    it(`${name}: prox(z) is parallel to z and minimises p(t)/ϑ + ½(t − ‖z‖)² over a grid of ‖z‖, λ, ϑ`, () => {
      const rng = new Random(11);
      let checked = 0;
      for (const a of norms) {
        for (const lambda of lambdas) {
          for (const step of steps) {
            const u = randomDirection(rng, 4);
            const z = u.map((x) => a * x);
            const eta = penalty.prox(z, lambda, step);
            expect(eta).toBeInstanceOf(Float64Array);
            expect(eta.length).toBe(4);
            const t = norm(eta);
            // Parallel to z with a non-negative factor.
            let dot = 0;
            for (let k = 0; k < 4; k++) dot += eta[k]! * u[k]!;
            expect(dot).toBeGreaterThanOrEqual(-1e-15);
            for (let k = 0; k < 4; k++)
              expect(Math.abs(eta[k]! - dot * u[k]!)).toBeLessThan(1e-12 * (1 + a));
            const phi = (s: number): number => penalty.value(s, lambda) / step + 0.5 * (s - a) ** 2;
            const brute = bruteMin1D(phi, a);
            expect(phi(t)).toBeLessThanOrEqual(phi(brute) + 1e-12 * (1 + a * a));
            expect(Math.abs(t - brute)).toBeLessThan(1e-6 * (1 + a));
            // proxNorm agrees with prox.
            if (penalty.proxNorm)
              expect(Math.abs(penalty.proxNorm(a, lambda, step) - t)).toBeLessThan(1e-12 * (1 + a));
            // No direction off z does better (the full vector objective).
            const full = (e: Float64Array): number => {
              let d = 0;
              for (let k = 0; k < 4; k++) d += (e[k]! - z[k]!) ** 2;
              return penalty.value(norm(e), lambda) / step + 0.5 * d;
            };
            for (let j = 0; j < 3; j++) {
              const pert = eta.map((x) => x + 1e-3 * rng.normal());
              expect(full(pert)).toBeGreaterThanOrEqual(full(eta) - 1e-12);
            }
            checked++;
          }
        }
      }
      expect(checked).toBe(norms.length * lambdas.length * steps.length);
    });
  }

  it('returns exact zeros below the threshold λ/ϑ (this is how tasks fuse) and zeros at z = 0', () => {
    for (const p of [mcp(), scad(), fusedLasso(), centre()]) {
      const z = Float64Array.from([0.3, -0.4]); // ‖z‖ = 0.5
      expect(Array.from(p.prox(z, 1, 2))).toEqual([0, 0]); // threshold 0.5
      expect(Array.from(p.prox(new Float64Array(3), 1, 1))).toEqual([0, 0, 0]);
      expect(norm(p.prox(z, 1, 2.2))).toBeGreaterThan(0);
    }
  });

  it('mcp and scad leave large differences unchanged (no bias), fusedLasso shrinks them', () => {
    const z = Float64Array.from([3, 4]); // ‖z‖ = 5
    expect(Array.from(mcp().prox(z, 1, 1))).toEqual([3, 4]);
    expect(Array.from(scad().prox(z, 1, 1))).toEqual([3, 4]);
    expect(norm(fusedLasso().prox(z, 1, 1))).toBeCloseTo(4, 14);
  });

  it('mcp needs κϑ > 1 and scad (κ − 1)ϑ > 1, with clear messages', () => {
    const z = Float64Array.from([1, 1]);
    expect(() => mcp().prox(z, 1, 0.3)).toThrow(/kappa·step > 1/);
    expect(() => mcp({ kappa: 2 }).checkStep!(0.5)).toThrow(ValidationError);
    expect(() => mcp({ kappa: 2 }).checkStep!(0.51)).not.toThrow();
    expect(() => scad().prox(z, 1, 0.3)).toThrow(/\(kappa − 1\)·step > 1/);
    expect(() => mcp({ kappa: 0 })).toThrow(/Invalid kappa for mcp/);
    expect(() => mcp({ kappa: Number.NaN })).toThrow(ValidationError);
    expect(() => scad({ kappa: 2 })).toThrow(/expected a finite number κ > 2/);
  });

  it('rejects a negative or non-finite λ and a non-positive step', () => {
    const z = Float64Array.from([1, 1]);
    for (const p of [mcp(), scad(), fusedLasso(), centre(), none()]) {
      expect(() => p.prox(z, -1, 1)).toThrow(/Invalid lambda.*λ ≥ 0.*received -1/);
      expect(() => p.prox(z, Number.POSITIVE_INFINITY, 1)).toThrow(ValidationError);
      expect(() => p.prox(z, 1, 0)).toThrow(/Invalid step/);
    }
  });
});

describe('penalty values', () => {
  const lambda = 0.7;

  it('are continuous at the knots (mcp: κλ; scad: λ and κλ)', () => {
    const knots: [Penalty, number][] = [
      [mcp(), 3 * lambda],
      [mcp({ kappa: 1.5 }), 1.5 * lambda],
      [scad(), lambda],
      [scad(), 3.7 * lambda],
    ];
    for (const [p, t] of knots) {
      const eps = 1e-9;
      expect(Math.abs(p.value(t - eps, lambda) - p.value(t + eps, lambda))).toBeLessThan(1e-8);
      expect(
        Math.abs(p.derivative!(t - eps, lambda) - p.derivative!(t + eps, lambda)),
      ).toBeLessThan(1e-8);
    }
  });

  it('mcp and scad are constant beyond κλ, at κλ²/2 and (κ + 1)λ²/2', () => {
    for (const t of [3 * lambda * 1.001, 6 * lambda, 100])
      expect(mcp().value(t, lambda)).toBeCloseTo((3 * lambda ** 2) / 2, 14);
    for (const t of [3.7 * lambda * 1.001, 8 * lambda, 100])
      expect(scad().value(t, lambda)).toBeCloseTo((4.7 * lambda ** 2) / 2, 14);
    expect(mcp().derivative!(10, lambda)).toBe(0);
    expect(scad().derivative!(10, lambda)).toBe(0);
  });

  it('start at zero with slope λ (mcp, scad, fusedLasso), and graph is λt²', () => {
    for (const p of [mcp(), scad(), fusedLasso(), centre()]) {
      expect(p.value(0, lambda)).toBe(0);
      expect(p.derivative!(0, lambda)).toBe(lambda);
    }
    expect(graph({ edges: [[0, 1]] }).value(2, lambda)).toBeCloseTo(4 * lambda, 14);
    expect(none().value(5, lambda)).toBe(0);
  });

  it('derivatives agree with central finite differences of the values', () => {
    const ps = [
      mcp(),
      mcp({ kappa: 1.5 }),
      scad(),
      scad({ kappa: 2.5 }),
      fusedLasso(),
      centre(),
      graph({ edges: [[0, 1]] }),
      none(),
    ];
    for (const p of ps) {
      for (let t = 0.013; t < 5; t += 0.0917) {
        const h = 1e-6;
        const fd = (p.value(t + h, lambda) - p.value(t - h, lambda)) / (2 * h);
        expect(Math.abs(fd - p.derivative!(t, lambda))).toBeLessThan(1e-6);
      }
    }
  });

  it('are non-decreasing and, for mcp/scad, below the lasso λt', () => {
    for (const p of [mcp(), scad()]) {
      let prev = 0;
      for (let t = 0; t < 5; t += 0.01) {
        const v = p.value(t, lambda);
        expect(v).toBeGreaterThanOrEqual(prev - 1e-15);
        expect(v).toBeLessThanOrEqual(lambda * t + 1e-15);
        prev = v;
      }
    }
  });
});
