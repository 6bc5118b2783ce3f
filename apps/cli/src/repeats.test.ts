// fit --repeats N: every learner on N more stratified splits, test RMSE mean ± sd and paired wins.
// Oracles: the ridge baselines' per-split values recomputed here through the library (the same
// splits from repeatedSplits, RidgeRegressor with the fit's seed); mean, sd and wins recomputed
// from the per-split values; the statistics helpers against hand-worked numbers.
import { join } from 'node:path';
import { cpuBackend } from '@hetmtl/backend-cpu';
import { RidgeRegressor } from '@hetmtl/baselines';
import { readCsv, repeatedSplits } from '@hetmtl/data';
import { useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { meanSd } from './repeats.js';
import { hetmtl, quickFit, scratchDir, simulateInto } from './test-fixtures/run.js';

const dir = scratchDir('repeats');
const REPEATS = 3;

beforeAll(async () => {
  await simulateInto(dir, { tasks: 4, n: 40, p: 6, seed: 9 });
  await useBackend(cpuBackend());
});

describe('meanSd', () => {
  it('is the mean and the n − 1 standard deviation of the finite values', () => {
    expect(meanSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3), n: 4 });
    expect(meanSd([2, Number.NaN, 4])).toEqual({ mean: 3, sd: Math.SQRT2, n: 2 });
    expect(meanSd([7])).toEqual({ mean: 7, sd: 0, n: 1 });
    expect(meanSd([]).n).toBe(0);
  });
});

describe('hetmtl fit --repeats', () => {
  it('reports every split, their mean ± sd and the paired wins, as the library computes them', async () => {
    const args = quickFit('train.csv', '--no-save');
    const [json, text] = await Promise.all([
      hetmtl([...args, '--repeats', String(REPEATS), '--json', '--backend', 'cpu'], { cwd: dir }),
      hetmtl([...args, '--repeats', String(REPEATS), '--backend', 'cpu'], { cwd: dir }),
    ]);
    expect(json.code, json.stderr).toBe(0);
    expect(text.code, text.stderr).toBe(0);
    const r = JSON.parse(json.stdout).repeats;
    expect(r).toMatchObject({ repeats: REPEATS, test: 0.2, seed: 0 });

    // The baselines on the same splits, through the library.
    const ds = await readCsv(join(dir, 'train.csv'), { task: 'task', target: 'y' });
    const splits = repeatedSplits(ds, { repeats: REPEATS, test: 0.2, seed: 0 });
    for (const [key, mode] of [
      ['ridgePerTask', 'per-task'],
      ['ridgePooled', 'pooled'],
    ] as const) {
      const expected: number[] = [];
      for (const s of splits) {
        const ridge = await new RidgeRegressor({ mode, seed: 0 }).fit(s.train);
        const ev = ridge.evaluate(s.test);
        const rmses = Object.values(ev.tasks).map((t) => t.rmse);
        expected.push(rmses.reduce((a, b) => a + b, 0) / rmses.length);
        ridge.dispose();
      }
      r.meanOfTasksRmse[key].values.forEach((v: number, i: number) =>
        expect(v).toBeCloseTo(expected[i], 10),
      );
    }

    // Mean, sd and the paired comparison from the per-split values.
    for (const k of ['hetmtl', 'ridgePerTask', 'ridgePooled']) {
      const { values, mean, sd } = r.meanOfTasksRmse[k];
      expect(values).toHaveLength(REPEATS);
      const m = values.reduce((a: number, b: number) => a + b, 0) / REPEATS;
      expect(mean).toBeCloseTo(m, 12);
      expect(sd).toBeCloseTo(
        Math.sqrt(values.reduce((a: number, v: number) => a + (v - m) ** 2, 0) / (REPEATS - 1)),
        12,
      );
    }
    for (const k of ['ridgePerTask', 'ridgePooled']) {
      const d = r.meanOfTasksRmse.hetmtl.values.map(
        (v: number, i: number) => v - r.meanOfTasksRmse[k].values[i],
      );
      const p = r.paired[k];
      expect(p.wins).toBe(d.filter((v: number) => v < 0).length);
      expect(p.wins + p.ties + p.losses).toBe(REPEATS);
      expect(p.difference.mean).toBeCloseTo(
        d.reduce((a: number, b: number) => a + b, 0) / REPEATS,
        12,
      );
      // 4 tasks, every one with test rows, in each split.
      expect(p.taskPairs).toBe(4 * REPEATS);
      const name = k === 'ridgePerTask' ? 'per-task ridge' : 'pooled ridge';
      expect(text.stdout).toContain(
        `hetmtl vs ${name}: lower mean-of-tasks test RMSE in ${p.wins} of ${REPEATS} splits`,
      );
    }
    const fmt = (s: { mean: number; sd: number }) => `${s.mean.toFixed(3)} ± ${s.sd.toFixed(3)}`;
    expect(text.stdout).toMatch(
      new RegExp(
        `^mean of tasks\\s+${fmt(r.meanOfTasksRmse.hetmtl)}\\s+${fmt(r.meanOfTasksRmse.ridgePerTask)}\\s+${fmt(r.meanOfTasksRmse.ridgePooled)}$`,
        'm',
      ),
    );
    // The main report is the same with or without repeats.
    const plain = await hetmtl([...args, '--json', '--backend', 'cpu'], { cwd: dir });
    const j = JSON.parse(plain.stdout);
    expect(j.repeats).toBeNull();
    expect(j.tasks).toEqual(JSON.parse(json.stdout).tasks);
  });

  it('needs held-out rows and at least 2 repeats', async () => {
    const base = quickFit('train.csv');
    const zero = await hetmtl([...base, '--repeats', '3', '--test', '0'], { cwd: dir });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(
      /--repeats 3 repeats the held-out split, and --test 0 holds out no rows/,
    );
    const one = await hetmtl([...base, '--repeats', '1'], { cwd: dir });
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/--repeats <n>' argument '1' is invalid\. expected an integer ≥ 2/);
  });
});
