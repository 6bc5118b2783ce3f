import {
  describeReceived,
  NotFittedError,
  opt,
  SerializationError,
  ValidationError,
} from '@hetmtl/tensor';
import { createDataset, type MultiTaskDataset } from './dataset.js';
import { unknownTaskError } from './encoding.js';
import { listNames, type FloatArray } from './values.js';

/** Which statistics standardise a quantity: pooled over all training rows, per task, or none. */
export type StandardizeMode = 'pooled' | 'per-task' | 'none';

export interface StandardizerOptions {
  /** Feature statistics: "pooled" (default: one mean and scale per feature over all tasks), "per-task" or "none". */
  readonly features?: StandardizeMode;
  /** Target statistics: "pooled" (default), "per-task" or "none". */
  readonly target?: StandardizeMode;
}

/** Location and scale: x ↦ (x − mean) / scale. */
export interface Scaling {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
}

/** The JSON form of a fitted {@link Standardizer}. Per-task lists are aligned with `taskNames`. */
export interface StandardizerJSON {
  readonly kind: 'hetmtl/standardizer';
  readonly version: 1;
  readonly options: Required<StandardizerOptions>;
  readonly featureNames: readonly string[];
  readonly taskNames: readonly string[];
  readonly sizes: readonly number[];
  readonly features: {
    readonly pooled: ScalingJSON;
    readonly perTask: readonly ScalingJSON[] | null;
  };
  readonly target: {
    readonly pooled: ScalingJSON;
    readonly perTask: readonly ScalingJSON[] | null;
  };
  readonly constantFeatures: readonly string[];
}

export interface ScalingJSON {
  readonly mean: readonly number[];
  readonly scale: readonly number[];
}

interface State {
  readonly featureNames: readonly string[];
  readonly taskNames: readonly string[];
  readonly sizes: readonly number[];
  readonly taskLookup: ReadonlyMap<string, number>;
  readonly pooledX: Scaling;
  readonly taskX: readonly Scaling[] | null;
  readonly pooledY: Scaling;
  readonly taskY: readonly Scaling[] | null;
  readonly constantFeatures: readonly string[];
}

const MODES: readonly StandardizeMode[] = ['pooled', 'per-task', 'none'];

/** True when a spread this small is rounding noise around `mean` (the column is constant). */
function isZeroSpread(sd: number, mean: number): boolean {
  return sd === 0 || sd <= 1e-10 * Math.abs(mean);
}

/** Magnitudes within which the plain sums cannot overflow or lose values to underflow. */
const SAFE_LOW = 2 ** -400;
const SAFE_HIGH = 2 ** 400;

/**
 * A power of two s with s ≤ m < 2s for a magnitude m outside the safe range, else 1. Dividing by a
 * power of two is exact, so statistics of x/s, scaled back by s, round exactly as those of x
 * would if nothing overflowed.
 */
function pow2Scale(m: number): number {
  if (!(m > 0) || (m >= SAFE_LOW && m <= SAFE_HIGH) || !Number.isFinite(m)) return 1;
  const e = Math.floor(Math.log2(m));
  let s = 2 ** e;
  if (s > m) s = 2 ** (e - 1);
  else if (e < 1023 && s * 2 <= m) s = 2 ** (e + 1);
  return s;
}

/**
 * Mean and standard deviation (population, divisor n) of each of p columns over the rows of
 * several row-major blocks; a zero-variance column gets scale 1 (it is centred, not scaled).
 * Overflow-safe: a column whose largest magnitude is outside 2^±400 (a value such as 1e308) is
 * first divided by a power of two near that magnitude, so its sums, mean and scale stay finite
 * (the mean lies between the extremes and the population sd is at most the largest |x|). For
 * other columns the computation is the plain two-pass one, bit for bit.
 */
