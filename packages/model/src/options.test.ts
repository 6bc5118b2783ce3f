import { ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { DualEncoderRegressor } from './regressor.js';

describe('model options', () => {
  it('an unknown option is an error naming the nearest valid one, at every level', () => {
    const make = (o: object) => () => new DualEncoderRegressor(o as never);
    expect(make({ k0: 4 })).toThrow(
      /Unknown option k0 for DualEncoderRegressor: expected one of shared, specific, K0, .*received "k0"\. Did you mean K0\?/,
    );
    expect(make({ sampleWeight: [1, 2] })).toThrow(
      /Unknown option sampleWeight .*Check the spelling/,
    );
    expect(make({ selection: { linearFlor: false } })).toThrow(
      /Unknown option selection\.linearFlor .*Did you mean selection\.linearFloor\?/,
    );
    expect(make({ selection: { grid: { widht: [8] } } })).toThrow(
      /Unknown option selection\.grid\.widht .*Did you mean selection\.grid\.width\?/,
    );
    try {
      make({ numLambda: 5 })();
    } catch (e) {
      expect(ValidationError.isInstance(e)).toBe(true);
    }
    // Every documented option, and a saved model's options, are accepted.
    expect(
      make({
        K0: 3,
        K1: 1,
        numLambdas: 5,
        selection: { linearFloor: false, trunk: false, grid: { K0: [2] } },
      }),
    ).not.toThrow();
  });
});

describe('selection.trunk and selection.average', () => {
  it('default to true, take booleans only, and the trunk is a candidate of its own', async () => {
    const { candidateConfigs } = await import('./selection/candidates.js');
    const { resolveOptions } = await import('./options.js');
    const on = resolveOptions({});
    expect(on.selection.trunk).toBe(true);
    expect(on.selection.average).toBe(true);
    const ids = candidateConfigs(on, 6).map((c) => c.id);
    expect(ids).toEqual(['dual', 'trunk']);
    const trunk = candidateConfigs(on, 6)[1]!.config;
    expect(trunk).toMatchObject({ K1: 0, specific: null, omega: 0, encoderHeads: 'pooled' });
    expect(trunk.shared.kind).toBe('mlp');
    expect(
      candidateConfigs(resolveOptions({ selection: { trunk: false } }), 6).map((c) => c.id),
    ).toEqual(['dual']);
    // K0 of the trunk is at most p (an identity shared encoder takes any p).
    const { identity } = await import('@hetmtl/encoders');
    const few = candidateConfigs(resolveOptions({ shared: identity() }), 2);
    expect(few.map((c) => [c.id, c.config.K0])).toEqual([
      ['dual', 2],
      ['trunk', 2],
    ]);
    for (const key of ['trunk', 'average'])
      expect(() => new DualEncoderRegressor({ selection: { [key]: 'yes' } } as never)).toThrow(
        new RegExp(`Invalid option selection\\.${key}: expected true or false`),
      );
  });
});
