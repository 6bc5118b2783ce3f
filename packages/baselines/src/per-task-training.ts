import { throwIfAborted, yieldToEventLoop } from '@hetmtl/optimizer';
import { NumericError, type Scalar, type Tensor, tf, type Variable } from '@hetmtl/tensor';
import type { Activation, DenseLayer } from './dense-layers.js';
import { disposeSet, type PaddedSet, padSet, taskRmse, taskSse } from './network-training.js';
import type { StandardizedTasks as TaskArrays } from '@hetmtl/estimator';

export interface PerTaskTrainOptions {
  /** Each task's initial layers (the same architecture for every task). */
  readonly initial: readonly (readonly DenseLayer[])[];
  readonly activation: Activation;
  readonly train: TaskArrays;
  /** Validation rows: early stopping per task; null for a refit. */
  readonly validation: TaskArrays | null;
  /** Refit: the epoch whose weights each task keeps (0 = the initial weights). */
  readonly keepAt: readonly number[] | null;
  readonly maxEpochs: number;
  readonly patience: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly signal: AbortSignal | undefined;
  readonly onEpoch?: (epoch: number, scores: Float64Array | null) => void;
  /** Drop finished tasks from the batch only when it has at least this many tasks (default 8; Infinity: never). */
  readonly minShrinkBatch?: number;
}

