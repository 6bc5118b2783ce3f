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
      make({ K0: 3, K1: 1, numLambdas: 5, selection: { linearFloor: false, grid: { K0: [2] } } }),
    ).not.toThrow();
  });
});
