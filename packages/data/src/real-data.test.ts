// The real multi-task data of ../shared/data (R exports: quoted integers, text categories, tiny and
// constant tasks), read with only the task and the target: every file reads, and the inferred
// categorical columns are the text columns (decided from the data and the rules, asserted here).
import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.js';
import { kFoldByTask, trainTestSplit } from './splits.js';
import { sharedData } from './test-fixtures/paths.js';

interface Case {
  readonly file: string;
  readonly task: string;
  readonly target: string;
  readonly rows: number;
  readonly tasks: number;
  readonly features: readonly string[];
  readonly categorical: readonly { column: string; levels: number; inferred: boolean }[];
  /** Tasks of ≥ 2 rows with a constant target, and tasks of 1 or 2 rows (counted with Python's csv module). */
  readonly constant: number;
  readonly tiny: number;
  readonly oneRow: number;
}

const CASES: readonly Case[] = [
  {
    // sex is M/F text; second (19 secondary schools), social and verbal are quoted or plain integers: numeric.
    file: 'scotssec.csv',
    task: 'primary',
    target: 'attain',
    rows: 3435,
    tasks: 148,
    features: ['verbal', 'sex=F', 'sex=M', 'social', 'second'],
    categorical: [{ column: 'sex', levels: 2, inferred: true }],
    constant: 2,
    tiny: 12,
    oneRow: 7,
  },
  {
    // gender is text; lea (131 authorities, quoted integers) and age are integers: numeric unless listed.
    file: 'chem97.csv',
    task: 'school',
    target: 'score',
    rows: 31022,
    tasks: 2410,
    features: ['lea', 'gender=F', 'gender=M', 'age', 'gcsescore', 'gcsecnt'],
    categorical: [{ column: 'gender', levels: 2, inferred: true }],
    constant: 82,
    tiny: 343,
    oneRow: 162,
  },
  {
    // The target `use` is Y/N text, which a numeric target refuses (tested below); read with the
    // numeric `age` as the target, use, livch (0/1/2/3+, 38% "3+") and urban are categorical.
    file: 'contraception.csv',
    task: 'district',
    target: 'age',
    rows: 1934,
    tasks: 60,
    features: ['use=N', 'use=Y', 'livch=0', 'livch=1', 'livch=2', 'livch=3+', 'urban=N', 'urban=Y'],
    categorical: [
      { column: 'use', levels: 2, inferred: true },
      { column: 'livch', levels: 4, inferred: true },
      { column: 'urban', levels: 2, inferred: true },
    ],
    constant: 0,
    tiny: 1,
    oneRow: 0,
  },
  {
    // height (63 values over 403 rows) and year (95/96/97, quoted) are integers with repeats: numeric.
    file: 'grouseticks.csv',
    task: 'location',
    target: 'ticks',
    rows: 403,
    tasks: 63,
    features: ['height', 'year'],
    categorical: [],
    constant: 6,
    tiny: 7,
    oneRow: 3,
  },
  {
    // region is an ID of 78 regions over 354 counties, quoted integers with repeats: by the rules
    // (integers, not all distinct, not named like an ID) it stays numeric unless listed.
    file: 'mmmec.csv',
    task: 'nation',
    target: 'deaths',
    rows: 354,
    tasks: 9,
    features: ['region', 'expected', 'uvb'],
    categorical: [],
    constant: 0,
    tiny: 0,
    oneRow: 0,
  },
];

describe('real R exports read with only task and target', () => {
  for (const c of CASES) {
    const { path, present } = sharedData(c.file);
    it.skipIf(!present)(
      `${c.file}${present ? '' : ` (skipped: not found at ${path})`}`,
      async () => {
        const ds = await readCsv(path, { task: c.task, target: c.target });
        expect(ds.totalRows).toBe(c.rows);
        expect(ds.numTasks).toBe(c.tasks);
        expect(ds.featureNames).toEqual(c.features);
        const report = ds.report;
        expect(report?.categoricalColumns).toEqual(c.categorical);
        expect(report?.idColumns).toEqual([]);
        expect(report?.constantTargetTasks).toHaveLength(c.constant);
        expect(report?.tinyTasks).toHaveLength(c.tiny);
        expect(report?.tinyTasks.filter((t) => t.rows === 1)).toHaveLength(c.oneRow);
        for (const t of report?.constantTargetTasks ?? []) {
          const y = ds.task(t.task).y;
          expect(y.every((v) => v === t.value)).toBe(true);
        }
        // Every value finite.
        expect(ds.tasks().every((t) => t.X.every(Number.isFinite))).toBe(true);
        const s = trainTestSplit(ds, { seed: 1 });
        expect(s.train.totalRows + s.test.totalRows).toBe(c.rows);
        expect(s.train.numTasks).toBe(c.tasks);
        expect(s.tasksWithoutTest).toHaveLength(c.oneRow);
        const folds = kFoldByTask(ds, { k: 5, seed: 1 });
        for (const f of folds) expect(f.train.numTasks).toBe(c.tasks);
      },
    );
  }

  const contraception = sharedData('contraception.csv');
  it.skipIf(!contraception.present)(
    'contraception.csv with the Y/N target: the target must be numeric',
    async () => {
      await expect(
        readCsv(contraception.path, { task: 'district', target: 'use' }),
      ).rejects.toThrow(
        /^Non-numeric value in a numeric column \(at task "1", row 2, column "use"\): expected a number, received "N"\. Correct the value; the target must be numeric \(recode a yes\/no target as 1\/0\)$/,
      );
    },
  );

  const mmmec = sharedData('mmmec.csv');
  it.skipIf(!mmmec.present)('mmmec.csv with region listed as categorical: 78 levels', async () => {
    const ds = await readCsv(mmmec.path, {
      task: 'nation',
      target: 'deaths',
      categorical: ['region'],
    });
    expect(ds.report?.categoricalColumns).toEqual([
      { column: 'region', levels: 78, inferred: false },
    ]);
    expect(ds.numFeatures).toBe(78 + 2);
  });
});