export interface PerTaskTrainResult {
  /** Each task's kept layers. */
  readonly layers: DenseLayer[][];
  readonly bestEpochs: number[];
  readonly bestScores: number[];
  readonly epochs: number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** The variables of a batch of k tasks: W_l [k, fanIn, fanOut] and b_l [k, 1, fanOut], layer by layer. */
interface Batch {
  /** Which task each slot holds. */
  readonly tasks: number[];
  readonly vars: Variable[];
  readonly m: Tensor[];
  readonly v: Tensor[];
  readonly trainSet: PaddedSet;
  readonly valSet: PaddedSet | null;
}

/**
 * The per-task MLP's training: R networks of one architecture trained as one batched network, with
 * Adam written out (moments kept per weight, so they can follow a task when the batch shrinks) and
 * early stopping per task. Each task's weights are kept at its best validation epoch; when at most
 * half of the batch is still improving (and the batch has 8 tasks or more), the finished tasks are
 * dropped from the batch, so a few slow tasks do not keep the whole batch training. Adam is
 * elementwise and the tasks share no weights, so every task follows exactly the trajectory it would
 * follow alone.
 */
export async function trainPerTask(o: PerTaskTrainOptions): Promise<PerTaskTrainResult> {
  const R = o.initial.length;
  const shapes = o.initial[0].map((l) => [l.fanIn, l.fanOut] as const);
  const kept: DenseLayer[][] = o.initial.map((layers) => layers.map(copyLayer));
  const bestEpochs = new Array<number>(R).fill(0);
  const bestScores = new Array<number>(R).fill(Number.POSITIVE_INFINITY);
  const since = new Array<number>(R).fill(0);
  const active = new Array<boolean>(R).fill(true);
  const maxEpochs = o.keepAt ? Math.max(0, ...o.keepAt) : o.maxEpochs;
  if (o.keepAt) o.keepAt.forEach((e, r) => (active[r] = e > 0));
  // A task without validation rows (one training row) cannot stop early: it keeps its initial
  // weights here (their output bias is the task's mean) and gets the median best epoch of the
  // validated tasks, the number of epochs its refit trains.
  const unvalidated = Array.from({ length: R }, (_, r) => o.validation?.y[r].length === 0);
  unvalidated.forEach((u, r) => {
    if (u) active[r] = false;
  });
  let batch: Batch | null = null;
  let epoch = 0;
  try {
    batch = makeBatch(
      o,
      Array.from({ length: R }, (_, r) => r),
      o.initial,
      null,
    );
    if (o.validation && batch.valSet) {
      const s = scores(batch, o.activation);
      batch.tasks.forEach((r, k) => (bestScores[r] = s[k]));
    }
    for (epoch = 1; epoch <= maxEpochs && active.some(Boolean); epoch++) {
      throwIfAborted(o.signal);
      const b = batch;
      const check = epoch % 10 === 0 || epoch === maxEpochs;
      const loss = step(b, o, epoch, check);
      if (check) {
        if (!Number.isFinite(loss))
          throw new NumericError(`The training loss became ${loss} at epoch ${epoch}`, {
            fix: 'Lower the learning rate, or check the data for extreme values',
          });
        await yieldToEventLoop();
      }
      const improved: number[] = [];
      let s: Float64Array | null = null;
      if (o.validation) {
        s = scores(b, o.activation);
        b.tasks.forEach((r, k) => {
          if (!active[r] || unvalidated[r]) return;
          const v = s?.[k] as number;
          if (!Number.isFinite(v))
            throw new NumericError(`The validation RMSE became ${v} at epoch ${epoch}`, {
              task: r,
            });
          if (v < bestScores[r]) {
            bestScores[r] = v;
            bestEpochs[r] = epoch;
            since[r] = 0;
            improved.push(k);
          } else if ((since[r] = since[r] + 1) >= o.patience) active[r] = false;
        });
      } else if (o.keepAt) {
        b.tasks.forEach((r, k) => {
          if (o.keepAt?.[r] === epoch) {
            bestEpochs[r] = epoch;
            improved.push(k);
            active[r] = false;
          }
        });
      }
      if (improved.length > 0) {
        const values = b.vars.map((x) => x.dataSync() as Float32Array);
        for (const k of improved) kept[b.tasks[k]] = slotLayers(values, k, shapes);
      }
      o.onEpoch?.(epoch, s);
      const still = b.tasks.filter((r) => active[r]);
      if (
        still.length > 0 &&
        b.tasks.length >= (o.minShrinkBatch ?? 8) &&
        still.length <= b.tasks.length / 2
      ) {
        const next = shrink(b, still, o, shapes);
        disposeBatch(b);
        batch = next;
      }
    }
    if (unvalidated.some(Boolean)) {
      const median = medianEpoch(bestEpochs, unvalidated);
      unvalidated.forEach((u, r) => {
        if (u) bestEpochs[r] = median;
      });
    }
    return {
      layers: kept,
      bestEpochs,
      bestScores: o.validation ? bestScores.filter((_, r) => !unvalidated[r]) : [],
      epochs: Math.min(epoch - 1, maxEpochs),
    };
  } finally {
    if (batch) disposeBatch(batch);
  }
}

function copyLayer(l: DenseLayer): DenseLayer {
  return { fanIn: l.fanIn, fanOut: l.fanOut, W: l.W.slice(), b: l.b.slice() };
}

function subset(data: TaskArrays, tasks: readonly number[]): TaskArrays {
  return {
    X: tasks.map((r) => data.X[r]),
    y: tasks.map((r) => data.y[r]),
    p: data.p,
  };
}

/** Variables (and Adam moments) for the given tasks from their layers. */
function makeBatch(
  o: PerTaskTrainOptions,
  tasks: number[],
  layers: readonly (readonly DenseLayer[])[],
  moments: { m: Float32Array[]; v: Float32Array[] } | null,
): Batch {
  const k = tasks.length;
  const shapesOf = (l: DenseLayer) => [
    [k, l.fanIn, l.fanOut],
    [k, 1, l.fanOut],
  ];
  const first = layers[tasks[0]];
  const values: Float32Array[] = [];
  first.forEach((l, j) => {
    const W = new Float32Array(k * l.fanIn * l.fanOut);
    const b = new Float32Array(k * l.fanOut);
    tasks.forEach((r, s) => {
      const lr = layers[r][j];
      W.set(lr.W, s * l.fanIn * l.fanOut);
      b.set(lr.b, s * l.fanOut);
    });
    values.push(W, b);
  });
  const shapes = first.flatMap(shapesOf);
  const vars: Variable[] = [];
  const m: Tensor[] = [];
  const v: Tensor[] = [];
  let trainSet: PaddedSet | null = null;
  let valSet: PaddedSet | null = null;
  try {
    values.forEach((x, i) => {
      vars.push(tf.tidy(() => tf.variable(tf.tensor(x, shapes[i], 'float32'), true)));
      m.push(tf.tensor(moments ? moments.m[i] : new Float32Array(x.length), shapes[i], 'float32'));
      v.push(tf.tensor(moments ? moments.v[i] : new Float32Array(x.length), shapes[i], 'float32'));
    });
    trainSet = padSet(subset(o.train, tasks));
    valSet = o.validation ? padSet(subset(o.validation, tasks)) : null;
    return { tasks, vars, m, v, trainSet, valSet };
  } catch (e) {
    tf.dispose([...vars, ...m, ...v]);
    disposeSet(trainSet);
    disposeSet(valSet);
    throw e;
  }
}

function disposeBatch(b: Batch): void {
  tf.dispose([...b.vars, ...b.m, ...b.v]);
  disposeSet(b.trainSet);
  disposeSet(b.valSet);
}

/** The batch restricted to the tasks still training: weights and moments carried over. */
function shrink(
  b: Batch,
  still: number[],
  o: PerTaskTrainOptions,
  shapes: readonly (readonly [number, number])[],
): Batch {
  const slots = still.map((r) => b.tasks.indexOf(r));
  const values = b.vars.map((x) => x.dataSync() as Float32Array);
  const layers: DenseLayer[][] = [];
  slots.forEach((k, i) => {
    layers[still[i]] = slotLayers(values, k, shapes);
  });
  const pick = (ts: Tensor[]) =>
    ts.map((t) => {
      const data = t.dataSync() as Float32Array;
      const size = data.length / b.tasks.length;
      const out = new Float32Array(slots.length * size);
      slots.forEach((k, i) => {
        out.set(data.subarray(k * size, (k + 1) * size), i * size);
      });
      return out;
    });
  return makeBatch(o, still, layers, { m: pick(b.m), v: pick(b.v) });
}

/** Task slot k's layers from the batch's variable values. */
function slotLayers(
  values: readonly Float32Array[],
  k: number,
  shapes: readonly (readonly [number, number])[],
): DenseLayer[] {
  return shapes.map(([fanIn, fanOut], j) => {
    const W = values[2 * j];
    const b = values[2 * j + 1];
    return {
      fanIn,
      fanOut,
      W: Float64Array.from(W.subarray(k * fanIn * fanOut, (k + 1) * fanIn * fanOut)),
      b: Float64Array.from(b.subarray(k * fanOut, (k + 1) * fanOut)),
    };
  });
}

function forward(vars: readonly Tensor[], x: Tensor, activation: Activation): Tensor {
  let h = x;
  const depth = vars.length / 2;
  for (let l = 0; l < depth; l++) {
    h = tf.add(tf.matMul(h, vars[2 * l]), vars[2 * l + 1]);
    if (l < depth - 1)
      h = activation === 'elu' ? tf.elu(h) : activation === 'relu' ? tf.relu(h) : tf.tanh(h);
  }
  return h;
}

function scores(b: Batch, activation: Activation): Float64Array {
  const set = b.valSet as PaddedSet;
  const pred = tf.tidy(() => forward(b.vars, set.x, activation));
  const s = taskRmse(set, pred);
  pred.dispose();
  return s;
}

/** One Adam step on Σ_r (1/2n_r)‖y_r − ŷ_r‖² + (ν/2)Σ‖W‖²; returns the loss when `read`. */
function step(b: Batch, o: PerTaskTrainOptions, t: number, read: boolean): number {
  const set = b.trainSet;
  const lossFn = (): Scalar =>
    tf.tidy(() => {
      let loss = tf.mul(
        tf.sum(tf.mul(taskSse(set, forward(b.vars, set.x, o.activation)), set.invCount)),
        0.5,
      );
      if (o.weightDecay > 0) {
        for (let i = 0; i < b.vars.length; i += 2)
          loss = tf.add(loss, tf.mul(tf.sum(tf.square(b.vars[i] as Tensor)), o.weightDecay / 2));
      }
      return loss as Scalar;
    });
  const { value, grads } = tf.variableGrads(lossFn, b.vars);
  const c1 = 1 - BETA1 ** t;
  const c2 = 1 - BETA2 ** t;
  b.vars.forEach((x, i) => {
    const g = grads[x.name];
    const [m, v] = tf.tidy(() => {
      const mNew = tf.add(tf.mul(b.m[i], BETA1), tf.mul(g, 1 - BETA1));
      const vNew = tf.add(tf.mul(b.v[i], BETA2), tf.mul(tf.square(g), 1 - BETA2));
      x.assign(
        tf.sub(
          x,
          tf.mul(
            tf.div(tf.div(mNew, c1), tf.add(tf.sqrt(tf.div(vNew, c2)), EPSILON)),
            o.learningRate,
          ),
        ),
      );
      return [mNew, vNew];
    });
    tf.dispose([b.m[i], b.v[i]]);
    b.m[i] = m;
    b.v[i] = v;
  });
  tf.dispose(grads);
  const loss = read ? value.dataSync()[0] : Number.NaN;
  value.dispose();
  return loss;
}

/** The median (lower middle) best epoch of the validated tasks. */
function medianEpoch(bestEpochs: readonly number[], unvalidated: readonly boolean[]): number {
  const e = bestEpochs.filter((_, r) => !unvalidated[r]).sort((a, b) => a - b);
  return e.length > 0 ? e[Math.floor((e.length - 1) / 2)] : 0;
}
