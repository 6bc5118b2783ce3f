import { describe, expect, it } from 'vitest';
import { fromLongTable } from './long-table.js';

const rows = [
  { clinic: 'A', age: 30, sex: 'f', region: 'north', y: 1.5 },
  { clinic: 'B', age: 40, sex: 'm', region: 'south', y: 2.5 },
  { clinic: 'A', age: 50, sex: 'm', region: 'east', y: 3.5 },
  { clinic: 'A', age: 60, sex: 'f', region: 'north', y: 4.5 },
  { clinic: 'B', age: 70, sex: 'f', region: 'east', y: 0.5 },
];
const opts = {
  task: 'clinic',
  target: 'y',
  categorical: ['sex', 'region'],
  missing: 'mean-impute',
  unseenCategory: 'zero',
} as const;
const enc = fromLongTable(rows, opts).encoding;

// New rows as CSV cells (strings), in a column order of their own, with an unseen level, missing
// cells (filled) and an extra column.
const names = ['note', 'region', 'y', 'age', 'clinic', 'sex'];
const cells = [
  ['a', 'north', '1', '31.5', 'B', 'm'],
  ['b', 'west', '2', 'NA', 'A', 'f'],
  ['c', '', '3', '7', 'A', 'x'],
  ['d', 'east', '4', '1e2', 'B', 'x'],
];

function columns(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  names.forEach((n, j) => {
    out[n] = cells.map((r) => r[j]);
  });
  return out;
}

describe('Encoding.rowEncoder', () => {
  it('encodes rows pushed one at a time exactly as encodeRows encodes the table', () => {
    const whole = enc.encodeRows(columns());
    for (const expectedRows of [undefined, 1, 4, 100]) {
      const re = enc.rowEncoder(names, { expectedRows });
      cells.forEach((r, i) => re.push(r, i + 1));
      const e = re.finish();
      expect(e.n).toBe(whole.n);
      expect(e.p).toBe(whole.p);
      expect(Array.from(e.X)).toEqual(Array.from(whole.X));
      expect(Array.from(e.y ?? [])).toEqual(Array.from(whole.y ?? []));
      expect(e.taskNames).toEqual(whole.taskNames);
      expect(Array.from(e.taskIndex)).toEqual(Array.from(whole.taskIndex));
      // Unseen levels, counted by brute force over the cells.
      expect(Object.fromEntries(re.unseenByColumn())).toEqual({ sex: 2, region: 1 });
    }
  });

  it('gives encodeRows’ errors with the row number it is given', () => {
    const strict = fromLongTable(rows, { ...opts, unseenCategory: 'error' }).encoding;
    const re = strict.rowEncoder(names);
    re.push(cells[0], 2);
    expect(() => re.push(cells[2], 7)).toThrow(
      'Category not seen in training (at task "A", row 7, column "sex")',
    );
    expect(() => re.push(['z', 'north', '1', '1', 'C', 'm'], 9)).toThrow(
      'Unknown task (at task "C", row 9, column "clinic")',
    );
    expect(() => re.push(['a', 'north'], 10)).toThrow(
      'Ragged row (at row 10): expected 6 fields, as in the header, received 2 fields',
    );
    expect(() => strict.rowEncoder(['clinic', 'age', 'sex'])).toThrow('Missing feature column');
  });
});
