/**
 * The estimator conformance suite, after scikit-learn's `check_estimator`: the contract every hetmtl
 * estimator (the model and the baselines) keeps. Structural — it needs only the members below — so
 * it imports neither `@hetmtl/data`, `@hetmtl/model` nor `@hetmtl/baselines`, and any package can
 * run it on its estimators.
 */
import {
  countTensors,
  HetmtlError,
  NotFittedError,
  SerializationError,
  ValidationError,
} from '@hetmtl/tensor';

/** One task of a dataset, as the suite reads it. */
export interface TaskUnderTest {
  readonly name: string;
  readonly X: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly n: number;
}

/** A multi-task dataset (a `MultiTaskDataset` of `@hetmtl/data`), as the suite reads it. */
export interface DatasetUnderTest {
  readonly taskNames: readonly string[];
  readonly numFeatures: number;
  tasks(): Iterable<TaskUnderTest>;
}

/** The estimator contract: what the suite calls. */
export interface EstimatorUnderTest {
  readonly fitted: boolean;
  readonly options: unknown;
  fit(data: never, options?: never): Promise<unknown>;
  predict(
    X: Float64Array | readonly (readonly number[])[],
    options: { readonly task: string },
  ): Float64Array;
  score(data: never): number;
  toJSON(): unknown;
  dispose?(): void;
}

export interface EstimatorSubject<E extends EstimatorUnderTest = EstimatorUnderTest> {
  /** A name for reports, e.g. `RidgeRegressor pooled`. */
  readonly name: string;
  /** A new estimator with these options added to the subject's own (e.g. `{ seed }`). */
  make(options?: Readonly<Record<string, unknown>>): E;
  /** Rebuilds an estimator from `toJSON()` (or its text). */
  fromJSON(json: unknown): E;
  /** Training and test data with the same tasks. */
  readonly train: DatasetUnderTest;
  readonly test: DatasetUnderTest;
}

export interface EstimatorConformanceOptions {
  /** Options the constructor must store as given (default `{ seed: 3 }`). */
  readonly stored?: Readonly<Record<string, unknown>>;
  /** An option name the constructor must reject (default `notAnOption`). */
  readonly unknownOption?: string;
  /** Breaks the learned content of a saved document (fromJSON must then throw a SerializationError). */
  readonly corrupt?: (doc: Record<string, unknown>) => Record<string, unknown>;
}

/** The checks of the estimator conformance suite, in the order they run. */
export const estimatorChecks = [
  'the constructor stores its options and learns nothing',
  'the constructor rejects an unknown option, naming it',
  'predict, score and toJSON before fit throw NotFittedError',
  'fit returns the estimator itself and leaves the training data unchanged',
  'predict gives one finite value per row, the same for rows as for a Float64Array',
  'score is the pooled R² of the predictions',
  'predict refuses an unknown task, a wrong number of features and non-finite values (ValidationError with the place)',
  'the same seed gives the same predictions',
  'toJSON → fromJSON gives identical predictions and options',
  'fromJSON refuses another version, a truncated text and a corrupt document (SerializationError)',
  'no tensor leaks: fit, predict, score, save, load and dispose',
] as const;

export type EstimatorCheckName = (typeof estimatorChecks)[number];

export interface EstimatorCheckResult {
  readonly name: EstimatorCheckName;
  readonly ok: boolean;
  readonly detail?: string;
  readonly failure?: string;
}

export interface EstimatorConformanceReport {
  readonly name: string;
  readonly results: readonly EstimatorCheckResult[];
  readonly passed: number;
  readonly failed: number;
}

class CheckFailure extends Error {}

