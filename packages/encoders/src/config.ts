import { describeReceived, ValidationError } from '@hetmtl/tensor';

/**
 * The config object of an encoder: `undefined` means `{}`; anything but a plain object, or an
 * unknown key (a typo such as `hiden`), is a ValidationError that lists the keys the kind accepts.
 */
export function configObject(
  config: unknown,
  kind: string,
  keys: readonly string[],
): Record<string, unknown> {
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new ValidationError(`Invalid config for encoder "${kind}"`, {
      expected:
        keys.length > 0 ? `an object with optional keys ${keys.join(', ')}` : 'an empty object',
      received: describeReceived(config),
    });
  }
  for (const key of Object.keys(config)) {
    if (!keys.includes(key)) {
      throw new ValidationError(`Unknown option "${key}" for encoder "${kind}"`, {
        expected: keys.length > 0 ? `only ${keys.join(', ')}` : 'no options',
        received: `"${key}"`,
        fix:
          key === 'out' || key === 'outputDim'
            ? 'The number of factors is an option of the model (K0, K1: K0 for the shared encoder, K1 for the task-specific ones), not of the encoder'
            : `Remove "${key}" or check its spelling`,
      });
    }
  }
  return config as Record<string, unknown>;
}

/** A boolean option with a default. */
export function booleanOption(
  value: unknown,
  kind: string,
  key: string,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new ValidationError(`Invalid option "${key}" for encoder "${kind}"`, {
      expected: 'true or false',
      received: describeReceived(value),
    });
  }
  return value;
}

/** A finite number option above `min` (exclusive) with a default. */
export function numberOption(
  value: unknown,
  kind: string,
  key: string,
  fallback: number,
  min = Number.NEGATIVE_INFINITY,
  meaning = '',
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value > min)) {
    throw new ValidationError(`Invalid option "${key}" for encoder "${kind}"`, {
      expected: `a finite number${min > Number.NEGATIVE_INFINITY ? ` > ${min}` : ''}${meaning ? ` (${meaning})` : ''}`,
      received: describeReceived(value),
    });
  }
  return value;
}

/** True for an integer ≥ 1. */
export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
