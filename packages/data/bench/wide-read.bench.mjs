// Benchmark (not a test): a wide file (gene expression: 200 rows × 20,000 feature columns, 5 tasks)
// next to a narrow file with the same number of cells (133,334 rows × 30 columns), in the same
// run. Each step runs in its own Node process so that its peak memory is its own.
//
//   pnpm --filter @hetmtl/data build && node packages/data/bench/wide-read.bench.mjs [--rows 200] [--p 20000] [--repeats 3]
//
// Prints, per step, wall and CPU seconds per MB and their ratio to the narrow readCsv, and peak RSS
// next to the Float64 size of the numeric data:
//   readCsv narrow / readCsv wide — the reader (parse, validate, store, per-task matrices);
//   readArrow wide — the same data as an Arrow IPC file (Float64 columns; s per MB of that file);
//   rowEncoder wide — streamCsvFile + Encoding.rowEncoder, the path of `hetmtl predict`.
// "held after GC" is heap + external memory after a forced collection (what the result keeps;
// the peak RSS also counts the parser's strings that V8 had not collected yet).
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROWS = Number(arg('rows', '200'));
const P = Number(arg('p', '20000'));
const TASKS = 5;
const NARROW_P = 28;
const NARROW_ROWS = Math.ceil((ROWS * (P + 2)) / (NARROW_P + 2));
const REPEATS = Number(arg('repeats', '3'));
const mode = arg('mode', 'all');
const wideFile = arg('wide-file', join(tmpdir(), `hetmtl-bench-wide-${ROWS}x${P}.csv`));
const arrowFile = wideFile.replace(/\.csv$/, '.arrow');
const narrowFile = arg(
  'narrow-file',
  join(tmpdir(), `hetmtl-bench-narrow-${NARROW_ROWS}x${NARROW_P + 2}.csv`),
);

async function generate(file, rows, p) {
  const { Random } = await import('@hetmtl/tensor');
  const rng = new Random(1);
  const partial = `${file}.partial`;
  const fd = openSync(partial, 'w');
  writeSync(fd, `task,${Array.from({ length: p }, (_, j) => `g${j + 1}`).join(',')},y\n`);
  const perTask = Math.ceil(rows / TASKS);
  let lines = [];
  let cells = 0;
  for (let i = 0; i < rows; i++) {
    const line = [`t${Math.floor(i / perTask) + 1}`];
    let y = 0;
    for (let j = 0; j < p; j++) {
      const v = 6 + 2 * rng.normal();
      if (j % 97 === 0) y += 0.1 * v;
      line.push(v.toFixed(5));
    }
    line.push((y + rng.normal()).toFixed(5));
    lines.push(line.join(','));
    cells += p + 2;
    if (cells > 2_000_000) {
      writeSync(fd, `${lines.join('\n')}\n`);
      lines = [];
      cells = 0;
    }
  }
  if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
  closeSync(fd);
  renameSync(partial, file);
}

