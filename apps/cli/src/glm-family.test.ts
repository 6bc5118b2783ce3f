// --family binomial | poisson through the command line (issue #15): a two-level text target,
// --positive, --weights, --trials, --offset / --exposure, predict --type, the family's metrics in
// fit, evaluate and info, and the one-line hint of a gaussian fit on 0/1 or count targets. Every
// metric the commands print is checked against one computed here from the predictions.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorLines, hetmtl, scratchDir } from './test-fixtures/run.js';

const dir = scratchDir('glm-family');
const at = (f: string) => join(dir, f);

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

/** Three tasks, logit p = c_r + 1.5 a − b, outcome Y/N. */
function binaryRows(seed = 5, n = 240): string[][] {
  const r = rng(seed);
  const rows: string[][] = [['task', 'a', 'b', 'use']];
  const c = [-0.5, 0, 0.8];
  for (let i = 0; i < n; i++) {
    const t = i % 3;
    const a = r() * 2 - 1;
    const b = r() * 2 - 1;
    const p = 1 / (1 + Math.exp(-(c[t] + 1.5 * a - b)));
    rows.push([`t${t + 1}`, a.toFixed(4), b.toFixed(4), r() < p ? 'Y' : 'N']);
  }
  return rows;
}

/** Poisson counts with exposure e: log μ = log e + c_r + 0.7 x. */
function countRows(seed = 7, n = 180): string[][] {
  const r = rng(seed);
  const rows: string[][] = [['site', 'x', 'e', 'loge', 'deaths']];
  const c = [-1, -0.5, 0];
  for (let i = 0; i < n; i++) {
    const t = i % 3;
    const x = r() * 2 - 1;
    const e = 1 + 9 * r();
    const mu = e * Math.exp(c[t] + 0.7 * x);
    // Poisson draw by inversion.
    let k = 0;
    let p = Math.exp(-mu);
    let cum = p;
    const u = r();
    while (u > cum && k < 200) {
      k++;
      p *= mu / k;
      cum += p;
    }
    rows.push([
      `s${t + 1}`,
      x.toFixed(4),
      e.toFixed(4),
      Math.log(Number(e.toFixed(4))).toString(),
      String(k),
    ]);
  }
  return rows;
}