function columnScaling(
  blocks: readonly FloatArray[],
  p: number,
): { scaling: Scaling; constant: boolean[] } {
  const big = new Float64Array(p);
  for (const X of blocks) {
    for (let i = 0; i < X.length; i++) {
      const a = Math.abs(X[i]);
      const j = i % p;
      if (a > big[j]) big[j] = a;
    }
  }
  const sc = Float64Array.from(big, pow2Scale);
  const mean = new Float64Array(p);
  let n = 0;
  for (const X of blocks) {
    const rows = X.length / p;
    n += rows;
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < p; j++) mean[j] = mean[j] + X[i * p + j] / sc[j];
  }
  // Scaled mean m/s, kept for the deviations.
  const ms = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    ms[j] = mean[j] / n;
    mean[j] = ms[j] * sc[j];
  }
  const ss = new Float64Array(p);
  for (const X of blocks) {
    const rows = X.length / p;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < p; j++) {
        const d = X[i * p + j] / sc[j] - ms[j];
        ss[j] = ss[j] + d * d;
      }
    }
  }
  const scale = new Float64Array(p);
  const constant: boolean[] = [];
  for (let j = 0; j < p; j++) {
    const sd = Math.sqrt(ss[j] / n) * sc[j];
    const zero = isZeroSpread(sd, mean[j]);
    constant.push(zero);
    scale[j] = zero ? 1 : sd;
  }
  return { scaling: { mean, scale }, constant };
}

/**
 * (x − mean) / scale, also when x − mean overflows (x and mean of opposite signs near 1e308); a
 * value that cannot be represented after standardising (far outside the training range of a
 * column with a tiny scale) is refused with where it is.
 */
function standardize(
  x: number,
  mean: number,
  scale: number,
  where: () => { task?: string; row: number; column: string },
): number {
  const z = (x - mean) / scale;
  if (Number.isFinite(z)) return z;
  const z2 = x / scale - mean / scale;
  if (Number.isFinite(z2)) return z2;
  if (!Number.isFinite(x)) return z;
  throw new ValidationError('Value too large to standardise', {
    ...where(),
    expected: `a value whose distance from the training mean ${mean} in units of the training scale ${scale} is finite`,
    received: String(x),
    fix: 'Check the value (a unit or a typo), or rescale the column',
  });
}

const IDENTITY = (p: number): Scaling => ({
  mean: new Float64Array(p),
  scale: new Float64Array(p).fill(1),
});

/**
 * Standardises features and target with statistics fitted on training rows only, and maps
 * predictions back (`inverseTransformY`). Pooled statistics by default (one mean and standard
 * deviation per feature over all training rows); per task as an option, where a task of one row
 * uses the pooled statistics. A column with zero variance is centred and left unscaled (scale 1),
 * so it becomes 0 and never a NaN. Standard deviations use divisor n. Serialisable with
 * `toJSON` / `Standardizer.fromJSON`.
 */
export class Standardizer {
  readonly options: Required<StandardizerOptions>;
  private state: State | null = null;

  constructor(options: StandardizerOptions = {}) {
    const features = options.features ?? 'pooled';
    const target = options.target ?? 'pooled';
    for (const [k, v] of [
      ['features', features],
      ['target', target],
    ] as const) {
      if (!MODES.includes(v)) {
        throw new ValidationError(`Invalid ${k} option`, {
          column: k,
          expected: '"pooled", "per-task" or "none"',
          received: describeReceived(v),
        });
      }
    }
    this.options = Object.freeze({ features, target });
  }

  get fitted(): boolean {
    return this.state !== null;
  }

  private get s(): State {
    if (this.state === null) throw new NotFittedError('Standardizer');
    return this.state;
  }

  /** Learns the statistics from `train` (its rows only). Returns this. */
  fit(train: MultiTaskDataset): this {
    const p = train.numFeatures;
    const tasks = train.tasks();
    const pooled = columnScaling(
      tasks.map((t) => t.X),
      p,
    );
    const taskX =
      this.options.features === 'per-task'
        ? tasks.map((t) => (t.n < 2 ? pooled.scaling : columnScaling([t.X], p).scaling))
        : null;
    const pooledY = columnScaling(
      tasks.map((t) => t.y),
      1,
    ).scaling;
    const taskY =
      this.options.target === 'per-task'
        ? tasks.map((t) => (t.n < 2 ? pooledY : columnScaling([t.y], 1).scaling))
        : null;
    this.state = Object.freeze({
      featureNames: train.featureNames,
      taskNames: train.taskNames,
      sizes: train.sizes,
      taskLookup: new Map(train.taskNames.map((n, i) => [n, i])),
      pooledX: this.options.features === 'none' ? IDENTITY(p) : pooled.scaling,
      taskX,
      pooledY: this.options.target === 'none' ? IDENTITY(1) : pooledY,
      taskY,
      constantFeatures: Object.freeze(train.featureNames.filter((_, j) => pooled.constant[j])),
    });
    return this;
  }

  /** Features with zero variance over all training rows (centred to 0, not scaled). */
  get constantFeatures(): readonly string[] {
    return this.s.constantFeatures;
  }

