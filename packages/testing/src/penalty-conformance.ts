/**
 * The penalty conformance suite: checks a coefficient-similarity penalty plugin (the
 * `SimilarityPenalty` of `@hetmtl/regularizers`, spec version 1) against independent oracles.
 *
 * The suite is structural: it needs only the members the ADMM calls (`value`, `prox`, optional
 * `derivative`, `proxNorm`, `checkStep`), so it does not import `@hetmtl/regularizers` and a penalty
 * package can run it in its own tests without a dependency cycle.
 */

/** What the suite checks: the members of a penalty plugin that the fusion solver calls. */
export interface PenaltyUnderTest {
  readonly kind: string;
  readonly specVersion?: number;
  readonly config?: unknown;
  readonly structure?: string;
  readonly quadratic?: boolean;
  value(norm: number, lambda: number): number;
  derivative?(norm: number, lambda: number): number;
  prox(z: Float64Array, lambda: number, step: number): Float64Array;
  proxNorm?(norm: number, lambda: number, step: number): number;
  checkStep?(step: number): void;
}

/** The checks of the penalty conformance suite, in the order they run. */
export const penaltyChecks = [
  'value is 0 at 0, non-negative and non-decreasing in the norm; 0 at λ = 0',
  'prox is the argmin: brute-force 1-D minimisation over the norm (K = 4)',
  'prox is the argmin: brute-force 2-D minimisation over the vector (K = 2)',
  'prox is parallel to z and returns a new Float64Array of the same length',
  'proxNorm agrees with prox',
  'exact zeros where the penalty has them: prox(z) = 0 for ‖z‖ below p′(0+)/ϑ',
  'derivative agrees with finite differences of value',
  'config is JSON-safe and the registry rebuilds the same penalty',
] as const;

export type PenaltyCheckName = (typeof penaltyChecks)[number];

export interface PenaltyCheckResult {
  readonly name: PenaltyCheckName;
  readonly ok: boolean;
  /** What was measured, or why the check did not apply. */
  readonly detail?: string;
  /** Why the check failed, if it did. */
  readonly failure?: string;
}

export interface PenaltyConformanceReport {
  readonly kind: string;
  /** The ADMM steps ϑ used (those that `checkStep` accepts). */
  readonly steps: readonly number[];
  readonly lambdas: readonly number[];
  readonly results: readonly PenaltyCheckResult[];
  readonly passed: number;
  readonly failed: number;
}

export interface PenaltyConformanceOptions {
  /** Penalty levels λ > 0 (default 0.1, 0.5, 1, 2). λ = 0 is always checked too. */
  readonly lambdas?: readonly number[];
  /** ADMM steps ϑ to try (default 0.4, 1, 2.5); those `checkStep` rejects are left out. */
  readonly steps?: readonly number[];
  /** Norms ‖z‖, as multiples of λ (default a grid from 0.001 to 8 through the usual kinks). */
  readonly norms?: readonly number[];
  /**
   * Rebuilds a penalty from its saved form `{ kind, specVersion, config }` (e.g.
   * `(json) => similarityRegistry.create(json)`); without it the round-trip check only checks JSON safety.
   */
  readonly rebuild?: (json: { kind: string; specVersion: 1; config: never }) => PenaltyUnderTest;
  /** Seed of the random directions (default 2505). */
  readonly seed?: number;
}

class CheckFailure extends Error {}

function fail(message: string): never {
  throw new CheckFailure(message);
}

/** A small deterministic generator (mulberry32) for directions; independent of the code under test. */
function directions(seed: number): (k: number) => Float64Array {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (k) => {
    const u = new Float64Array(k);
    let norm = 0;
    while (norm < 1e-3) {
      for (let i = 0; i < k; i++) u[i] = next() * 2 - 1;
      norm = norm2(u);
    }
    for (let i = 0; i < k; i++) u[i] = u[i] / norm;
    return u;
  };
}

function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] ** 2;
  return Math.sqrt(s);
}

/**
 * Brute-force minimisation of f over a box (a grid, then zooming in on the best point 12 times).
 * Works in any small dimension; no derivative and no knowledge of the penalty.
 */
