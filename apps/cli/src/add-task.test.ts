// `hetmtl add-task`: the model's addTask on the rows of a file. Oracle: the same addTask called
// through the API on the model document and the rows parsed here from the CSV; the fitted tasks'
// predictions unchanged; bad input refused in the CLI's words.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuBackend } from '@hetmtl/backend-cpu';
import { DualEncoderRegressor } from '@hetmtl/model';
import { useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  errorLines,
  hetmtl,
  quickFit,
  STACK_LINE,
  scratchDir,
  simulateInto,
} from './test-fixtures/run.js';

const dir = scratchDir('add-task');
const at = (name: string) => join(dir, name);
const lines = (name: string) => readFileSync(at(name), 'utf8').trim().split('\n');

/** The prediction column of `hetmtl predict … --out` as numbers. */
const predictions = (name: string) =>
  lines(name)
    .slice(1)
    .map((l) => Number(l.split(',').at(-1)));

beforeAll(async () => {
  await simulateInto(dir, { n: 60, p: 10, testRows: 30, seed: 7 });
  // The dual encoder (no linear floor), so the new task meets learned groups.
  const fit = await hetmtl(quickFit('train.csv', '--no-linear-floor', '--out', 'model.json'), {
    cwd: dir,
  });
  expect(fit.code, fit.stderr).toBe(0);
  // task3's test rows as a new task "new", with and without the task column.
  const test = lines('test.csv');
  const rows = test.slice(1).filter((l) => l.startsWith('task3,'));
  writeFileSync(
    at('new.csv'),
    `${[test[0], ...rows.map((l) => l.replace(/^task3,/, 'new,'))].join('\n')}\n`,
  );
  writeFileSync(
    at('bare.csv'),
    `${[test[0].replace(/^task,/, ''), ...rows.map((l) => l.replace(/^task3,/, ''))].join('\n')}\n`,
  );
  await useBackend(cpuBackend());
});