const text = (rows: readonly string[][]) => `${rows.map((c) => c.join(',')).join('\n')}\n`;
const table = (file: string) =>
  readFileSync(at(file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
const logLoss = (y: number[], p: number[], w?: number[]) => {
  let s = 0;
  let sw = 0;
  y.forEach((v, i) => {
    const q = Math.min(Math.max(p[i], 1e-15), 1 - 1e-15);
    const wi = w ? w[i] : 1;
    s -= wi * (v * Math.log(q) + (1 - v) * Math.log(1 - q));
    sw += wi;
  });
  return s / sw;
};
const poissonDeviance = (y: number[], mu: number[]) =>
  y.reduce((s, v, i) => s + 2 * ((v > 0 ? v * Math.log(v / mu[i]) : 0) - (v - mu[i])), 0) /
  y.length;
/** Pairwise AUC (ties one half): the definition, O(n²). */
const pairAuc = (y: number[], p: number[]) => {
  let s = 0;
  let k = 0;
  y.forEach((a, i) => {
    y.forEach((b, j) => {
      if (a === 1 && b === 0) {
        k++;
        s += p[i] > p[j] ? 1 : p[i] === p[j] ? 0.5 : 0;
      }
    });
  });
  return s / k;
};

const QUICK = ['--quick', '--jobs', '1'];

/** `fit FILE --task T --target Y --family F --quick … -o OUT`. */
const glmFit = (
  file: string,
  task: string,
  target: string,
  family: string,
  out: string,
  ...more: string[]
) => [
  'fit',
  file,
  '--task',
  task,
  '--target',
  target,
  '--family',
  family,
  ...QUICK,
  ...more,
  '-o',
  out,
];

beforeAll(() => {
  writeFileSync(at('bin.csv'), text(binaryRows()));
  writeFileSync(at('bin-test.csv'), text(binaryRows(11, 120)));
  writeFileSync(at('counts.csv'), text(countRows()));
  // 0/1 coded, and counts without an exposure, for the gaussian hints.
  writeFileSync(
    at('bin01.csv'),
    text(binaryRows().map((r, i) => (i === 0 ? r : [...r.slice(0, 3), r[3] === 'Y' ? '1' : '0']))),
  );
});

describe('--family binomial', () => {
  it('reads Y/N (Y read as 1, stated), reports log loss / AUC, and evaluate, predict and info agree with the predictions', async () => {
    const fit = await hetmtl(glmFit('bin.csv', 'task', 'use', 'binomial', 'b.json'), { cwd: dir });
    expect(fit.code, fit.stderr).toBe(0);
    expect(fit.stdout).toMatch(/Family binomial\. Held-out test rows .*: log loss \/ AUC/);
    expect(fit.stdout).toMatch(/"Y" read as 1, "N" as 0 \(the second level in sorted order/);
    expect(fit.stdout).toMatch(/per-task binomial GLM +pooled binomial GLM/);
    expect(fit.stderr).not.toMatch(/--family binomial fits/); // no hint when the family is set

    const ev = await hetmtl(['evaluate', 'b.json', 'bin-test.csv', '--json'], { cwd: dir });
    expect(ev.code, ev.stderr).toBe(0);
    const e = JSON.parse(ev.stdout);
    expect(e.family).toBe('binomial');
    expect(e.positive).toBe('Y');
    const pred = await hetmtl(['predict', 'b.json', 'bin-test.csv', '-o', 'bp.csv'], { cwd: dir });
    expect(pred.code, pred.stderr).toBe(0);
    const rows = table('bp.csv').slice(1);
    const y: number[] = rows.map((r) => (r[3] === 'Y' ? 1 : 0));
    const p = rows.map((r) => Number(r[4]));
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    // Oracle: the metrics computed here from the predicted probabilities.
    expect(e.overall.logLoss).toBeCloseTo(logLoss(y, p), 10);
    expect(e.overall.auc).toBeCloseTo(pairAuc(y, p), 10);
    expect(e.overall.brier).toBeCloseTo(
      y.reduce((s, v, i) => s + (v - p[i]) ** 2, 0) / y.length,
      10,
    );
    expect(e.overall.accuracy).toBeCloseTo(
      y.filter((v, i) => (p[i] >= 0.5 ? 1 : 0) === v).length / y.length,
      10,
    );
    const t2 = rows
      .map((r, i) => [r[0], i] as const)
      .filter(([t]) => t === 't2')
      .map(([, i]) => i);
    const task2 = e.tasks.find((t: { task: string }) => t.task === 't2');
    expect(task2.logLoss).toBeCloseTo(
      logLoss(
        t2.map((i) => y[i]),
        t2.map((i) => p[i]),
      ),
      10,
    );
    // The planted signal is learned: better than the base rate, AUC well above 0.5.
    const base = y.reduce((a, b) => a + b, 0) / y.length;
    expect(e.overall.logLoss).toBeLessThan(
      logLoss(
        y,
        y.map(() => base),
      ) - 0.05,
    );
    expect(e.overall.auc).toBeGreaterThan(0.7);

    // --type class: the level names at 0.5; --type link: the log-odds of the probability.
    await hetmtl(['predict', 'b.json', 'bin-test.csv', '--type', 'class', '-o', 'bc.csv'], {
      cwd: dir,
    });
    await hetmtl(['predict', 'b.json', 'bin-test.csv', '--type', 'link', '-o', 'bl.csv'], {
      cwd: dir,
    });
    const cls = table('bc.csv')
      .slice(1)
      .map((r) => r[4]);
    expect(cls).toEqual(p.map((v) => (v >= 0.5 ? 'Y' : 'N')));
    const link = table('bl.csv')
      .slice(1)
      .map((r) => Number(r[4]));
    link.forEach((l, i) => expect(1 / (1 + Math.exp(-l))).toBeCloseTo(p[i], 9));

    const info = await hetmtl(['info', 'b.json'], { cwd: dir });
    expect(info.stdout).toMatch(/family +binomial \(logit link.*"Y" read as 1, "N" as 0/);
    const text = await hetmtl(['evaluate', 'b.json', 'bin-test.csv'], { cwd: dir });
    expect(text.stdout).toMatch(/family binomial \("Y" read as 1\)/);
    expect(text.stdout).toMatch(/log loss +Brier +AUC +accuracy/);
  }, 120_000);

  it('--positive N reads N as 1: the same fit mirrored (probabilities 1 − p)', async () => {
    const args = [
      '--task',
      'task',
      '--target',
      'use',
      '--family',
      'binomial',
      ...QUICK,
      '--test',
      '0',
    ];
    const a = await hetmtl(['fit', 'bin.csv', ...args, '-o', 'y.json'], { cwd: dir });
    const b = await hetmtl(['fit', 'bin.csv', ...args, '--positive', 'N', '-o', 'n.json'], {
      cwd: dir,
    });
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/"N" read as 1, "Y" as 0 \(--positive\)/);
    await hetmtl(['predict', 'y.json', 'bin-test.csv', '-o', 'py.csv'], { cwd: dir });
    await hetmtl(['predict', 'n.json', 'bin-test.csv', '-o', 'pn.csv'], { cwd: dir });
    const py = table('py.csv')
      .slice(1)
      .map((r) => Number(r[4]));
    const pn = table('pn.csv')
      .slice(1)
      .map((r) => Number(r[4]));
    // The penalised logistic likelihood is symmetric in the labels: β and c change sign.
    py.forEach((v, i) => expect(v + pn[i]).toBeCloseTo(1, 3));
  }, 120_000);

  it('--trials: successes out of trials fit and score as the rows of one trial each', async () => {
    // Aggregate bin.csv to (task, a, b) groups? Rows are distinct; instead repeat each row k times
    // in the long file and give it once with trials k in the short file.
    const long: string[][] = [['task', 'a', 'b', 'use']];
    const short: string[][] = [['task', 'a', 'b', 'wins', 'n']];
    binaryRows(11, 60)
      .slice(1)
      .forEach((r, i) => {
        const k = 1 + (i % 3);
        const wins = r[3] === 'Y' ? k - (i % 2) : i % 2;
        for (let j = 0; j < k; j++) long.push([...r.slice(0, 3), j < wins ? 'Y' : 'N']);
        short.push([...r.slice(0, 3), String(wins), String(k)]);
      });
    writeFileSync(at('long.csv'), text(long));
    writeFileSync(at('short.csv'), text(short));
    const fit = await hetmtl(
      glmFit('short.csv', 'task', 'wins', 'binomial', 't.json', '--trials', 'n'),
      { cwd: dir },
    );
    expect(fit.code, fit.stderr).toBe(0);
    expect(fit.stdout).toMatch(/successes out of --trials "n"/);
    // The model saved with trials scores the short file exactly as a 0/1 model of the same
    // coefficients scores the long file: the same binomial likelihood.
    const shortEv = JSON.parse(
      (await hetmtl(['evaluate', 't.json', 'short.csv', '--json'], { cwd: dir })).stdout,
    );
    const pred = await hetmtl(['predict', 't.json', 'short.csv', '-o', 'tp.csv'], { cwd: dir });
    expect(pred.code, pred.stderr).toBe(0);
    const sp = table('tp.csv').slice(1);
    const y: number[] = [];
    const p: number[] = [];
    for (const r of sp) {
      const wins = Number(r[3]);
      const n = Number(r[4]);
      for (let j = 0; j < n; j++) {
        y.push(j < wins ? 1 : 0);
        p.push(Number(r[5]));
      }
    }
    expect(shortEv.overall.logLoss).toBeCloseTo(logLoss(y, p), 10);
    expect(shortEv.overall.auc).toBeCloseTo(pairAuc(y, p), 10);
    const info = await hetmtl(['info', 't.json'], { cwd: dir });
    expect(info.stdout).toMatch(/successes out of the trials of column "n" \(--trials\)/);
  }, 120_000);
});

describe('--family poisson', () => {
  it('--exposure e and --offset log(e) give the same model; evaluate agrees with the predictions', async () => {
    const args = ['--task', 'site', '--target', 'deaths', '--family', 'poisson', ...QUICK];
    const ex = await hetmtl(
      ['fit', 'counts.csv', ...args, '--exposure', 'e', '--exclude', 'loge', '-o', 'pe.json'],
      { cwd: dir },
    );
    const of = await hetmtl(
      ['fit', 'counts.csv', ...args, '--offset', 'loge', '--exclude', 'e', '-o', 'po.json'],
      { cwd: dir },
    );
    expect(ex.code, ex.stderr).toBe(0);
    expect(of.code, of.stderr).toBe(0);
    expect(ex.stdout).toMatch(/Family poisson\. .*mean deviance \/ RMSE/);
    expect(ex.stdout).toMatch(/offset log\(e\) from --exposure "e"/);
    await hetmtl(['predict', 'pe.json', 'counts.csv', '-o', 'pe.csv'], { cwd: dir });
    await hetmtl(['predict', 'po.json', 'counts.csv', '-o', 'po.csv'], { cwd: dir });
    const a = table('pe.csv').slice(1);
    const b = table('po.csv').slice(1);
    a.forEach((r, i) => expect(Number(r[5])).toBeCloseTo(Number(b[i][5]), 6));
    const ev = JSON.parse(
      (await hetmtl(['evaluate', 'pe.json', 'counts.csv', '--json'], { cwd: dir })).stdout,
    );
    expect(ev.family).toBe('poisson');
    const y = a.map((r) => Number(r[4]));
    const mu = a.map((r) => Number(r[5]));
    expect(ev.overall.meanDeviance).toBeCloseTo(poissonDeviance(y, mu), 10);
    expect(ev.overall.rmse).toBeCloseTo(
      Math.sqrt(y.reduce((s, v, i) => s + (v - mu[i]) ** 2, 0) / y.length),
      10,
    );
    // The planted rate is learned: far better than one mean count for every row.
    const m = y.reduce((s, v) => s + v, 0) / y.length;
    expect(ev.overall.meanDeviance).toBeLessThan(
      0.7 *
        poissonDeviance(
          y,
          y.map(() => m),
        ),
    );
    // predict --type link is log μ (the offset included).
    await hetmtl(['predict', 'pe.json', 'counts.csv', '--type', 'link', '-o', 'pl.csv'], {
      cwd: dir,
    });
    table('pl.csv')
      .slice(1)
      .forEach((r, i) => expect(Math.exp(Number(r[5]))).toBeCloseTo(mu[i], 8));
    const info = await hetmtl(['info', 'pe.json', '--json'], { cwd: dir });
    expect(JSON.parse(info.stdout)).toMatchObject({
      family: 'poisson',
      rowColumns: { exposure: 'e' },
    });
  }, 120_000);
});

describe('--repeats with a family', () => {
  it('compares the mean deviance over the splits, against the GLM baselines', async () => {
    const r = await hetmtl(
      [...glmFit('bin.csv', 'task', 'use', 'binomial', 'r.json', '--repeats', '2'), '--json'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.repeats.metric).toBe('meanDeviance');
    const values = j.repeats.meanOfTasksDeviance.hetmtl.values as number[];
    expect(values).toHaveLength(2);
    // The deviance, not the RMSE, and its summary is the mean of the splits' values.
    const rmse = j.repeats.meanOfTasksRmse.hetmtl.values as number[];
    values.forEach((v, i) => {
      expect(v).toBeGreaterThan(0);
      expect(Math.abs(v - rmse[i])).toBeGreaterThan(1e-3);
    });
    expect(j.repeats.meanOfTasksDeviance.hetmtl.mean).toBeCloseTo((values[0] + values[1]) / 2, 12);
    const text = await hetmtl(
      glmFit('bin.csv', 'task', 'use', 'binomial', 'r.json', '--repeats', '2', '--no-save'),
      { cwd: dir },
    );
    expect(text.stdout).toMatch(/test mean deviance \(binomial\), mean ± sd over the 2 splits/);
    expect(text.stdout).toMatch(
      /hetmtl vs pooled binomial GLM: lower mean-of-tasks test mean deviance in \d of 2 splits/,
    );
  }, 120_000);
});

describe('--weights and evaluate --weights', () => {
  it('a weight of 2 scores as the row twice', async () => {
    const rows = binaryRows(11, 60);
    const weighted = rows.map((r, i) => [...r, i === 0 ? 'w' : String(1 + (i % 2))]);
    const doubled = [
      rows[0],
      ...rows.slice(1).flatMap((r, i) => ((i + 1) % 2 === 1 ? [r, r] : [r])),
    ];
    writeFileSync(at('w.csv'), text(weighted));
    writeFileSync(at('dbl.csv'), text(doubled));
    const fit = await hetmtl(
      glmFit('w.csv', 'task', 'use', 'binomial', 'w.json', '--weights', 'w'),
      { cwd: dir },
    );
    expect(fit.code, fit.stderr).toBe(0);
    expect(fit.stdout).toMatch(/rows weighted by --weights "w"/);
    const a = JSON.parse(
      (await hetmtl(['evaluate', 'w.json', 'w.csv', '--weights', 'w', '--json'], { cwd: dir }))
        .stdout,
    );
    const b = JSON.parse(
      (await hetmtl(['evaluate', 'w.json', 'dbl.csv', '--json'], { cwd: dir })).stdout,
    );
    expect(a.overall.logLoss).toBeCloseTo(b.overall.logLoss, 10);
    expect(a.overall.auc).toBeCloseTo(b.overall.auc, 10);
    expect(a.overall.brier).toBeCloseTo(b.overall.brier, 10);
  }, 120_000);
});

describe('a gaussian fit on a target a family would fit better', () => {
  it('says so in one line for 0/1 and for counts, and not for a continuous target', async () => {
    const g = ['--test', '0', ...QUICK, '--no-save'];
    const bin = await hetmtl(['fit', 'bin01.csv', '--task', 'task', '--target', 'use', ...g], {
      cwd: dir,
    });
    expect(bin.code, bin.stderr).toBe(0);
    expect(bin.stderr.split('\n').filter((l) => /--family/.test(l))).toEqual([
      'hetmtl: the target "use" holds 0/1 only: --family binomial fits it as a yes/no outcome (logistic, with log loss and AUC)',
    ]);
    const counts = await hetmtl(
      ['fit', 'counts.csv', '--task', 'site', '--target', 'deaths', ...g],
      { cwd: dir },
    );
    expect(counts.stderr.split('\n').filter((l) => /--family/.test(l))).toHaveLength(1);
    expect(counts.stderr).toMatch(/--family poisson fits them/);
    const cont = await hetmtl(['fit', 'counts.csv', '--task', 'site', '--target', 'x', ...g], {
      cwd: dir,
    });
    expect(cont.code, cont.stderr).toBe(0);
    expect(cont.stderr).not.toMatch(/--family/);
    // A two-level text target under gaussian: the reader's error, with the hint in its fix.
    const text = await hetmtl(['fit', 'bin.csv', '--task', 'task', '--target', 'use', ...g], {
      cwd: dir,
    });
    expect(text.code).toBe(1);
    const lines = errorLines(text.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/column "use".*is fitted with --family binomial$/);
  }, 120_000);
});
