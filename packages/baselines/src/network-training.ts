import { padTasks } from '@hetmtl/encoders';
import { throwIfAborted, yieldToEventLoop } from '@hetmtl/optimizer';
import { NumericError, type Scalar, type Tensor, tf, type Variable } from '@hetmtl/tensor';
import type { StandardizedTasks as TaskArrays } from '@hetmtl/estimator';

/** Task rows as padded tensors: one batched computation over all tasks. */
export interface PaddedSet {
  /** [R, nMax, p]. */
  readonly x: Tensor;
  /** [R, nMax, 1], zero on padding rows. */
  readonly y: Tensor;
  /** [R, nMax, 1]: 1 on real rows. */
  readonly mask: Tensor;
  /** [R, 1, 1]: 1/n_r. */
  readonly invCount: Tensor;
  readonly R: number;
  readonly nMax: number;
  readonly counts: readonly number[];
  readonly total: number;
}

export function padSet(data: TaskArrays): PaddedSet {
  const padded = padTasks(data.X as Float64Array[], data.p);
  const R = data.y.length;
  const yPad = new Float32Array(R * padded.nMax);
  data.y.forEach((y, r) => {
    yPad.set(y, r * padded.nMax);
  });
  return {
    x: padded.x,
    mask: padded.mask,
    y: tf.tensor3d(yPad, [R, padded.nMax, 1], 'float32'),
    invCount: tf.tensor3d(
      Float32Array.from(padded.counts, (n) => 1 / n),
      [R, 1, 1],
      'float32',
    ),
    R,
    nMax: padded.nMax,
    counts: padded.counts,
    total: padded.counts.reduce((a, b) => a + b, 0),
  };
}

export function disposeSet(set: PaddedSet | null): void {
  if (set) tf.dispose([set.x, set.y, set.mask, set.invCount]);
}

/** Σ_i mask·(y − ŷ)² per task: [R, 1, 1]. */
export function taskSse(set: PaddedSet, pred: Tensor): Tensor {
  return tf.sum(tf.mul(tf.square(tf.sub(set.y, pred)), set.mask), 1, true);
}

/** Per-task RMSE of predictions [R, nMax, 1] (read back to the CPU); NaN for a task without rows. */
export function taskRmse(set: PaddedSet, pred: Tensor): Float64Array {
  const t = tf.tidy(() => tf.sqrt(tf.mul(taskSse(set, pred), set.invCount)));
  const out = Float64Array.from(t.dataSync());
  t.dispose();
  set.counts.forEach((n, r) => {
    if (n === 0) out[r] = Number.NaN;
  });
  return out;
}

/**
 * The mean validation RMSE across the tasks that have validation rows (a task of one training row
 * has none: it is fitted, not scored); NaN when no task has any.
 */
export function meanOverValidatedTasks(set: PaddedSet, rmse: ArrayLike<number>): number {
  let sum = 0;
  let k = 0;
  set.counts.forEach((n, r) => {
    if (n > 0) {
      sum += rmse[r];
      k++;
    }
  });
  return k > 0 ? sum / k : Number.NaN;
}

export interface TrainOptions {
  readonly variables: readonly Variable[];
  readonly loss: () => Scalar;
  /** The validation score (lower is better) after the current step; null for a refit. */
  readonly validation: (() => number) | null;
  /** Refit: the epoch whose weights to keep (0 = the initial weights). */
  readonly keepAt: number | null;
  readonly maxEpochs: number;
  readonly patience: number;
  readonly learningRate: number;
  readonly signal: AbortSignal | undefined;
  readonly onEpoch?: (epoch: number, score: number | null) => void;
}

export interface TrainResult {
  /** The epoch whose weights were kept (0: the initial ones). */
  readonly bestEpoch: number;
  /** The best validation score (NaN for a refit). */
  readonly bestScore: number;
  readonly epochs: number;
}

/**
 * Full-batch Adam (one step per epoch; the loss is checked for finiteness and the event loop is let
 * run every 10 epochs, the abort signal checked every epoch) with early stopping: after every step
 * the validation score is computed, and the weights are kept whenever it improves. Training stops
 * after `patience` epochs without improvement (or at `maxEpochs`), and the kept weights are put back.
 * A refit runs to the `keepAt` epoch.
 */
export async function trainWithEarlyStopping(o: TrainOptions): Promise<TrainResult> {
  const adam = tf.train.adam(o.learningRate);
  let kept: Tensor[] = o.variables.map((v) => tf.clone(v));
  let bestEpoch = 0;
  let bestScore = o.validation ? o.validation() : Number.NaN;
  let since = 0;
  const maxEpochs = o.keepAt ?? o.maxEpochs;
  let epoch = 0;
  try {
    for (epoch = 1; epoch <= maxEpochs; epoch++) {
      throwIfAborted(o.signal);
      const check = epoch % 10 === 0 || epoch === maxEpochs;
      const cost = adam.minimize(o.loss, check, [...o.variables]);
      if (cost) {
        const value = cost.dataSync()[0];
        cost.dispose();
        if (!Number.isFinite(value)) throw nonFinite('training loss', value, epoch);
        await yieldToEventLoop();
      }
      let score: number | null = null;
      let improved = o.keepAt === epoch;
      if (o.validation) {
        score = o.validation();
        if (!Number.isFinite(score)) throw nonFinite('validation RMSE', score, epoch);
        if (score < bestScore) {
          bestScore = score;
          improved = true;
          since = 0;
        } else since++;
      }
      if (improved) {
        bestEpoch = epoch;
        tf.dispose(kept);
        kept = o.variables.map((v) => tf.clone(v));
      }
      o.onEpoch?.(epoch, score);
      if (o.validation && since >= o.patience) break;
    }
    o.variables.forEach((v, i) => {
      v.assign(kept[i]);
    });
    return { bestEpoch, bestScore, epochs: Math.min(epoch, maxEpochs) };
  } finally {
    tf.dispose(kept);
    adam.dispose();
  }
}

function nonFinite(what: string, value: number, epoch: number): NumericError {
  return new NumericError(`The ${what} became ${value} at epoch ${epoch}`, {
    fix: 'Lower the learning rate, or check the data for extreme values',
  });
}
