import { cpuBackend } from '@hetmtl/backend-cpu';
import {
  NotFittedError,
  SerializationError,
  tf,
  useBackend,
  ValidationError,
} from '@hetmtl/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkEstimatorConformance,
  type DatasetUnderTest,
  type EstimatorCheckName,
  estimatorChecks,
  formatEstimatorConformanceReport,
} from './estimator-conformance.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

afterAll(() => {
  for (const t of leaked) t.dispose();
});

// A tiny dataset and a per-task least-squares-through-the-mean estimator written by hand (no
// @hetmtl/data or baselines here), with one deliberate flaw at a time.
function dataset(seed: number): DatasetUnderTest {
  const names = ['a', 'b'];
  const tasks = names.map((name, r) => {
    const n = 6 + r;
    const X = Float64Array.from({ length: n * 2 }, (_, i) => Math.sin(seed + i * 1.3 + r));
    const y = Float64Array.from(
      { length: n },
      (_, i) => 2 * X[2 * i] - X[2 * i + 1] + r + 0.1 * Math.cos(seed * i),
    );
    return { name, X, y, n };
  });
  return { taskNames: names, numFeatures: 2, tasks: () => tasks };
}

type Flaw =
  | 'none'
  | 'keeps-unknown-options'
  | 'predicts-unfitted'
  | 'returns-undefined'
  | 'random'
  | 'loses-on-save'
  | 'leaks'
  | 'mutates-data'
  | 'plain-errors';

const leaked: tf.Tensor[] = [];

class Mean {
  static readonly FORMAT = 'test/mean';
  readonly options: { seed: number };
  private means: Record<string, number> | undefined;
  constructor(
    options: Record<string, unknown>,
    readonly flaw: Flaw,
  ) {
    for (const k of Object.keys(options))
      if (k !== 'seed' && flaw !== 'keeps-unknown-options')
        throw new ValidationError(`Unknown option ${k} for Mean`);
    this.options = { seed: (options.seed as number) ?? 0 };
  }
  get fitted(): boolean {
    return this.means !== undefined;
  }
  async fit(data: DatasetUnderTest): Promise<this> {
    this.means = {};
    for (const t of data.tasks()) {
      if (this.flaw === 'mutates-data') (t.y as Float64Array)[0] = 0;
      this.means[t.name] =
        Array.from(t.y).reduce((a, b) => a + b, 0) / t.n +
        (this.flaw === 'random' ? Math.random() : 0);
    }
    if (this.flaw === 'leaks') leaked.push(tf.zeros([1]));
    return this.flaw === 'returns-undefined' ? (undefined as never) : this;
  }
  predict(
    X: Float64Array | readonly (readonly number[])[],
    { task }: { task: string },
  ): Float64Array {
    if (!this.means && this.flaw !== 'predicts-unfitted') throw new NotFittedError('Mean');
    const rows: readonly (readonly number[])[] = ArrayBuffer.isView(X)
      ? Array.from({ length: X.length / 2 }, (_, i) => [X[2 * i], X[2 * i + 1]])
      : X;
    if (ArrayBuffer.isView(X) && X.length % 2 !== 0)
      throw new ValidationError('not a multiple of 2');
    const m = this.means?.[task];
    if (this.means && m === undefined)
      throw this.flaw === 'plain-errors'
        ? new Error('unknown task')
        : new ValidationError('Unknown task', { task });
    rows.forEach((row, i) => {
      if (row.length !== 2) throw new ValidationError('Wrong number of features', { task, row: i });
      row.forEach((v, j) => {
        if (!Number.isFinite(v))
          throw new ValidationError('Non-finite value', { task, row: i, column: j });
      });
    });
    return Float64Array.from(rows, () => m ?? 0);
  }
  score(data: DatasetUnderTest): number {
    if (!this.means) throw new NotFittedError('Mean');
    const ys: number[] = [];
    const ps: number[] = [];
    for (const t of data.tasks()) {
      ys.push(...Array.from(t.y));
      ps.push(...this.predict(Float64Array.from(t.X), { task: t.name }));
    }
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    return (
      1 -
      ys.reduce((s, y, i) => s + (y - ps[i]) ** 2, 0) / ys.reduce((s, y) => s + (y - mean) ** 2, 0)
    );
  }
  toJSON(): unknown {
    if (!this.means) throw new NotFittedError('Mean');
    return {
      format: Mean.FORMAT,
      version: 1,
      options: this.options,
      means: this.flaw === 'loses-on-save' ? {} : this.means,
    };
  }
  dispose(): void {
    this.means = undefined;
  }
  static fromJSON(json: unknown, flaw: Flaw): Mean {
    let doc: {
      format?: string;
      version?: number;
      options?: Record<string, unknown>;
      means?: Record<string, number>;
    };
    try {
      doc = typeof json === 'string' ? JSON.parse(json) : (json as typeof doc);
    } catch (cause) {
      throw new SerializationError('Not JSON', { cause });
    }
    if (doc.format !== Mean.FORMAT || doc.version !== 1 || typeof doc.means !== 'object')
      throw new SerializationError('Not a Mean document');
    if (Object.values(doc.means).some((v) => typeof v !== 'number'))
      throw new SerializationError('Corrupt');
    const m = new Mean(doc.options ?? {}, flaw);
    m.means = { ...doc.means };
    return m;
  }
}

const failures = async (flaw: Flaw): Promise<EstimatorCheckName[]> => {
  const report = await checkEstimatorConformance(
    {
      name: flaw,
      make: (o = {}) => new Mean(o, flaw),
      fromJSON: (j) => Mean.fromJSON(j, flaw),
      train: dataset(1),
      test: dataset(2),
    },
    { corrupt: (doc) => ({ ...doc, means: { a: 'x' } }) },
  );
  return report.results.filter((r) => !r.ok).map((r) => r.name);
};

describe('estimator conformance suite', () => {
  it('passes a correct estimator on every check', async () => {
    const report = await checkEstimatorConformance({
      name: 'mean',
      make: (o = {}) => new Mean(o, 'none'),
      fromJSON: (j) => Mean.fromJSON(j, 'none'),
      train: dataset(1),
      test: dataset(2),
    });
    expect(report.failed, formatEstimatorConformanceReport(report)).toBe(0);
    expect(report.results.map((r) => r.name)).toEqual([...estimatorChecks]);
  });

  it.each([
    ['keeps-unknown-options', ['the constructor rejects an unknown option, naming it']],
    ['predicts-unfitted', ['predict, score and toJSON before fit throw NotFittedError']],
    [
      'returns-undefined',
      ['fit returns the estimator itself and leaves the training data unchanged'],
    ],
    ['mutates-data', ['fit returns the estimator itself and leaves the training data unchanged']],
    ['random', ['the same seed gives the same predictions']],
    ['loses-on-save', ['toJSON → fromJSON gives identical predictions and options']],
    ['leaks', ['no tensor leaks: fit, predict, score, save, load and dispose']],
    [
      'plain-errors',
      [
        'predict refuses an unknown task, a wrong number of features and non-finite values (ValidationError with the place)',
      ],
    ],
  ] as const)('catches an estimator that %s', async (flaw, expected) => {
    const got = await failures(flaw);
    expect(got).toEqual(expect.arrayContaining([...expected]));
    if (flaw !== 'mutates-data') expect(got).toEqual([...expected]);
  });
});
