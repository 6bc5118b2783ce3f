import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fromTaskArrays, type MultiTaskDataset, simulatePdxLike } from '@hetmtl/data';
import { identity } from '@hetmtl/encoders';
import { adjustedRandIndex } from '@hetmtl/estimator';
import { DualEncoderRegressor, type DualEncoderOptions } from '@hetmtl/model';
import { selectBackend } from './backends.js';
import { mean, meanSd } from './stats.js';
import { formatTable } from './table.js';

/** One learner of the group-recovery check. */
interface GroupLearner {
  readonly id: string;
  readonly label: string;
  /** Whether it sees the true shared factors instead of the genes. */
  readonly oracle: boolean;
  readonly options: DualEncoderOptions;
}

const DUAL_LOG: DualEncoderOptions = {
  selection: { linearFloor: false, trunk: false },
  logTarget: true,
};

const LEARNERS: readonly GroupLearner[] = [
  {
    id: 'dual-K0-4',
    label: 'dual encoder, log target (K0 = 4, default)',
    oracle: false,
    options: DUAL_LOG,
  },
  {
    id: 'dual-K0-3',
    label: 'dual encoder, log target, K0 = 3 (the truth)',
    oracle: false,
    options: { ...DUAL_LOG, K0: 3 },
  },
  {
    id: 'oracle',
    label: 'oracle: the true shared factors, the same λ path and BIC',
    oracle: true,
    options: { ...DUAL_LOG, shared: identity(), specific: null, K1: 0 },
  },
];

export interface GroupResult {
  readonly learner: string;
  readonly rows: string;
  readonly seed: number;
  readonly ari: number;
  readonly numGroups: number;
  readonly rmse: number;
}

/**
 * The true shared factors of every row, f = (AᵀA)⁻¹Aᵀ(x − gene baseline) with the simulation's
 * loadings A (orthogonal columns): exact up to the expression noise, which the p genes average out.
 */
function trueFactors(
  ds: MultiTaskDataset,
  loadings: Float64Array,
  baseline: Float64Array,
  p: number,
): MultiTaskDataset {
  const K = loadings.length / p;
  const colSq = Array.from({ length: K }, (_, k) => {
    let s = 0;
    for (let j = 0; j < p; j++) s += loadings[j * K + k] ** 2;
    return s;
  });
  const tasks: Record<string, { X: Float64Array; y: Float64Array }> = {};
  for (const t of ds.tasks()) {
    const F = new Float64Array(t.n * K);
    for (let i = 0; i < t.n; i++)
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += loadings[j * K + k] * (t.X[i * p + j] - baseline[j]);
        F[i * K + k] = s / colSq[k];
      }
    tasks[t.name] = { X: F, y: t.y };
  }
  return fromTaskArrays(tasks);
}

/**
 * `hetmtl-bench wide-groups`: can the PDX-like design's groups (BRCA = CRC, CM = NSCLC, PDAC) be
 * recovered at all? The dual encoder (no floor, log target: the design's response is log-normal)
 * at the default K0 = 4 and at the truth's K0 = 3, next to an oracle that fits the method's
 * coefficient block (the same MCP λ path and modified BIC) on the true shared factors, at the
 * design's 20–45 training rows per task and at 60 and 120. ARI of the learned groups against the
 * truth, mean ± sd over seeds; writes wide-groups.json into `out`.
 */
export async function runWideGroups(options: {
  readonly p: number;
  /** Only the design's rows, and short fits (checks that the command runs, not its numbers). */
  readonly quick: boolean;
  readonly seeds: number;
  readonly backend?: string;
  readonly out: string;
}): Promise<boolean> {
  const backendName = await selectBackend(options.backend);
  const sizes: readonly (number | undefined)[] = options.quick ? [undefined] : [undefined, 60, 120];
  const short = options.quick ? { maxRounds: 2, stepsPerBlock: 5, numLambdas: 6 } : {};
  const results: GroupResult[] = [];
  for (const n of sizes) {
    const rows = n === undefined ? '20–45 (the design)' : String(n);
    for (let seed = 1; seed <= options.seeds; seed++) {
      const sim = simulatePdxLike({ seed, p: options.p, ...(n !== undefined ? { n } : {}) });
      const truth = [...sim.truth.groups];
      for (const learner of LEARNERS) {
        const [train, test] = learner.oracle
          ? [sim.train, sim.test].map((ds) =>
              trueFactors(ds, sim.truth.sharedLoadings.data, sim.truth.geneBaseline, options.p),
            )
          : [sim.train, sim.test];
        const m = new DualEncoderRegressor({ seed, ...learner.options, ...short });
        await m.fit(train);
        const groups = m.groupLabels();
        results.push({
          learner: learner.id,
          rows,
          seed,
          ari: adjustedRandIndex(groups, truth),
          numGroups: new Set(groups).size,
          rmse: m.evaluate(test).meanTaskRmse,
        });
        m.dispose();
        console.error(
          `wide-groups rows ${rows} seed ${seed} ${learner.id}: groups ${groups.join('')} (truth ${truth.join('')})`,
        );
      }
    }
  }
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'wide-groups.json'), `${JSON.stringify(results, null, 1)}\n`);
  console.log(
    `Group recovery on the PDX-like design at p = ${options.p}: ${options.seeds} seeds, backend ${backendName}, load average ${loadavg()[0]?.toFixed(2)}`,
  );
  console.log(
    formatTable(
      ['training rows per task', 'learner', 'ARI', 'groups (mean)', 'test RMSE'],
      sizes.flatMap((n) => {
        const rows = n === undefined ? '20–45 (the design)' : String(n);
        return LEARNERS.map((l) => {
          const rs = results.filter((r) => r.rows === rows && r.learner === l.id);
          return [
            rows,
            l.label,
            meanSd(
              rs.map((r) => r.ari),
              2,
            ),
            mean(rs.map((r) => r.numGroups)).toFixed(1),
            meanSd(rs.map((r) => r.rmse)),
          ];
        });
      }),
    ),
  );
  return true;
}
