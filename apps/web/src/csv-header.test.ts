import { describe, expect, test } from 'vitest';
import { guessColumns, parseCsvHeader } from './csv-header.js';

describe('parseCsvHeader', () => {
  test('reads names, quoted names with delimiters, a BOM and CRLF', () => {
    expect(parseCsvHeader('\ufeffschool,"a, b","say ""hi""",score\r\n1,2,3,4')).toEqual({
      columns: ['school', 'a, b', 'say "hi"', 'score'],
      delimiter: ',',
    });
  });

  test('detects semicolons and tabs', () => {
    expect(parseCsvHeader('g;x1;x2;y\n').delimiter).toBe(';');
    expect(parseCsvHeader('g\tx1\ty\n').columns).toEqual(['g', 'x1', 'y']);
  });

  test('refuses a header without a task, a target and a feature', () => {
    expect(() => parseCsvHeader('a,b\n1,2')).toThrow(/header row/);
    expect(() => parseCsvHeader('a,,c\n')).toThrow(/all named/);
  });
});

test('guessColumns picks a task and a target', () => {
  expect(guessColumns(['id', 'x1', 'task', 'y'])).toEqual({ task: 'task', target: 'y' });
  expect(guessColumns(['clinic', 'age', 'dose', 'outcome2'])).toEqual({
    task: 'clinic',
    target: 'outcome2',
  });
});