export function bruteMinimize(
  f: (x: Float64Array) => number,
  lower: Float64Array,
  upper: Float64Array,
  points = 61,
): { x: Float64Array; value: number } {
  const d = lower.length;
  let lo = Float64Array.from(lower);
  let hi = Float64Array.from(upper);
  let best = Float64Array.from(lower);
  let bestValue = Number.POSITIVE_INFINITY;
  const x = new Float64Array(d);
  for (let round = 0; round < 12; round++) {
    const total = points ** d;
    for (let i = 0; i < total; i++) {
      let rest = i;
      for (let j = 0; j < d; j++) {
        const g = rest % points;
        rest = (rest - g) / points;
        x[j] = lo[j] + ((hi[j] - lo[j]) * g) / (points - 1);
      }
      const v = f(x);
      if (v < bestValue) {
        bestValue = v;
        best = Float64Array.from(x);
      }
    }
    const nextLo = new Float64Array(d);
    const nextHi = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const h = (4 * (hi[j] - lo[j])) / (points - 1);
      nextLo[j] = Math.max(lower[j], best[j] - h);
      nextHi[j] = Math.min(upper[j], best[j] + h);
    }
    lo = nextLo;
    hi = nextHi;
  }
  return { x: best, value: bestValue };
}

/** JSON-safe (finite numbers, strings, booleans, null, arrays, plain objects)? */
function jsonSafe(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(jsonSafe);
  return (
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.values(value).every(jsonSafe)
  );
}

const DEFAULT_NORMS = [1e-3, 0.05, 0.3, 0.7, 0.99, 1, 1.01, 1.2, 1.5, 2, 2.9, 3, 3.1, 3.7, 4, 5, 8];

/**
 * Runs the penalty conformance checks and returns a report with one result per check (never throws
 * for a failing penalty). The oracles are independent of the penalty's own formulas: brute-force
 * minimisation of p_λ(‖η‖)/ϑ + ½‖η − z‖² (over the norm, and over the whole vector in 2-D), and
 * finite differences of `value`.
 */
