import type { StandardizedTasks } from '@hetmtl/estimator';
import { buildEncoder, type EncoderInstance, encoderRegistry } from '@hetmtl/encoders';
import { Random, type RowSpace, rowSpace } from '@hetmtl/tensor';
import { FittedDual } from '../predictors/dual.js';
import type { TrainerConfig } from './trainer.js';

/**
 * Wide data (p well above the rows): the dual run in the row space of the training rows.
 *
 * With X the N×p standardised training rows, X = U S Vᵀ (thin SVD, m = rank ≤ N columns). Every
 * term of the objective (method.md §3) sees the encoders' input layer only through X·W = U S (VᵀW)
 * and the decoders only through ‖X_r − F D‖² = ‖X_r V − F D V‖² + ‖F D V⊥‖², and the PCA start's
 * directions lie in the row space; weight decay is ‖W‖² = ‖VᵀW‖² + ‖V⊥ᵀW‖². So the objective on Z = XV
 * (N×m) with input weights W̃ = VᵀW is the objective on X with W = V·W̃ — the same minimisers, the
 * p−m orthogonal directions at zero — and the fit costs what a fit with m ≤ N features costs, plus
 * the O(N²p) of the Gram matrix. The start and the λ path give identical results either way (tested);
 * the Adam steps of the encoder phase differ (Adam is not rotation-invariant: in p coordinates its
 * per-coordinate scaling moves W off the row space, where only weight decay pulls it back). The
 * fitted encoders are folded back (W = V·W̃), so the model predicts from the p features as before.
 * V is `@hetmtl/tensor`'s rowSpace (through the N×N Gram matrix; never formed as p×m).
 */

/** Work in the row space when p exceeds this multiple of the rows (and the encoders can fold it). */
export const WIDE_RATIO = 4;

/**
 * Whether a run of `config` on `data` works in the row space: p > WIDE_RATIO·N and every encoder
 * has an input weight to fold the projection into (linear and mlp do; identity does not).
 */
export function useRowSpace(config: TrainerConfig, data: StandardizedTasks): boolean {
  const N = data.y.reduce((a, y) => a + y.length, 0);
  const foldable = (spec: TrainerConfig['shared'] | null) =>
    spec === null || encoderRegistry.inputWeight(spec) !== undefined;
  return data.p > WIDE_RATIO * N && foldable(config.shared) && foldable(config.specific);
}

/** The row space of the training rows (`@hetmtl/tensor` rowSpace) and the rows in its coordinates. */
export function trainingRowSpace(data: StandardizedTasks): {
  space: RowSpace;
  Z: StandardizedTasks;
} {
  const space = rowSpace(
    data.X,
    data.y.map((y) => y.length),
    data.p,
  );
  return { space, Z: { X: space.coords, y: data.y, p: space.q } };
}

export function projectTasks(space: RowSpace, data: StandardizedTasks): StandardizedTasks {
  return { X: data.X.map((X) => space.project(X)), y: data.y, p: space.q };
}

/** An encoder built on row-space inputs, rebuilt on the p features: its input weight W̃ → V·W̃. */
function liftEncoder(enc: EncoderInstance, space: RowSpace): EncoderInstance {
  const param = encoderRegistry.inputWeight(enc.spec) as string;
  const weights = enc.getWeights();
  // Weights are named `<encoder name>/<parameter>`.
  const key = Object.keys(weights).find((k) => k === param || k.endsWith(`/${param}`)) as string;
  const w = weights[key];
  const { p, q } = space;
  const T = w.shape.length === 3 ? w.shape[0] : 1;
  const K = w.shape[w.shape.length - 1];
  const lifted: number[] = [];
  for (let t = 0; t < T; t++) {
    const Wt = Float64Array.from(w.values.slice(t * q * K, (t + 1) * q * K));
    for (const v of space.expandColumns(Wt, K)) lifted.push(v);
  }
  const out = buildEncoder(enc.spec, {
    inputDim: p,
    outputDim: enc.outputDim,
    // Every weight is set below; the draws only fill the variables first.
    rng: new Random(0),
    ...(enc.tasks !== undefined ? { tasks: enc.tasks } : {}),
    ...(key.includes('/') ? { name: key.slice(0, key.length - param.length - 1) } : {}),
  });
  out.setWeights({
    ...weights,
    [key]: { shape: w.shape.length === 3 ? [T, p, K] : [p, K], values: lifted },
  });
  return out;
}

/** The predictor fitted in row-space coordinates, on the p features (its encoders lifted; the given one disposed). */
export function liftFitted(fitted: FittedDual, space: RowSpace): FittedDual {
  const shared = liftEncoder(fitted.shared, space);
  const specific = fitted.specific ? liftEncoder(fitted.specific, space) : null;
  const lifted = new FittedDual({ ...fitted.state, p: space.p }, shared, specific);
  fitted.dispose();
  return lifted;
}
