import { simulateFactor } from '@hetmtl/data';
import { DualEncoderRegressor } from '@hetmtl/model';
import { adjustedRandIndex } from '@hetmtl/estimator';
import { activateBackend, describeBackend } from '../backends.js';
import { fixed, formatSeconds, jsonNumber } from '../format.js';
import { interruptible } from '../interrupt.js';
import { type ModelFlags, modelOptions } from '../model-options.js';
import type { Output } from '../output.js';
import { ProgressBar } from '../progress.js';
import {
  comparisonJson,
  comparisonTable,
  compareWithBaselines,
  groupLines,
  modelSummaryJson,
  selectionLines,
} from '../report.js';

export interface DemoFlags extends ModelFlags {
  readonly backend: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** Sizes of `demo --quick`: the same design, smaller (seconds instead of a minute). */
export const QUICK_SIMULATION = Object.freeze({ p: 30, n: 60, testRows: 200 });

/**
 * `hetmtl demo`: the default factor simulation of method.md §7 (5 tasks in 3 true groups), fitted
 * with model selection, scored on its test rows next to per-task and pooled ridge, with the
 * learned groups next to the true ones. No files, no network.
 */
export async function demoCommand(flags: DemoFlags, out: Output): Promise<void> {
  const t0 = performance.now();
  const sim = simulateFactor({ seed: flags.seed, ...(flags.quick ? QUICK_SIMULATION : {}) });
  // Flag mistakes (--k0 above p, say) are usage errors before any work.
  const options = modelOptions(flags, sim.train.numFeatures);
  const backend = await activateBackend(flags.backend);
  const s = sim.settings;
  const intro = `Factor design of method.md §7 (seed ${flags.seed}${flags.quick ? ', --quick sizes' : ''}): ${sim.train.numTasks} tasks × ${s.n[0]} training rows, p = ${s.p}, ${s.testRows[0]} test rows per task, noise sd σ = ${s.sigma}; backend ${describeBackend(backend)}`;
  out.info(`Fitting the factor simulation on ${describeBackend(backend)}…`);
  const bar = new ProgressBar('fit', { enabled: !flags.quiet });
  const model = new DualEncoderRegressor(options);
  try {
    const comparison = await interruptible(
      async (signal) => {
        bar.start();
        try {
          await model.fit(sim.train, { signal, onProgress: bar.fitCallback(0, 0.95) });
          bar.update(0.95, 'baselines: per-task and pooled ridge');
          const comparison = await compareWithBaselines(model, sim.train, sim.test, {
            seed: flags.seed,
            signal,
          });
          bar.update(1, 'done');
          return comparison;
        } finally {
          bar.stop();
        }
      },
      () => out.info('\nhetmtl: interrupt received, stopping the demo'),
    );
    const seconds = (performance.now() - t0) / 1000;
    const truth = sim.truth.groups;
    const learned = model.groupLabels();
    const ari = adjustedRandIndex(learned, [...truth]);
    if (flags.json) {
      out.json({
        command: 'demo',
        design: 'factor',
        settings: { ...s, n: [...s.n], testRows: [...s.testRows], groups: [...s.groups] },
        backend: backend.name,
        ...comparisonJson(comparison),
        model: modelSummaryJson(model),
        trueGroups: [...truth],
        learnedGroups: learned,
        adjustedRandIndex: jsonNumber(ari),
        seconds,
      });
      return;
    }
    out.print(intro);
    out.print('');
    out.print('Test rows: RMSE / R² (the noise sd is the best RMSE possible)');
    const index = new Map(sim.train.taskNames.map((t, r) => [t, r]));
    out.print(
      comparisonTable(comparison, {
        header: ['group', 'true group'],
        cells: (task) => {
          const r = index.get(task) ?? 0;
          return [String((learned[r] ?? 0) + 1), String((truth[r] ?? 0) + 1)];
        },
      }),
    );
    out.print('');
    for (const line of selectionLines(model)) out.print(line);
    out.print('Learned groups:');
    for (const line of groupLines(model)) out.print(`  ${line}`);
    out.print(
      `Adjusted Rand index of the learned groups vs the true ones: ${fixed(ari, 2)} (1 = the same partition)`,
    );
    out.print(`Done in ${formatSeconds(seconds)}.`);
  } finally {
    model.dispose();
  }
}
