import {
  type EncoderInstance,
  type EncoderRegistry,
  type EncoderSpec,
  type EncoderWeights,
  encoderRegistry,
} from '@hetmtl/encoders';
import {
  type BackendPlugin,
  countTensors,
  Random,
  SerializationError,
  tf,
  useBackend,
} from '@hetmtl/tensor';

/** The checks of the encoder conformance suite, in the order they run. */
export const encoderChecks = [
  'spec is JSON-safe, registered, and normalizes idempotently',
  'output shape: [n, p] → [n, K]',
  'batched output shape: [R, n, p] → [R, n, K]',
  'outputs are finite',
  'gradients reach every variable (non-zero, finite)',
  'JSON round trip gives identical outputs',
  'same seed gives identical weights, another seed different weights',
  'forward inside tidy leaks nothing; dispose() frees every variable',
  'batched forward equals the per-task forward with the same weights',
  'setWeights rejects a wrong shape, a missing and an unknown weight',
  'forward rejects an input with the wrong number of features',
] as const;

export type EncoderCheckName = (typeof encoderChecks)[number];

export interface EncoderCheckResult {
  readonly name: EncoderCheckName;
  readonly ok: boolean;
  /** What was measured (e.g. the largest difference), when there is something to say. */
  readonly detail?: string;
  /** Why the check failed, if it did. */
  readonly failure?: string;
}

export interface EncoderConformanceReport {
  readonly spec: EncoderSpec;
  /** The TensorFlow.js backend the checks ran on. */
  readonly backend: string;
  /** Whether the plugin builds batched encoders itself (else the registry loops over tasks). */
  readonly nativelyBatched: boolean;
  readonly dims: {
    readonly inputDim: number;
    readonly outputDim: number;
    readonly tasks: number;
    readonly rows: number;
  };
  readonly results: readonly EncoderCheckResult[];
  readonly passed: number;
  readonly failed: number;
}

export interface EncoderConformanceOptions {
  /** p (default 5). */
  readonly inputDim?: number;
  /** K (default: the dimension the plugin forces, e.g. p for identity; else 3). */
  readonly outputDim?: number;
  /** R for the batched checks (default 3). */
  readonly tasks?: number;
  /** Rows n of the test inputs (default 7). */
  readonly rows?: number;
  /** The registry the spec's kind is looked up in (default: the default registry). */
  readonly registry?: EncoderRegistry;
  /** Seed of the weights and inputs (default 2505). */
  readonly seed?: number;
  /** Relative tolerance of the batched-vs-per-task comparison (default 1e-4, float32 kernels). */
  readonly tolerance?: number;
  /** A backend to activate first (default: the active one). */
  readonly backend?: BackendPlugin;
}

class CheckFailure extends Error {}

function fail(message: string): never {
  throw new CheckFailure(message);
}

/** Structural equality of plain data (what JSON can hold), with -0 === 0. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object')
    return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b as object, k) &&
        deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

function shapeOf(t: tf.Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/** Reads a tensor and disposes it. */
function take(t: tf.Tensor): Float32Array {
  try {
    return Float32Array.from(t.dataSync() as Float32Array);
  } finally {
    t.dispose();
  }
}

function maxRelativeDifference(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 1;
  let diff = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    const d = Math.abs(got[i] - want[i]);
    diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
  }
  return diff / scale;
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && a[i] !== b[i]) return i;
  return -1;
}

function weightDifference(a: EncoderWeights, b: EncoderWeights): string | undefined {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) {
    const wa = a[name];
    const wb = b[name];
    if (wa === undefined || wb === undefined)
      return `weight "${name}" is present in only one of them`;
    if (!deepEqual(wa.shape, wb.shape))
      return `weight "${name}" has shapes [${wa.shape}] and [${wb.shape}]`;
    const i = firstDifference(wa.values, wb.values);
    if (i >= 0) return `weight "${name}" differs at index ${i}: ${wa.values[i]} vs ${wb.values[i]}`;
  }
  return undefined;
}

const isSerializationError = (e: unknown): boolean => SerializationError.isInstance(e);

/**
 * Runs the encoder conformance checks on a spec and returns a report with one result per check
 * (never throws for a failing plugin). Every check must also leave no tensor alive. Checks build
 * encoders with the context `{ inputDim, outputDim, rng: new Random(seed), tasks?, name: 'conformance' }`.
 */
