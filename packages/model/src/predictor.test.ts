// The model is a Predictor of @hetmtl/estimator (the interface the baselines implement too), and
// its evaluate returns the estimator kit's one Evaluation type.
import type { Evaluation as KitEvaluation, Predictor } from '@hetmtl/estimator';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DualEncoderRegressor, type Evaluation } from './index.js';

describe('DualEncoderRegressor as a Predictor', () => {
  it('has the members of the Predictor interface and the one Evaluation type', () => {
    expectTypeOf<DualEncoderRegressor>().toMatchTypeOf<Predictor>();
    expectTypeOf<ReturnType<DualEncoderRegressor['evaluate']>>().toEqualTypeOf<KitEvaluation>();
    expectTypeOf<Evaluation>().toEqualTypeOf<KitEvaluation>();
    const m: Predictor = new DualEncoderRegressor();
    expect(m.fitted).toBe(false);
  });
});