export function checkPenaltyConformance(
  penalty: PenaltyUnderTest,
  options: PenaltyConformanceOptions = {},
): PenaltyConformanceReport {
  const lambdas = options.lambdas ?? [0.1, 0.5, 1, 2];
  const direction = directions(options.seed ?? 2505);
  const norms = options.norms ?? DEFAULT_NORMS;
  const steps = (options.steps ?? [0.4, 1, 2.5]).filter((step) => {
    try {
      penalty.checkStep?.(step);
      return true;
    } catch {
      return false;
    }
  });
  /** Every (z, λ, ϑ) case in K dimensions, with z of norm a·λ. */
  const cases = function* (
    K: number,
  ): Generator<{ z: Float64Array; a: number; lambda: number; step: number }> {
    for (const lambda of lambdas) {
      for (const step of steps) {
        for (const m of norms) {
          const a = m * lambda;
          yield { z: direction(K).map((u) => u * a), a, lambda, step };
        }
      }
    }
  };
  const phi = (
    eta: ArrayLike<number>,
    z: ArrayLike<number>,
    lambda: number,
    step: number,
  ): number => {
    let d = 0;
    for (let i = 0; i < z.length; i++) d += (eta[i] - z[i]) ** 2;
    return penalty.value(norm2(eta), lambda) / step + 0.5 * d;
  };
  const at = (z: Float64Array, lambda: number, step: number): string =>
    `‖z‖ = ${norm2(z).toPrecision(6)}, λ = ${lambda}, ϑ = ${step}`;

  const checks: Record<PenaltyCheckName, () => string | undefined> = {
    'value is 0 at 0, non-negative and non-decreasing in the norm; 0 at λ = 0': () => {
      for (const lambda of lambdas) {
        const v0 = penalty.value(0, lambda);
        if (v0 !== 0) fail(`value(0, ${lambda}) = ${v0}, not 0`);
        let previous = 0;
        for (let i = 1; i <= 200; i++) {
          const t = (i / 20) * lambda;
          const v = penalty.value(t, lambda);
          if (!Number.isFinite(v) || v < 0)
            fail(`value(${t}, ${lambda}) = ${v}, not a finite number ≥ 0`);
          if (v < previous - 1e-12 * (1 + previous))
            fail(`value decreases: value(${t}, ${lambda}) = ${v} < ${previous}`);
          previous = v;
        }
      }
      for (const t of [0, 0.5, 3])
        if (penalty.value(t, 0) !== 0) fail(`value(${t}, 0) = ${penalty.value(t, 0)}, not 0`);
      return undefined;
    },
    'prox is the argmin: brute-force 1-D minimisation over the norm (K = 4)': () => {
      if (steps.length === 0)
        fail(`checkStep rejects every step tried (${(options.steps ?? [0.4, 1, 2.5]).join(', ')})`);
      let worst = 0;
      let count = 0;
      for (const { z, a, lambda, step } of cases(4)) {
        const got = phi(penalty.prox(z, lambda, step), z, lambda, step);
        // Over η = t·z/‖z‖, t ∈ [0, 2‖z‖]: the objective along the direction of z.
        const brute = bruteMinimize(
          (x) => penalty.value(x[0], lambda) / step + 0.5 * (x[0] - a) ** 2,
          Float64Array.of(0),
          Float64Array.of(2 * a + 1e-9),
          201,
        );
        const excess = got - brute.value;
        worst = Math.max(worst, excess);
        if (excess > 1e-9 * (1 + a * a))
          fail(
            `prox is not the minimiser at ${at(z, lambda, step)}: its objective ${got} exceeds the brute-force minimum ${brute.value} (at ‖η‖ = ${brute.x[0].toPrecision(6)}, prox gives ‖η‖ = ${norm2(penalty.prox(z, lambda, step)).toPrecision(6)})`,
          );
        count++;
      }
      return `${count} cases; largest excess over the brute-force minimum ${worst.toExponential(2)}`;
    },
    'prox is the argmin: brute-force 2-D minimisation over the vector (K = 2)': () => {
      if (steps.length === 0) fail('checkStep rejects every step tried');
      let worst = 0;
      let count = 0;
      for (const { z, a, lambda, step } of cases(2)) {
        const eta = penalty.prox(z, lambda, step);
        const got = phi(eta, z, lambda, step);
        const r = a + 1e-9;
        const brute = bruteMinimize(
          (x) => phi(x, z, lambda, step),
          Float64Array.of(-r, -r),
          Float64Array.of(r, r),
          41,
        );
        // The 2-D search is not told that the minimiser is parallel to z; it must not beat prox.
        const excess = got - brute.value;
        worst = Math.max(worst, excess);
        if (excess > 1e-9 * (1 + a * a))
          fail(
            `prox is not the minimiser at ${at(z, lambda, step)}: its objective ${got} exceeds the 2-D brute-force minimum ${brute.value} at η = [${Array.from(brute.x, (v) => v.toPrecision(6))}] (prox gives [${Array.from(eta, (v) => v.toPrecision(6))}])`,
          );
        count++;
      }
      return `${count} cases; largest excess over the brute-force minimum ${worst.toExponential(2)}`;
    },
    'prox is parallel to z and returns a new Float64Array of the same length': () => {
      for (const { z, lambda, step } of cases(5)) {
        const copy = Float64Array.from(z);
        const eta = penalty.prox(z, lambda, step);
        if (!(eta instanceof Float64Array) || eta.length !== z.length)
          fail(
            `prox returned ${eta?.constructor?.name} of length ${eta?.length}, not a Float64Array of length ${z.length}`,
          );
        if (eta === z) fail('prox returned its input array; it must return a new one');
        if (z.some((v, i) => v !== copy[i])) fail('prox changed its input z');
        const a = norm2(z);
        let dot = 0;
        for (let i = 0; i < z.length; i++) dot += eta[i] * z[i];
        if (dot < -1e-15) fail(`prox points away from z at ${at(z, lambda, step)}`);
        const f = dot / (a * a);
        for (let i = 0; i < z.length; i++) {
          if (Math.abs(eta[i] - f * z[i]) > 1e-12 * (1 + a))
            fail(`prox is not parallel to z at ${at(z, lambda, step)}`);
        }
      }
      for (const step of steps) {
        const zero = penalty.prox(new Float64Array(3), 1, step);
        if (zero.some((v) => v !== 0)) fail(`prox(0) = [${Array.from(zero)}], not exactly 0`);
        const z = direction(3);
        const same = penalty.prox(z, 0, step);
        if (same.some((v, i) => Math.abs(v - z[i]) > 1e-14))
          fail(`prox at λ = 0 is not the identity (ϑ = ${step})`);
      }
      return undefined;
    },
    'proxNorm agrees with prox': () => {
      if (penalty.proxNorm === undefined) return 'no proxNorm: not applicable';
      for (const { z, lambda, step } of cases(3)) {
        const want = norm2(penalty.prox(z, lambda, step));
        const got = penalty.proxNorm(norm2(z), lambda, step);
        if (!(Math.abs(got - want) <= 1e-12 * (1 + want)))
          fail(`proxNorm = ${got} but ‖prox(z)‖ = ${want} at ${at(z, lambda, step)}`);
      }
      return undefined;
    },
    'exact zeros where the penalty has them: prox(z) = 0 for ‖z‖ below p′(0+)/ϑ': () => {
      const notes: string[] = [];
      for (const lambda of lambdas) {
        const h = 1e-7 * lambda;
        // p′(0+) from the values (an oracle independent of derivative()).
        const slope = penalty.value(h, lambda) / h;
        for (const step of steps) {
          const threshold = slope / step;
          if (slope <= 1e-6 * lambda) {
            // Smooth at 0: no fusion, and no zeros away from 0.
            const z = direction(3).map((u) => u * 0.01 * lambda);
            if (penalty.prox(z, lambda, step).every((v) => v === 0))
              fail(
                `prox fuses (returns 0) at ${at(z, lambda, step)} although p is smooth at 0 (p′(0+) ≈ ${slope})`,
              );
            continue;
          }
          for (const f of [0.25, 0.9, 0.999]) {
            const z = direction(3).map((u) => u * f * threshold);
            const eta = penalty.prox(z, lambda, step);
            if (eta.some((v) => v !== 0))
              fail(
                `prox does not return exact zeros at ${at(z, lambda, step)} (below the threshold p′(0+)/ϑ = ${threshold.toPrecision(6)}): got [${Array.from(eta, (v) => v.toExponential(3))}]`,
              );
          }
        }
        notes.push(`λ = ${lambda}: p′(0+) ≈ ${slope.toPrecision(4)}`);
      }
      return notes.join('; ');
    },
    'derivative agrees with finite differences of value': () => {
      const derivative = penalty.derivative;
      if (derivative === undefined) return 'no derivative: not applicable';
      let worst = 0;
      for (const lambda of lambdas) {
        for (let i = 0; i <= 120; i++) {
          const t = i * 0.0737 * lambda;
          const h = 1e-7 * (1 + t);
          // Right differences: the derivative is the right derivative at kinks.
          const fd = (penalty.value(t + h, lambda) - penalty.value(t, lambda)) / h;
          const d = derivative(t, lambda);
          const err = Math.abs(d - fd);
          worst = Math.max(worst, err);
          if (!(err <= 1e-5 * (1 + Math.abs(fd))))
            fail(`derivative(${t}, ${lambda}) = ${d} but (value(t + h) − value(t))/h = ${fd}`);
        }
      }
      return `largest difference ${worst.toExponential(2)}`;
    },
    'config is JSON-safe and the registry rebuilds the same penalty': () => {
      const config = penalty.config ?? {};
      if (!jsonSafe(config)) fail(`config is not JSON-safe: ${String(config)}`);
      const json = JSON.parse(JSON.stringify({ kind: penalty.kind, specVersion: 1, config })) as {
        kind: string;
        specVersion: 1;
        config: never;
      };
      if (options.rebuild === undefined) return 'no rebuild option: JSON safety only';
      const copy = options.rebuild(json);
      if (copy.kind !== penalty.kind)
        fail(
          `the registry rebuilt kind ${JSON.stringify(copy.kind)}, not ${JSON.stringify(penalty.kind)}`,
        );
      if (JSON.stringify(copy.config ?? {}) !== JSON.stringify(config))
        fail(
          `the rebuilt config ${JSON.stringify(copy.config)} differs from ${JSON.stringify(config)}`,
        );
      for (const { z, lambda, step } of cases(3)) {
        const a = penalty.prox(z, lambda, step);
        const b = copy.prox(z, lambda, step);
        if (a.some((v, i) => v !== b[i]))
          fail(`the rebuilt penalty's prox differs at ${at(z, lambda, step)}`);
        if (penalty.value(norm2(z), lambda) !== copy.value(norm2(z), lambda))
          fail(`the rebuilt penalty's value differs at ${at(z, lambda, step)}`);
      }
      return undefined;
    },
  };

  const results: PenaltyCheckResult[] = [];
  for (const name of penaltyChecks) {
    try {
      const detail = checks[name]();
      results.push({ name, ok: true, ...(detail !== undefined ? { detail } : {}) });
    } catch (e) {
      const failure =
        e instanceof CheckFailure
          ? e.message
          : `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      results.push({ name, ok: false, failure });
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  return { kind: penalty.kind, steps, lambdas, results, passed: results.length - failed, failed };
}

/** A readable summary of a penalty conformance report. */
export function formatPenaltyConformanceReport(report: PenaltyConformanceReport): string {
  const lines = [
    `penalty conformance: ${report.kind} (λ ∈ {${report.lambdas.join(', ')}}, ϑ ∈ {${report.steps.join(', ')}}): ${report.passed} passed, ${report.failed} failed`,
  ];
  for (const r of report.results)
    lines.push(
      `  ${r.ok ? '✓' : '✗'} ${r.name}${r.failure ? `: ${r.failure}` : r.detail ? ` (${r.detail})` : ''}`,
    );
  return lines.join('\n');
}
