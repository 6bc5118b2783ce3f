import { SerializationError } from '@hetmtl/tensor';

/** Infinity is not JSON: documents store it as the string "Infinity". */
export type JsonNumber = number | 'Infinity';

export function encodeNumber(x: number): JsonNumber {
  return x === Number.POSITIVE_INFINITY ? 'Infinity' : x;
}

export function decodeNumber(x: unknown, what: string): number {
  if (x === 'Infinity') return Number.POSITIVE_INFINITY;
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new SerializationError(`Corrupt document: ${what}`, {
      expected: 'a finite number or "Infinity"',
      received: JSON.stringify(x) ?? String(x),
    });
  }
  return x;
}

/** A list of `length` finite numbers as a Float64Array (SerializationError otherwise). */
export function decodeVector(x: unknown, length: number, what: string): Float64Array {
  if (
    !Array.isArray(x) ||
    x.length !== length ||
    !x.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    throw new SerializationError(`Corrupt document: ${what}`, {
      expected: `${length} finite numbers`,
      received: Array.isArray(x)
        ? `an array of length ${x.length}${x.length === length ? ' with a non-finite or non-numeric entry' : ''}`
        : typeof x,
    });
  }
  return Float64Array.from(x as number[]);
}

/** `count` vectors of `length` finite numbers. */
export function decodeVectors(
  x: unknown,
  count: number,
  length: number,
  what: string,
): Float64Array[] {
  if (!Array.isArray(x) || x.length !== count) {
    throw new SerializationError(`Corrupt document: ${what}`, {
      expected: `${count} vectors of ${length} numbers`,
      received: Array.isArray(x) ? `${x.length} entries` : typeof x,
    });
  }
  return x.map((v, r) => decodeVector(v, length, `${what}[${r}]`));
}
