// Benchmark (not a test): read a generated CSV of 1,000,000 rows × 30 columns (task, 28 features,
// target) into a MultiTaskDataset, next to the raw parser alone on the same file. Each step runs
// in its own Node process so that its peak memory is its own.
//
//   pnpm --filter @hetmtl/data build && pnpm --filter @hetmtl/data bench [-- --rows 200000] [--interleaved] [--repeats 3]
//
// Prints MB/s and peak RSS / heap for: Papa Parse alone on a Node file stream (no-op row handler),
// streamCsvRows alone (our UTF-8/binary checks feeding Papa Parse, no-op row handler), and readCsv
// (the whole adapter: parse, validate, store, build per-task matrices).
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROWS = Number(arg('rows', '1000000'));
const FEATURES = 28;
const TASKS = 100;
const interleaved = args.includes('--interleaved');
const file = arg(
  'file',
  join(tmpdir(), `hetmtl-bench-${ROWS}x30${interleaved ? '-interleaved' : ''}.csv`),
);
const mode = arg('mode', 'all');
const REPEATS = Number(arg('repeats', '3'));

async function generate() {
  const { Random } = await import('@hetmtl/tensor');
  const rng = new Random(1);
  const partial = `${file}.partial`;
  const fd = openSync(partial, 'w');
  writeSync(fd, `task,${Array.from({ length: FEATURES }, (_, j) => `x${j + 1}`).join(',')},y\n`);
  const perTask = Math.ceil(ROWS / TASKS);
  let lines = [];
  for (let i = 0; i < ROWS; i++) {
    const t = interleaved ? i % TASKS : Math.floor(i / perTask);
    const cells = [`t${t + 1}`];
    let y = t * 0.1;
    for (let j = 0; j < FEATURES; j++) {
      const v = rng.normal();
      y += v * (j % 3 === 0 ? 0.5 : 0);
      cells.push(v.toFixed(5));
    }
    cells.push((y + rng.normal()).toFixed(5));
    lines.push(cells.join(','));
    if (lines.length === 10000) {
      writeSync(fd, `${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
  closeSync(fd);
  renameSync(partial, file);
}

/** Runs fn, sampling memory; prints one JSON line. */
async function measure(name, fn) {
  let peakHeap = 0;
  let peakBuffers = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  };
  const rssBefore = process.memoryUsage().rss;
  const timer = setInterval(sample, 10);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const info = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  sample();
  clearInterval(timer);
  const bytes = statSync(file).size;
  console.log(
    JSON.stringify({
      name,
      seconds,
      cpuSeconds,
      mbPerSecond: bytes / 1e6 / seconds,
      mbPerCpuSecond: bytes / 1e6 / cpuSeconds,
      rssBeforeMB: rssBefore / 1e6,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      peakHeapMB: peakHeap / 1e6,
      peakArrayBuffersMB: peakBuffers / 1e6,
      ...info,
    }),
  );
}

async function runMode(m) {
  if (m === 'baseline') {
    await import('papaparse');
    await import('../dist/index.js');
    await measure('baseline (node + modules loaded)', async () => ({}));
  } else if (m === 'papaparse') {
    const Papa = (await import('papaparse')).default;
    await measure('Papa Parse alone (file stream, no-op rows)', () => {
      let rows = 0;
      return new Promise((resolve, reject) =>
        Papa.parse(createReadStream(file, { highWaterMark: 1 << 20 }), {
          step: () => rows++,
          complete: () => resolve({ rows }),
          error: reject,
        }),
      );
    });
  } else if (m === 'stream') {
    const { streamCsvRows } = await import('../dist/index.js');
    const { textChunks } = await import('../dist/text-source.js');
    const { fileBytes } = await import('../dist/csv.js');
    await measure('streamCsvRows alone (UTF-8 checks + Papa Parse, no-op rows)', async () => {
      let rows = 0;
      await streamCsvRows(
        textChunks(fileBytes(createReadStream(file, { highWaterMark: 1 << 20 }), file), 'bench'),
        { delimiter: ',', quote: '"' },
        () => {},
        () => rows++,
      );
      return { rows };
    });
  } else if (m === 'dataset') {
    const { readCsv } = await import('../dist/index.js');
    await measure('readCsv → MultiTaskDataset (float64)', async () => {
      const ds = await readCsv(file, { task: 'task', target: 'y' });
      return {
        rows: ds.totalRows,
        tasks: ds.numTasks,
        numericMB: (ds.totalRows * (ds.numFeatures + 1) * 8) / 1e6,
      };
    });
  } else if (m === 'dataset32') {
    const { readCsv } = await import('../dist/index.js');
    await measure('readCsv → MultiTaskDataset (float32)', async () => {
      const ds = await readCsv(file, { task: 'task', target: 'y', dtype: 'float32' });
      return {
        rows: ds.totalRows,
        tasks: ds.numTasks,
        numericMB: (ds.totalRows * (ds.numFeatures * 4 + 8)) / 1e6,
      };
    });
  }
}

if (mode === 'generate') {
  if (!existsSync(file)) await generate();
  console.log(file, statSync(file).size);
} else if (mode !== 'all') {
  await runMode(mode);
} else {
  if (!existsSync(file)) {
    console.log(`generating ${file} …`);
    await generate();
  }
  const bytes = statSync(file).size;
  console.log(
    `file: ${file} (${(bytes / 1e6).toFixed(1)} MB, ${ROWS} rows × 30 columns, ${interleaved ? 'tasks interleaved' : 'rows grouped by task'})`,
  );
  console.log(`numeric data: ${((ROWS * (FEATURES + 1) * 8) / 1e6).toFixed(1)} MB as float64`);
  const self = fileURLToPath(import.meta.url);
  const rows = [];
  // Each step runs REPEATS times in fresh processes; the run with the median CPU time is shown
  // (the machine is shared, so single runs are noisy).
  for (const m of ['baseline', 'papaparse', 'stream', 'dataset', 'dataset32']) {
    const runs = [];
    for (let k = 0; k < (m === 'baseline' ? 1 : REPEATS); k++) {
      const out = execFileSync(
        process.execPath,
        ['--max-old-space-size=8192', self, '--mode', m, '--file', file, '--rows', String(ROWS)],
        { encoding: 'utf8' },
      );
      runs.push(JSON.parse(out.trim().split('\n').pop()));
    }
    runs.sort((a, b) => (a.cpuSeconds ?? 0) - (b.cpuSeconds ?? 0));
    const r = runs[Math.floor(runs.length / 2)];
    rows.push(r);
    console.log(
      `${r.name.padEnd(62)}` +
        (m === 'baseline'
          ? ''.padEnd(56)
          : `${r.seconds.toFixed(2).padStart(6)} s ${r.mbPerSecond.toFixed(1).padStart(6)} MB/s | cpu ${r.cpuSeconds.toFixed(2).padStart(6)} s ${r.mbPerCpuSecond.toFixed(1).padStart(6)} MB/s`) +
        ` | RSS ${r.rssBeforeMB.toFixed(0).padStart(4)} → peak ${r.peakRssMB.toFixed(0).padStart(5)} MB | peak heap ${r.peakHeapMB.toFixed(0).padStart(4)} MB | peak ArrayBuffers ${r.peakArrayBuffersMB.toFixed(0).padStart(4)} MB`,
    );
  }
  const p = rows.find((r) => r.name.startsWith('Papa'));
  const d = rows.find((r) => r.name.includes('(float64)'));
  console.log(
    `dataset step adds ${(((d.seconds - p.seconds) / p.seconds) * 100).toFixed(0)}% to the parser's wall time, ${(((d.cpuSeconds - p.cpuSeconds) / p.cpuSeconds) * 100).toFixed(0)}% to its CPU time`,
  );
  console.log(
    `load average during the run: ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (${(await import('node:os')).cpus().length} cores)`,
  );
}
