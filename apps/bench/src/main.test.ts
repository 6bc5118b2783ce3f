import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateFactor, toCsv } from '@hetmtl/data';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const run = (...args: string[]) =>
  execFileSync(process.execPath, [main, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('bench commands (tiny runs, so they cannot rot)', () => {
  it('demo --quick fits the method and prints per-task RMSE next to per-task ridge and the groups', () => {
    const out = run('demo', '--quick');
    expect(out).toMatch(
      /task\s+test RMSE \(hetmtl\)\s+test RMSE \(per-task ridge\)\s+group\s+true group/,
    );
    expect(out).toMatch(/^task1\s+\d\.\d{3}\s+\d\.\d{3}\s+\d\s+1$/m);
    expect(out).toMatch(/adjusted Rand index vs the true groups -?\d\.\d\d/);
  });

  it('conformance prints a passing row for cpu and wasm', () => {
    const out = run('conformance');
    expect(out).toMatch(/^cpu\s+false\s+1\s+\d+\s+0\s/m);
    expect(out).toMatch(/^wasm\s+true\s+1\s+\d+\s+0\s/m);
    expect(out).toMatch(/^tfjs-node\s.*(not available|ok)/m);
  });

  it('many-tasks --quick prints seconds, CPU seconds, peak RSS and the per-task ratios for each R', () => {
    const out = run('many-tasks', '--quick', '--backend', 'cpu');
    expect(out).toMatch(/Many tasks: simulate --tasks R --n 3 --p 5/);
    expect(out).toMatch(/^20\s+60\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\s+1\.00\s+1\.00\s+yes$/m);
    expect(out).toMatch(/^60\s+180\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\s+\d+\.\d\d\s+\d+\.\d\d\s+yes$/m);
  });

  it('jobs --quick times fit --jobs 1 against --jobs 2 interleaved and says whether the models predict the same', () => {
    const out = run('jobs', '--quick', '--jobs', '2', '--repeats', '1');
    expect(out).toMatch(
      /simulate --tasks 20 --n 45 --p 7.*5 fold\(s\); 1 repeat\(s\) interleaved; load average/,
    );
    expect(out).toMatch(/^1\s+\d+\.\d\d\s+\d+\.\d\d\s+1\.00$/m);
    expect(out).toMatch(/^2\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d$/m);
    expect(out).toMatch(/machine control: 2 threads of pure-JavaScript work took \d+\.\d\d×/);
    expect(out).toMatch(/saved models predict identically .*: yes; speed-up \d+\.\d\d×/);
  });

  it('mlp-speed --quick times every backend', () => {
    const out = run('mlp-speed', '--quick');
    expect(out).toMatch(/wasm \(hetmtl: transposeA routed\)/);
    expect(out).toMatch(/transposeA routing on wasm: [\d.]+× faster/);
  });

  it('speed --quick prints the fixed-work table, a PyTorch row or the skip message, the profile and scaling', () => {
    const out = run('speed', '--quick');
    expect(out).toMatch(/backend\s+ms\/Adam step \(a\)\s+ms\/Adam step \(b\)\s+× PyTorch \(a\)/);
    // Every backend twice: the autodiff step (before) and the fused step (the model's default).
    for (const b of ['cpu', 'wasm'])
      for (const mode of ['autodiff \\(before\\)', 'fused'])
        expect(out).toMatch(new RegExp(`^${b}, ${mode}\\s+\\d+\\.\\d\\d\\s+\\d+\\.\\d\\d\\s`, 'm'));
    expect(out).toMatch(/^Load average \(1 min\): \d+\.\d\d before/m);
    expect(out).toMatch(
      /^PyTorch \S+ \(1 thread\)\s+\d+\.\d\d\s+\d+\.\d\d\s+1\.00×|^PyTorch reference not run: /m,
    );
    expect(out).toMatch(/kernels\/step \(a\)\s+kernels\/step \(b\)/);
    expect(out).toMatch(/^R\s+n_r\s+backend/m);
    // The peer's λ path agrees with fusionPath (same groups at every λ, β to 1e-6), or says why not.
    expect(out).toMatch(
      /^the fit's final problem \(cpu\)\s.*\sagree\s*$|^λ path port check not run: /m,
    );
    expect(out).toMatch(/^planted, 4 groups\s.*\sagree\s*$|^λ path port check not run: /m);
  });

  it('speed says why PyTorch did not run when python3 with torch is missing', () => {
    const out = execFileSync(
      process.execPath,
      [main, 'speed', '--quick', '--no-scaling', '--backend', 'cpu'],
      { encoding: 'utf8', env: { ...process.env, HETMTL_PYTHON: '/nonexistent/python3' } },
    );
    expect(out).toMatch(/^cpu, fused\s+\d+\.\d\d\s/m);
    expect(out).toMatch(/^PyTorch reference not run: .*\/nonexistent\/python3 not found/m);
    expect(out).toMatch(/^λ path port check not run: \/nonexistent\/python3 not found/m);
  });

  it('study --quick runs both designs over all 8 factors and writes JSON, tables and plots; --resume refits nothing', {
    timeout: 600_000,
  }, () => {
    const out = mkdtempSync(join(tmpdir(), 'hetmtl-study-'));
    try {
      const res = spawnSync(process.execPath, [main, 'study', '--quick', '--out', out], {
        encoding: 'utf8',
      });
      expect(res.status, res.stderr).toBe(0);
      // The progress bar (stderr is not a terminal here: one line per 5%) with an ETA.
      expect(res.stderr).toMatch(/\[#+-*\] \d+\/252 fits \d+% {2}elapsed \S+ {2}ETA \S+/);
      expect(res.stderr).toMatch(/252\/252 fits 100%/);
      const files = readdirSync(out).sort();
      for (const design of ['factor', 'covariate']) {
        expect(files).toContain(`${design}.json`);
        expect(files).toContain(`${design}.md`);
        expect(files.filter((f) => f.startsWith(`${design}-`) && f.endsWith('.svg'))).toHaveLength(
          8,
        );
        const json = JSON.parse(readFileSync(join(out, `${design}.json`), 'utf8'));
        // 9 distinct quick settings × 2 replications, 14 methods each, all finite.
        expect(json.runs).toHaveLength(18);
        for (const run of json.runs) {
          expect(run.scores).toHaveLength(14);
          for (const s of run.scores)
            expect(Number.isFinite(s.rmse), `${run.key} ${s.method}`).toBe(true);
        }
        const md = readFileSync(join(out, `${design}.md`), 'utf8');
        expect(md.match(/^### /gm)).toHaveLength(10); // 8 factors, the gap table, time per fit
        expect(md).toMatch(/^\| hetmtl \| \S+ ± \S+ \| /m);
        expect(md).toMatch(/^\| ARI: hetmtl \| /m);
      }
      // Resuming refits nothing: from the run log, or from <design>.json when the log is gone.
      rmSync(join(out, 'covariate.runs.jsonl'));
      for (const design of ['factor', 'covariate']) {
        const again = spawnSync(
          process.execPath,
          [main, 'study', '--quick', '--out', out, '--resume', '--design', design],
          { encoding: 'utf8' },
        );
        expect(again.status, again.stderr).toBe(0);
        expect(again.stdout).toMatch(/\(18 replications kept from an earlier run\)/);
        expect(again.stderr).not.toMatch(/fits/);
        expect(JSON.parse(readFileSync(join(out, `${design}.json`), 'utf8')).runs).toHaveLength(18);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('study --quick --design pdx runs the PDX-like design (4 factors, p among them)', {
    timeout: 600_000,
  }, () => {
    const out = mkdtempSync(join(tmpdir(), 'hetmtl-study-pdx-'));
    try {
      const res = spawnSync(
        process.execPath,
        [
          main,
          'study',
          '--quick',
          '--design',
          'pdx',
          '--reps',
          '1',
          '--methods',
          'hetmtl,ridge-task',
          '--out',
          out,
        ],
        { encoding: 'utf8' },
      );
      expect(res.status, res.stderr).toBe(0);
      const json = JSON.parse(readFileSync(join(out, 'pdx.json'), 'utf8'));
      // 1 + 4 × (2 − 1) distinct quick settings, one replication, two methods, all finite.
      expect(json.runs).toHaveLength(5);
      expect(json.runs.map((r: { key: string }) => r.key)).toContain(
        'p=40,testRows=20,sigmaX=0.5,deltaX=0.5,deltaY=1,effect=0.25,sigma=0.3',
      );
      for (const run of json.runs)
        for (const s of run.scores)
          expect(Number.isFinite(s.rmse), `${run.key} ${s.method}`).toBe(true);
      expect(readFileSync(join(out, 'pdx.md'), 'utf8')).toMatch(/^\| hetmtl \| \S+ \| /m);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('real --quick runs every method on a CSV with a task column and reports per task', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-real-'));
    try {
      const sim = simulateFactor({ seed: 3, numTasks: 4, n: 40, p: 12, testRows: 1 });
      const csv = join(dir, 'toy.csv');
      writeFileSync(csv, toCsv(sim.train, { taskColumn: 'site', target: 'outcome' }));
      const out = run(
        'real',
        csv,
        '--task',
        'site',
        '--target',
        'outcome',
        '--quick',
        '--out',
        dir,
        '--backend',
        'wasm',
      );
      expect(out).toMatch(/toy: 4 tasks, 160 rows, 12 features; 2 splits/);
      expect(out).toMatch(
        /\| method \| mean task RMSE \| overall RMSE \| explained variance \| groups \(range over splits\) \| s per fit \|/,
      );
      expect(out).toMatch(/^\| single-task ridge \| (\*\*)?\d+\.\d{3} ± \d+\.\d{3}/m);
      expect(out).toMatch(/hetmtl beat single-task ridge on \*\*\d of 4\*\* tasks/);
      expect(out).toMatch(
        /^\| task1 \| 40 \| \d\.\d{3} \| \d\.\d{3} \| \d\.\d{3} \| (yes|no) \(\d\/2\) \| (yes|no) \(\d\/2\) \|$/m,
      );
      const json = JSON.parse(readFileSync(join(dir, 'toy.json'), 'utf8'));
      expect(json.splits).toHaveLength(2);
      // 14 methods and baselines, 3 selection ablations, and the two Python peers where
      // /usr/bin/python3 has their modules.
      expect(json.splits[0]).toHaveLength(json.methods.length);
      expect(json.methods.length + (json.omitted?.length ?? 0)).toBe(19);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('real leaves out a Python peer that cannot run, with one line and the remedy, and still reports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-real-'));
    try {
      const sim = simulateFactor({ seed: 3, numTasks: 3, n: 30, p: 5, testRows: 1 });
      const csv = join(dir, 'toy.csv');
      writeFileSync(csv, toCsv(sim.train, { taskColumn: 'site', target: 'outcome' }));
      const res = spawnSync(
        process.execPath,
        [
          main,
          'real',
          csv,
          '--task',
          'site',
          '--target',
          'outcome',
          '--methods',
          'ridge-pooled,xgboost,sklearn-mlp',
          '--repeats',
          '1',
          '--out',
          dir,
          '--backend',
          'cpu',
        ],
        { encoding: 'utf8', env: { ...process.env, HETMTL_PYTHON: '/nonexistent/python3' } },
      );
      expect(res.status).toBe(0);
      const remedy = 'apt-get install python3-xgboost python3-sklearn python3-pandas';
      for (const id of ['xgboost', 'sklearn-mlp']) {
        const lines = res.stdout.split('\n').filter((l) => l.startsWith(`${id} left out: `));
        expect(lines).toEqual([
          `${id} left out: /nonexistent/python3 not found; install Python 3 and then: ${remedy}`,
        ]);
      }
      expect(res.stdout).toMatch(/toy: 3 tasks, 90 rows, 5 features; 1 split .* × 1 methods/);
      expect(res.stdout).toMatch(/^\| pooled ridge \| \*\*\d+\.\d{3}\*\* \|/m);
      expect(res.stdout).not.toMatch(/^\| xgboost/m);
      expect(res.stdout).toMatch(/^\(xgboost \(task as a category\) left out: .*not found/m);
      const json = JSON.parse(readFileSync(join(dir, 'toy.json'), 'utf8'));
      expect(json.methods.map((m: { id: string }) => m.id)).toEqual(['ridge-pooled']);
      expect(json.omitted.map((m: { id: string }) => m.id)).toEqual(['xgboost', 'sklearn-mlp']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(
      spawnSync(
        process.execPath,
        [main, 'real', 'x.csv', '--task', 't', '--target', 'y', '--methods', 'xgb'],
        {
          encoding: 'utf8',
        },
      ).stderr,
    ).toMatch(/unknown method "xgb" in --methods \(known: .*, xgboost, sklearn-mlp\)/);
  });

  it('wide prints every learner at every p in the same splits and writes wide.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-wide-'));
    try {
      const out = run(
        'wide',
        '--quick',
        '--p',
        '300,400',
        '--seeds',
        '1',
        '--methods',
        'hetmtl,ridge-task',
        '--backend',
        'cpu',
        '--out',
        dir,
      );
      expect(out).toMatch(/^Wide data: PDX-like design/m);
      expect(out).toMatch(/^p = 300$/m);
      expect(out).toMatch(/^p = 400$/m);
      expect(out).toMatch(/^hetmtl +\d+\.\d{3} +\d+\.\d{2} +\d+ +\d+\.\d{2} +\d\.\d{2}/m);
      expect(out).toMatch(/^single-task ridge +\d+\.\d{3}/m);
      const json = JSON.parse(readFileSync(join(dir, 'wide.json'), 'utf8'));
      expect(json).toHaveLength(4);
      expect(json.every((r: { error?: string }) => r.error === undefined)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(
      spawnSync(process.execPath, [main, 'wide', '--methods', 'nope'], { encoding: 'utf8' }).stderr,
    ).toMatch(/unknown method "nope"/);
  });

  it('wide-groups prints the ARI of every learner and writes wide-groups.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-wide-groups-'));
    try {
      const out = run('wide-groups', '--quick', '--seeds', '1', '--backend', 'cpu', '--out', dir);
      expect(out).toMatch(/^Group recovery on the PDX-like design at p = 300: 1 seeds/m);
      for (const label of [
        'K0 = 4, default',
        'K0 = 3 \\(the truth\\)',
        'oracle: the true shared factors',
      ])
        expect(out).toMatch(
          new RegExp(`^20–45 \\(the design\\) +[^\\n]*${label}[^\\n]* -?\\d\\.\\d{2}`, 'm'),
        );
      const json = JSON.parse(readFileSync(join(dir, 'wide-groups.json'), 'utf8'));
      expect(json.map((r: { learner: string }) => r.learner)).toEqual([
        'dual-K0-4',
        'dual-K0-3',
        'oracle',
      ]);
      for (const r of json as { ari: number; rmse: number }[]) {
        expect(r.ari).toBeGreaterThanOrEqual(-1);
        expect(r.ari).toBeLessThanOrEqual(1);
        expect(r.rmse).toBeGreaterThan(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('real without a CSV, an unknown column or an unknown method is one clear line and exit 2', () => {
    const bad = (...args: string[]) =>
      spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
    let res = bad('real');
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/^hetmtl-bench: real needs a CSV file, --task and --target, e.g. /);
    res = bad('real', '/nonexistent.csv', '--task', 't', '--target', 'y', '--backend', 'cpu');
    expect(res.status).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/nonexistent\.csv/);
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-real-'));
    try {
      writeFileSync(join(dir, 'x.csv'), 'site,a,y\ns1,1,2\ns1,2,3\n');
      res = bad(
        'real',
        join(dir, 'x.csv'),
        '--task',
        'school',
        '--target',
        'y',
        '--backend',
        'cpu',
      );
      expect(res.status).toBe(2);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(/school/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    res = bad('study', '--methods', 'hetmtl,ridge', '--quick');
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/unknown method "ridge" in --methods \(known: hetmtl, hetmtl-mlp, /);
  });

  it('an unknown command is a usage error (exit 2)', () => {
    expect(() => run('nope')).toThrow(/unknown command "nope"/);
  });

  it('an unknown flag, a bad value or a stray argument is one line naming it and exit 2; --help exits 0', () => {
    const bad = (...args: string[]) =>
      spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
    for (const [args, message] of [
      [['demo', '--quik'], /^hetmtl-bench: unknown option '--quik'.* Run hetmtl-bench demo --help/],
      [['study', '--reps', '0'], /^hetmtl-bench: .*--reps must be an integer ≥ 1, got "0"/],
      [['wide', '--p', '300,5'], /^hetmtl-bench: .*--p takes integers ≥ 10, got "5"/],
      [
        ['real', 'x.csv', '--test', '1.5'],
        /^hetmtl-bench: .*--test must be in \(0, 1\), got "1\.5"/,
      ],
      [['conformance', 'extra'], /^hetmtl-bench: too many arguments for 'conformance'/],
      [['--frobnicate'], /^hetmtl-bench: unknown option '--frobnicate'\. Run hetmtl-bench --help/],
    ] as const) {
      const res = bad(...args);
      expect(res.status, args.join(' ')).toBe(2);
      expect(res.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(res.stderr, args.join(' ')).toMatch(message);
    }
    const help = bad('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: hetmtl-bench <command>/);
    expect(bad().status).toBe(2);
  });
});
