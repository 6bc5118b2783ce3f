import { describeReceived, ValidationError } from '@hetmtl/tensor';

/** A JSON-safe value: what a penalty's `config` may contain. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A penalty's configuration: a JSON-safe object (it is saved with a model and given back to the factory). */
export type PenaltyConfig = { readonly [key: string]: JsonValue };

/**
 * How a penalty couples the tasks' coefficient vectors β_r (see the README, "Penalties"):
 * - `pairwise`: (1/|E|) Σ_{(r,s)∈E} a_rs p_λ(‖β_r − β_s‖) over the pairs E of a fusion graph
 *   (a_rs = 1 unless the penalty has its own {@link SimilarityPenalty.taskGraph});
 * - `centre`: Σ_r w_r √(K/n_r) p_λ(‖β_r − β̄‖) with a free centre β̄;
 * - `none`: no coupling (independent β_r).
 */
export type PenaltyStructure = 'pairwise' | 'centre' | 'none';

/** A fixed task graph: pairs r < s with positive weights a_rs. */
export interface TaskGraph {
  readonly pairs: readonly (readonly [number, number])[];
  readonly weights: readonly number[];
}

/**
 * A coefficient-similarity penalty plugin (spec version 1). It acts on whole difference vectors
 * η = β_r − β_s (or β_r − β̄) through their Euclidean norm, so that a zero difference fuses two tasks.
 *
 * `prox(z, λ, ϑ)` is the proximal operator of p_λ/ϑ at z:
 *
 *     prox(z, λ, ϑ) = argmin_η  p_λ(‖η‖)/ϑ + ½‖η − z‖²
 *
 * (ϑ = `step`, the ADMM penalty parameter). For a penalty of the norm it is parallel to z:
 * prox(z) = (t/‖z‖)·z with t = proxNorm(‖z‖, λ, ϑ) ≥ 0. It must return the global minimiser and
 * exact zeros when it fuses (task groups are read from η = 0).
 */
export interface Penalty {
  /** The registry key, e.g. `mcp`. */
  readonly kind: string;
  readonly specVersion: 1;
  /** JSON-safe options the penalty was created with; `similarityRegistry` rebuilds it from {kind, config}. */
  readonly config: PenaltyConfig;
  /** How the penalty couples the tasks. */
  readonly structure: PenaltyStructure;
  /** True when p_λ(t) = λ·t²: the β-problem is a linear system, solved directly (no ADMM). */
  readonly quadratic: boolean;
  /** The penalty's own task graph (pairs and weights a_rs); when present it replaces the `graph` option. */
  taskGraph?(numTasks: number): TaskGraph;
  /** p_λ(t) for a difference of norm t ≥ 0. */
  value(norm: number, lambda: number): number;
  /** Right derivative p'_λ(t) for t ≥ 0 (optional; the built-ins have it). */
  derivative?(norm: number, lambda: number): number;
  /** The proximal operator of p_λ/step at z (see the interface comment). Returns a new array. */
  prox(z: Float64Array, lambda: number, step: number): Float64Array;
  /** ‖prox(z)‖ as a function of ‖z‖ (optional; the ADMM uses it to avoid allocations). */
  proxNorm?(norm: number, lambda: number, step: number): number;
  /** Throws a ValidationError when the ADMM step ϑ is not allowed (e.g. mcp needs κϑ > 1). */
  checkStep?(step: number): void;
}

/** What {@link defineSimilarity} takes: a penalty with optional fields filled in by defaults. */
export interface PenaltyDefinition {
  readonly kind: string;
  readonly specVersion?: 1;
  readonly config?: PenaltyConfig;
  /** Default `pairwise`. */
  readonly structure?: PenaltyStructure;
  /** Default false. */
  readonly quadratic?: boolean;
  readonly taskGraph?: (numTasks: number) => TaskGraph;
  readonly value: (norm: number, lambda: number) => number;
  readonly derivative?: (norm: number, lambda: number) => number;
  /** Give `prox`, or `proxNorm` (then `prox` is built from it), or both. */
  readonly prox?: (z: Float64Array, lambda: number, step: number) => Float64Array;
  readonly proxNorm?: (norm: number, lambda: number, step: number) => number;
  readonly checkStep?: (step: number) => void;
}

const STRUCTURES: readonly PenaltyStructure[] = ['pairwise', 'centre', 'none'];

/** Throws unless `value` is JSON-safe (finite numbers, strings, booleans, null, arrays, plain objects). */
export function assertJsonSafe(value: unknown, path = 'config'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw new ValidationError('Penalty config is not JSON-safe', {
      column: path,
      expected: 'finite numbers',
      received: String(value),
      fix: 'Store only finite numbers, strings, booleans, null, arrays and plain objects in config',
    });
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      assertJsonSafe(v, `${path}[${i}]`);
    });
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      assertJsonSafe(v, `${path}.${k}`);
    return;
  }
  throw new ValidationError('Penalty config is not JSON-safe', {
    column: path,
    expected: 'finite numbers, strings, booleans, null, arrays or plain objects',
    received: describeReceived(value),
    fix: 'Store only JSON values in config (typed arrays, functions and class instances are not allowed)',
  });
}

