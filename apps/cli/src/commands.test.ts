// The built command run as a subprocess on real files: a simulated CSV, JSON and Arrow input,
// predict / evaluate / info on the saved model, the demo, --json output, and Ctrl-C during a fit.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorLines, hetmtl, scratchDir, STACK_LINE } from './test-fixtures/run.js';

const dir = scratchDir('commands');
const at = (name: string) => join(dir, name);

beforeAll(async () => {
  const r = await hetmtl(
    [
      'simulate',
      '--n',
      '60',
      '--p',
      '20',
      '--test-rows',
      '40',
      '--seed',
      '3',
      '--out',
      'train.csv',
      '--test-out',
      'test.csv',
    ],
    { cwd: dir },
  );
  expect(r.code, r.stderr).toBe(0);
});

describe('hetmtl simulate', () => {
  it('writes the training and test rows as CSV and says how to fit them', () => {
    const lines = readFileSync(at('train.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(`task,${Array.from({ length: 20 }, (_, j) => `x${j + 1}`).join(',')},y`);
    expect(lines).toHaveLength(1 + 5 * 60);
    expect(readFileSync(at('test.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 5 * 40);
  });

  it('--json describes what was written; without --out the CSV goes to stdout', async () => {
    const j = await hetmtl(
      ['simulate', '--tasks', '3', '--n', '10', '--p', '6', '--out', 'small.json', '--json'],
      { cwd: dir },
    );
    expect(j.code, j.stderr).toBe(0);
    const info = JSON.parse(j.stdout);
    expect(info).toMatchObject({
      command: 'simulate',
      trainRows: 30,
      features: 6,
      taskColumn: 'task',
      target: 'y',
    });
    expect(info.trueGroups).toEqual([0, 1, 2]);
    const records = JSON.parse(readFileSync(at('small.json'), 'utf8'));
    expect(records).toHaveLength(30);
    expect(Object.keys(records[0])).toEqual(['task', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'y']);
    const s = await hetmtl(['simulate', '--tasks', '2', '--n', '5', '--p', '5']);
    expect(s.code).toBe(0);
    expect(s.stdout.trim().split('\n')).toHaveLength(11);
  });

  it('--family binomial writes 0/1 targets, poisson counts; other designs refuse it', async () => {
    const target = (out: string) =>
      out
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => Number(l.split(',').at(-1)));
    const bin = await hetmtl(['simulate', '--family', 'binomial', '--n', '30', '--p', '5']);
    expect(bin.code, bin.stderr).toBe(0);
    const y = target(bin.stdout);
    expect(y).toHaveLength(150);
    expect(new Set(y)).toEqual(new Set([0, 1]));
    const pois = await hetmtl(['simulate', '--family', 'poisson', '--n', '30', '--p', '5']);
    const c = target(pois.stdout);
    expect(c.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    expect(Math.max(...c)).toBeGreaterThan(1);
    const pdx = await hetmtl(['simulate', '--design', 'pdx', '--family', 'poisson']);
    expect(pdx.code).toBe(2);
    expect(pdx.stderr).toMatch(/--family and --link-scale are options of the factor design/);
    const scale = await hetmtl(['simulate', '--family', 'binomial', '--link-scale', '0']);
    expect(scale.code).toBe(2);
    expect(scale.stderr).toMatch(/--link-scale must be a number > 0, received 0/);
  });
});

describe('hetmtl fit → predict / evaluate / info on a simulated CSV', () => {
  let fitText: string;
  beforeAll(async () => {
    const r = await hetmtl(
      ['fit', 'train.csv', '--task', 'task', '--target', 'y', '--quick', '--out', 'model.json'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    fitText = r.stdout;
  });

  it('prints the per-task table next to the baselines, the groups and where the model went', () => {
    expect(fitText).toMatch(/Held-out test rows \(20% of each task, seed 0\): RMSE \/ R²/);
    expect(fitText).toMatch(/^task\s+train\s+test\s+hetmtl\s+per-task ridge\s+pooled ridge$/m);
    for (let r = 1; r <= 5; r++)
      expect(fitText).toMatch(
        new RegExp(
          `^task${r}\\s+48\\s+12\\s+\\d+\\.\\d{3} / -?\\d+\\.\\d{3}\\s+\\d+\\.\\d{3} / -?\\d+\\.\\d{3}\\s+\\d+\\.\\d{3} / -?\\d+\\.\\d{3}$`,
          'm',
        ),
      );
    expect(fitText).toMatch(/^all rows\s+240\s+60\s/m);
    expect(fitText).toMatch(/^Chosen model: /m);
    expect(fitText).toMatch(/Learned task groups/);
    expect(fitText).toContain(`Model saved to ${at('model.json')}`);
    // No temporary file is left beside the model.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('saves the model with the columns and encoding that predict needs', () => {
    const doc = JSON.parse(readFileSync(at('model.json'), 'utf8'));
    expect(doc).toMatchObject({
      format: 'hetmtl/cli-model',
      version: 1,
      columns: { task: 'task', target: 'y', categorical: [] },
    });
    expect(doc.columns.features).toHaveLength(20);
    expect(doc.encoding.kind).toBe('hetmtl/encoding');
    expect(doc.model.format).toBe('hetmtl/dual-encoder-regressor');
    expect(doc.fit).toMatchObject({
      backend: 'wasm',
      seed: 0,
      test: 0.2,
      // Refitted on every row after the held-out report (refit.test.ts checks the rows it used).
      trainRows: 300,
      testRows: 60,
      refitted: true,
      reportTrainRows: 240,
    });
  });

  it('--json prints one JSON document with the same numbers', async () => {
    const r = await hetmtl(
      [
        'fit',
        'train.csv',
        '--task',
        'task',
        '--target',
        'y',
        '--quick',
        '--out',
        'model2.json',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.command).toBe('fit');
    expect(j.tasks.map((t: { task: string }) => t.task)).toEqual([
      'task1',
      'task2',
      'task3',
      'task4',
      'task5',
    ]);
    for (const t of j.tasks) {
      for (const k of ['hetmtl', 'ridgePerTask', 'ridgePooled'])
        expect(t[k].rmse).toBeGreaterThan(0);
      expect(t).toMatchObject({ nTrain: 48, nTest: 12 });
    }
    expect(j.model.groups.flat().sort()).toEqual(['task1', 'task2', 'task3', 'task4', 'task5']);
    expect(j.saved).toBe(at('model2.json'));
    // Same seed, same data: the same numbers as the text report.
    expect(fitText).toContain(
      `${j.tasks[0].hetmtl.rmse.toFixed(3)} / ${j.tasks[0].hetmtl.r2.toFixed(3)}`,
    );
  });

  it('predict writes a CSV: the input columns and a prediction column, rows in file order', async () => {
    const r = await hetmtl(['predict', 'model.json', 'test.csv', '--out', 'preds.csv'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Wrote 200 predictions/);
    const input = readFileSync(at('test.csv'), 'utf8').trim().split('\n');
    const out = readFileSync(at('preds.csv'), 'utf8').trim().split('\n');
    expect(out).toHaveLength(input.length);
    expect(out[0]).toBe(`${input[0]},prediction`);
    for (let i = 1; i < out.length; i++) {
      const cells = out[i].split(',');
      expect(cells.slice(0, -1).join(',')).toBe(input[i]);
      expect(Number.isFinite(Number(cells[cells.length - 1]))).toBe(true);
    }
  });

  it('predict without --out prints the CSV; with --json the predictions as JSON', async () => {
    const csv = await hetmtl(['predict', 'model.json', 'test.csv', '--backend', 'cpu'], {
      cwd: dir,
    });
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines).toHaveLength(201);
    const j = await hetmtl(['predict', 'model.json', 'test.csv', '--json'], { cwd: dir });
    expect(j.code, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc.predictions).toHaveLength(200);
    expect(doc.predictions[0]).toMatchObject({ row: 1, task: 'task1' });
    // cpu and wasm agree to float32 precision.
    const viaCpu = Number(lines[1].split(',').at(-1));
    expect(Math.abs(viaCpu - doc.predictions[0].prediction)).toBeLessThan(
      1e-3 * Math.max(1, Math.abs(viaCpu)),
    );
  });

  it('--backend native predicts what wasm predicts (or says why it cannot run here)', async () => {
    const native = await hetmtl(
      ['predict', 'model.json', 'test.csv', '--backend', 'native', '--json'],
      {
        cwd: dir,
      },
    );
    if (native.code !== 0) {
      expect(native.code).toBe(1);
      expect(errorLines(native.stderr)).toHaveLength(1);
      expect(native.stderr).toMatch(/backend "native" is not available here: .*--backend wasm/);
      return;
    }
    const wasm = await hetmtl(['predict', 'model.json', 'test.csv', '--json'], { cwd: dir });
    const a = JSON.parse(native.stdout).predictions as { prediction: number }[];
    const b = JSON.parse(wasm.stdout).predictions as { prediction: number }[];
    a.forEach((p, i) => {
      const q = (b[i] as { prediction: number }).prediction;
      expect(Math.abs(p.prediction - q)).toBeLessThan(1e-3 * Math.max(1, Math.abs(q)));
    });
  });

  it('evaluate scores the model on a file with the target (text and --json)', async () => {
    const r = await hetmtl(['evaluate', 'model.json', 'test.csv'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^task\s+n\s+RMSE\s+MAE\s+R²$/m);
    expect(r.stdout).toMatch(/^task3\s+40\s+\d+\.\d{3}\s+\d+\.\d{3}\s+-?\d\.\d{3}$/m);
    const j = await hetmtl(['evaluate', 'model.json', 'test.csv', '--json'], { cwd: dir });
    const doc = JSON.parse(j.stdout);
    expect(doc.tasks).toHaveLength(5);
    expect(doc.overall.n).toBe(200);
    expect(doc.overall.rmse).toBeGreaterThan(0);
  });

  it('info shows tasks, groups, options, columns and preprocessing', async () => {
    const r = await hetmtl(['info', 'model.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    for (const key of [
      'fitted',
      'columns',
      'categorical',
      'tasks',
      'model',
      'options',
      'preprocessing',
      'groups',
    ])
      expect(r.stdout).toMatch(new RegExp(`^${key}\\b`, 'm'));
    expect(r.stdout).toMatch(/tasks\s+5: task1, task2, task3, task4, task5/);
    expect(r.stdout).toMatch(/columns\s+task "task", target "y", 20 feature columns/);
    const j = JSON.parse((await hetmtl(['info', 'model.json', '--json'], { cwd: dir })).stdout);
    expect(j.tasks).toHaveLength(5);
    expect(j.options).toMatchObject({ K0: 4, K1: 2, maxRounds: 3, numLambdas: 8 });
    expect(j.preprocessing.features).toBe('pooled');
    expect(j.candidates.some((c: { chosen: boolean }) => c.chosen)).toBe(true);
  });

  it('a blended model: the report and info show the weights; --no-average and --no-trunk opt out', async () => {
    // Weaker group differences (δY = 0.5) keep the dual encoder and the linear floor within 3%.
    const sim = await hetmtl(
      ['simulate', '--seed', '3', '--delta-y', '0.5', '--out', 'blend.csv'],
      {
        cwd: dir,
      },
    );
    expect(sim.code, sim.stderr).toBe(0);
    const fit = (...flags: string[]) =>
      hetmtl(
        [
          'fit',
          'blend.csv',
          '--task',
          'task',
          '--target',
          'y',
          '--quick',
          ...flags,
          '-o',
          'b.json',
        ],
        { cwd: dir },
      );
    const r = await fit();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Chosen model: an average of 2 candidates \((dual|linear-mtl) 0\.\d{3}, (dual|linear-mtl) 0\.\d{3}; weights fitted on the validation predictions\)/m,
    );
    expect(r.stdout).toMatch(/trunk \d\.\d{3} \(weight 0\.000\)/);
    const info = await hetmtl(['info', 'b.json'], { cwd: dir });
    expect(info.stdout).toMatch(/^model\s+an average of 2 candidates/m);
    expect(info.stdout).toMatch(/^candidate\s+validation RMSE\s+λ\s+groups\s+weight$/m);
    const j = JSON.parse((await hetmtl(['info', 'b.json', '--json'], { cwd: dir })).stdout);
    const w = j.candidates.map((c: { weight: number }) => c.weight);
    expect(w.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 9);
    const fj = JSON.parse((await fit('--json')).stdout);
    expect(fj.model.kind).toBe('blend');
    expect(fj.model.candidates.map((c: { weight: number }) => c.weight)).toEqual(w);
    const single = await fit('--no-average');
    expect(single.stdout).toMatch(/^Chosen model: (dual encoder|the linear MTL floor)/m);
    expect(single.stdout).not.toMatch(/weight/);
    const noTrunk = await fit('--no-trunk');
    expect(noTrunk.stdout).toMatch(
      /^Model selection .*: dual [\d.]+ \(weight [\d.]+\), linear-mtl/m,
    );
  });

  it('predict refuses a task the model was not fitted on, in one line with the fix', async () => {
    const lines = readFileSync(at('test.csv'), 'utf8').trim().split('\n');
    writeFileSync(at('other-task.csv'), `${lines[0]}\n${lines[1].replace(/^task1,/, 'task9,')}\n`);
    const r = await hetmtl(['predict', 'model.json', 'other-task.csv'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^hetmtl: error: .*task9/m);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('predict and evaluate refuse a file that is not a model file', async () => {
    for (const cmd of ['predict', 'evaluate', 'info']) {
      const r = await hetmtl(cmd === 'info' ? [cmd, 'train.csv'] : [cmd, 'train.csv', 'test.csv'], {
        cwd: dir,
      });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        'hetmtl: error: "train.csv" is not a hetmtl model file (not JSON). Pass a model file written by `hetmtl fit --out model.json`',
      );
    }
  });
});

describe('other inputs', () => {
  it('fits a JSON file of records', async () => {
    const s = await hetmtl(
      ['simulate', '--n', '40', '--p', '10', '--seed', '5', '--out', 'data.json'],
      { cwd: dir },
    );
    expect(s.code, s.stderr).toBe(0);
    const r = await hetmtl(
      [
        'fit',
        'data.json',
        '--task',
        'task',
        '--target',
        'y',
        '--quick',
        '--out',
        'json-model.json',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.format).toBe('json');
    expect(j.tasks).toHaveLength(5);
    const p = await hetmtl(['predict', 'json-model.json', 'data.json', '--out', 'json-preds.csv'], {
      cwd: dir,
    });
    expect(p.code, p.stderr).toBe(0);
    expect(readFileSync(at('json-preds.csv'), 'utf8').split('\n')[0]).toMatch(
      /^task,x1,.*,x10,y,prediction$/,
    );
  });

  it('fits an Arrow IPC file', async () => {
    const n = 90;
    const task = Array.from({ length: n }, (_, i) => ['north', 'south', 'east'][i % 3]);
    const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(3 * i));
    const y = Float64Array.from(
      { length: n },
      (_, i) => (i % 3) + 2 * a[i] - b[i] + 0.1 * Math.sin(7 * i),
    );
    writeFileSync(at('data.arrow'), tableToIPC(tableFromArrays({ region: task, a, b, y }), 'file'));
    const r = await hetmtl(
      [
        'fit',
        'data.arrow',
        '--task',
        'region',
        '--target',
        'y',
        '--quick',
        '--out',
        'arrow-model.json',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.format).toBe('arrow');
    expect(j.tasks.map((t: { task: string }) => t.task)).toEqual(['north', 'south', 'east']);
    const e = await hetmtl(['evaluate', 'arrow-model.json', 'data.arrow', '--json'], { cwd: dir });
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).overall.r2).toBeGreaterThan(0.9);
  });

  it('encodes categorical columns; an unseen category at predict time is an error', async () => {
    const rows = ['clinic,dose,sex,y'];
    for (let i = 0; i < 60; i++) {
      const sex = i % 2 === 0 ? 'f' : 'm';
      rows.push(
        `${i % 2 === 0 ? 'A' : 'B'}${i % 3},${i % 7},${sex},${(i % 7) * 0.5 + (sex === 'f' ? 1 : 0) + Math.sin(i)}`,
      );
    }
    writeFileSync(at('cat.csv'), `${rows.join('\n')}\n`);
    const r = await hetmtl(
      [
        'fit',
        'cat.csv',
        '--task',
        'clinic',
        '--target',
        'y',
        '--categorical',
        'sex',
        '--quick',
        '--test',
        '0',
        '--out',
        'cat-model.json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Training rows \(in-sample/);
    const info = JSON.parse(
      (await hetmtl(['info', 'cat-model.json', '--json'], { cwd: dir })).stdout,
    );
    expect(info.categorical).toEqual([{ column: 'sex', levels: ['f', 'm'] }]);
    writeFileSync(at('cat-new.csv'), 'clinic,dose,sex\nA0,3,x\n');
    const p = await hetmtl(['predict', 'cat-model.json', 'cat-new.csv'], { cwd: dir });
    expect(p.code).toBe(1);
    expect(errorLines(p.stderr)).toHaveLength(1);
    expect(p.stderr).toMatch(/^hetmtl: error: .*"x"/m);
    writeFileSync(at('cat-ok.csv'), 'clinic,dose,sex\nA0,3,m\nB1,2,f\n');
    const ok = await hetmtl(['predict', 'cat-model.json', 'cat-ok.csv'], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim().split('\n')[0]).toBe('clinic,dose,sex,prediction');
  });
});

describe('hetmtl demo', () => {
  it('--quick fits the default design and shows the learned groups next to the true ones', async () => {
    const r = await hetmtl(['demo', '--quick']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^task\s+train\s+test\s+hetmtl\s+per-task ridge\s+pooled ridge\s+group\s+true group$/m,
    );
    expect(r.stdout).toMatch(/^task1\s+60\s+200\s+.*\s\d\s+1$/m);
    expect(r.stdout).toMatch(
      /Adjusted Rand index of the learned groups vs the true ones: -?\d\.\d\d/,
    );
  });

  it('--quick --json parses', async () => {
    const r = await hetmtl(['demo', '--quick', '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.trueGroups).toEqual([0, 0, 1, 1, 2]);
    expect(j.learnedGroups).toHaveLength(5);
    expect(j.tasks).toHaveLength(5);
  });
});

describe('--jobs', () => {
  it('--jobs 2 saves the model --jobs 1 saves (5 folds by task on worker threads)', async () => {
    const s = await hetmtl(['simulate', '--n', '50', '--seed', '4', '--out', 'folds.csv'], {
      cwd: dir,
    });
    expect(s.code, s.stderr).toBe(0);
    const docs: Record<string, { fit: Record<string, unknown>; model: unknown }> = {};
    for (const jobs of ['1', '2']) {
      const r = await hetmtl(
        [
          'fit',
          'folds.csv',
          '--task',
          'task',
          '--target',
          'y',
          '--quick',
          '--jobs',
          jobs,
          '--out',
          `folds-${jobs}.json`,
        ],
        { cwd: dir },
      );
      expect(r.code, r.stderr).toBe(0);
      docs[jobs] = JSON.parse(readFileSync(at(`folds-${jobs}.json`), 'utf8'));
    }
    expect((docs['1'].model as { folds: number }).folds).toBe(5);
    expect(docs['2'].model).toEqual(docs['1'].model);
    const { createdAt: _a, seconds: _b, ...fit1 } = docs['1'].fit;
    const { createdAt: _c, seconds: _d, ...fit2 } = docs['2'].fit;
    expect(fit2).toEqual(fit1);
  });
});

describe('Ctrl-C', () => {
  beforeAll(async () => {
    const s = await hetmtl(['simulate', '--n', '400', '--seed', '2', '--out', 'slow.csv'], {
      cwd: dir,
    });
    expect(s.code, s.stderr).toBe(0);
  });

  // --jobs 2: the SIGINT stops the worker threads of model selection too (else the process would not exit).
  it.each([
    ['1', 'select on the main thread'],
    ['2', 'selection on worker threads, 5 folds × 1 candidate'],
  ])(
    'SIGINT during a fit exits 130 with one line and writes no model file (--jobs %s: %s)',
    async (jobs) => {
      let sent = false;
      let sentAt = 0;
      const r = await hetmtl(
        [
          'fit',
          'slow.csv',
          '--task',
          'task',
          '--target',
          'y',
          '--out',
          'interrupted.json',
          '--jobs',
          jobs,
          // 5 folds (selection on workers with --jobs 2)
          ...(jobs === '2' ? ['--test', '0.9'] : []),
        ],
        {
          cwd: dir,
          onStderr: (text, child) => {
            if (!sent && /^Fitting /m.test(text)) {
              sent = true;
              // Let the fit get going (the encoder phase; with --jobs 2, on the started workers), then interrupt it.
              setTimeout(
                () => {
                  sentAt = performance.now();
                  child.kill('SIGINT');
                },
                jobs === '2' ? 1500 : 300,
              );
            }
          },
        },
      );
      expect(sent).toBe(true);
      expect(r.code, r.stderr).toBe(130);
      // The fit checks the signal between optimizer steps: it stops within seconds, not at the end.
      expect(performance.now() - sentAt).toBeLessThan(5000);
      expect(r.stderr).toMatch(
        /^hetmtl: error: interrupted \(Ctrl-C\): the fit was stopped and nothing was written$/m,
      );
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(existsSync(at('interrupted.json'))).toBe(false);
      expect(readdirSync(dir).filter((f) => f.includes('interrupted'))).toEqual([]);
      expect(r.stdout).toBe('');
    },
  );
});
