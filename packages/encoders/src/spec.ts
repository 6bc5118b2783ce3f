import { describeReceived, ValidationError } from '@hetmtl/tensor';
import type { EncoderDefinition, EncoderFactory, EncoderSpec } from './types.js';

/** Throws unless `value` survives `JSON.stringify` → `JSON.parse` unchanged (plain data only). */
export function assertJsonSafe(value: unknown, where: string): void {
  const fail = (path: string, v: unknown): never => {
    throw new ValidationError(`${where} is not JSON-safe at ${path}`, {
      expected: 'plain data: null, booleans, finite numbers, strings, arrays and plain objects',
      received: describeReceived(v),
      fix: 'Keep only plain data in encoder configs: a saved model stores them as JSON',
    });
  };
  const walk = (v: unknown, path: string): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(path, v);
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], `${path}[${i}]`);
      return;
    }
    if (typeof v === 'object') {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) fail(path, v);
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, `${path}.${k}`);
      return;
    }
    fail(path, v);
  };
  walk(value, 'config');
}

/** Freezes a plain-data value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const x of Object.values(value)) deepFreeze(x);
    Object.freeze(value);
  }
  return value;
}

/** A normalized, frozen spec of `def` for a config (validated and completed by the definition). */
export function makeSpec<C>(def: EncoderDefinition<C>, config: unknown): EncoderSpec<C> {
  const normalized = def.normalizeConfig(config ?? {});
  assertJsonSafe(normalized, `The config of encoder "${def.kind}"`);
  // A structured copy, so that later changes to the user's arrays cannot reach the spec.
  const copy = JSON.parse(JSON.stringify(normalized)) as C;
  return deepFreeze({ kind: def.kind, specVersion: def.specVersion, config: copy });
}

/** The spec factory of a definition, without registering it anywhere. */
export function specFactory<C>(def: EncoderDefinition<C>): EncoderFactory<C> {
  const factory = (config?: Partial<C>): EncoderSpec<C> => makeSpec(def, config);
  return Object.assign(factory, { kind: def.kind, definition: def });
}
