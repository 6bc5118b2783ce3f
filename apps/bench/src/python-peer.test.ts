import { RidgeRegressor } from '@hetmtl/baselines';
import { parseCsv, trainTestSplit } from '@hetmtl/data';
import type { Evaluation } from '@hetmtl/estimator';
import { Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import {
  handOver,
  PEER_REMEDY,
  PEERS,
  parsePeerOutput,
  peerAvailability,
  peerPython,
  PythonPeer,
  validationSplit,
} from './python-peer.js';
import { availableMethods, type MethodEntry } from './roster.js';

/** A planted signal: task offset + 2·x + a level effect of `colour` + noise (sd 0.3), as CSV text. */
function plantedCsv(seed: number, perTask: number): { text: string; rows: string[][] } {
  const rng = new Random(seed);
  const offsets: Record<string, number> = { north: -3, south: -1, east: 1, west: 3 };
  const effect: Record<string, number> = { red: -1.5, green: 0, blue: 2 };
  const rows: string[][] = [];
  for (const [site, off] of Object.entries(offsets)) {
    for (let i = 0; i < perTask; i++) {
      const x = rng.normal();
      const colour = ['red', 'green', 'blue'][rng.integer(0, 3)];
      const y = off + 2 * x + effect[colour] + rng.normal(0, 0.3);
      rows.push([site, String(x), colour, String(y)]);
    }
  }
  return { text: `site,x,colour,y\n${rows.map((r) => r.join(',')).join('\n')}\n`, rows };
}

const read = (text: string) => parseCsv(text, { task: 'site', target: 'y' });

describe('the hand-over file of the Python peers', () => {
  it('gives back the raw columns of the CSV: numbers as read, a one-hot block as its level', async () => {
    const { text, rows } = plantedCsv(1, 6);
    const ds = await read(text);
    expect(ds.featureNames).toContain('colour=blue'); // one-hot encoded in the dataset
    const h = handOver({ train: ds, validation: ds, test: ds.selectTasks(['west']) }, 7, false);
    expect(h.columns).toEqual([
      { name: 'x', kind: 'numeric' },
      { name: 'colour', kind: 'categorical', levels: ['blue', 'green', 'red'] },
    ]);
    // Oracle: the CSV's own cells, tasks in the dataset's order, rows in file order within a task.
    const byTask = ds.taskNames.flatMap((t) => rows.filter((r) => r[0] === t));
    expect(h.train.task.map((r) => h.tasks[r])).toEqual(byTask.map((r) => r[0]));
    expect(h.train.columns.x).toEqual(byTask.map((r) => Number(r[1])));
    const levels = (h.columns[1] as { readonly levels: readonly string[] }).levels;
    expect(h.train.columns.colour.map((c) => levels[c])).toEqual(byTask.map((r) => r[2]));
    expect(h.train.y).toEqual(byTask.map((r) => Number(r[3])));
    // The test part names tasks by their index among the training tasks.
    expect(new Set(h.test.task)).toEqual(new Set([ds.taskIndex('west')]));
    expect(h.test.y).toHaveLength(6);
    expect(h.seed).toBe(7);
  });

  it('hands over the estimators\u2019 own validation rows (same λ path as a ridge that split itself)', async () => {
    const ds = await read(plantedCsv(2, 20).text);
    const own = await new RidgeRegressor({ mode: 'per-task', seed: 3 }).fit(ds);
    const v = validationSplit(ds, 3);
    expect(v.train.totalRows + v.validation.totalRows).toBe(ds.totalRows);
    expect(v.validation.sizes).toEqual([4, 4, 4, 4]);
    const given = await new RidgeRegressor({ mode: 'per-task', seed: 3 }).fit(v.train, {
      validation: v.validation,
    });
    const path = (m: RidgeRegressor) =>
      (m.selection as unknown as { path: { validationRmse: number }[] }).path.map(
        (s) => s.validationRmse,
      );
    expect(path(own).length).toBeGreaterThan(3);
    path(given).forEach((s, i) => expect(s).toBeCloseTo(path(own)[i], 12));
    // A different seed draws other rows: the path differs (so the comparison above can fail).
    const other = validationSplit(ds, 4);
    const moved = await new RidgeRegressor({ mode: 'per-task', seed: 3 }).fit(other.train, {
      validation: other.validation,
    });
    expect(path(moved)).not.toEqual(path(own));
  });
});

describe('what a peer prints', () => {
  it('reads the predictions and the chosen setting from the last line', () => {
    const out = parsePeerOutput(
      'a warning\n{"predictions": [1.5, -2, 3e-3], "chosen": {"rounds": 12}}\n',
      3,
      'peer',
    );
    expect([...out.predictions]).toEqual([1.5, -2, 0.003]);
    expect(out.chosen).toEqual({ rounds: 12 });
  });

  it('refuses a wrong number of predictions, a non-finite one and a missing result line', () => {
    expect(() => parsePeerOutput('{"predictions": [1, 2]}', 3, 'peer')).toThrow(
      /peer returned 2 predictions for 3 test rows/,
    );
    expect(() => parsePeerOutput('{"predictions": [1, null, 2]}', 3, 'peer')).toThrow(
      /non-finite prediction at test row 2/,
    );
    expect(() => parsePeerOutput('Traceback (most recent call last):', 3, 'peer')).toThrow(
      /peer printed no JSON result line/,
    );
  });
});

describe('a peer whose Python modules are missing', () => {
  it('is one line with the remedy, and the roster leaves it out', () => {
    const gone = peerAvailability(['xgboost'], '/nonexistent/python3');
    expect(gone).toBe(`/nonexistent/python3 not found; install Python 3 and then: ${PEER_REMEDY}`);
    const missing = peerAvailability(['hetmtl_no_such_module']);
    expect(missing).toMatch(
      /lacks the Python module hetmtl_no_such_module; install it: apt-get install python3-xgboost python3-sklearn python3-pandas$|not found; install Python 3/,
    );
    const here: MethodEntry = { ...PEERS[0], id: 'here', available: () => null };
    const fake: MethodEntry = { ...PEERS[0], id: 'fake', available: () => 'why not' };
    const { methods, omitted } = availableMethods([here, fake]);
    expect(methods).toEqual([here]);
    expect(omitted).toEqual([{ id: 'fake', label: PEERS[0].label, reason: 'why not' }]);
  });
});

describe.each(PEERS.map((p) => [p.id, p] as const))('the %s peer', (id, entry) => {
  const why = entry.available?.() ?? null;
  it.skipIf(why !== null)(
    `beats predicting the training mean on a planted signal${why ? ` (skipped: ${why})` : ` (${peerPython()})`}`,
    async () => {
      const ds = await read(plantedCsv(5, 50).text);
      const split = trainTestSplit(ds, { test: 0.3, seed: 1 });
      const fitted = await (entry.make(1, false) as PythonPeer).fit(split.train);
      const ev = fitted.evaluate(split.test);
      const train = split.train.pooled().y;
      const m = train.reduce((a, b) => a + b, 0) / train.length;
      const y = split.test.pooled().y;
      const meanRmse = Math.sqrt(y.reduce((a, v) => a + (v - m) ** 2, 0) / y.length);
      expect(meanRmse).toBeGreaterThan(2);
      expect(ev.overall.rmse).toBeLessThan(0.5 * meanRmse);
      expect(Object.keys(ev.tasks)).toEqual(split.test.taskNames);
      expect(fitted.chosen?.()).toHaveProperty('validationRmse');
      expect(id).toBe(entry.id);
    },
  );
});

/** Planted counts: log μ = log e + task effect + 0.5·x, with exposures e over three decades (CSV text). */
function countsCsv(seed: number, perTask: number): string {
  const rng = new Random(seed);
  const effect: Record<string, number> = { north: -1, south: 0, east: 0.7 };
  const rows: string[] = [];
  for (const [site, c] of Object.entries(effect)) {
    for (let i = 0; i < perTask; i++) {
      const x = rng.normal();
      const e = Math.exp(rng.uniform(-2, 4));
      const mu = e * Math.exp(c + 0.5 * x);
      // Poisson by inversion.
      let k = 0;
      let p = Math.exp(-mu);
      let cum = p;
      const u = rng.uniform();
      while (u > cum && k < 500) {
        k++;
        p *= mu / k;
        cum += p;
      }
      rows.push(`${site},${x},${e},${k}`);
    }
  }
  return `site,x,e,y\n${rows.join('\n')}\n`;
}

describe('the hand-over of a binomial or poisson fit', () => {
  it('carries the family and each row’s offset (log exposure), in the rows’ order', async () => {
    const ds = await parseCsv(countsCsv(3, 10), { task: 'site', target: 'y', exposure: 'e' });
    const h = handOver({ train: ds, validation: ds, test: ds }, 1, false, 'poisson');
    expect(h.family).toBe('poisson');
    expect(h.columns).toEqual([{ name: 'x', kind: 'numeric' }]);
    // Oracle: the exposures of the CSV, logged, tasks in the dataset's order.
    const lines = countsCsv(3, 10)
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const byTask = ds.taskNames.flatMap((t) => lines.filter((r) => r[0] === t));
    expect(h.train.offset).toHaveLength(byTask.length);
    h.train.offset?.forEach((o, i) => expect(o).toBeCloseTo(Math.log(Number(byTask[i][2])), 12));
    expect(h.train.weight).toBeUndefined();
    // A gaussian hand-over stays as it was (no family, no offsets).
    const g = handOver({ train: ds, validation: ds, test: ds }, 1, false);
    expect(g.family).toBeUndefined();
  });
});

const xgb = PEERS.find((p) => p.id === 'xgboost') as MethodEntry;
const xgbWhy = xgb.available?.() ?? null;
describe.skipIf(xgbWhy !== null)(
  `the xgboost peer with a family${xgbWhy ? ` (skipped: ${xgbWhy})` : ''}`,
  () => {
    it('count:poisson with the exposure as base_margin beats one rate per task, scored with the Poisson deviance', async () => {
      const ds = await parseCsv(countsCsv(8, 120), { task: 'site', target: 'y', exposure: 'e' });
      const split = trainTestSplit(ds, { test: 0.3, seed: 1 });
      const peer = new PythonPeer('xgboost_peer.py', 1, false, 'poisson');
      const ev = (await peer.fit(split.train)).evaluate(split.test) as Evaluation;
      expect(ev.family).toBe('poisson');
      // Oracle: each task's rate (Σy / Σe on its training rows) times the row's exposure.
      let dev = 0;
      for (const t of split.test.tasks()) {
        const tr = split.train.task(t.name);
        const e = (o: Float64Array, i: number) => Math.exp(o[i]);
        let sy = 0;
        let se = 0;
        for (let i = 0; i < tr.n; i++) {
          sy += tr.y[i];
          se += e(tr.offset as Float64Array, i);
        }
        for (let i = 0; i < t.n; i++) {
          const mu = (sy / se) * e(t.offset as Float64Array, i);
          const y = t.y[i];
          dev += 2 * ((y > 0 ? y * Math.log(y / mu) : 0) - (y - mu));
        }
      }
      const rateDeviance = dev / split.test.totalRows;
      expect(ev.overall.meanDeviance).toBeLessThan(0.9 * rateDeviance);
    }, 120_000);

    it('binary:logistic predicts probabilities, scored with log loss and AUC', async () => {
      const rng = new Random(4);
      const rows: string[] = [];
      for (const [site, c] of [
        ['a', -1],
        ['b', 0.5],
      ] as const)
        for (let i = 0; i < 150; i++) {
          const x = rng.normal();
          const p = 1 / (1 + Math.exp(-(c + 2 * x)));
          rows.push(`${site},${x},${rng.uniform() < p ? 'yes' : 'no'}`);
        }
      const ds = await parseCsv(`site,x,y\n${rows.join('\n')}\n`, {
        task: 'site',
        target: 'y',
        binaryTarget: true,
      });
      const split = trainTestSplit(ds, { test: 0.3, seed: 1 });
      const ev = (
        await new PythonPeer('xgboost_peer.py', 1, false, 'binomial').fit(split.train)
      ).evaluate(split.test) as Evaluation;
      expect(ev.family).toBe('binomial');
      const y = split.test.pooled().y;
      const base = split.train.pooled().y.reduce((a, b) => a + b, 0) / split.train.totalRows;
      const baseLoss =
        -y.reduce((s, v) => s + (v ? Math.log(base) : Math.log(1 - base)), 0) / y.length;
      expect(ev.overall.logLoss).toBeLessThan(baseLoss - 0.15);
      expect(ev.overall.auc).toBeGreaterThan(0.8);
    }, 120_000);
  },
);