describe('hetmtl add-task', () => {
  it("adds the task as the model's addTask does, and leaves the fitted tasks' predictions as they were", async () => {
    const r = await hetmtl(
      [
        'add-task',
        'model.json',
        'new.csv',
        '--task',
        'new',
        '--out',
        'model2.json',
        '--backend',
        'cpu',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Added task "new" \(30 rows of new\.csv\) to the 5 tasks of model\.json: /,
    );
    expect(r.stdout).toMatch(/Model saved to .*model2\.json \(6 tasks\)/);
    const doc = JSON.parse(readFileSync(at('model2.json'), 'utf8'));
    expect(doc.model.taskNames).toEqual(['task1', 'task2', 'task3', 'task4', 'task5', 'new']);
    expect(doc.encoding.tasks).toEqual(doc.model.taskNames);
    expect(doc.fit.addedTasks).toMatchObject([{ task: 'new', rows: 30 }]);

    // The API on the same rows (parsed here: every column but the task and the target).
    const csv = lines('new.csv');
    const header = csv[0].split(',');
    const cells = csv.slice(1).map((l) => l.split(',').map(Number));
    const X = cells.map((c) => header.flatMap((h, j) => (/^x\d+$/.test(h) ? [c[j]] : [])));
    const y = cells.map((c) => c[header.indexOf('y')]);
    const original = JSON.parse(readFileSync(at('model.json'), 'utf8'));
    const api = DualEncoderRegressor.fromJSON(original.model).addTask('new', { X, y });
    const expected = api.predict(X, { task: 'new' });
    api.dispose();
    const p = await hetmtl(
      ['predict', 'model2.json', 'new.csv', '--out', 'new-preds.csv', '--backend', 'cpu'],
      { cwd: dir },
    );
    expect(p.code, p.stderr).toBe(0);
    predictions('new-preds.csv').forEach((v, i) => expect(v).toBeCloseTo(expected[i], 9));

    // The fitted tasks predict as before.
    for (const [model, out] of [
      ['model.json', 'before.csv'],
      ['model2.json', 'after.csv'],
    ])
      expect(
        (
          await hetmtl(['predict', model, 'test.csv', '--out', out, '--backend', 'cpu'], {
            cwd: dir,
          })
        ).code,
      ).toBe(0);
    expect(predictions('after.csv')).toEqual(predictions('before.csv'));

    // A file without the task column: every row is the new task's.
    const bare = await hetmtl(
      [
        'add-task',
        'model.json',
        'bare.csv',
        '--task',
        'new',
        '--out',
        'model3.json',
        '--json',
        '--backend',
        'cpu',
      ],
      { cwd: dir },
    );
    expect(bare.code, bare.stderr).toBe(0);
    expect(JSON.parse(bare.stdout)).toMatchObject({ command: 'add-task', task: 'new', rows: 30 });
    const m3 = JSON.parse(readFileSync(at('model3.json'), 'utf8'));
    expect(m3.model).toEqual(doc.model);
  });

  it('refuses bad input in one line, in the words of the command line', async () => {
    writeFileSync(at('one.csv'), `${lines('new.csv').slice(0, 2).join('\n')}\n`);
    writeFileSync(
      at('no-x3.csv'),
      `${lines('bare.csv')
        .map((l) =>
          l
            .split(',')
            .filter((_, j) => j !== 2)
            .join(','),
        )
        .join('\n')}\n`,
    );
    const cases: [string[], number, RegExp][] = [
      [
        ['model.json', 'new.csv', '--task', 'task2', '--out', 'x.json'],
        1,
        /task "task2" is already in model\.json \(one of its 5 fitted tasks\).*Pass another --task name/,
      ],
      [
        ['model.json', 'new.csv', '--task', 'other', '--out', 'x.json'],
        1,
        /row 2 of new\.csv belongs to task "new" \(column "task"\), not to the new task "other".*--task "new"/,
      ],
      [
        ['model.json', 'new.csv', '--task', 'new', '--target', 'score', '--out', 'x.json'],
        1,
        /new\.csv has no target column "score": its columns are task, x1.*Pass --target <column>/,
      ],
      [
        ['model.json', 'one.csv', '--task', 'new', '--out', 'x.json'],
        1,
        /one\.csv has 1 row for the new task "new": add-task needs at least 2/,
      ],
      [['model.json', 'no-x3.csv', '--task', 'new', '--out', 'x.json'], 1, /x3/],
      [
        ['model.json', 'new.csv', '--task', 'new', '--out', 'new.csv'],
        2,
        /--out "new\.csv" is the new task's data this command reads/,
      ],
      [['model.json', 'new.csv', '--out', 'x.json'], 2, /required option '--task <name>'/],
      [
        ['train.csv', 'new.csv', '--task', 'new', '--out', 'x.json'],
        1,
        /"train\.csv" is not a hetmtl model file/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const r = await hetmtl(['add-task', ...args], { cwd: dir });
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(code);
      expect(errorLines(r.stderr), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
    expect(() => readFileSync(at('x.json'))).toThrow();
  });

  it('a --log-target model refuses a target ≤ 0 of the new task naming its row in the file', async () => {
    const positive = lines('train.csv').map((l, i) => {
      if (i === 0) return l;
      const c = l.split(',');
      c[c.length - 1] = String(Math.exp(Number(c[c.length - 1]) / 4));
      return c.join(',');
    });
    writeFileSync(at('pos.csv'), `${positive.join('\n')}\n`);
    const fit = await hetmtl(
      [
        'fit',
        'pos.csv',
        '--task',
        'task',
        '--target',
        'y',
        '--quick',
        '--log-target',
        '-q',
        '--out',
        'log.json',
      ],
      { cwd: dir },
    );
    expect(fit.code, fit.stderr).toBe(0);
    const bare = lines('bare.csv').map((l, i) => {
      if (i === 0) return l;
      const c = l.split(',');
      c[c.length - 1] = i === 4 ? '0' : '2.5';
      return c.join(',');
    });
    writeFileSync(at('bad-log.csv'), `${bare.join('\n')}\n`);
    const r = await hetmtl(
      ['add-task', 'log.json', 'bad-log.csv', '--task', 'new', '--out', 'x.json'],
      {
        cwd: dir,
      },
    );
    expect(r.code, r.stderr).toBe(1);
    // Row 5 of the file: the header is row 1.
    expect(r.stderr).toMatch(/not positive, with the log target \(at task "new", row 5\)/);
    expect(r.stderr).toMatch(/--log-target/);
    expect(r.stderr).not.toMatch(/logTarget/);
  });
});
