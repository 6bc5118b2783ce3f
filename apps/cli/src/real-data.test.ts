// Issue #11's acceptance: the real multi-task files of shared/data (R exports nobody here
// prepared: text columns, tasks of one or two rows, constant targets, 2,410 tasks) fit with only
// --task and --target and the CLI's default settings, and predict writes every row.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hetmtl, SCHOOL_CSV, scratchDir } from './test-fixtures/run.js';

const DATA = dirname(SCHOOL_CSV);

const FILES = [
  // file, task, target, what the report must say about the data
  {
    file: 'scotssec.csv',
    task: 'primary',
    target: 'attain',
    notes: [/"sex" \(2 levels\)/, /2 tasks with a constant target/],
  },
  { file: 'grouseticks.csv', task: 'location', target: 'ticks', notes: [/tasks of 1 or 2 rows/] },
  // 2,410 tasks: about a minute of fitting, so with the statistical tests (HETMTL_SLOW_TESTS=1, CI).
  {
    file: 'chem97.csv',
    task: 'school',
    target: 'score',
    notes: [/"gender" \(2 levels\)/, /tasks with a constant target/],
    slow: true,
  },
] as const;

const SLOW = process.env.HETMTL_SLOW_TESTS === '1';

/** Data rows of a CSV (records may not span lines in these files). */
const rowsOf = (path: string) => readFileSync(path, 'utf8').trim().split('\n').length - 1;

describe('the real data of shared/data fit with only --task and --target', () => {
  for (const f of FILES) {
    const path = join(DATA, f.file);
    it.runIf(existsSync(path) && (SLOW || !('slow' in f)))(
      `${f.file}: fit with the defaults, report what the reader decided, predict every row`,
      async () => {
        const dir = scratchDir(`real-${f.file}`);
        const fit = await hetmtl(
          ['fit', path, '--task', f.task, '--target', f.target, '--out', 'model.json', '--json'],
          { cwd: dir, timeoutMs: 600_000 },
        );
        expect(fit.code, fit.stderr).toBe(0);
        const doc = JSON.parse(fit.stdout) as {
          data: { notes: string[] };
          tasks: { note?: string; nTrain: number }[];
          allRows: { hetmtl: { rmse: number | null } };
        };
        for (const note of f.notes) expect(doc.data.notes.join('\n')).toMatch(note);
        expect(doc.tasks.every((t) => t.nTrain >= 1)).toBe(true);
        expect(doc.tasks.some((t) => t.note !== undefined)).toBe(true);
        expect(Number.isFinite(doc.allRows.hetmtl.rmse)).toBe(true);
        // Predict writes one finite prediction a row, in file order.
        const pred = await hetmtl(['predict', 'model.json', path, '--out', 'preds.csv'], {
          cwd: dir,
          timeoutMs: 120_000,
        });
        expect(pred.code, pred.stderr).toBe(0);
        const lines = readFileSync(join(dir, 'preds.csv'), 'utf8').trim().split('\n');
        expect(lines.length - 1).toBe(rowsOf(path));
        const values = lines.slice(1).map((l) => Number(l.slice(l.lastIndexOf(',') + 1)));
        expect(values.every(Number.isFinite)).toBe(true);
      },
      900_000,
    );
  }
});
