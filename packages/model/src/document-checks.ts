import { describeReceived, SerializationError } from '@hetmtl/tensor';

/** The field checks of the model document (document.ts): each names the field path on failure. */

export type Obj = Record<string, unknown>;

export const FIX =
  'Pass a document written by model.toJSON() (JSON.stringify(model)) and not edited since';

export function fail(path: string, expected: string, value: unknown, received?: string): never {
  throw new SerializationError(`Corrupt model document at ${path}`, {
    expected,
    received: received ?? describeReceived(value),
    fix: FIX,
  });
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function object(
  v: unknown,
  path: string,
  required: readonly string[],
  optional: readonly string[] = [],
): Obj {
  if (!isObj(v)) fail(path, 'an object', v);
  const known = new Set([...required, ...optional]);
  for (const key of Object.keys(v))
    if (!known.has(key))
      fail(
        `${path}.${key}`,
        `only the known keys (${[...known].join(', ')})`,
        undefined,
        `an unknown key "${key}"`,
      );
  for (const key of required)
    if (!(key in v)) fail(`${path}.${key}`, 'a value', undefined, 'nothing');
  return v;
}

export function finite(
  v: unknown,
  path: string,
  check?: (x: number) => boolean,
  what = 'a finite number',
): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (check && !check(v))) fail(path, what, v);
  return v;
}

export function integer(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    fail(path, `an integer ≥ ${min}`, v);
  return v;
}

export function numbers(
  v: unknown,
  path: string,
  len: number,
  check?: (x: number) => boolean,
  element = 'a finite number',
): number[] {
  if (!Array.isArray(v) || v.length !== len)
    fail(path, `an array of ${len} numbers (${element} each)`, v);
  v.forEach((x, i) => finite(x, `${path}[${i}]`, check, element));
  return v as number[];
}

export function matrixOf(
  v: unknown,
  path: string,
  rows: number,
  cols: number,
  check?: (x: number) => boolean,
  element = 'a finite number',
): number[][] {
  if (!Array.isArray(v) || v.length !== rows)
    fail(path, `an array of ${rows} arrays (one per task)`, v);
  return v.map((row, r) => numbers(row, `${path}[${r}]`, cols, check, element));
}

export function names(v: unknown, path: string): string[] {
  if (!Array.isArray(v) || v.length === 0) fail(path, 'a non-empty array of names', v);
  const seen = new Set<string>();
  v.forEach((n, i) => {
    if (typeof n !== 'string' || n.length === 0) fail(`${path}[${i}]`, 'a non-empty string', n);
    if (seen.has(n))
      fail(`${path}[${i}]`, 'distinct names', n, `${JSON.stringify(n)} a second time`);
    seen.add(n);
  });
  return v as string[];
}

export const lambdaOk = (v: unknown) =>
  v === 'Infinity' || (typeof v === 'number' && Number.isFinite(v) && v >= 0);

export function encoderSpec(v: unknown, path: string): { kind: string; config: Obj } {
  const s = object(v, path, ['kind', 'specVersion', 'config']);
  if (typeof s.kind !== 'string' || s.kind.length === 0)
    fail(`${path}.kind`, 'an encoder kind', s.kind);
  integer(s.specVersion, `${path}.specVersion`, 1);
  if (!isObj(s.config)) fail(`${path}.config`, 'an object', s.config);
  return { kind: s.kind, config: s.config };
}

/**
 * The weights of an encoder: each `{ shape, values }` with integer dimensions and as many finite
 * values; for the built-in kinds (identity, linear, mlp) also the exact names and shapes that the
 * dimensions p, K and (batched) R give.
 */
export function encoderWeights(
  spec: { kind: string; config: Obj },
  v: unknown,
  path: string,
  name: string,
  p: number,
  K: number,
  tasks: number | null,
): void {
  if (!isObj(v)) fail(path, 'an object of weights', v);
  for (const [key, w] of Object.entries(v)) {
    const wo = object(w, `${path}.${key}`, ['shape', 'values']);
    if (!Array.isArray(wo.shape) || !wo.shape.every((d) => Number.isInteger(d) && d >= 0))
      fail(`${path}.${key}.shape`, 'an array of dimensions', wo.shape);
    const size = (wo.shape as number[]).reduce((a, b) => a * b, 1);
    numbers(wo.values, `${path}.${key}.values`, size);
  }
  let hidden: number[] | null = null;
  let bias = true;
  if (spec.kind === 'identity') hidden = null;
  else if (spec.kind === 'linear') hidden = [];
  else if (spec.kind === 'mlp') {
    const h = spec.config.hidden ?? [32];
    if (!Array.isArray(h) || !h.every((x) => Number.isInteger(x) && x >= 1)) return; // the encoder says
    hidden = h as number[];
  } else return; // a plugin: its setWeights checks names and shapes when the model is built
  if (spec.config.bias === false) bias = false;
  const expected: Record<string, number[]> = {};
  if (hidden) {
    const sizes = [p, ...hidden, K];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l];
      const fanOut = sizes[l + 1];
      expected[`${name}/w${l}`] = tasks === null ? [fanIn, fanOut] : [tasks, fanIn, fanOut];
      if (bias) expected[`${name}/b${l}`] = tasks === null ? [fanOut] : [tasks, 1, fanOut];
    }
  } else if (p !== K) fail(path, `an identity encoder with K = p = ${p}`, K, `K = ${K}`);
  for (const key of Object.keys(v))
    if (!(key in expected))
      fail(
        `${path}.${key}`,
        `only the weights ${Object.keys(expected).join(', ') || '(none)'} of a ${spec.kind} encoder`,
        undefined,
        `an unknown weight "${key}"`,
      );
  for (const [key, shape] of Object.entries(expected)) {
    const w = v[key] as { shape: number[] } | undefined;
    if (!w) fail(`${path}.${key}`, `a weight of shape [${shape}]`, undefined, 'nothing');
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]))
      fail(`${path}.${key}.shape`, `[${shape}]`, undefined, `[${w.shape}]`);
  }
}