function fail(message: string): never {
  throw new CheckFailure(message);
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

const describeError = (e: unknown): string =>
  e === undefined
    ? 'nothing was thrown'
    : e instanceof Error
      ? `${e.name}: ${e.message}`
      : String(e);

/** Deep "contains": every key of `want` is in `got` with an equal value (JSON equality). */
function contains(got: unknown, want: Readonly<Record<string, unknown>>): string | undefined {
  for (const [k, v] of Object.entries(want)) {
    const g = (got as Record<string, unknown> | null)?.[k];
    if (JSON.stringify(g) !== JSON.stringify(v))
      return `options.${k} is ${JSON.stringify(g)}, not ${JSON.stringify(v)}`;
  }
  return undefined;
}

function sameArrays(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function predictAll(e: EstimatorUnderTest, data: DatasetUnderTest): Float64Array[] {
  return [...data.tasks()].map((t) => e.predict(Float64Array.from(t.X), { task: t.name }));
}

/**
 * Runs the estimator checks and returns a report with one result per check (never throws for a
 * failing estimator). Fits three estimators (two with the same seed, for determinism).
 */
export async function checkEstimatorConformance<E extends EstimatorUnderTest>(
  subject: EstimatorSubject<E>,
  options: EstimatorConformanceOptions = {},
): Promise<EstimatorConformanceReport> {
  const stored = options.stored ?? { seed: 3 };
  const unknown = options.unknownOption ?? 'notAnOption';
  const { train, test } = subject;
  const p = train.numFeatures;
  const first = [...test.tasks()][0];
  const tensorsBefore = countTensors();
  let fitted: E | undefined;
  let twin: E | undefined;
  let loaded: E | undefined;
  const fitOnce = async (): Promise<E> => {
    if (fitted === undefined) {
      const e = subject.make(stored);
      await e.fit(train as never);
      fitted = e;
    }
    return fitted;
  };

  const checks: Record<EstimatorCheckName, () => Promise<string | undefined> | string | undefined> =
    {
      'the constructor stores its options and learns nothing': () => {
        const e = subject.make(stored);
        const missing = contains(e.options, stored);
        if (missing) fail(`the constructor did not store its options: ${missing}`);
        if (e.fitted !== false) fail(`a new estimator says fitted = ${String(e.fitted)}`);
        const again = subject.make(stored);
        if (JSON.stringify(again.options) !== JSON.stringify(e.options))
          fail('two estimators made with the same options report different options');
        return undefined;
      },
      'the constructor rejects an unknown option, naming it': () => {
        const err = errorOf(() => subject.make({ ...stored, [unknown]: 1 }));
        if (!ValidationError.isInstance(err))
          fail(`new ...({ ${unknown}: 1 }) should throw a ValidationError; ${describeError(err)}`);
        if (!err.message.includes(unknown))
          fail(`the error does not name the option "${unknown}": ${err.message}`);
        return undefined;
      },
      'predict, score and toJSON before fit throw NotFittedError': () => {
        const e = subject.make(stored);
        const row = [new Array(p).fill(0)];
        for (const [what, fn] of [
          ['predict', () => e.predict(row, { task: first.name })],
          ['score', () => e.score(test as never)],
          ['toJSON', () => e.toJSON()],
        ] as const) {
          const err = errorOf(fn);
          if (!NotFittedError.isInstance(err))
            fail(`${what}() before fit should throw a NotFittedError; ${describeError(err)}`);
        }
        return undefined;
      },
      'fit returns the estimator itself and leaves the training data unchanged': async () => {
        const copies = [...train.tasks()].map(
          (t) => [Float64Array.from(t.X), Float64Array.from(t.y)] as const,
        );
        const e = subject.make(stored);
        const returned = await e.fit(train as never);
        if (returned !== e) fail('fit() did not return the estimator itself');
        if (e.fitted !== true) fail('after fit(), fitted is not true');
        [...train.tasks()].forEach((t, r) => {
          const [X, y] = copies[r] as readonly [Float64Array, Float64Array];
          if (!sameArrays(t.X, X) || !sameArrays(t.y, y))
            fail(`fit() changed the training data of task "${t.name}"`);
        });
        fitted = e;
        return undefined;
      },
      'predict gives one finite value per row, the same for rows as for a Float64Array':
        async () => {
          const e = await fitOnce();
          for (const t of test.tasks()) {
            const X = Float64Array.from(t.X);
            const pred = e.predict(X, { task: t.name });
            if (!(pred instanceof Float64Array) || pred.length !== t.n)
              fail(
                `predict() on task "${t.name}" returned ${pred?.constructor?.name} of length ${pred?.length}, not a Float64Array of length ${t.n}`,
              );
            if (!pred.every(Number.isFinite))
              fail(`predict() on task "${t.name}" returned non-finite values`);
            const rows = Array.from({ length: t.n }, (_, i) =>
              Array.from(X.subarray(i * p, (i + 1) * p)),
            );
            if (!sameArrays(e.predict(rows, { task: t.name }), pred))
              fail(`predict() on task "${t.name}" differs between rows and a Float64Array`);
            if (e.predict([], { task: t.name }).length !== 0)
              fail('predict([]) should return an empty array');
          }
          return undefined;
        },
      'score is the pooled R² of the predictions': async () => {
        const e = await fitOnce();
        const preds = predictAll(e, test);
        const ys = [...test.tasks()].flatMap((t) => Array.from(t.y));
        const yhat = preds.flatMap((q) => Array.from(q));
        const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
        let sse = 0;
        let sst = 0;
        ys.forEach((y, i) => {
          sse += (y - yhat[i]) ** 2;
          sst += (y - mean) ** 2;
        });
        const want = 1 - sse / sst;
        const got = e.score(test as never);
        if (!(Math.abs(got - want) <= 1e-9 * (1 + Math.abs(want))))
          fail(`score() = ${got}, but 1 − SSE/SST of the predictions is ${want}`);
        return `R² = ${got.toFixed(4)}`;
      },
      'predict refuses an unknown task, a wrong number of features and non-finite values (ValidationError with the place)':
        async () => {
          const e = await fitOnce();
          const unseen = errorOf(() =>
            e.predict([new Array(p).fill(0)], { task: '__no such task__' }),
          );
          if (!ValidationError.isInstance(unseen) || unseen.task !== '__no such task__')
            fail(
              `an unknown task should be a ValidationError at that task; ${describeError(unseen)}`,
            );
          const short = errorOf(() => e.predict([new Array(p - 1).fill(0)], { task: first.name }));
          if (!ValidationError.isInstance(short) || short.row !== 0)
            fail(
              `a row with ${p - 1} features should be a ValidationError at row 0; ${describeError(short)}`,
            );
          const flat = errorOf(() => e.predict(new Float64Array(p + 1), { task: first.name }));
          if (!ValidationError.isInstance(flat))
            fail(
              `a Float64Array of length p + 1 should be a ValidationError; ${describeError(flat)}`,
            );
          const bad = new Array(p).fill(0);
          bad[p - 1] = Number.NaN;
          const nan = errorOf(() => e.predict([new Array(p).fill(1), bad], { task: first.name }));
          if (!ValidationError.isInstance(nan) || nan.row !== 1 || nan.column !== p - 1)
            fail(
              `a NaN at row 1, column ${p - 1} should be a ValidationError there; ${describeError(nan)}`,
            );
          return undefined;
        },
      'the same seed gives the same predictions': async () => {
        const e = await fitOnce();
        twin = subject.make(stored);
        await twin.fit(train as never);
        const a = predictAll(e, test);
        const b = predictAll(twin, test);
        a.forEach((q, r) => {
          if (!sameArrays(q, b[r]))
            fail(`two fits with ${JSON.stringify(stored)} predict differently on task ${r}`);
        });
        return undefined;
      },
      'toJSON → fromJSON gives identical predictions and options': async () => {
        const e = await fitOnce();
        const text = JSON.stringify(e);
        loaded = subject.fromJSON(text);
        if (loaded.constructor !== e.constructor)
          fail(`fromJSON built a ${loaded.constructor.name}, not a ${e.constructor.name}`);
        if (JSON.stringify(loaded.options) !== JSON.stringify(e.options))
          fail('the loaded estimator has other options');
        if (loaded.fitted !== true) fail('the loaded estimator is not fitted');
        const a = predictAll(e, test);
        predictAll(loaded, test).forEach((q, r) => {
          if (!sameArrays(q, a[r])) fail(`the loaded estimator predicts differently on task ${r}`);
        });
        if (JSON.stringify(loaded) !== text)
          fail('saving the loaded estimator gives another document');
        return undefined;
      },
      'fromJSON refuses another version, a truncated text and a corrupt document (SerializationError)':
        async () => {
          const e = await fitOnce();
          const text = JSON.stringify(e);
          const doc = JSON.parse(text) as Record<string, unknown>;
          const before = countTensors();
          const cases: [string, unknown][] = [
            ['version 99', { ...doc, version: 99 }],
            ['a truncated text', text.slice(0, Math.floor(text.length / 2))],
            ['another format', { ...doc, format: 'hetmtl/not-this-estimator' }],
          ];
          if (options.corrupt)
            cases.push(['a corrupt document', options.corrupt(structuredClone(doc))]);
          for (const [what, input] of cases) {
            const err = errorOf(() => subject.fromJSON(input));
            if (!SerializationError.isInstance(err))
              fail(`fromJSON(${what}) should throw a SerializationError; ${describeError(err)}`);
          }
          if (countTensors() !== before)
            fail(`a refused document leaked ${countTensors() - before} tensors`);
          return options.corrupt
            ? undefined
            : 'no corrupt option: version, truncation and format only';
        },
      'no tensor leaks: fit, predict, score, save, load and dispose': async () => {
        const e = await fitOnce();
        const during = countTensors();
        predictAll(e, test);
        e.score(test as never);
        JSON.stringify(e);
        if (countTensors() !== during)
          fail(`predict/score/toJSON leaked ${countTensors() - during} tensors`);
        for (const x of [fitted, twin, loaded]) x?.dispose?.();
        if (fitted?.fitted !== false && fitted?.dispose)
          fail('after dispose(), fitted is still true');
        const left = countTensors() - tensorsBefore;
        if (left !== 0)
          fail(`${left} tensors are left after disposing every estimator the suite made`);
        return undefined;
      },
    };

  const results: EstimatorCheckResult[] = [];
  for (const name of estimatorChecks) {
    try {
      const detail = await checks[name]();
      results.push({ name, ok: true, ...(detail !== undefined ? { detail } : {}) });
    } catch (e) {
      const failure =
        e instanceof CheckFailure
          ? e.message
          : `threw ${HetmtlError.isInstance(e) || e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      results.push({ name, ok: false, failure });
    }
  }
  for (const x of [fitted, twin, loaded]) x?.dispose?.();
  const failed = results.filter((r) => !r.ok).length;
  return { name: subject.name, results, passed: results.length - failed, failed };
}

/** A readable summary of an estimator conformance report. */
export function formatEstimatorConformanceReport(report: EstimatorConformanceReport): string {
  const lines = [
    `estimator conformance: ${report.name}: ${report.passed} passed, ${report.failed} failed`,
  ];
  for (const r of report.results)
    lines.push(
      `  ${r.ok ? '✓' : '✗'} ${r.name}${r.failure ? `: ${r.failure}` : r.detail ? ` (${r.detail})` : ''}`,
    );
  return lines.join('\n');
}
