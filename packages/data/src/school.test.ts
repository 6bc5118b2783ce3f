// The real School data (../shared/data/school.csv: 139 schools, 15,362 students, 27 features),
// read through the CSV adapter with only the column names given.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.js';
import { trainTestSplit } from './splits.js';
import { Standardizer } from './standardizer.js';
import { SCHOOL_CSV } from './test-fixtures/paths.js';

/** Oracle: the file read naively (it is plain numbers, no quotes), independent of the adapter. */
function naive() {
  const lines = readFileSync(SCHOOL_CSV, 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const perSchool = new Map<string, { X: number[][]; y: number[] }>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const s = cells[0];
    if (!perSchool.has(s)) perSchool.set(s, { X: [], y: [] });
    const e = perSchool.get(s) as { X: number[][]; y: number[] };
    e.X.push(cells.slice(1, 28).map(Number));
    e.y.push(Number(cells[28]));
  }
  return { header, perSchool, rows: lines.length - 1 };
}

describe('School data through readCsv', () => {
  it('the file is where the tests expect it (shared/ beside the clone, or HETMTL_SCHOOL_CSV)', () => {
    expect(existsSync(SCHOOL_CSV), `School data not found at ${SCHOOL_CSV}`).toBe(true);
  });

  it('loads 139 tasks with the right row counts and values', async () => {
    const ds = await readCsv(SCHOOL_CSV, { task: 'school', target: 'score' });
    const oracle = naive();
    expect(ds.numTasks).toBe(139);
    expect(ds.totalRows).toBe(15_362);
    expect(oracle.rows).toBe(15_362);
    expect(ds.numFeatures).toBe(27);
    expect(ds.featureNames).toEqual(oracle.header.slice(1, 28));
    expect(ds.taskNames).toEqual([...oracle.perSchool.keys()]);
    expect(Math.min(...ds.sizes)).toBe(22);
    expect(Math.max(...ds.sizes)).toBe(251);
    for (const [school, e] of oracle.perSchool) {
      const t = ds.task(school);
      expect(t.n).toBe(e.y.length);
      expect(Array.from(t.y)).toEqual(e.y);
      expect(Array.from(t.X)).toEqual(e.X.flat());
    }
    expect(ds.report).toMatchObject({ rowsRead: 15_362, rowsKept: 15_362, rowsDropped: 0 });
  });

  it('splits 75/25 within every school and standardises on the training part', async () => {
    const ds = await readCsv(SCHOOL_CSV, { task: 'school', target: 'score' });
    const { train, test } = trainTestSplit(ds, { test: 0.25, seed: 1 });
    expect(train.numTasks).toBe(139);
    expect(test.numTasks).toBe(139);
    ds.sizes.forEach((n, r) => {
      expect(test.sizes[r]).toBe(Math.round(n * 0.25));
      expect(train.sizes[r] + test.sizes[r]).toBe(n);
    });
    const st = new Standardizer().fit(train);
    const z = st.transform(train).pooled();
    // Pooled standardised training features: mean 0, variance 1 (or a constant column).
    for (let j = 0; j < z.p; j++) {
      let m = 0;
      let v = 0;
      for (let i = 0; i < z.n; i++) m += z.X[i * z.p + j];
      m /= z.n;
      for (let i = 0; i < z.n; i++) v += (z.X[i * z.p + j] - m) ** 2;
      expect(Math.abs(m)).toBeLessThan(1e-10);
      expect(Math.abs(v / z.n - 1)).toBeLessThan(1e-10);
    }
  });
});