  get featureNames(): readonly string[] {
    return this.s.featureNames;
  }

  /** Training tasks. */
  get taskNames(): readonly string[] {
    return this.s.taskNames;
  }

  private taskPos(task: string | undefined, needed: boolean, what: string): number {
    const s = this.s;
    if (task === undefined) {
      if (!needed) return -1;
      throw new ValidationError('Task required', {
        expected: `a task name: the ${what} is standardised per task`,
        received: 'no task',
        fix: 'Pass the task of the rows',
      });
    }
    const r = s.taskLookup.get(task);
    if (r === undefined) {
      if (!needed) return -1;
      throw unknownTaskError(task, s.taskNames);
    }
    return r;
  }

  /** The feature scaling applied to rows of `task` (a copy). */
  featureScaling(task?: string): Scaling {
    const sc = this.xScaling(task);
    return { mean: sc.mean.slice(), scale: sc.scale.slice() };
  }

  /** The target scaling of `task`: y ↦ (y − mean) / scale. */
  targetScaling(task?: string): { readonly mean: number; readonly scale: number } {
    const sc = this.yScaling(task);
    return { mean: sc.mean[0], scale: sc.scale[0] };
  }

  private xScaling(task: string | undefined): Scaling {
    const s = this.s;
    const r = this.taskPos(task, s.taskX !== null, 'features');
    return s.taskX !== null ? s.taskX[r] : s.pooledX;
  }

  private yScaling(task: string | undefined): Scaling {
    const s = this.s;
    const r = this.taskPos(task, s.taskY !== null, 'target');
    return s.taskY !== null ? s.taskY[r] : s.pooledY;
  }

  /** Standardised features of rows (row-major n×p), as a new Float64Array. */
  transformX(X: FloatArray | readonly (readonly number[])[], task?: string): Float64Array {
    const s = this.s;
    const p = s.featureNames.length;
    const flat = Array.isArray(X)
      ? flattenRows(X as readonly (readonly number[])[], p)
      : (X as FloatArray);
    if (!(flat instanceof Float64Array || flat instanceof Float32Array) || flat.length % p !== 0) {
      throw new ValidationError('Rows with the wrong number of features', {
        task,
        expected: `row-major rows of ${p} features (${listNames(s.featureNames, 4)})`,
        received: describeReceived(X),
        fix: 'Encode new rows with dataset.encoding.encodeRows first',
      });
    }
    const { mean, scale } = this.xScaling(task);
    const out = new Float64Array(flat.length);
    for (let i = 0; i < flat.length; i += p) {
      for (let j = 0; j < p; j++) {
        const z = (flat[i + j] - mean[j]) / scale[j];
        out[i + j] = Number.isFinite(z)
          ? z
          : standardize(flat[i + j], mean[j], scale[j], () => ({
              task,
              row: i / p + 1,
              column: s.featureNames[j],
            }));
      }
    }
    return out;
  }

  /** Standardised targets of `task`, as a new Float64Array. */
  transformY(y: ArrayLike<number>, task?: string): Float64Array {
    const { mean, scale } = this.yScaling(task);
    const m = mean[0];
    const sc = scale[0];
    return Float64Array.from(y, (v, i) => {
      const z = (v - m) / sc;
      return Number.isFinite(z)
        ? z
        : standardize(v, m, sc, () => ({ task, row: i + 1, column: 'target' }));
    });
  }

  /** Predictions on the standardised scale mapped back to the target's units. */
  inverseTransformY(y: ArrayLike<number>, task?: string): Float64Array {
    const { mean, scale } = this.yScaling(task);
    const m = mean[0];
    const sc = scale[0];
    return Float64Array.from(y, (v) => v * sc + m);
  }

  /** A new dataset with standardised features and target (same tasks, dtype and encoding). */
  transform(ds: MultiTaskDataset): MultiTaskDataset {
    const s = this.s;
    if (
      ds.featureNames.length !== s.featureNames.length ||
      ds.featureNames.some((f, j) => f !== s.featureNames[j])
    ) {
      const j = ds.featureNames.findIndex((f, k) => f !== s.featureNames[k]);
      throw new ValidationError('Features differ from the fitted ones', {
        column: ds.featureNames[j] ?? j + 1,
        expected: `the ${s.featureNames.length} fitted features ${listNames(s.featureNames, 4)}, in the same order`,
        received: `${ds.featureNames.length} features ${listNames(ds.featureNames, 4)}`,
        fix: ['Read the data with the training encoding (', opt('encoding'), ' of the adapters)'],
      });
    }
    const Xs = ds.tasks().map((t) => {
      const z = this.transformX(t.X, t.name);
      return ds.dtype === 'float32' ? Float32Array.from(z) : z;
    });
    const ys = ds.tasks().map((t) => this.transformY(t.y, t.name));
    return createDataset({
      taskNames: ds.taskNames,
      featureNames: ds.featureNames,
      X: Xs,
      y: ys,
      dtype: ds.dtype,
      encoding: ds.encoding,
      weights: ds.weights,
      offsets: ds.offsets,
    });
  }

