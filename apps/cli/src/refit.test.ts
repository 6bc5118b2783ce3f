// `hetmtl fit` saves the chosen candidate refitted on every row after the held-out report;
// --no-refit saves the report's model. Oracle: the saved model's target standardisation is the
// mean of the targets it was fitted on, computed here from the CSV (all rows, or the training
// split that trainTestSplit draws with the same seed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv, trainTestSplit } from '@hetmtl/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { hetmtl, quickFit, scratchDir, simulateInto } from './test-fixtures/run.js';

const dir = scratchDir('refit');
const at = (name: string) => join(dir, name);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

interface Saved {
  fit: { trainRows: number; testRows: number; refitted?: boolean; reportTrainRows?: number };
  model: { preprocessing: { target: { pooled: { mean: number[] } } } };
}
const saved = (name: string): Saved => JSON.parse(readFileSync(at(name), 'utf8'));
const targetMean = (doc: Saved) => doc.model.preprocessing.target.pooled.mean[0];

beforeAll(() => simulateInto(dir, { n: 40, p: 8, seed: 5 }));

describe('hetmtl fit: the saved model is refitted on every row', () => {
  const fit = (...extra: string[]) => hetmtl(quickFit('train.csv', ...extra), { cwd: dir });

  it('by default on all N rows, with the report scored on the held-out split; --no-refit keeps the training split', async () => {
    const [refit, kept] = await Promise.all([
      fit('--out', 'all.json'),
      fit('--out', 'split.json', '--no-refit'),
    ]);
    expect(refit.code, refit.stderr).toBe(0);
    expect(kept.code, kept.stderr).toBe(0);
    const ds = await readCsv(at('train.csv'), { task: 'task', target: 'y' });
    const ys = (d: typeof ds) => d.taskNames.flatMap((t) => [...d.task(t).y]);
    const split = trainTestSplit(ds, { test: 0.2, seed: 0 });
    expect(ds.totalRows).toBe(200);
    expect(split.train.totalRows).toBe(160);

    const all = saved('all.json');
    expect(all.fit).toMatchObject({
      trainRows: 200,
      testRows: 40,
      refitted: true,
      reportTrainRows: 160,
    });
    expect(targetMean(all)).toBeCloseTo(mean(ys(ds)), 10);
    expect(refit.stdout).toMatch(
      /Model saved to .*all\.json: the saved model refitted on all 200 rows \(the chosen candidate/,
    );

    const part = saved('split.json');
    expect(part.fit).toMatchObject({ trainRows: 160, testRows: 40, refitted: false });
    expect(targetMean(part)).toBeCloseTo(mean(ys(split.train)), 10);
    expect(mean(ys(split.train))).not.toBeCloseTo(mean(ys(ds)), 4);
    expect(kept.stdout).toMatch(
      /the model scored above, fitted on the 160 training rows \(--no-refit\)/,
    );

    // The same report either way: refitting changes the saved model only.
    const table = (s: string) => s.slice(0, s.indexOf('Model saved'));
    expect(table(refit.stdout)).toBe(table(kept.stdout));

    const info = await hetmtl(['info', 'all.json'], { cwd: dir });
    expect(info.stdout).toMatch(
      /refitted on all 200 rows after the held-out report \(160 training rows, 20% of each task held out: 40 rows\)/,
    );
  });

  it('--json says what was saved; --test 0 fits every row once', async () => {
    const r = await fit('--out', 'j.json', '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.savedModel).toMatchObject({ refitted: true, rows: 200 });
    expect(j.savedModel.groups.flat().sort()).toEqual([
      'task1',
      'task2',
      'task3',
      'task4',
      'task5',
    ]);
    const zero = await fit('--out', 'zero.json', '--test', '0');
    expect(zero.code, zero.stderr).toBe(0);
    expect(saved('zero.json').fit).toMatchObject({ trainRows: 200, testRows: 0, refitted: false });
    expect(zero.stdout).toMatch(/fitted on all 200 rows; use it/);
  });
});
