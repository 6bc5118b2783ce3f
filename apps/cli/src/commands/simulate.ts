import { extname, resolve } from 'node:path';
import {
  type MultiTaskDataset,
  simulateCovariate,
  simulateFactor,
  simulatePdxLike,
  toCsv,
} from '@hetmtl/data';
import { ValidationError } from '@hetmtl/tensor';
import type { Design } from '../choices.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../model-file.js';
import type { Output } from '../output.js';
import { checkOutputPath } from '../output-path.js';

/** The simulators' option names and the flags that set them. */
const SIMULATOR_FLAGS: Readonly<Record<string, string>> = {
  numTasks: '--tasks',
  n: '--n',
  testRows: '--test-rows',
  p: '--p',
  deltaX: '--delta-x',
  deltaY: '--delta-y',
  sigma: '--sigma',
  alpha: '--alpha',
  family: '--family',
  linkScale: '--link-scale',
  seed: '--seed',
};

/** Cells (rows × columns) simulate writes at most: the CSV text of more does not fit in memory. */
export const MAX_SIMULATED_CELLS = 20_000_000;

/** Defaults of the designs, for the size check before any work (as in @hetmtl/data). */
const DESIGN_DEFAULTS: Readonly<
  Record<Design, { tasks: number; n: number; testRows: number; p: number }>
> = {
  factor: { tasks: 5, n: 120, testRows: 500, p: 100 },
  covariate: { tasks: 5, n: 100, testRows: 500, p: 50 },
  pdx: { tasks: 5, n: 45, testRows: 100, p: 300 },
};

const EXTENSIONS = ['.csv', '.txt', '.tsv', '.json'];

function checkSize(flags: SimulateFlags): void {
  const d = DESIGN_DEFAULTS[flags.design];
  const tasks = flags.tasks ?? d.tasks;
  const rows = (flags.n ?? d.n) + (flags.testRows ?? d.testRows);
  const columns = (flags.p ?? d.p) + 2;
  const cells = tasks * rows * columns;
  if (cells > MAX_SIMULATED_CELLS)
    throw new UsageError(
      `simulate writes at most ${MAX_SIMULATED_CELLS.toLocaleString('en-US')} cells, and --tasks ${tasks} × ${rows} rows (--n + --test-rows) × ${columns} columns (--p + 2) is ${cells.toPrecision(3)}`,
      'Lower --tasks, --n, --test-rows or --p',
    );
}

export interface SimulateFlags {
  readonly design: Design;
  readonly tasks?: number;
  readonly n?: number;
  readonly testRows?: number;
  readonly p?: number;
  readonly deltaX?: number;
  readonly deltaY?: number;
  readonly sigma?: number;
  readonly alpha?: number;
  /** The factor design's response: gaussian (default), binomial (0/1) or poisson (counts). */
  readonly family?: 'gaussian' | 'binomial' | 'poisson';
  readonly linkScale?: number;
  readonly seed: number;
  readonly out?: string;
  readonly testOut?: string;
  readonly json?: boolean;
}

/**
 * The simulation of method.md §7 the flags describe (defaults of @hetmtl/data otherwise); a value
 * the simulator refuses is a usage error naming the flag.
 */
export function simulate(flags: SimulateFlags) {
  checkSize(flags);
  try {
    return simulateWith(flags);
  } catch (e) {
    const flag =
      ValidationError.isInstance(e) && typeof e.column === 'string'
        ? SIMULATOR_FLAGS[e.column]
        : undefined;
    if (flag === undefined || !ValidationError.isInstance(e)) throw e;
    throw new UsageError(
      `${flag} ${e.expected ? `must be ${e.expected}` : 'is invalid'}${e.received !== undefined ? `, received ${e.received}` : ''} for the ${flags.design} design`,
      `Pass another ${flag}`,
    );
  }
}

