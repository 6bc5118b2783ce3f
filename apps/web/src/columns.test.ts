import { parseCsv } from '@hetmtl/data';
import { ValidationError } from '@hetmtl/tensor';
import { describe, expect, test } from 'vitest';
import { columnReadOptions, defaultColumnRoles, pageOptionWords } from './columns.js';

// 12 rows of 3 tasks: `patient` distinct integers, `code` distinct strings, `kind` text, `x` numbers
// with one empty cell, `n` repeated integers (a number, not an ID).
const header = ['patient', 'g', 'code', 'kind', 'x', 'n', 'y'];
const csv = [
  header.join(','),
  ...Array.from({ length: 12 }, (_, i) =>
    [100 + i, `t${i % 3}`, `c${i}`, i % 2 ? 'a' : 'b', i === 5 ? '' : i / 4, i % 4, i * 0.5].join(
      ',',
    ),
  ),
].join('\n');

describe('defaultColumnRoles', () => {
  test('excludes the ID-like columns, makes text categorical and notes missing values', async () => {
    const data = await parseCsv(csv, { task: 'g', target: 'y', missing: 'mean-impute' });
    const roles = defaultColumnRoles(header, 'g', 'y', data.report!);
    expect(roles).toEqual([
      { column: 'patient', role: 'exclude', why: 'ID-like (all 12 values distinct)' },
      { column: 'code', role: 'exclude', why: 'ID-like (all 12 values distinct)' },
      { column: 'kind', role: 'categorical', why: 'text, 2 levels' },
      { column: 'x', role: 'numeric', why: 'numbers; 1 missing' },
      { column: 'n', role: 'numeric', why: 'numbers' },
    ]);
  });
});

describe('columnReadOptions', () => {
  test('the reader honours the roles: a kept ID-like column, a categorical integer column', async () => {
    const options = columnReadOptions(
      [
        { column: 'patient', role: 'numeric' },
        { column: 'code', role: 'exclude' },
        { column: 'kind', role: 'exclude' },
        { column: 'x', role: 'numeric' },
        { column: 'n', role: 'categorical' },
      ],
      'drop-rows',
    );
    const data = await parseCsv(csv, { task: 'g', target: 'y', ...options });
    expect(data.encoding.columns.map((c) => [c.name, c.kind])).toEqual([
      ['patient', 'numeric'],
      ['x', 'numeric'],
      ['n', 'categorical'],
    ]);
    // patient, x and the four levels of n; the row with the empty x cell dropped.
    expect(data.numFeatures).toBe(6);
    expect(data.totalRows).toBe(11);
    expect(data.report!.rowsDropped).toBe(1);
  });

  test("a reader error names the page's controls", async () => {
    const options = columnReadOptions(
      defaultColumnRoles(
        header,
        'g',
        'y',
        (await parseCsv(csv, { task: 'g', target: 'y', missing: 'mean-impute' })).report!,
      ),
      'error',
    );
    const error = await parseCsv(csv, { task: 'g', target: 'y', ...options }).catch((e) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    const text = (error as ValidationError).render(pageOptionWords);
    expect(text).toMatch(/row 7/);
    expect(text).toMatch(/column "x"/);
    expect(text).toMatch(/Missing values: "(drop the rows|fill with the training mean)"/);
    expect(text).not.toMatch(/missing: "/);
  });
});