/** Validates λ ≥ 0 (finite). */
export function checkLambda(lambda: number, where = 'lambda'): void {
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) {
    throw new ValidationError(`Invalid ${where}`, {
      expected: 'a finite number λ ≥ 0',
      received: describeReceived(lambda),
      fix: 'Pass a non-negative penalty level, e.g. a value from lambdaGrid()',
    });
  }
}

/** Validates the ADMM step ϑ > 0 (finite). */
export function checkStepPositive(step: number): void {
  if (typeof step !== 'number' || !Number.isFinite(step) || step <= 0) {
    throw new ValidationError('Invalid step ϑ', {
      expected: 'a finite number ϑ > 0',
      received: describeReceived(step),
      fix: 'Use the default step 1, or another positive value',
    });
  }
}

function vectorNorm(z: Float64Array): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) s += z[i] ** 2;
  return Math.sqrt(s);
}

/**
 * Checks a penalty definition and returns the frozen plugin object (spec version 1). This is how a
 * user writes a custom penalty; register its factory with `similarityRegistry.register` so a saved
 * model can rebuild it.
 */
export function createPenalty(definition: PenaltyDefinition): Penalty {
  const d = definition as Partial<PenaltyDefinition> | undefined;
  if (typeof d !== 'object' || d === null) {
    throw new ValidationError('Not a similarity penalty definition', {
      expected: 'an object with kind, value and prox (or proxNorm)',
      received: describeReceived(d),
    });
  }
  if (typeof d.kind !== 'string' || d.kind.length === 0) {
    throw new ValidationError('Similarity penalty has no kind', {
      expected: 'a non-empty string such as "mcp"',
      received: describeReceived(d.kind),
    });
  }
  if (d.specVersion !== undefined && d.specVersion !== 1) {
    throw new ValidationError(`Similarity penalty "${d.kind}" has an unsupported specVersion`, {
      expected: '1',
      received: describeReceived(d.specVersion),
      fix: 'Upgrade @hetmtl/regularizers, or write the penalty against spec version 1',
    });
  }
  const structure = d.structure ?? 'pairwise';
  if (!STRUCTURES.includes(structure)) {
    throw new ValidationError(`Similarity penalty "${d.kind}" has an unknown structure`, {
      expected: STRUCTURES.map((s) => JSON.stringify(s)).join(' | '),
      received: describeReceived(structure),
    });
  }
  if (typeof d.value !== 'function') {
    throw new ValidationError(`Similarity penalty "${d.kind}" has no value()`, {
      expected: 'a function (norm, lambda) => number',
    });
  }
  if (typeof d.prox !== 'function' && typeof d.proxNorm !== 'function') {
    throw new ValidationError(`Similarity penalty "${d.kind}" has no proximal operator`, {
      expected: 'prox(z, lambda, step) or proxNorm(norm, lambda, step)',
      fix: 'Give at least one of prox and proxNorm',
    });
  }
  for (const key of ['derivative', 'checkStep', 'taskGraph'] as const) {
    if (d[key] !== undefined && typeof d[key] !== 'function') {
      throw new ValidationError(`Similarity penalty "${d.kind}": ${key} must be a function`, {
        received: describeReceived(d[key]),
      });
    }
  }
  const config = d.config ?? {};
  assertJsonSafe(config);
  const proxNorm = d.proxNorm;
  const checkStep = d.checkStep;
  const prox =
    d.prox ??
    ((z: Float64Array, lambda: number, step: number): Float64Array => {
      checkLambda(lambda);
      checkStepPositive(step);
      checkStep?.(step);
      const a = vectorNorm(z);
      const out = new Float64Array(z.length);
      if (a === 0) return out;
      const f = (proxNorm as (n: number, l: number, s: number) => number)(a, lambda, step) / a;
      if (f !== 0) for (let i = 0; i < z.length; i++) out[i] = f * z[i];
      return out;
    });
  const penalty: Penalty = {
    kind: d.kind,
    specVersion: 1,
    config: Object.freeze(structuredClone(config)),
    structure,
    quadratic: d.quadratic ?? false,
    value: d.value,
    prox,
    ...(d.derivative ? { derivative: d.derivative } : {}),
    ...(proxNorm ? { proxNorm } : {}),
    ...(checkStep ? { checkStep } : {}),
    ...(d.taskGraph ? { taskGraph: d.taskGraph } : {}),
  };
  return Object.freeze(penalty);
}

/** The saved form of a penalty: what `similarityRegistry.create` / `similarityFromJSON` read back. */
export interface PenaltyJSON {
  readonly kind: string;
  readonly specVersion: 1;
  readonly config: PenaltyConfig;
}

/** The JSON form {kind, specVersion, config} of a penalty. */
export function penaltyToJSON(penalty: Penalty): PenaltyJSON {
  return {
    kind: penalty.kind,
    specVersion: 1,
    config: structuredClone(penalty.config) as PenaltyConfig,
  };
}