function simulateWith(flags: SimulateFlags) {
  const common = {
    seed: flags.seed,
    ...(flags.n !== undefined ? { n: flags.n } : {}),
    ...(flags.testRows !== undefined ? { testRows: flags.testRows } : {}),
    ...(flags.p !== undefined ? { p: flags.p } : {}),
    ...(flags.deltaX !== undefined ? { deltaX: flags.deltaX } : {}),
    ...(flags.deltaY !== undefined ? { deltaY: flags.deltaY } : {}),
    ...(flags.sigma !== undefined ? { sigma: flags.sigma } : {}),
  };
  if (flags.design !== 'factor' && (flags.family !== undefined || flags.linkScale !== undefined))
    throw new UsageError(
      `--family and --link-scale are options of the factor design, not of --design ${flags.design}`,
      'Use --design factor, or drop --family and --link-scale',
    );
  switch (flags.design) {
    case 'factor':
      return simulateFactor({
        ...common,
        ...(flags.tasks !== undefined ? { numTasks: flags.tasks } : {}),
        ...(flags.alpha !== undefined ? { alpha: flags.alpha } : {}),
        ...(flags.family !== undefined ? { family: flags.family } : {}),
        ...(flags.linkScale !== undefined ? { linkScale: flags.linkScale } : {}),
      });
    case 'covariate':
      return simulateCovariate({
        ...common,
        ...(flags.tasks !== undefined ? { numTasks: flags.tasks } : {}),
        ...(flags.alpha !== undefined ? { alpha: flags.alpha } : {}),
      });
    case 'pdx':
      if (flags.tasks !== undefined || flags.alpha !== undefined)
        throw new UsageError(
          'the pdx design has its five cancer types and no --alpha',
          'Drop --tasks and --alpha, or use --design factor',
        );
      return simulatePdxLike(common);
  }
}

function serialize(ds: MultiTaskDataset, path: string | undefined): string {
  const ext = path === undefined ? '' : extname(path).toLowerCase();
  if (ext === '.tsv') return toCsv(ds, { delimiter: '\t' });
  if (ext === '.json') {
    const records: Record<string, string | number>[] = [];
    const { taskColumn, target } = ds.encoding;
    for (const t of ds.tasks()) {
      for (let i = 0; i < t.n; i++) {
        const rec: Record<string, string | number> = { [taskColumn]: t.name };
        ds.featureNames.forEach((f, j) => {
          rec[f] = t.X[i * t.p + j];
        });
        rec[target] = t.y[i];
        records.push(rec);
      }
    }
    return `${JSON.stringify(records)}\n`;
  }
  return toCsv(ds);
}

/** `hetmtl simulate`: writes a simulated multi-task dataset (CSV, or JSON records for .json). */
export async function simulateCommand(flags: SimulateFlags, out: Output): Promise<void> {
  if (flags.out === undefined && flags.testOut !== undefined)
    throw new UsageError('--test-out needs --out', 'Pass --out train.csv as well');
  for (const [flag, path] of [
    ['--out', flags.out],
    ['--test-out', flags.testOut],
  ] as const) {
    if (path !== undefined && !EXTENSIONS.includes(extname(path).toLowerCase()))
      throw new UsageError(
        `${flag} ${JSON.stringify(path)}: simulate writes CSV (.csv, .txt), TSV (.tsv) or JSON records (.json), chosen by the extension`,
        `Give ${flag} one of the extensions ${EXTENSIONS.join(', ')}`,
      );
  }
  if (flags.out !== undefined) await checkOutputPath(flags.out, '--out', []);
  if (flags.testOut !== undefined)
    await checkOutputPath(
      flags.testOut,
      '--test-out',
      [],
      [{ path: flags.out as string, flag: '--out' }],
    );
  const sim = simulate(flags);
  if (flags.out === undefined) {
    process.stdout.write(serialize(sim.train, undefined));
    return;
  }
  await writeFileAtomic(flags.out, serialize(sim.train, flags.out));
  if (flags.testOut !== undefined)
    await writeFileAtomic(flags.testOut, serialize(sim.test, flags.testOut));
  const info = {
    command: 'simulate',
    design: flags.design,
    seed: flags.seed,
    out: resolve(flags.out),
    testOut: flags.testOut !== undefined ? resolve(flags.testOut) : null,
    tasks: sim.train.taskNames,
    trainRows: sim.train.totalRows,
    testRows: sim.test.totalRows,
    features: sim.train.numFeatures,
    taskColumn: sim.train.encoding.taskColumn,
    target: sim.train.encoding.target,
    trueGroups: sim.truth.groups,
  };
  if (flags.json) {
    out.json(info);
    return;
  }
  out.print(
    `Wrote ${info.trainRows} rows (${info.tasks.length} tasks × ${info.features} features, ${flags.design} design, seed ${flags.seed}) to ${info.out}` +
      (info.testOut ? `, and ${info.testRows} test rows to ${info.testOut}` : ''),
  );
  out.print(
    `Columns: task "${info.taskColumn}", target "${info.target}". True groups: ${info.tasks
      .map((t, r) => `${t}=${(info.trueGroups[r] ?? 0) + 1}`)
      .join(', ')}`,
  );
  out.print(`Fit it: hetmtl fit ${flags.out} --task ${info.taskColumn} --target ${info.target}`);
}
