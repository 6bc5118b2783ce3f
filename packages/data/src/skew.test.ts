import { beforeAll, describe, expect, it } from 'vitest';
import type { MultiTaskDataset } from './dataset.js';
import { parseCsv } from './csv.js';
import { Encoding } from './encoding.js';
import { log1pColumns, skewedColumns } from './skew.js';

/** Sample skewness written out directly (the oracle): mean, then the 2nd and 3rd central moments. */
function skew(v: readonly number[]): number {
  const n = v.length;
  const m = v.reduce((a, b) => a + b, 0) / n;
  const m2 = v.reduce((a, b) => a + (b - m) ** 2, 0) / n;
  const m3 = v.reduce((a, b) => a + (b - m) ** 3, 0) / n;
  return m3 / m2 ** 1.5;
}

// 12 rows in two tasks: `count` is skewed and ≥ 0, `signed` is skewed but has a negative value,
// `flag` is 0/1, `pair` has two values, `even` is symmetric, `kind` is text (categorical).
const count = [0, 1, 0, 2, 1, 0, 3, 0, 1, 40, 0, 2];
const signed = [0, 1, 0, 2, 1, 0, 3, 0, 1, 40, 0, -2];
const flag = [0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0];
const pair = [5, 9, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5];
const even = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const csv = [
  'task,count,signed,flag,pair,even,kind,y',
  ...count.map(
    (_, i) =>
      `${i < 6 ? 'a' : 'b'},${count[i]},${signed[i]},${flag[i]},${pair[i]},${even[i]},${i % 2 ? 'u' : 'v'},${i}`,
  ),
].join('\n');
let base: MultiTaskDataset;
beforeAll(async () => {
  base = await parseCsv(csv, { task: 'task', target: 'y', categorical: ['kind'] });
});
const ds = () => base;

describe('skewedColumns', () => {
  it('picks the non-negative columns with > 2 distinct values and skewness above 2', () => {
    const got = skewedColumns(ds());
    expect(got.map((c) => c.name)).toEqual(['count']);
    expect(got[0].skewness).toBeCloseTo(skew(count), 12);
    expect(skew(count)).toBeGreaterThan(2);
    expect(skew(signed)).toBeGreaterThan(2); // skewed, but it has a negative value
    expect(skew(pair)).toBeGreaterThan(2); // skewed, but only two values
  });

  it('takes its threshold; a threshold above the skewness picks nothing', () => {
    expect(skewedColumns(ds(), { threshold: skew(count) + 1e-9 })).toEqual([]);
    expect(skewedColumns(ds(), { threshold: 0 }).map((c) => c.name)).toEqual(['count']);
    expect(() => skewedColumns(ds(), { threshold: -1 })).toThrow(/Invalid skewness threshold/);
  });
});

describe('log1pColumns', () => {
  it('replaces the column by log(1 + v), marks the encoding and leaves the rest alone', () => {
    const before = ds();
    const after = log1pColumns(before, ['count']);
    const p = before.numFeatures;
    const f = before.featureNames.indexOf('count');
    for (const t of before.taskNames)
      for (let i = 0; i < before.task(t).n; i++)
        for (let j = 0; j < p; j++) {
          const v = before.task(t).X[i * p + j];
          expect(after.task(t).X[i * p + j]).toBe(j === f ? Math.log1p(v) : v);
        }
    const col = after.encoding.columns.find((c) => c.name === 'count');
    expect(col).toMatchObject({ kind: 'numeric', transform: 'log1p' });
    expect(skewedColumns(after)).toEqual([]); // transformed columns are not candidates again
    expect(log1pColumns(before, [])).toBe(before);
    // Row weights and offsets stay with their rows.
    const w = before.tasks().map((t) => Float64Array.from({ length: t.n }, (_, i) => i + 1));
    const weighted = log1pColumns(before.withWeights(w), ['count']);
    expect(weighted.weights?.map((x) => Array.from(x))).toEqual(w.map((x) => Array.from(x)));
  });

  it('the saved encoding reads new raw rows the same way and refuses a negative value there', () => {
    const after = log1pColumns(ds(), ['count']);
    const enc = Encoding.fromJSON(JSON.parse(JSON.stringify(after.encoding.toJSON())));
    const rows = csv
      .split('\n')
      .slice(1)
      .map((line) => {
        const [task, c, s, fl, pa, ev, kind] = line.split(',');
        return { task, count: c, signed: s, flag: fl, pair: pa, even: ev, kind };
      });
    const encoded = enc.encodeRows(rows);
    const p = after.numFeatures;
    let k = 0;
    for (const t of after.taskNames)
      for (let i = 0; i < after.task(t).n; i++, k++)
        expect(Array.from(encoded.X.subarray(k * p, (k + 1) * p))).toEqual(
          Array.from(after.task(t).X.subarray(i * p, (i + 1) * p)),
        );
    expect(() => enc.encodeRows([{ ...rows[0], count: '-1' }])).toThrow(
      'A negative value in a log1p-transformed column (at task "a", row 1, column "count"): expected a value ≥ 0',
    );
  });

  it('transforms the fill value of mean-impute with the column', async () => {
    const text = 'task,n,y\na,1,1\na,,2\na,30,3\nb,2,4\nb,0,5\nb,4,6';
    const d = await parseCsv(text, { task: 'task', target: 'y', missing: 'mean-impute' });
    const fill = (d.encoding.columns[0] as { fill: number }).fill;
    const after = log1pColumns(d, ['n']);
    expect((after.encoding.columns[0] as { fill: number }).fill).toBe(Math.log1p(fill));
    // The imputed cell holds log(1 + fill), as the encoding fills new rows.
    expect(after.task('a').X[1]).toBe(Math.log1p(fill));
  });

  it('refuses a categorical, unknown or negative column by name', () => {
    expect(() => log1pColumns(ds(), ['kind'])).toThrow(/Not a column to log-transform.*"kind"/);
    expect(() => log1pColumns(ds(), ['nope'])).toThrow(/Unknown column to log-transform.*"nope"/);
    expect(() => log1pColumns(ds(), ['signed'])).toThrow(
      /A negative value in a column to log-transform \(at task "b", row 6, column "signed"\)/,
    );
  });
});
