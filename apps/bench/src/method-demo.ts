import { RidgeRegressor } from '@hetmtl/baselines';
import { simulateFactor } from '@hetmtl/data';
import { DualEncoderRegressor } from '@hetmtl/model';
import { adjustedRandIndex } from '@hetmtl/estimator';
import { useBackend } from '@hetmtl/tensor';
import { BACKENDS } from './backends.js';
import { formatTable } from './table.js';

export interface MethodDemoOptions {
  readonly backend?: string;
  readonly seed?: number;
  /** Smaller simulation and fewer rounds (CI). */
  readonly quick?: boolean;
}

/**
 * The main demo: the method on the default factor simulation of method.md §7, with per-task RMSE
 * next to per-task ridge, the learned groups and the true ones. No files or network needed.
 */
export async function methodDemo(options: MethodDemoOptions = {}): Promise<boolean> {
  const seed = options.seed ?? 1;
  const make = BACKENDS[options.backend ?? 'wasm'];
  if (!make)
    throw new Error(
      `unknown backend "${options.backend}" (known: ${Object.keys(BACKENDS).join(', ')})`,
    );
  const backend = await useBackend(await make());
  const sim = simulateFactor({ seed, ...(options.quick ? { p: 30, n: 60 } : {}) });
  console.log(
    `Factor design of method.md §7 (seed ${seed}): ${sim.train.numTasks} tasks × ${sim.train.sizes[0]} training rows, p = ${sim.train.numFeatures}, ` +
      `${sim.test.sizes[0]} test rows per task; backend ${backend.name}${backend.simd ? ' (SIMD)' : ''}\n`,
  );
  const t0 = performance.now();
  const model = await new DualEncoderRegressor({
    seed,
    ...(options.quick ? { maxRounds: 3, numLambdas: 8 } : {}),
  }).fit(sim.train);
  const fitSeconds = (performance.now() - t0) / 1000;
  const ridge = await new RidgeRegressor({ mode: 'per-task', seed }).fit(sim.train);
  const ev = model.evaluate(sim.test);
  const evRidge = ridge.evaluate(sim.test);
  const labels = model.groupLabels();
  const truth = sim.truth.groups;
  const rows = sim.test.taskNames.map((name, r) => [
    name,
    (ev.tasks[name]?.rmse ?? Number.NaN).toFixed(3),
    (evRidge.tasks[name]?.rmse ?? Number.NaN).toFixed(3),
    String((labels[r] ?? 0) + 1),
    String((truth[r] ?? 0) + 1),
  ]);
  rows.push(['mean', ev.meanTaskRmse.toFixed(3), evRidge.meanTaskRmse.toFixed(3), '', '']);
  console.log(
    formatTable(
      ['task', 'test RMSE (hetmtl)', 'test RMSE (per-task ridge)', 'group', 'true group'],
      rows,
    ),
  );
  const s = model.summary();
  console.log(
    `\nchosen: ${s.kind === 'dual' ? 'dual encoder' : 'linear MTL floor'}, λ = ${s.lambda.toPrecision(3)}, ${s.numGroups} groups; ` +
      `adjusted Rand index vs the true groups ${adjustedRandIndex(labels, [...truth]).toFixed(2)}; fit ${fitSeconds.toFixed(1)} s`,
  );
  console.log(`oracle RMSE (noise sd) ${sim.settings.sigma}`);
  model.dispose();
  ridge.dispose();
  return Number.isFinite(ev.meanTaskRmse);
}
