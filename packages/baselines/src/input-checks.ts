import { describeReceived, ValidationError } from '@hetmtl/tensor';

function invalid(name: string, expected: string, value: unknown): ValidationError {
  return new ValidationError(`Invalid option ${name}`, {
    expected,
    received: describeReceived(value),
  });
}

/** Option readers: `undefined` gives the default; anything else must be valid. */
export const option = {
  number(
    name: string,
    value: unknown,
    fallback: number,
    check: {
      min?: number;
      exclusiveMin?: number;
      max?: number;
      integer?: boolean;
      infinite?: boolean;
    } = {},
  ): number {
    if (value === undefined) return fallback;
    const v = value as number;
    const ok =
      typeof v === 'number' &&
      !Number.isNaN(v) &&
      (check.infinite ? v !== Number.NEGATIVE_INFINITY : Number.isFinite(v)) &&
      (!check.integer || Number.isInteger(v) || v === Number.POSITIVE_INFINITY) &&
      (check.min === undefined || v >= check.min) &&
      (check.exclusiveMin === undefined || v > check.exclusiveMin) &&
      (check.max === undefined || v <= check.max);
    if (!ok) {
      const parts = [check.integer ? 'an integer' : 'a number'];
      if (check.min !== undefined) parts.push(`≥ ${check.min}`);
      if (check.exclusiveMin !== undefined) parts.push(`> ${check.exclusiveMin}`);
      if (check.max !== undefined) parts.push(`≤ ${check.max}`);
      throw invalid(name, parts.join(' '), value);
    }
    return v;
  },
  fraction(name: string, value: unknown, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !(value > 0 && value < 1))
      throw invalid(name, 'a number strictly between 0 and 1', value);
    return value;
  },
  boolean(name: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw invalid(name, 'true or false', value);
    return value;
  },
  oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T))
      throw invalid(name, allowed.map((a) => `'${a}'`).join(' or '), value);
    return value as T;
  },
  seed(value: unknown): number {
    if (value === undefined) return 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw invalid('seed', 'a non-negative integer', value);
    return value;
  },
  /** A non-empty list of λ ≥ 0 (Infinity allowed where `infinite`), returned sorted increasing. */
  lambdas(value: unknown, fallback: readonly number[] | null, infinite: boolean): number[] | null {
    if (value === undefined) return fallback === null ? null : [...fallback];
    const ok =
      Array.isArray(value) &&
      value.length > 0 &&
      value.every(
        (v) =>
          typeof v === 'number' &&
          v >= 0 &&
          (Number.isFinite(v) || (infinite && v === Number.POSITIVE_INFINITY)),
      );
    if (!ok) {
      throw invalid(
        'lambdas',
        `a non-empty array of numbers ≥ 0${infinite ? ' (Infinity allowed)' : ''}`,
        Array.isArray(value) ? JSON.stringify(value) : value,
      );
    }
    return [...new Set(value as number[])].sort((a, b) => a - b);
  },
  widths(name: string, value: unknown, fallback: readonly number[], minLength = 0): number[] {
    if (value === undefined) return [...fallback];
    if (
      !Array.isArray(value) ||
      value.length < minLength ||
      !value.every((v) => Number.isInteger(v) && v >= 1)
    ) {
      throw invalid(
        name,
        `an array of ${minLength > 0 ? `at least ${minLength} ` : ''}positive integers (layer widths), e.g. [32]`,
        Array.isArray(value) ? JSON.stringify(value) : value,
      );
    }
    return [...value];
  },
};

/** Rejects option names the learner does not know (a typo would otherwise be silently ignored). */
export function checkKnownOptions(
  learner: string,
  options: unknown,
  known: readonly string[],
): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(`Invalid options for ${learner}`, {
      expected: 'an object',
      received: describeReceived(options),
    });
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ValidationError(`Unknown option ${key} for ${learner}`, {
        expected: `one of ${known.join(', ')}`,
        received: JSON.stringify(key),
      });
    }
  }
}
