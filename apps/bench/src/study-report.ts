import { METHOD_ID } from './roster.js';
import { mean, meanSd, sd } from './stats.js';
import type { StudyResults, StudyRun } from './study.js';
import { settingKey } from './study-designs.js';
import { linePlot } from './svg-plot.js';

function runsOf(r: StudyResults, key: string): StudyRun[] {
  return r.runs.filter((run) => run.key === key);
}

function values(runs: readonly StudyRun[], method: string, what: 'rmse' | 'ari'): number[] {
  return runs.map((run) => run.scores.find((s) => s.method === method)?.[what] ?? Number.NaN);
}

const fmtLevel = (v: number) => String(v);

/** Methods that report groups (the method and its ablations), in roster order. */
function groupMethods(r: StudyResults): string[] {
  return r.methods
    .map((m) => m.id)
    .filter((id) =>
      r.runs.some((run) => run.scores.some((s) => s.method === id && s.ari !== undefined)),
    );
}

function label(r: StudyResults, id: string): string {
  return r.methods.find((m) => m.id === id)?.label ?? id;
}

/** Paired difference a − b per replication (same seeds). */
function paired(runs: readonly StudyRun[], a: string, b: string): number[] {
  const va = values(runs, a, 'rmse');
  const vb = values(runs, b, 'rmse');
  return va.map((v, i) => v - vb[i]);
}

/**
 * The markdown report of one design: per factor a table of test RMSE (mean ± sd over replications,
 * the best mean in bold) and group recovery (ARI), the plot, where the method loses to a baseline,
 * and the time per fit.
 */
export function studyMarkdown(r: StudyResults): string {
  const lines: string[] = [
    `## ${r.title}`,
    '',
    `Command: \`${r.command}\` · ${r.machine} · backend ${r.backend} · ${r.date} · ` +
      `${r.reps} replications per point (seeds 1–${r.reps})${r.quick ? ' · **quick run (tiny sizes)**' : ''}.`,
    '',
    `Defaults: ${Object.entries(r.defaults)
      .map(([k, v]) => `${k} = ${v}`)
      .join(
        ', ',
      )}. Each factor is varied alone. Cells: test RMSE (mean over tasks of the per-task ` +
      'RMSE on fresh test rows), mean ± sd over replications; every method sees the same training, ' +
      'validation (20% of the training rows, for λ, encoders and stopping; then refit on both) and ' +
      'test rows. The best mean of each column is in bold. *oracle*: the RMSE of the noise-free ' +
      'means. ARI: adjusted Rand index of the learned groups against the true ones (1: recovered; ' +
      '≈ 0: no better than chance; λ = 0 and λ = ∞ give one group per task and one group).',
    '',
  ];
  const groupIds = groupMethods(r);
  for (const f of r.factors) {
    const cols = f.settings.map((key) => runsOf(r, key));
    lines.push(`### ${f.label}`, '', `![${r.title}: ${f.label}](${r.design}-${f.key}.svg)`, '');
    lines.push(
      `| method | ${f.levels.map((v) => `${f.key} = ${fmtLevel(v)}`).join(' | ')} |`,
      `|---|${f.levels.map(() => '---').join('|')}|`,
    );
    lines.push(
      `| *oracle* | ${cols.map((runs) => meanSd(runs.map((x) => x.oracle))).join(' | ')} |`,
    );
    const best = cols.map((runs) =>
      Math.min(...r.methods.map((m) => mean(values(runs, m.id, 'rmse')))),
    );
    for (const m of r.methods) {
      const cells = cols.map((runs, i) => {
        const v = values(runs, m.id, 'rmse');
        const cell = meanSd(v);
        return mean(v) === best[i] ? `**${cell}**` : cell;
      });
      lines.push(`| ${m.label} | ${cells.join(' | ')} |`);
    }
    for (const id of groupIds) {
      lines.push(
        `| ARI: ${label(r, id)} | ${cols.map((runs) => meanSd(values(runs, id, 'ari'), 2)).join(' | ')} |`,
      );
    }
    lines.push('');
  }
  lines.push(...whereItLoses(r), '', ...timeTable(r), '');
  return lines.join('\n');
}

