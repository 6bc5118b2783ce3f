import { Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import {
  closestName,
  compareLabels,
  fastDecimal,
  naSet,
  parseNumber,
  valueToLabel,
  valueToNumber,
} from './values.js';

describe('fastDecimal (oracle: Number)', () => {
  it('equals Number() on plain decimals, bit for bit', () => {
    const rng = new Random(3);
    for (let i = 0; i < 200_000; i++) {
      const digits = rng.integer(1, 18);
      const decimals = rng.integer(0, Math.min(digits, 24));
      let s = rng.uniform() < 0.5 ? '-' : '';
      for (let d = 0; d < digits; d++) {
        if (d === digits - decimals) s += d === 0 ? '0.' : '.';
        s += String(rng.integer(0, 10));
      }
      const f = fastDecimal(s);
      if (!Number.isNaN(f)) expect(Object.is(f, Number(s))).toBe(true);
    }
  });

  it('leaves everything else to the careful path', () => {
    for (const s of [
      '',
      '-',
      '.',
      '1e5',
      ' 1',
      '1 ',
      '0x10',
      '1.2.3',
      '12345678901234567',
      'NaN',
      'Infinity',
      '+',
    ]) {
      expect(Number.isNaN(fastDecimal(s))).toBe(true);
    }
    expect(fastDecimal('+3.25')).toBe(3.25);
    expect(fastDecimal('.5')).toBe(0.5);
    // 22 decimals is the last exact power of ten; 24 goes the careful way.
    expect(fastDecimal('0.0000000000000000012345')).toBe(Number('0.0000000000000000012345'));
    expect(Number.isNaN(fastDecimal('0.000000000000000000012345'))).toBe(true);
  });
});

describe('parseNumber and friends', () => {
  const na = naSet();
  it('classifies cells', () => {
    expect(parseNumber('1e3', na)).toBe(1000);
    expect(parseNumber(' 2.5 ', na)).toBe(2.5);
    expect(parseNumber('0', na)).toBe(0);
    expect(parseNumber('0.0', na)).toBe(0);
    expect(parseNumber('', na)).toBe('missing');
    expect(parseNumber('  ', na)).toBe('missing');
    expect(parseNumber('NA', na)).toBe('missing');
    // "NaN" is a missing-value marker by default (case as listed); other spellings are non-finite.
    expect(parseNumber('NaN', na)).toBe('missing');
    expect(parseNumber('nan', na)).toBe('nan');
    expect(parseNumber('NaN', naSet(['NA']))).toBe('nan');
    expect(parseNumber('-Inf', na)).toBe('infinite');
    expect(parseNumber('1e400', na)).toBe('infinite');
    expect(parseNumber('abc', na)).toBe('non-numeric');
    expect(valueToNumber(3n, na)).toBe(3);
    expect(valueToNumber(true, na)).toBe(1);
    expect(valueToNumber(null, na)).toBe('missing');
    expect(valueToNumber([1], na)).toBe('non-numeric');
    expect(valueToLabel(' NA ', na)).toBeUndefined();
    expect(valueToLabel(12, na)).toBe('12');
    expect(valueToLabel({}, na)).toBeNull();
  });

  it('orders labels naturally and suggests near names', () => {
    expect(['10', 'b', '2', 'a', '-1'].sort(compareLabels)).toEqual(['-1', '2', '10', 'a', 'b']);
    expect(closestName('scor', ['school', 'score'])).toBe('score');
    expect(closestName('SCHOOL', ['school', 'score'])).toBe('school');
    expect(closestName('y', ['x', 'z'])).toBeUndefined();
  });
});