/** The wide CSV as an Arrow IPC file (Float64 gene columns, a dictionary task column). */
async function generateArrow(csv, file) {
  const data = await import('../dist/index.js');
  const { tableFromArrays, tableToIPC, vectorFromArray, Dictionary, Utf8, Int32 } = await import(
    'apache-arrow'
  );
  const ds = await data.readCsv(csv, { task: 'task', target: 'y' });
  const p = ds.numFeatures;
  const N = ds.totalRows;
  const cols = {
    task: vectorFromArray(
      ds.tasks().flatMap((t) => Array.from({ length: t.n }, () => t.name)),
      new Dictionary(new Utf8(), new Int32()),
    ),
  };
  const tasks = ds.tasks();
  for (let j = 0; j < p; j++) {
    const c = new Float64Array(N);
    let k = 0;
    for (const t of tasks) for (let i = 0; i < t.n; i++) c[k++] = t.X[i * p + j];
    cols[ds.featureNames[j]] = c;
  }
  cols.y = Float64Array.from(tasks.flatMap((t) => Array.from(t.y)));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${file}.partial`, tableToIPC(tableFromArrays(cols), 'file'));
  renameSync(`${file}.partial`, file);
}

async function measure(name, file, fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  // `keep`: what the step returns (the dataset), held until memory is measured.
  const { keep, ...info } = await fn();
  globalThis.keptResult = keep;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  // What the result holds once the parser's garbage is collected (the process runs with --expose-gc).
  // Several collections with a pause between them: V8 frees ArrayBuffer backing stores lazily.
  for (let i = 0; i < 4 && globalThis.gc; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  const mb = statSync(file).size / 1e6;
  console.log(
    JSON.stringify({
      name,
      mb,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      heldMB: (m.heapUsed + m.external) / 1e6,
      ...info,
    }),
  );
}

async function runMode(m) {
  const data = await import('../dist/index.js');
  if (m === 'baseline') {
    await import('papaparse');
    await measure('baseline (node + modules loaded)', wideFile, async () => ({ float64MB: 0 }));
  } else if (m === 'narrow' || m === 'wide') {
    const file = m === 'wide' ? wideFile : narrowFile;
    await measure(`readCsv ${m}`, file, async () => {
      const ds = await data.readCsv(file, { task: 'task', target: 'y' });
      return {
        keep: ds,
        rows: ds.totalRows,
        features: ds.numFeatures,
        float64MB: (ds.totalRows * (ds.numFeatures + 1) * 8) / 1e6,
      };
    });
  } else if (m === 'arrow') {
    await measure('readArrow wide', arrowFile, async () => {
      const ds = await data.readArrow(arrowFile, { task: 'task', target: 'y' });
      return {
        keep: ds,
        rows: ds.totalRows,
        features: ds.numFeatures,
        float64MB: (ds.totalRows * (ds.numFeatures + 1) * 8) / 1e6,
      };
    });
  } else if (m === 'encode') {
    const { Encoding, streamCsvFile } = data;
    const encoding = new Encoding({
      taskColumn: 'task',
      target: 'y',
      columns: Array.from({ length: P }, (_, j) => ({
        name: `g${j + 1}`,
        kind: 'numeric',
        fill: null,
      })),
      tasks: Array.from({ length: TASKS }, (_, t) => `t${t + 1}`),
    });
    await measure('rowEncoder wide (predict)', wideFile, async () => {
      let enc;
      await streamCsvFile(
        wideFile,
        { delimiter: ',' },
        (h) => {
          enc = encoding.rowEncoder(h, { expectedRows: ROWS });
        },
        (fields, row) => enc.push(fields, row),
      );
      const e = enc.finish();
      return { keep: e, rows: e.n, features: e.p, float64MB: (e.n * (e.p + 1) * 8) / 1e6 };
    });
  }
}

if (mode !== 'all') {
  await runMode(mode);
} else {
  for (const [file, rows, p] of [
    [wideFile, ROWS, P],
    [narrowFile, NARROW_ROWS, NARROW_P],
  ]) {
    if (!existsSync(file)) {
      console.log(`generating ${file} …`);
      await generate(file, rows, p);
    }
  }
  if (!existsSync(arrowFile)) {
    console.log(`generating ${arrowFile} …`);
    await generateArrow(wideFile, arrowFile);
  }
  console.log(
    `wide: ${wideFile} (${(statSync(wideFile).size / 1e6).toFixed(1)} MB, ${ROWS} rows × ${P} features); narrow: ${narrowFile} (${(statSync(narrowFile).size / 1e6).toFixed(1)} MB, ${NARROW_ROWS} rows × ${NARROW_P} features)`,
  );
  const self = fileURLToPath(import.meta.url);
  const results = {};
  // The run with the median CPU time of REPEATS fresh processes (the machine is shared).
  for (const m of ['baseline', 'narrow', 'wide', 'arrow', 'encode']) {
    const runs = [];
    for (let k = 0; k < (m === 'baseline' ? 1 : REPEATS); k++) {
      const out = execFileSync(
        process.execPath,
        [
          '--expose-gc',
          self,
          '--mode',
          m,
          '--rows',
          String(ROWS),
          '--p',
          String(P),
          '--wide-file',
          wideFile,
        ],
        { encoding: 'utf8' },
      );
      runs.push(JSON.parse(out.trim().split('\n').pop()));
    }
    runs.sort((a, b) => a.cpuSeconds - b.cpuSeconds);
    results[m] = runs[Math.floor(runs.length / 2)];
  }
  const ref = results.narrow;
  const perMb = (r) => r.seconds / r.mb;
  const cpuPerMb = (r) => r.cpuSeconds / r.mb;
  for (const m of ['baseline', 'narrow', 'wide', 'arrow', 'encode']) {
    const r = results[m];
    const timing =
      m === 'baseline'
        ? ''.padEnd(70)
        : `${r.seconds.toFixed(2).padStart(6)} s  ${(1000 * perMb(r)).toFixed(1).padStart(6)} ms/MB (×${(perMb(r) / perMb(ref)).toFixed(2)} narrow) | cpu ×${(cpuPerMb(r) / cpuPerMb(ref)).toFixed(2)}`;
    const memory =
      m === 'baseline'
        ? `peak RSS ${r.peakRssMB.toFixed(0).padStart(5)} MB`
        : `peak RSS ${r.peakRssMB.toFixed(0).padStart(5)} MB = baseline + ${((r.peakRssMB - results.baseline.peakRssMB) / r.float64MB).toFixed(2)} × float64 data (${r.float64MB.toFixed(0)} MB); held after GC: baseline + ${((r.heldMB - results.baseline.heldMB) / r.float64MB).toFixed(2)} × data`;
    console.log(`${r.name.padEnd(34)}${timing} | ${memory}`);
  }
  console.log(
    `load average during the run: ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}
