import { SerializationError, ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { softThresholdNorm } from './fused-lasso.js';
import { graph } from './graph.js';
import { mcp } from './mcp.js';
import { createPenalty, penaltyToJSON } from './penalty.js';
import { penaltyFromJSON, penaltyRegistry } from './registry.js';
import { scad } from './scad.js';

describe('similarityRegistry', () => {
  it('has the built-ins and rebuilds each from its JSON with the same behaviour', () => {
    expect(penaltyRegistry.kinds()).toEqual(
      expect.arrayContaining(['centre', 'fusedLasso', 'graph', 'mcp', 'none', 'scad']),
    );
    const z = Float64Array.from([0.6, -0.8, 0.1]);
    for (const kind of ['mcp', 'scad', 'fusedLasso', 'centre', 'none']) {
      const p = penaltyRegistry.create({ kind });
      const q = penaltyFromJSON(JSON.parse(JSON.stringify(penaltyToJSON(p))));
      expect(q.kind).toBe(kind);
      expect(q.config).toEqual(p.config);
      expect(Array.from(q.prox(z, 0.3, 1))).toEqual(Array.from(p.prox(z, 0.3, 1)));
      expect(q.value(0.7, 0.3)).toBe(p.value(0.7, 0.3));
    }
    const m = penaltyFromJSON(JSON.parse(JSON.stringify(penaltyToJSON(mcp({ kappa: 5 })))));
    expect(m.config).toEqual({ kappa: 5 });
    expect(m.value(100, 1)).toBe(2.5);
    const s = penaltyFromJSON(penaltyToJSON(scad({ kappa: 3 })));
    expect(s.value(100, 1)).toBe(2);
    const g = penaltyFromJSON(
      JSON.parse(JSON.stringify(penaltyToJSON(graph({ edges: [[0, 2, 0.5]] })))),
    );
    expect(g.taskGraph!(3)).toEqual({ pairs: [[0, 2]], weights: [0.5] });
  });

  it('gives an error that says how to register an unknown kind', () => {
    expect(() => penaltyFromJSON({ kind: 'huber', config: {} })).toThrow(ValidationError);
    expect(() => penaltyFromJSON({ kind: 'huber', config: {} })).toThrow(
      /Unknown similarity penalty kind "huber".*similarityRegistry\.register\("huber"/,
    );
    expect(() => penaltyFromJSON({ kind: 'mcp', specVersion: 2 } as never)).toThrow(
      SerializationError,
    );
    expect(() => penaltyFromJSON(null as never)).toThrow(SerializationError);
  });

  it('registers a custom penalty written with defineSimilarity, and refuses silent replacement', () => {
    const capped = (config: { cap?: number }) =>
      createPenalty({
        kind: 'cappedLasso',
        config: { cap: config.cap ?? 1 },
        value: (t, l) => l * Math.min(t, config.cap ?? 1),
        proxNorm: (a, l, step) =>
          a > (config.cap ?? 1) + l / step ? a : softThresholdNorm(a, l / step),
      });
    penaltyRegistry.register('cappedLasso', (c) => capped(c as { cap?: number }));
    try {
      const p = penaltyFromJSON({ kind: 'cappedLasso', config: { cap: 2 } });
      expect(p.specVersion).toBe(1);
      expect(p.structure).toBe('pairwise');
      expect(p.value(5, 1)).toBe(2);
      expect(Array.from(p.prox(Float64Array.from([3, 4]), 1, 1))).toEqual([3, 4]);
      expect(Array.from(p.prox(Float64Array.from([0.3, 0.4]), 0.25, 1))).toEqual([0.15, 0.2]);
      expect(() => penaltyRegistry.register('cappedLasso', () => p)).toThrow(
        /already registered.*override: true/,
      );
      penaltyRegistry.register('cappedLasso', () => p, { override: true });
      // `replace` is the option name of every hetmtl registry (encoders, penalties, backends).
      expect(() => penaltyRegistry.register('cappedLasso', () => p)).toThrow(/replace: true/);
      penaltyRegistry.register('cappedLasso', () => p, { replace: true });
      penaltyRegistry.register('other', () => p);
      expect(() => penaltyFromJSON({ kind: 'other' })).toThrow(/returned another kind/);
    } finally {
      penaltyRegistry.unregister('cappedLasso');
      penaltyRegistry.unregister('other');
    }
    expect(penaltyRegistry.has('cappedLasso')).toBe(false);
  });
});

describe('defineSimilarity', () => {
  const base = { kind: 'x', value: (t: number, l: number) => l * t, proxNorm: (a: number) => a };

  it('fills defaults and freezes the plugin', () => {
    const p = createPenalty(base);
    expect(p).toMatchObject({
      kind: 'x',
      specVersion: 1,
      config: {},
      structure: 'pairwise',
      quadratic: false,
    });
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('rejects incomplete or non-JSON definitions with clear messages', () => {
    expect(() => createPenalty({ ...base, kind: '' })).toThrow(/has no kind/);
    expect(() => createPenalty({ kind: 'x', value: base.value } as never)).toThrow(
      /no proximal operator.*prox\(z, lambda, step\) or proxNorm/,
    );
    expect(() => createPenalty({ ...base, value: 3 } as never)).toThrow(/has no value\(\)/);
    expect(() => createPenalty({ ...base, structure: 'tree' } as never)).toThrow(
      /unknown structure/,
    );
    expect(() => createPenalty({ ...base, specVersion: 2 } as never)).toThrow(
      /unsupported specVersion/,
    );
    expect(() => createPenalty({ ...base, config: { w: new Float64Array(2) } } as never)).toThrow(
      /not JSON-safe.*config\.w/,
    );
    expect(() => createPenalty({ ...base, config: { a: [1, Number.NaN] } })).toThrow(
      /not JSON-safe.*config\.a\[1\]/,
    );
  });
});