export async function checkEncoderConformance(
  spec: EncoderSpec,
  options: EncoderConformanceOptions = {},
): Promise<EncoderConformanceReport> {
  if (options.backend) await useBackend(options.backend);
  const registry = options.registry ?? encoderRegistry;
  const seed = options.seed ?? 2505;
  const p = options.inputDim ?? 5;
  const R = options.tasks ?? 3;
  const n = options.rows ?? 7;
  const tolerance = options.tolerance ?? 1e-4;

  let K = options.outputDim ?? 3;
  let nativelyBatched = false;
  let setupFailure: string | undefined;
  try {
    const def = registry.get(spec.kind);
    nativelyBatched = def.batched;
    K = options.outputDim ?? registry.fixedOutputDim(spec, p) ?? 3;
  } catch (e) {
    setupFailure = `the registry cannot use this spec: ${(e as Error).message}`;
  }

  const build = (s: unknown, withSeed: number, tasks?: number): EncoderInstance =>
    registry.build(s as EncoderSpec, {
      inputDim: p,
      outputDim: K,
      rng: new Random(withSeed),
      name: 'conformance',
      ...(tasks !== undefined ? { tasks } : {}),
    });
  /** Builds, runs `fn`, and disposes the encoder whatever happens. */
  const using = <T>(
    s: unknown,
    withSeed: number,
    tasks: number | undefined,
    fn: (e: EncoderInstance) => T,
  ): T => {
    const e = build(s, withSeed, tasks);
    try {
      return fn(e);
    } finally {
      e.dispose();
    }
  };
  const inputRng = new Random(seed + 1);
  const x2Values = Float32Array.from(inputRng.normals(n * p));
  const x3Values = Float32Array.from(inputRng.normals(R * n * p));
  const x2 = (): tf.Tensor => tf.tensor2d(x2Values, [n, p]);
  const x3 = (): tf.Tensor => tf.tensor3d(x3Values, [R, n, p]);
  const forwardValues = (e: EncoderInstance, x: () => tf.Tensor): Float32Array =>
    take(tf.tidy(() => e.forward(x())));
  const variants: readonly [string, number | undefined, () => tf.Tensor][] = [
    ['unbatched', undefined, x2],
    [`batched (R = ${R})`, R, x3],
  ];

  const checks: Record<EncoderCheckName, () => string | undefined> = {
    'spec is JSON-safe, registered, and normalizes idempotently': () => {
      const copy = JSON.parse(JSON.stringify(spec)) as unknown;
      if (!deepEqual(copy, spec))
        fail(`the spec changes in a JSON round trip: ${JSON.stringify(spec)}`);
      if (typeof spec.specVersion !== 'number') fail('the spec has no numeric specVersion');
      const once = registry.normalize(spec);
      const twice = registry.normalize(once);
      if (!deepEqual(once, twice))
        fail(
          `normalizeConfig is not idempotent: ${JSON.stringify(once.config)} then ${JSON.stringify(twice.config)}`,
        );
      const built = using(spec, seed, undefined, (e) => e.spec);
      if (!deepEqual(JSON.parse(JSON.stringify(built)), once))
        fail(
          `the encoder reports the spec ${JSON.stringify(built)}, expected the normalized ${JSON.stringify(once)}`,
        );
      return `normalized config ${JSON.stringify(once.config)}`;
    },
    'output shape: [n, p] → [n, K]': () =>
      using(spec, seed, undefined, (e) => {
        if (e.inputDim !== p || e.outputDim !== K || e.tasks !== undefined)
          fail(
            `the encoder reports inputDim ${e.inputDim}, outputDim ${e.outputDim}, tasks ${e.tasks}; expected ${p}, ${K}, undefined`,
          );
        for (const rows of [n, 1]) {
          tf.tidy(() => {
            const out = e.forward(tf.tensor2d(x2Values.subarray(0, rows * p), [rows, p]));
            if (!(out instanceof tf.Tensor))
              fail(
                `forward returned ${out === null ? 'null' : typeof out}${typeof (out as { then?: unknown })?.then === 'function' ? ' (a Promise: forward must be synchronous)' : ''}, not a tensor`,
              );
            if (out.rank !== 2 || out.shape[0] !== rows || out.shape[1] !== K)
              fail(`forward of [${rows}, ${p}] returned ${shapeOf(out)}, expected [${rows}, ${K}]`);
            if (out.dtype !== 'float32')
              fail(`forward returned dtype ${out.dtype}, expected float32`);
          });
        }
        return undefined;
      }),
    'batched output shape: [R, n, p] → [R, n, K]': () =>
      using(spec, seed, R, (e) => {
        if (e.inputDim !== p || e.outputDim !== K || e.tasks !== R)
          fail(
            `the encoder reports inputDim ${e.inputDim}, outputDim ${e.outputDim}, tasks ${e.tasks}; expected ${p}, ${K}, ${R}`,
          );
        tf.tidy(() => {
          const out = e.forward(x3());
          if (!(out instanceof tf.Tensor)) fail('forward did not return a tensor');
          if (out.rank !== 3 || out.shape[0] !== R || out.shape[1] !== n || out.shape[2] !== K)
            fail(
              `forward of [${R}, ${n}, ${p}] returned ${shapeOf(out)}, expected [${R}, ${n}, ${K}]`,
            );
        });
        return nativelyBatched
          ? 'natively batched'
          : "not batched: the registry's loop over tasks (correct, slower)";
      }),
    'outputs are finite': () => {
      for (const [label, tasks, x] of variants) {
        using(spec, seed, tasks, (e) => {
          const values = forwardValues(e, x);
          const i = values.findIndex((v) => !Number.isFinite(v));
          if (i >= 0) fail(`${label}: output ${i} is ${values[i]}`);
        });
      }
      return undefined;
    },
    'gradients reach every variable (non-zero, finite)': () => {
      const counts: string[] = [];
      for (const [label, tasks, x] of variants) {
        using(spec, seed, tasks, (e) => {
          const entries = Object.entries(e.variables);
          counts.push(`${label}: ${entries.length} variable(s)`);
          if (entries.length === 0) return;
          for (const [key, v] of entries)
            if (!v.trainable) fail(`${label}: variable "${key}" is not trainable`);
          tf.tidy(() => {
            const input = x();
            const projection = tf.tensor(
              Float32Array.from(
                new Random(seed + 2).normals(tasks === undefined ? n * K : R * n * K),
              ),
              tasks === undefined ? [n, K] : [R, n, K],
            );
            const { value, grads } = tf.variableGrads(
              () => tf.sum(tf.mul(e.forward(input), projection)) as tf.Scalar,
              entries.map(([, v]) => v),
            );
            value.dispose();
            for (const [key, v] of entries) {
              const g = grads[v.name];
              if (g === undefined) fail(`${label}: no gradient for variable "${key}"`);
              const values = g.dataSync();
              if (values.some((z) => !Number.isFinite(z)))
                fail(`${label}: the gradient of variable "${key}" is not finite`);
              if (values.every((z) => z === 0))
                fail(
                  `${label}: the gradient of variable "${key}" is zero everywhere (does forward use it?)`,
                );
            }
          });
        });
      }
      return counts.join('; ');
    },
    'JSON round trip gives identical outputs': () => {
      for (const [label, tasks, x] of variants) {
        using(spec, seed, tasks, (a) => {
          const saved = JSON.stringify({ spec: a.spec, weights: a.getWeights() });
          const { spec: savedSpec, weights } = JSON.parse(saved) as {
            spec: EncoderSpec;
            weights: EncoderWeights;
          };
          // Rebuilt from another seed, so that only setWeights can make the outputs agree.
          using(savedSpec, seed + 7, tasks, (b) => {
            b.setWeights(weights);
            const diff = weightDifference(a.getWeights(), b.getWeights());
            if (diff !== undefined) fail(`${label}: after the round trip ${diff}`);
            const want = forwardValues(a, x);
            const got = forwardValues(b, x);
            const i = firstDifference(got, want);
            if (i >= 0)
              fail(
                `${label}: output ${i} is ${got[i]} after the round trip, ${want[i]} before (max relative difference ${maxRelativeDifference(got, want).toExponential(2)})`,
              );
          });
        });
      }
      return undefined;
    },
    'same seed gives identical weights, another seed different weights': () => {
      for (const [label, tasks, x] of variants) {
        const [w1, out1] = using(
          spec,
          seed,
          tasks,
          (e) => [e.getWeights(), forwardValues(e, x)] as const,
        );
        const [w2, out2] = using(
          spec,
          seed,
          tasks,
          (e) => [e.getWeights(), forwardValues(e, x)] as const,
        );
        const w3 = using(spec, seed + 1, tasks, (e) => e.getWeights());
        const same = weightDifference(w1, w2);
        if (same !== undefined)
          fail(
            `${label}: two builds with seed ${seed}: ${same} (draw every initial weight from ctx.rng)`,
          );
        if (firstDifference(out1, out2) >= 0)
          fail(`${label}: two builds with seed ${seed} give different outputs`);
        if (Object.keys(w1).length > 0 && weightDifference(w1, w3) === undefined)
          fail(
            `${label}: seeds ${seed} and ${seed + 1} give identical weights (draw the initial weights from ctx.rng)`,
          );
      }
      return undefined;
    },
    'forward inside tidy leaks nothing; dispose() frees every variable': () => {
      for (const [label, tasks, x] of variants) {
        const before = countTensors();
        const e = build(spec, seed, tasks);
        const variables = Object.entries(e.variables);
        try {
          const afterBuild = countTensors();
          tf.tidy(() => {
            const out = e.forward(x());
            if (typeof (out as { then?: unknown })?.then === 'function')
              fail(`${label}: forward returned a Promise; it must be synchronous`);
          });
          if (countTensors() !== afterBuild)
            fail(
              `${label}: forward inside tidy left ${countTensors() - afterBuild} tensor(s) alive (variables created in forward?)`,
            );
          const vars = variables.map(([, v]) => v);
          if (vars.length > 0) {
            tf.tidy(() => {
              const input = x();
              tf.variableGrads(() => tf.sum(e.forward(input)) as tf.Scalar, vars);
            });
            if (countTensors() !== afterBuild)
              fail(
                `${label}: a gradient step inside tidy left ${countTensors() - afterBuild} tensor(s) alive`,
              );
          }
          e.setWeights(e.getWeights());
          if (countTensors() !== afterBuild)
            fail(
              `${label}: getWeights/setWeights left ${countTensors() - afterBuild} tensor(s) alive`,
            );
        } finally {
          e.dispose();
        }
        const alive = variables.filter(([, v]) => !v.isDisposed).map(([k]) => k);
        if (alive.length > 0)
          fail(`${label}: dispose() left the variables ${alive.join(', ')} alive`);
        if (countTensors() !== before)
          fail(`${label}: ${countTensors() - before} tensor(s) alive after dispose()`);
        e.dispose();
      }
      return undefined;
    },
    'batched forward equals the per-task forward with the same weights': () =>
      using(spec, seed, R, (batched) =>
        using(spec, seed + 3, undefined, (single) => {
          const bw = batched.getWeights();
          const sw = single.getWeights();
          const names = Object.keys(sw);
          if (!deepEqual(Object.keys(bw).sort(), [...names].sort())) {
            fail(
              `the batched encoder has the weights ${JSON.stringify(Object.keys(bw))}, the unbatched one ${JSON.stringify(names)}; a batched encoder must have the same names, each stacked over tasks`,
            );
          }
          const batchedOut = forwardValues(batched, x3);
          let worst = 0;
          for (let r = 0; r < R; r++) {
            const taskWeights: EncoderWeights = {};
            for (const name of names) {
              const size = sw[name]?.values.length ?? 0;
              const stacked = bw[name] as { shape: number[]; values: number[] };
              if (stacked.values.length !== R * size || stacked.shape[0] !== R) {
                fail(
                  `batched weight "${name}" has shape [${stacked.shape}], expected a leading axis R = ${R} over the unbatched shape [${sw[name]?.shape}]`,
                );
              }
              taskWeights[name] = {
                shape: (sw[name] as { shape: number[] }).shape,
                values: stacked.values.slice(r * size, (r + 1) * size),
              };
            }
            single.setWeights(taskWeights);
            const want = forwardValues(single, () =>
              tf.tensor2d(x3Values.subarray(r * n * p, (r + 1) * n * p), [n, p]),
            );
            const got = batchedOut.subarray(r * n * K, (r + 1) * n * K);
            const err = maxRelativeDifference(got, want);
            if (!(err <= tolerance))
              fail(
                `task ${r}: the batched output differs from the unbatched forward with task ${r}'s weights (relative difference ${err.toExponential(2)} > ${tolerance})`,
              );
            worst = Math.max(worst, err);
          }
          return `max relative difference ${worst.toExponential(1)}`;
        }),
      ),
    'setWeights rejects a wrong shape, a missing and an unknown weight': () => {
      for (const [label, tasks] of variants) {
        using(spec, seed, tasks, (e) => {
          const good = e.getWeights();
          const names = Object.keys(good);
          const attempts: [string, EncoderWeights][] = [
            [
              'an unknown weight',
              { ...good, 'conformance/not-a-weight': { shape: [1], values: [0] } },
            ],
          ];
          const first = names[0];
          if (first !== undefined) {
            const w = good[first] as { shape: number[]; values: number[] };
            const rowSize = w.values.length / (w.shape[0] ?? 1);
            const bigger = {
              shape: [(w.shape[0] ?? 1) + 1, ...w.shape.slice(1)],
              values: [
                ...w.values,
                ...new Array<number>(w.shape.length > 0 ? rowSize : 1).fill(0.5),
              ],
            };
            const { [first]: _dropped, ...missing } = good;
            attempts.push([
              `weight "${first}" with shape [${bigger.shape}] instead of [${w.shape}]`,
              { ...good, [first]: bigger },
            ]);
            attempts.push([
              `weight "${first}" with too few values`,
              { ...good, [first]: { shape: w.shape, values: w.values.slice(1) } },
            ]);
            attempts.push([`no weight "${first}"`, missing]);
          }
          for (const [what, weights] of attempts) {
            let error: unknown;
            try {
              e.setWeights(weights);
            } catch (caught) {
              error = caught;
            }
            if (error === undefined) fail(`${label}: setWeights accepted ${what}`);
            if (!isSerializationError(error))
              fail(
                `${label}: setWeights rejected ${what} with ${(error as Error)?.name ?? typeof error}, expected a SerializationError from @hetmtl/tensor`,
              );
            const diff = weightDifference(e.getWeights(), good);
            if (diff !== undefined)
              fail(`${label}: a rejected setWeights (${what}) changed the weights: ${diff}`);
          }
        });
      }
      return undefined;
    },
    'forward rejects an input with the wrong number of features': () =>
      using(spec, seed, undefined, (e) => {
        let threw = false;
        try {
          tf.tidy(() => e.forward(tf.zeros([n, p + 1])));
        } catch {
          threw = true;
        }
        if (!threw)
          fail(`forward accepted [${n}, ${p + 1}] although the encoder was built for p = ${p}`);
        return undefined;
      }),
  };

  const results: EncoderCheckResult[] = [];
  for (const name of encoderChecks) {
    if (setupFailure !== undefined) {
      results.push({ name, ok: false, failure: setupFailure });
      continue;
    }
    const before = countTensors();
    let detail: string | undefined;
    let failure: string | undefined;
    try {
      detail = checks[name]();
    } catch (e) {
      failure =
        e instanceof CheckFailure
          ? e.message
          : `threw ${(e as Error)?.name ?? 'an error'}: ${(e as Error)?.message ?? String(e)}`;
    }
    const leaked = countTensors() - before;
    if (failure === undefined && leaked !== 0) failure = `leaked ${leaked} tensor(s)`;
    results.push({
      name,
      ok: failure === undefined,
      ...(detail !== undefined ? { detail } : {}),
      ...(failure !== undefined ? { failure } : {}),
    });
  }
  const failed = results.filter((r) => !r.ok).length;
  return {
    spec,
    backend: tf.getBackend(),
    nativelyBatched,
    dims: { inputDim: p, outputDim: K, tasks: R, rows: n },
    results,
    passed: results.length - failed,
    failed,
  };
}

/** A plain-text table of an encoder conformance report, one line per check. */
export function formatEncoderConformanceReport(report: EncoderConformanceReport): string {
  const { inputDim, outputDim, tasks, rows } = report.dims;
  const lines = [
    `encoder ${report.spec.kind} ${JSON.stringify(report.spec.config)} on ${report.backend} (p = ${inputDim}, K = ${outputDim}, R = ${tasks}, n = ${rows}): ${report.passed} passed, ${report.failed} failed`,
  ];
  for (const r of report.results) {
    lines.push(
      `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(68)}${r.failure ? `  ${r.failure}` : r.detail ? `  ${r.detail}` : ''}`,
    );
  }
  return lines.join('\n');
}
