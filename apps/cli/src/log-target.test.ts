// --log-target: fit log(target), predictions exp of the fitted log (saved in the model file and
// shown by info); a target ≤ 0 is one line naming the task, row and flag.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorLines, hetmtl, scratchDir } from './test-fixtures/run.js';

const dir = scratchDir('log-target');

function csv(edit?: (rows: string[][]) => void): string {
  let s = 3;
  const r = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const rows: string[][] = [['task', 'a', 'b', 'c', 'd', 'e', 'y']];
  for (let i = 0; i < 90; i++) {
    const x = Array.from({ length: 5 }, () => r() - 0.5);
    const y = Math.exp(1 + x[0] - 0.5 * x[1] + 0.2 * (r() - 0.5));
    rows.push([`t${(i % 3) + 1}`, ...x.map((v) => v.toFixed(4)), y.toFixed(5)]);
  }
  edit?.(rows);
  return `${rows.map((c) => c.join(',')).join('\n')}\n`;
}

const FIT = ['--task', 'task', '--target', 'y', '--quick', '--test', '0'];

beforeAll(() => {
  writeFileSync(join(dir, 'pos.csv'), csv());
  writeFileSync(
    join(dir, 'zero.csv'),
    csv((rows) => {
      rows[8][6] = '0'; // the 8th row: task t2's 3rd row
    }),
  );
});

describe('--log-target', () => {
  it('predicts exp of the fitted log: positive, close to the target, and info says so', async () => {
    const fit = await hetmtl(['fit', 'pos.csv', ...FIT, '--log-target', '-o', 'm.json'], {
      cwd: dir,
    });
    expect(fit.code, fit.stderr).toBe(0);
    const pred = await hetmtl(['predict', 'm.json', 'pos.csv', '-o', 'p.csv'], { cwd: dir });
    expect(pred.code, pred.stderr).toBe(0);
    const lines = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n').slice(1);
    const rel = lines.map((l) => {
      const c = l.split(',');
      return Math.abs(Number(c[7]) - Number(c[6])) / Number(c[6]);
    });
    expect(lines.map((l) => Number(l.split(',')[7])).every((v) => v > 0)).toBe(true);
    // The noise is ±10% on the log scale: the median fit is within about that of every row.
    expect(Math.max(...rel)).toBeLessThan(0.2);
    const info = await hetmtl(['info', 'm.json'], { cwd: dir });
    expect(info.stdout).toMatch(/target log-transformed \(--log-target/);
  });

  it('a target ≤ 0 is one line naming the task, the row and the flag', async () => {
    const r = await hetmtl(['fit', 'zero.csv', ...FIT, '--log-target', '--no-save'], { cwd: dir });
    expect(r.code).toBe(1);
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/not positive.*task "t2", row 3.*received 0.*without --log-target/);
  });
});
