import { describe, expect, it } from 'vitest';
import { keepColumns, mostVariableColumns } from './feature-select.js';
import { fromLongTable } from './long-table.js';

// 3 tasks, 9 numeric columns of known spread and a categorical column.
const rows = Array.from({ length: 30 }, (_, i) => {
  const r: Record<string, unknown> = { task: `t${i % 3}`, site: i % 2 ? 'a' : 'b', y: i };
  for (let j = 0; j < 9; j++) r[`g${j}`] = Math.sin(i * (j + 1.3)) * (1 + ((j * 7) % 5));
  r.g4 = 2; // constant
  return r;
});
const ds = fromLongTable(rows, { task: 'task', target: 'y', categorical: ['site'] });

/** Brute force: the variance of each column from its cells in the records. */
function bruteVariance(name: string): number {
  const v = rows.map((r) => r[name] as number);
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
}

describe('mostVariableColumns', () => {
  it('selects exactly the top-k columns by variance over the rows given (brute force)', () => {
    const names = Array.from({ length: 9 }, (_, j) => `g${j}`);
    const byVariance = [...names].sort((a, b) => bruteVariance(b) - bruteVariance(a));
    for (let k = 1; k <= 9; k++) {
      const got = mostVariableColumns(ds, k);
      expect(new Set(got)).toEqual(new Set(byVariance.slice(0, k)));
      // In column order.
      expect(got).toEqual([...got].sort((a, b) => names.indexOf(a) - names.indexOf(b)));
    }
  });

  it('refuses k outside 1…p (p: the numeric columns)', () => {
    expect(() => mostVariableColumns(ds, 10)).toThrow(
      'Invalid maxFeatures (at column "maxFeatures"): expected a whole number from 1 to 9',
    );
    expect(() => mostVariableColumns(ds, 0)).toThrow('Invalid maxFeatures');
  });
});

describe('keepColumns', () => {
  it('equals reading only those columns (and the categorical ones)', () => {
    const keep = ['g2', 'g7', 'g0'];
    const kept = keepColumns(ds, keep);
    const direct = fromLongTable(rows, {
      task: 'task',
      target: 'y',
      categorical: ['site'],
      features: ['g0', 'site', 'g2', 'g7'].sort(
        (a, b) =>
          ds.encoding.columns.findIndex((c) => c.name === a) -
          ds.encoding.columns.findIndex((c) => c.name === b),
      ),
    });
    expect(kept.featureNames).toEqual(direct.featureNames);
    expect(kept.encoding.toJSON()).toEqual(direct.encoding.toJSON());
    for (const t of direct.taskNames) {
      expect(Array.from(kept.task(t).X)).toEqual(Array.from(direct.task(t).X));
      expect(Array.from(kept.task(t).y)).toEqual(Array.from(direct.task(t).y));
    }
  });
});
