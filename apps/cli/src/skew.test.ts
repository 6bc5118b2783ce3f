// --skew: skewed non-negative numeric columns read as log(1 + v) when pooled ridge's validation
// RMSE on the training rows says it helps (auto, the default), always (log1p) or never (off); the
// saved model reads new files the same way and refuses a negative value there.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorLines, hetmtl, scratchDir } from './test-fixtures/run.js';

const dir = scratchDir('skew');

/** 3 tasks × 40 rows; `income` is log-normal and y depends on log(1 + income); `z` is symmetric. */
function csv(yOf: (income: number, z: number) => number): string {
  let s = 11;
  const r = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const normal = () => Math.sqrt(-2 * Math.log(r())) * Math.cos(2 * Math.PI * r());
  const rows = ['task,income,z,y'];
  for (let i = 0; i < 120; i++) {
    const income = Math.exp(3 + 1.3 * normal());
    const z = normal();
    rows.push(
      `t${(i % 3) + 1},${income.toFixed(3)},${z.toFixed(4)},${(yOf(income, z) + 0.3 * normal()).toFixed(4)}`,
    );
  }
  return `${rows.join('\n')}\n`;
}

const FIT = ['--task', 'task', '--target', 'y', '--quick', '--json'];

beforeAll(() => {
  writeFileSync(
    join(dir, 'log.csv'),
    csv((inc, z) => 2 * Math.log1p(inc) + z),
  );
  // y linear in income itself: the log transform does not help pooled ridge.
  writeFileSync(
    join(dir, 'lin.csv'),
    csv((inc, z) => 0.05 * inc + z),
  );
});

describe('--skew', () => {
  it('auto log-transforms a skewed column when validation says so; the model file and info keep it', async () => {
    const fit = await hetmtl(['fit', 'log.csv', ...FIT, '-o', 'm.json'], { cwd: dir });
    expect(fit.code, fit.stderr).toBe(0);
    const skew = JSON.parse(fit.stdout).data.skew;
    expect(skew.mode).toBe('auto');
    expect(skew.columns.map((c: { name: string }) => c.name)).toEqual(['income']);
    expect(skew.log1p).toBe(true);
    expect(skew.validationRmse.log1p).toBeLessThan(skew.validationRmse.raw);
    const off = await hetmtl(['fit', 'log.csv', ...FIT, '--skew', 'off', '--no-save'], {
      cwd: dir,
    });
    const [on, plain] = [fit, off].map((r) => JSON.parse(r.stdout).allRows.hetmtl.rmse);
    expect(on).toBeLessThan(plain);
    expect(JSON.parse(off.stdout).data.skew).toEqual({ mode: 'off', columns: [], log1p: false });
    const doc = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    expect(doc.encoding.columns.find((c: { name: string }) => c.name === 'income').transform).toBe(
      'log1p',
    );
    const info = await hetmtl(['info', 'm.json'], { cwd: dir });
    expect(info.stdout).toMatch(/log\(1 \+ v\) of the skewed columns income \(--skew\)/);
  });

  it('auto keeps a skewed column when validation says log1p does not help; log1p forces it', async () => {
    const auto = await hetmtl(['fit', 'lin.csv', ...FIT, '--no-save'], { cwd: dir });
    expect(auto.code, auto.stderr).toBe(0);
    const skew = JSON.parse(auto.stdout).data.skew;
    expect(skew.log1p).toBe(false);
    expect(skew.validationRmse.log1p).toBeGreaterThanOrEqual(skew.validationRmse.raw);
    const forced = await hetmtl(['fit', 'lin.csv', ...FIT, '--skew', 'log1p', '--no-save'], {
      cwd: dir,
    });
    expect(JSON.parse(forced.stdout).data.skew).toMatchObject({ mode: 'log1p', log1p: true });
    const text = await hetmtl(
      ['fit', 'lin.csv', '--task', 'task', '--target', 'y', '--quick', '--no-save'],
      { cwd: dir },
    );
    expect(text.stdout).toMatch(
      /Inputs: 1 skewed non-negative column kept as they are: income \(skewness \d+\.\d\) \(pooled ridge's validation RMSE \d+\.\d{3} → \d+\.\d{3} with log1p; --skew log1p transforms them anyway\)/,
    );
  });

  it('predict refuses a negative value in a log1p column, in one line naming the row; a bad mode is a usage error', async () => {
    const bad = readFileSync(join(dir, 'log.csv'), 'utf8').replace(/\nt1,[0-9.]+,/, '\nt1,-3,');
    writeFileSync(join(dir, 'neg.csv'), bad);
    const fit = await hetmtl(['fit', 'log.csv', ...FIT, '-o', 'n.json'], { cwd: dir });
    expect(fit.code, fit.stderr).toBe(0);
    const pred = await hetmtl(['predict', 'n.json', 'neg.csv', '-o', 'p.csv'], { cwd: dir });
    expect(pred.code).toBe(1);
    expect(errorLines(pred.stderr)).toEqual([
      expect.stringMatching(
        /^hetmtl: error: A negative value in a log1p-transformed column \(at task "t1", row \d+, column "income"\): expected a value ≥ 0 .* received -3\. Correct the value, or refit without the transform \(--skew off in the CLI\)$/,
      ),
    ]);
    const mode = await hetmtl(['fit', 'log.csv', ...FIT, '--skew', 'maybe'], { cwd: dir });
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/--skew/);
  });
});