/** Every setting: the method against the best baseline, paired over the same replications. */
function whereItLoses(r: StudyResults): string[] {
  const baselines = r.methods.filter((m) => m.kind === 'baseline').map((m) => m.id);
  if (!r.methods.some((m) => m.id === METHOD_ID) || !baselines.length) return [];
  const out = [
    `### ${METHOD_ID} against the best baseline, setting by setting`,
    '',
    'Best baseline: the baseline with the lowest mean test RMSE at that setting. Gap: paired ' +
      `difference ${METHOD_ID} − best baseline over the same replications (mean ± sd; negative: ${METHOD_ID} ` +
      `better). Wins: replications where ${METHOD_ID} had the lower RMSE.`,
    '',
    `| setting | ${METHOD_ID} | best baseline | gap | wins | ${label(r, 'hetmtl-mlp')} |`,
    '|---|---|---|---|---|---|',
  ];
  const seen = new Set<string>();
  for (const f of r.factors) {
    f.settings.forEach((key, i) => {
      if (seen.has(key)) return;
      seen.add(key);
      const runs = runsOf(r, key);
      const name =
        key === settingKey(r.defaults) ? 'defaults' : `${f.key} = ${fmtLevel(f.levels[i])}`;
      const bestId = baselines.reduce((a, b) =>
        mean(values(runs, b, 'rmse')) < mean(values(runs, a, 'rmse')) ? b : a,
      );
      const gap = paired(runs, METHOD_ID, bestId);
      const wins = gap.filter((d) => d < 0).length;
      const mlp = r.methods.some((m) => m.id === 'hetmtl-mlp')
        ? meanSd(values(runs, 'hetmtl-mlp', 'rmse'))
        : 'n/a';
      const g = mean(gap);
      out.push(
        `| ${name} | ${meanSd(values(runs, METHOD_ID, 'rmse'))} | ${label(r, bestId)} ${mean(values(runs, bestId, 'rmse')).toFixed(3)} | ` +
          `${g > 0 ? '**' : ''}${g >= 0 ? '+' : ''}${g.toFixed(3)} ± ${sd(gap).toFixed(3)}${g > 0 ? '**' : ''} | ${wins}/${gap.length} | ${mlp} |`,
      );
    });
  }
  return out;
}

function timeTable(r: StudyResults): string[] {
  const out = [
    '### Time per fit',
    '',
    'Seconds per fit (selection, refit and test scoring), mean over every setting and replication.',
    '',
    '| method | s per fit |',
    '|---|---|',
  ];
  for (const m of r.methods) {
    const s = r.runs.flatMap((run) =>
      run.scores.filter((x) => x.method === m.id).map((x) => x.seconds),
    );
    out.push(`| ${m.label} | ${mean(s).toFixed(2)} |`);
  }
  return out;
}

/** One SVG per factor: mean test RMSE against the factor's levels, a line per method. */
export function studyPlots(r: StudyResults): [string, string][] {
  return r.factors.map((f) => {
    const cols = f.settings.map((key) => runsOf(r, key));
    const svg = linePlot({
      title: `${r.title}: ${f.label}`,
      xLabel: f.label,
      yLabel: `test RMSE (mean of ${r.reps})`,
      xTicks: f.levels.map(fmtLevel),
      series: [
        {
          label: 'oracle',
          values: cols.map((runs) => mean(runs.map((x) => x.oracle))),
          style: 'dashed',
          colour: '#999999',
        },
        ...r.methods.map((m) => ({
          label: m.label,
          values: cols.map((runs) => mean(values(runs, m.id, 'rmse'))),
          style:
            m.kind === 'method'
              ? ('bold' as const)
              : m.kind === 'ablation'
                ? ('dashed' as const)
                : ('thin' as const),
        })),
      ],
    });
    return [`${r.design}-${f.key}.svg`, svg];
  });
}
