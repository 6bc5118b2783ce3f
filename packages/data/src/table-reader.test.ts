// Storage paths of the table reader: one buffer grouped in place (rows known or extrapolated),
// blocks when an estimate falls short, compaction when it overshoots. Oracle: the rows grouped by
// task with plain arrays.
import { Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import type { MultiTaskDataset } from './dataset.js';
import { fromLongTable } from './long-table.js';

interface Row {
  t: string;
  a: number | null;
  b: number;
  y: number;
}

function randomRows(
  n: number,
  tasks: number,
  seed: number,
  grouped: boolean,
  missingRate = 0,
): Row[] {
  const rng = new Random(seed);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const t = grouped ? Math.floor((i * tasks) / n) : rng.integer(0, tasks);
    rows.push({
      t: `k${t}`,
      a: rng.uniform() < missingRate ? null : rng.normal(),
      b: rng.integer(-9, 9),
      y: rng.normal(),
    });
  }
  return rows;
}

/** Oracle: rows grouped by task (first appearance order), missing `a` filled with `fill`, or dropped when fill is null. */
function oracle(rows: readonly Row[], fill: number | null) {
  const out = new Map<string, { X: number[]; y: number[] }>();
  for (const r of rows) {
    if (r.a === null && fill === null) {
      if (!out.has(r.t)) out.set(r.t, { X: [], y: [] });
      continue;
    }
    if (!out.has(r.t)) out.set(r.t, { X: [], y: [] });
    const e = out.get(r.t) as { X: number[]; y: number[] };
    e.X.push(r.a ?? (fill as number), r.b);
    e.y.push(r.y);
  }
  return out;
}

function expectEqual(ds: MultiTaskDataset, expected: Map<string, { X: number[]; y: number[] }>) {
  expect(ds.taskNames).toEqual([...expected.keys()]);
  for (const [t, e] of expected) {
    expect(Array.from(ds.task(t).X)).toEqual(e.X);
    expect(Array.from(ds.task(t).y)).toEqual(e.y);
  }
}

const buffers = (ds: MultiTaskDataset) => new Set(ds.tasks().map((t) => t.X.buffer)).size;

const csvOf = (rows: readonly Row[], fmt = (v: number) => String(v)) =>
  `t,a,b,y\n${rows.map((r) => `${r.t},${r.a === null ? '' : fmt(r.a)},${r.b},${fmt(r.y)}`).join('\n')}\n`;

describe('TableReader storage', () => {
  it("groups interleaved rows in place, keeping each task's row order", () => {
    const rows = randomRows(5000, 13, 1, false);
    const ds = fromLongTable(rows, { task: 't', target: 'y' });
    expectEqual(ds, oracle(rows, null));
    expect(buffers(ds)).toBe(1);
  });

  it('rows that come grouped are views of one buffer (no copy)', () => {
    const rows = randomRows(3000, 4, 2, true);
    const ds = fromLongTable(rows, { task: 't', target: 'y' });
    expectEqual(ds, oracle(rows, null));
    expect(buffers(ds)).toBe(1);
    expect(ds.task(3).X.byteOffset).toBeGreaterThan(0);
  });

  it('in place with dropped rows and with imputed cells', () => {
    const rows = randomRows(4000, 7, 3, false, 0.1);
    expectEqual(
      fromLongTable(rows, { task: 't', target: 'y', missing: 'drop-rows' }),
      oracle(rows, null),
    );
    const observed = rows.filter((r) => r.a !== null).map((r) => r.a as number);
    const mean = observed.reduce((s, v) => s + v, 0) / observed.length;
    const imputed = fromLongTable(rows, { task: 't', target: 'y', missing: 'mean-impute' });
    const exp = oracle(rows, mean);
    for (const [t, e] of exp) {
      const got = Array.from(imputed.task(t).X);
      got.forEach((v, i) => expect(v).toBeCloseTo(e.X[i], 12));
    }
  });

  it('CSV: a row count extrapolated too low falls back to blocks', async () => {
    // Short rows first, long rows after: the estimate from the first 1024 rows is far too low.
    const rows = randomRows(6000, 5, 4, false);
    // + 0 turns Math.round's -0 into 0, as the text "0" reads.
    const round = (v: number) => Math.round(v) + 0;
    const text = `t,a,b,y\n${rows
      .map((r, i) =>
        i < 1500
          ? `${r.t},${round(r.a as number)},${r.b},${round(r.y)}`
          : `${r.t},${r.a},${r.b},${r.y}`,
      )
      .join('\n')}\n`;
    const expected = oracle(
      rows.map((r, i) => (i < 1500 ? { ...r, a: round(r.a as number), y: round(r.y) } : r)),
      null,
    );
    const ds = await parseCsv(text, { task: 't', target: 'y', constantTarget: 'allow' });
    expectEqual(ds, expected);
    expect(buffers(ds)).toBe(ds.numTasks);
  });

  it('CSV: an estimate far too high is compacted, keeping no slack', async () => {
    // Long rows first, short after: the buffer is sized for many more rows than come.
    const rows = randomRows(4000, 3, 5, false);
    const pad = (v: number) => v.toFixed(15);
    const text = `t,a,b,y\n${rows.map((r, i) => (i < 1100 ? `${r.t},${pad(r.a as number)},${r.b},${pad(r.y)}` : `${r.t},1,${r.b},2`)).join('\n')}\n`;
    const expected = oracle(
      rows.map((r, i) =>
        i < 1100
          ? { ...r, a: Number(pad(r.a as number)), y: Number(pad(r.y)) }
          : { ...r, a: 1, y: 2 },
      ),
      null,
    );
    const ds = await parseCsv(text, { task: 't', target: 'y' });
    expectEqual(ds, expected);
    for (const t of ds) expect(t.X.buffer.byteLength).toBe(t.X.byteLength);
  });

  it('CSV from a stream of unknown size uses blocks, with and without categories', async () => {
    const rows = randomRows(5000, 6, 6, false, 0.05);
    async function* chunks() {
      const text = csvOf(rows);
      for (let i = 0; i < text.length; i += 4096) yield text.slice(i, i + 4096);
    }
    const plain = await parseCsv(chunks(), { task: 't', target: 'y', missing: 'drop-rows' });
    expectEqual(plain, oracle(rows, null));
    expect(buffers(plain)).toBe(plain.numTasks);
    const cat = await parseCsv(chunks(), {
      task: 't',
      target: 'y',
      missing: 'drop-rows',
      categorical: ['b'],
    });
    const exp = oracle(rows, null);
    for (const [t, e] of exp) {
      const X = cat.task(t).X;
      const p = cat.numFeatures;
      e.y.forEach((_, i) => {
        expect(X[i * p]).toBe(e.X[2 * i]);
        const level = String(e.X[2 * i + 1]);
        const k = cat.featureNames.indexOf(`b=${level}`);
        for (let j = 1; j < p; j++) expect(X[i * p + j]).toBe(j === k ? 1 : 0);
      });
    }
  });
});
