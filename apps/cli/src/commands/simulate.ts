import { extname, resolve } from 'node:path';
import {
  type MultiTaskDataset,
  simulateCovariate,
  simulateFactor,
  simulatePdxLike,
  toCsv,
} from '@hetmtl/data';
import type { Design } from '../choices.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../model-file.js';
import type { Output } from '../output.js';

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
  readonly seed: number;
  readonly out?: string;
  readonly testOut?: string;
  readonly json?: boolean;
}

/** The simulation of method.md §7 the flags describe (defaults of @hetmtl/data otherwise). */
export function simulate(flags: SimulateFlags) {
  const common = {
    seed: flags.seed,
    ...(flags.n !== undefined ? { n: flags.n } : {}),
    ...(flags.testRows !== undefined ? { testRows: flags.testRows } : {}),
    ...(flags.p !== undefined ? { p: flags.p } : {}),
    ...(flags.deltaX !== undefined ? { deltaX: flags.deltaX } : {}),
    ...(flags.deltaY !== undefined ? { deltaY: flags.deltaY } : {}),
    ...(flags.sigma !== undefined ? { sigma: flags.sigma } : {}),
  };
  switch (flags.design) {
    case 'factor':
      return simulateFactor({
        ...common,
        ...(flags.tasks !== undefined ? { numTasks: flags.tasks } : {}),
        ...(flags.alpha !== undefined ? { alpha: flags.alpha } : {}),
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

function serialise(ds: MultiTaskDataset, path: string | undefined): string {
  if (path !== undefined && extname(path).toLowerCase() === '.json') {
    const records: Record<string, string | number>[] = [];
    const { taskColumn, target } = ds.encoding;
    for (const t of ds.tasks()) {
      for (let i = 0; i < t.n; i++) {
        const rec: Record<string, string | number> = { [taskColumn]: t.name };
        ds.featureNames.forEach((f, j) => {
          rec[f] = t.X[i * t.p + j] as number;
        });
        rec[target] = t.y[i] as number;
        records.push(rec);
      }
    }
    return `${JSON.stringify(records)}\n`;
  }
  return toCsv(ds);
}

/** `hetmtl simulate`: writes a simulated multi-task dataset (CSV, or JSON records for .json). */
export async function simulateCommand(flags: SimulateFlags, out: Output): Promise<void> {
  const sim = simulate(flags);
  if (flags.out === undefined) {
    if (flags.testOut !== undefined)
      throw new UsageError('--test-out needs --out', 'Pass --out train.csv as well');
    process.stdout.write(serialise(sim.train, undefined));
    return;
  }
  await writeFileAtomic(flags.out, serialise(sim.train, flags.out));
  if (flags.testOut !== undefined)
    await writeFileAtomic(flags.testOut, serialise(sim.test, flags.testOut));
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
