import { SerializationError, ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { softThresholdNorm } from './fused-lasso.js';
import { graph } from './graph.js';
import { mcp } from './mcp.js';
import { defineSimilarity, similarityToJSON } from './penalty.js';
import { similarityFromJSON, similarityRegistry } from './registry.js';
import { scad } from './scad.js';

describe('similarityRegistry', () => {
  it('has the built-ins and rebuilds each from its JSON with the same behaviour', () => {
    expect(similarityRegistry.kinds()).toEqual(
      expect.arrayContaining(['centre', 'fusedLasso', 'graph', 'mcp', 'none', 'scad']),
    );
    const z = Float64Array.from([0.6, -0.8, 0.1]);
    for (const kind of ['mcp', 'scad', 'fusedLasso', 'centre', 'none']) {
      const p = similarityRegistry.create({ kind });
      const q = similarityFromJSON(JSON.parse(JSON.stringify(similarityToJSON(p))));
      expect(q.kind).toBe(kind);
      expect(q.config).toEqual(p.config);
      expect(Array.from(q.prox(z, 0.3, 1))).toEqual(Array.from(p.prox(z, 0.3, 1)));
      expect(q.value(0.7, 0.3)).toBe(p.value(0.7, 0.3));
    }
    const m = similarityFromJSON(JSON.parse(JSON.stringify(similarityToJSON(mcp({ kappa: 5 })))));
    expect(m.config).toEqual({ kappa: 5 });
    expect(m.value(100, 1)).toBe(2.5);
    const s = similarityFromJSON(similarityToJSON(scad({ kappa: 3 })));
    expect(s.value(100, 1)).toBe(2);
    const g = similarityFromJSON(
      JSON.parse(JSON.stringify(similarityToJSON(graph({ edges: [[0, 2, 0.5]] })))),
    );
    expect(g.taskGraph!(3)).toEqual({ pairs: [[0, 2]], weights: [0.5] });
  });

  it('gives an error that says how to register an unknown kind', () => {
    expect(() => similarityFromJSON({ kind: 'huber', config: {} })).toThrow(ValidationError);
    expect(() => similarityFromJSON({ kind: 'huber', config: {} })).toThrow(
      /Unknown similarity penalty kind "huber".*similarityRegistry\.register\("huber"/,
    );
    expect(() => similarityFromJSON({ kind: 'mcp', specVersion: 2 } as never)).toThrow(
      SerializationError,
    );
    expect(() => similarityFromJSON(null as never)).toThrow(SerializationError);
  });

  it('registers a custom penalty written with defineSimilarity, and refuses silent replacement', () => {
    const capped = (config: { cap?: number }) =>
      defineSimilarity({
        kind: 'cappedLasso',
        config: { cap: config.cap ?? 1 },
        value: (t, l) => l * Math.min(t, config.cap ?? 1),
        proxNorm: (a, l, step) =>
          a > (config.cap ?? 1) + l / step ? a : softThresholdNorm(a, l / step),
      });
    similarityRegistry.register('cappedLasso', (c) => capped(c as { cap?: number }));
    try {
      const p = similarityFromJSON({ kind: 'cappedLasso', config: { cap: 2 } });
      expect(p.specVersion).toBe(1);
      expect(p.structure).toBe('pairwise');
      expect(p.value(5, 1)).toBe(2);
      expect(Array.from(p.prox(Float64Array.from([3, 4]), 1, 1))).toEqual([3, 4]);
      expect(Array.from(p.prox(Float64Array.from([0.3, 0.4]), 0.25, 1))).toEqual([0.15, 0.2]);
      expect(() => similarityRegistry.register('cappedLasso', () => p)).toThrow(
        /already registered.*override: true/,
      );
      similarityRegistry.register('cappedLasso', () => p, { override: true });
      // `replace` is the option name of every hetmtl registry (encoders, penalties, backends).
      expect(() => similarityRegistry.register('cappedLasso', () => p)).toThrow(/replace: true/);
      similarityRegistry.register('cappedLasso', () => p, { replace: true });
      similarityRegistry.register('other', () => p);
      expect(() => similarityFromJSON({ kind: 'other' })).toThrow(/returned another kind/);
    } finally {
      similarityRegistry.unregister('cappedLasso');
      similarityRegistry.unregister('other');
    }
    expect(similarityRegistry.has('cappedLasso')).toBe(false);
  });
});

describe('defineSimilarity', () => {
  const base = { kind: 'x', value: (t: number, l: number) => l * t, proxNorm: (a: number) => a };

  it('fills defaults and freezes the plugin', () => {
    const p = defineSimilarity(base);
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
    expect(() => defineSimilarity({ ...base, kind: '' })).toThrow(/has no kind/);
    expect(() => defineSimilarity({ kind: 'x', value: base.value } as never)).toThrow(
      /no proximal operator.*prox\(z, lambda, step\) or proxNorm/,
    );
    expect(() => defineSimilarity({ ...base, value: 3 } as never)).toThrow(/has no value\(\)/);
    expect(() => defineSimilarity({ ...base, structure: 'tree' } as never)).toThrow(
      /unknown structure/,
    );
    expect(() => defineSimilarity({ ...base, specVersion: 2 } as never)).toThrow(
      /unsupported specVersion/,
    );
    expect(() =>
      defineSimilarity({ ...base, config: { w: new Float64Array(2) } } as never),
    ).toThrow(/not JSON-safe.*config\.w/);
    expect(() => defineSimilarity({ ...base, config: { a: [1, Number.NaN] } })).toThrow(
      /not JSON-safe.*config\.a\[1\]/,
    );
  });
});
