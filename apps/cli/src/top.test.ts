// --top for many tasks: every task up to 20, else the best and worst N (default 10) with a line
// saying how many are hidden. Oracle: the ranking recomputed from the --json output (which lists
// every task): hetmtl's RMSE over the better ridge baseline's for fit, R² for evaluate.
import { beforeAll, describe, expect, it } from 'vitest';
import { hetmtl, quickFit, scratchDir, simulateInto } from './test-fixtures/run.js';

const dir = scratchDir('top');
const TASKS = 30;

/** The task names of a table's rows, in order (rows that start with "task<k> "). */
const tableTasks = (text: string) =>
  text
    .split('\n')
    .map((l) => /^(task\d+)\s/.exec(l)?.[1])
    .filter((t): t is string => t !== undefined);

beforeAll(() => simulateInto(dir, { tasks: TASKS, n: 20, p: 5, testRows: 10 }));

describe('--top', () => {
  const fit = (...args: string[]) => hetmtl(quickFit('train.csv', ...args), { cwd: dir });

  it('fit: the tasks of lowest and highest relative RMSE, the rest counted; all in --json', async () => {
    const [json, three, byDefault, all] = await Promise.all([
      fit('--json', '--out', 'model.json'),
      fit('--top', '3', '--no-save'),
      fit('--no-save'),
      fit('--top', 'all', '--no-save'),
    ]);
    for (const r of [json, three, byDefault, all]) expect(r.code, r.stderr).toBe(0);
    type Row = {
      task: string;
      hetmtl: { rmse: number };
      ridgePerTask: { rmse: number };
      ridgePooled: { rmse: number };
    };
    const tasks: Row[] = JSON.parse(json.stdout).tasks;
    expect(tasks).toHaveLength(TASKS);
    const ranked = [...tasks]
      .sort(
        (a, b) =>
          a.hetmtl.rmse / Math.min(a.ridgePerTask.rmse, a.ridgePooled.rmse) -
          b.hetmtl.rmse / Math.min(b.ridgePerTask.rmse, b.ridgePooled.rmse),
      )
      .map((t) => t.task);
    expect(tableTasks(three.stdout)).toEqual([...ranked.slice(0, 3), ...ranked.slice(-3)]);
    expect(three.stdout).toMatch(/^… 24 tasks hidden$/m);
    expect(three.stdout).toMatch(
      /^24 of 30 tasks hidden: the table shows the 3 tasks where hetmtl's test RMSE is lowest/m,
    );
    // The mean and all-rows lines are over every task, whatever is shown.
    const summary = (s: string) =>
      s
        .split('\n')
        .filter((l) => /^(mean of tasks|all rows)/.test(l))
        .map((l) => l.replace(/\s+/g, ' '));
    expect(summary(three.stdout)).toEqual(summary(all.stdout));
    expect(tableTasks(byDefault.stdout)).toEqual([...ranked.slice(0, 10), ...ranked.slice(-10)]);
    expect(byDefault.stdout).toMatch(/^10 of 30 tasks hidden/m);
    expect(tableTasks(all.stdout)).toEqual(tasks.map((t) => t.task));
    expect(all.stdout).not.toMatch(/hidden/);
  });

  it('evaluate: the tasks of highest and lowest R²', async () => {
    const [json, two] = await Promise.all([
      hetmtl(['evaluate', 'model.json', 'test.csv', '--json'], { cwd: dir }),
      hetmtl(['evaluate', 'model.json', 'test.csv', '--top', '2'], { cwd: dir }),
    ]);
    expect(two.code, two.stderr).toBe(0);
    const tasks: { task: string; r2: number }[] = JSON.parse(json.stdout).tasks;
    const ranked = [...tasks].sort((a, b) => b.r2 - a.r2).map((t) => t.task);
    expect(tableTasks(two.stdout)).toEqual([...ranked.slice(0, 2), ...ranked.slice(-2)]);
    expect(two.stdout).toMatch(
      /^26 of 30 tasks hidden: the table shows the 2 tasks of highest R²/m,
    );
  });

  it('a bad --top is a usage error', async () => {
    for (const v of ['0', '-1', 'some', '2.5']) {
      const r = await hetmtl(['evaluate', 'model.json', 'test.csv', '--top', v], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /--top <n>' argument .* is invalid\. expected a number of tasks ≥ 1 or "all"/,
      );
    }
  });
});
