import { linear } from '@hetmtl/encoders';
import type { StandardizedTasks } from '@hetmtl/estimator';
import { Random } from '@hetmtl/tensor';
import type { TrainerConfig } from '../dual/trainer.js';

/** A small linear/linear trainer configuration (K0 = 2, K1 = 1) for the objective's tests, with overrides. */
export const trainerConfig = (o: Partial<TrainerConfig> = {}): TrainerConfig => ({
  shared: linear(),
  specific: linear(),
  K0: 2,
  K1: 1,
  mu: 0.5,
  omega: 1,
  tau: 0.1,
  nu: 0.1,
  ridge: 1e-3,
  taskWeights: 'size',
  learningRate: 0.05,
  stepsPerBlock: 5,
  ...o,
});

/**
 * Small tasks for the objective's tests: X ~ N(0, I) of `sizes` rows × p, optionally with pooled
 * column means 0 (a shared linear encoder without bias needs centred data), and
 * y = x₁ − 0.5·(r + 1)·x₂ + 0.3·ε in task r.
 */
export function tinyTasks(
  seed: number,
  o: { readonly p: number; readonly sizes: readonly number[]; readonly centre: boolean },
): StandardizedTasks {
  const rng = new Random(seed);
  const { p } = o;
  const X = o.sizes.map((n) => rng.normals(n * p));
  if (o.centre) {
    const N = X.reduce((a, x) => a + x.length / p, 0);
    for (let j = 0; j < p; j++) {
      let m = 0;
      for (const x of X) for (let i = j; i < x.length; i += p) m += x[i]! / N;
      for (const x of X) for (let i = j; i < x.length; i += p) x[i]! -= m;
    }
  }
  const y = X.map((x, r) =>
    Float64Array.from(
      { length: x.length / p },
      (_, i) => x[i * p]! - 0.5 * x[i * p + 1]! * (r + 1) + 0.3 * rng.normal(),
    ),
  );
  return { X, y, p };
}
