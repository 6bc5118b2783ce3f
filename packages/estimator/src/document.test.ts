import { SerializationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { checkEnvelope, parseDocument, readEnvelope } from './document.js';
import { decodeNumber, decodeVector, decodeVectors, encodeNumber } from './json-numbers.js';

const spec = { format: 'hetmtl/thing', version: 1, name: 'Thing' };
const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as SerializationError;
  }
  throw new Error('nothing thrown');
};

describe('the document envelope', () => {
  it('parses text, passes objects through, and says when text is not JSON', () => {
    expect(parseDocument('{"a":1}', 'fix')).toEqual({ a: 1 });
    const o = { a: 1 };
    expect(parseDocument(o, 'fix')).toBe(o);
    const e = thrown(() => parseDocument('{', 'Pass the text', 'model document'));
    expect(e).toBeInstanceOf(SerializationError);
    expect(e.summary).toBe('The model document is not valid JSON');
    expect(e.fix).toBe('Pass the text');
  });

  it('checks the format tag and the version, with what was expected and received', () => {
    expect(() => checkEnvelope({ format: 'hetmtl/thing', version: 1 }, spec)).not.toThrow();
    for (const bad of [null, [], 3, { format: 'other', version: 1 }]) {
      const e = thrown(() => checkEnvelope(bad, spec));
      expect(e.summary).toBe('Not a Thing document');
      expect(e.expected).toBe('format "hetmtl/thing"');
      expect(e.fix).toBeUndefined();
    }
    expect(thrown(() => checkEnvelope({}, { ...spec, formatFix: 'Use X' })).fix).toBe('Use X');
    const v = thrown(() => checkEnvelope({ format: 'hetmtl/thing', version: 2 }, spec));
    expect(v.summary).toBe('Unsupported document version');
    expect(v.expected).toBe('version 1');
    expect(v.received).toBe('2');
    expect(v.fix).toBe('Load it with the hetmtl version that saved it');
    expect(
      readEnvelope('{"format":"hetmtl/thing","version":1,"x":2}', { ...spec, jsonFix: 'f' }).x,
    ).toBe(2);
  });

  it('writes Infinity as "Infinity" and reads finite numbers back', () => {
    expect(encodeNumber(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(encodeNumber(2)).toBe(2);
    expect(decodeNumber('Infinity', 'x')).toBe(Number.POSITIVE_INFINITY);
    expect(() => decodeNumber(Number.NaN, 'x')).toThrow(/Corrupt document: x/);
    expect(Array.from(decodeVector([1, 2], 2, 'v'))).toEqual([1, 2]);
    expect(() => decodeVector([1, null], 2, 'v')).toThrow(SerializationError);
    expect(() => decodeVectors([[1]], 2, 1, 'vs')).toThrow(/2 vectors of 1 numbers/);
  });
});