  toJSON(): StandardizerJSON {
    const s = this.s;
    const js = (sc: Scaling): ScalingJSON => ({
      mean: Array.from(sc.mean),
      scale: Array.from(sc.scale),
    });
    return {
      kind: 'hetmtl/standardizer',
      version: 1,
      options: this.options,
      featureNames: s.featureNames,
      taskNames: s.taskNames,
      sizes: s.sizes,
      features: { pooled: js(s.pooledX), perTask: s.taskX?.map(js) ?? null },
      target: { pooled: js(s.pooledY), perTask: s.taskY?.map(js) ?? null },
      constantFeatures: s.constantFeatures,
    };
  }

  /** Reads back {@link Standardizer.toJSON}; anything else gives a SerializationError. */
  static fromJSON(json: unknown): Standardizer {
    const j = json as Partial<StandardizerJSON> | null;
    const fail = (what: string) =>
      new SerializationError('Not a fitted hetmtl standardizer', {
        expected: what,
        received: describeReceived(json),
        fix: 'Pass the object returned by standardizer.toJSON() (or its JSON.parse)',
      });
    if (typeof j !== 'object' || j === null || j.kind !== 'hetmtl/standardizer')
      throw fail('an object with kind "hetmtl/standardizer"');
    if (j.version !== 1) throw fail('version 1');
    const names = j.featureNames;
    const tasks = j.taskNames;
    if (
      !Array.isArray(names) ||
      !Array.isArray(tasks) ||
      !Array.isArray(j.sizes) ||
      typeof j.options !== 'object'
    ) {
      throw fail('featureNames, taskNames, sizes and options');
    }
    const p = names.length;
    const scaling = (sc: ScalingJSON | undefined, len: number): Scaling => {
      const ok =
        sc &&
        Array.isArray(sc.mean) &&
        Array.isArray(sc.scale) &&
        sc.mean.length === len &&
        sc.scale.length === len &&
        sc.mean.every(Number.isFinite) &&
        sc.scale.every((v) => Number.isFinite(v) && v > 0);
      if (!ok) throw fail(`finite means and positive scales of length ${len}`);
      return { mean: Float64Array.from(sc.mean), scale: Float64Array.from(sc.scale) };
    };
    const list = (l: readonly ScalingJSON[] | null | undefined, len: number) => {
      if (l === null || l === undefined) return null;
      if (!Array.isArray(l) || l.length !== tasks.length)
        throw fail('one per-task scaling per task');
      return l.map((sc) => scaling(sc, len));
    };
    const st = new Standardizer(j.options);
    st.state = Object.freeze({
      featureNames: Object.freeze([...names]),
      taskNames: Object.freeze([...tasks]),
      sizes: Object.freeze([...j.sizes]),
      taskLookup: new Map(tasks.map((n, i) => [n, i])),
      pooledX: scaling(j.features?.pooled, p),
      taskX: list(j.features?.perTask, p),
      pooledY: scaling(j.target?.pooled, 1),
      taskY: list(j.target?.perTask, 1),
      constantFeatures: Object.freeze([...(j.constantFeatures ?? [])]),
    });
    if (
      (st.options.features === 'per-task') !== (st.state.taskX !== null) ||
      (st.options.target === 'per-task') !== (st.state.taskY !== null)
    ) {
      throw fail('per-task statistics exactly when an option is "per-task"');
    }
    return st;
  }
}

function flattenRows(rows: readonly (readonly number[])[], p: number): Float64Array {
  const out = new Float64Array(rows.length * p);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== p) {
      throw new ValidationError('Rows with the wrong number of features', {
        row: i + 1,
        expected: `${p} features per row`,
        received: describeReceived(r),
      });
    }
    out.set(r, i * p);
  });
  return out;
}
