import { describeGroups, fixed, formatSeconds, formatTable, listNames } from '../format.js';
import { readModelFile } from '../model-file.js';
import type { Output } from '../output.js';

export interface InfoFlags {
  readonly json?: boolean;
}

type Doc = Awaited<ReturnType<typeof readModelFile>>['document'];

function lambdaText(v: unknown): string {
  if (v === 'Infinity') return '∞';
  if (typeof v === 'number') return v === 0 ? '0' : v.toPrecision(3);
  return String(v);
}

function encoderText(spec: unknown): string {
  if (spec === null || spec === undefined) return 'none';
  const s = spec as { kind: string; config?: Record<string, unknown> };
  const cfg = s.config && Object.keys(s.config).length > 0 ? JSON.stringify(s.config) : '';
  return `${s.kind}${cfg}`;
}

/** What `hetmtl info` shows, as plain data (no weights): also its --json output. */
function describe(doc: Doc) {
  const m = doc.model;
  const o = m.options;
  const labels = m.groups;
  const groups: string[][] = [];
  labels.forEach((g, r) => {
    (groups[g] ??= []).push(m.taskNames[r]);
  });
  const st = m.preprocessing;
  return {
    format: `${doc.format} v${doc.version}`,
    modelFormat: `${(m as { format: string }).format} v${(m as { version: number }).version}`,
    fit: doc.fit,
    columns: doc.columns,
    categorical: doc.encoding.columns
      .filter((c) => c.kind === 'categorical')
      .map((c) => ({ column: c.name, levels: c.kind === 'categorical' ? c.levels : [] })),
    missing: doc.encoding.missing,
    tasks: m.taskNames,
    features: m.featureNames,
    kind: m.kind,
    lambda: m.lambda,
    groups: groups.filter((g) => g !== undefined),
    options: {
      shared: o.shared,
      specific: o.specific,
      K0: o.K0,
      K1: o.K1,
      mu: o.mu,
      omega: o.omega,
      tau: o.tau,
      nu: o.nu,
      ridge: o.ridge,
      similarity: m.similarity,
      lambda: o.lambda,
      lambdaSelection: o.lambdaSelection,
      numLambdas: o.numLambdas,
      maxRounds: o.maxRounds,
      seed: o.seed,
      logTarget: o.logTarget === true,
    },
    preprocessing: {
      log1pColumns: doc.encoding.columns
        .filter((c) => c.kind === 'numeric' && c.transform === 'log1p')
        .map((c) => c.name),
      features: st.options.features,
      target: st.options.target,
      targetMean: st.target.pooled.mean[0],
      targetScale: st.target.pooled.scale[0],
      constantFeatures: st.constantFeatures,
    },
    candidates: m.candidates.map((c) => ({
      id: c.id,
      validationRmse: c.validationRmse,
      lambda: c.lambda,
      numGroups: c.numGroups,
      chosen: c.chosen,
      ...(c.weight !== undefined ? { weight: c.weight } : {}),
    })),
  };
}

/** `hetmtl info <model>`: tasks, groups, options, columns and preprocessing of a model file. */
export async function infoCommand(modelPath: string, flags: InfoFlags, out: Output): Promise<void> {
  const loaded = await readModelFile(modelPath);
  // Validates like predict (the model's own document check, which builds no tensors), so info
  // never describes a file that predict refuses.
  loaded.validate();
  const d = describe(loaded.document);
  if (flags.json) {
    out.json({ command: 'info', model: modelPath, ...d });
    return;
  }
  const f = d.fit;
  const o = d.options;
  const rows: [string, string][] = [
    ['file', `${modelPath} (${d.format}; model ${d.modelFormat})`],
    [
      'fitted',
      `${f.createdAt} from ${f.source} (${f.format}) on ${f.backend}, seed ${f.seed}, ${f.trainRows} training rows${f.test > 0 ? ` (${Math.round(f.test * 100)}% of each task held out: ${f.testRows} rows)` : ''}, ${formatSeconds(f.seconds)}`,
    ],
    [
      'columns',
      `task "${d.columns.task}", target "${d.columns.target}", ${d.columns.features.length} feature columns: ${listNames(d.columns.features as string[], 10)}`,
    ],
    [
      'categorical',
      d.categorical.length === 0
        ? 'none'
        : d.categorical
            .map(
              (c) =>
                `${c.column} (${c.levels.length} level${c.levels.length === 1 ? '' : 's'}: ${listNames(c.levels as string[], 8)})`,
            )
            .join('; '),
    ],
    ['missing', `${d.missing}`],
    ['tasks', `${d.tasks.length}: ${listNames(d.tasks, 15)}`],
    [
      'model',
      d.kind === 'blend'
        ? `an average of ${d.candidates.filter((c) => (c.weight ?? 0) > 0).length} candidates (weights below), λ = ${lambdaText(d.lambda)} and ${d.groups.length} groups of the heaviest`
        : d.kind === 'dual'
          ? `dual encoder, λ = ${lambdaText(d.lambda)}, ${d.groups.length} groups`
          : `linear MTL floor (identity encoder, mean-regularised), λ = ${lambdaText(d.lambda)}, ${d.groups.length} groups`,
    ],
    [
      'options',
      `shared ${encoderText(o.shared)}, task-specific ${encoderText(o.specific)}, K0 = ${o.K0}, K1 = ${o.K1}, μ = ${o.mu}, ω = ${o.omega}, τ = ${o.tau}, ν = ${o.nu}, ridge ${o.ridge}, similarity ${encoderText(o.similarity)}, λ ${lambdaText(o.lambda)} by ${o.lambdaSelection}, ${o.numLambdas} λ values, at most ${o.maxRounds} rounds, seed ${o.seed}`,
    ],
    [
      'preprocessing',
      `${d.preprocessing.log1pColumns.length > 0 ? `log(1 + v) of the skewed columns ${listNames(d.preprocessing.log1pColumns, 8)} (--skew), then ` : ''}features standardised (${d.preprocessing.features} statistics of the training rows), ${o.logTarget ? 'target log-transformed (--log-target; predictions are exp of the fitted log), then ' : 'target '}standardised (${d.preprocessing.target}: mean ${fixed(d.preprocessing.targetMean)}, sd ${fixed(d.preprocessing.targetScale)}); constant features: ${d.preprocessing.constantFeatures.length === 0 ? 'none' : listNames(d.preprocessing.constantFeatures as string[], 8)}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) out.print(`${k.padEnd(width)}  ${v}`);
  out.print('');
  out.print('groups');
  for (const line of describeGroups(d.groups, d.tasks.length)) out.print(`  ${line}`);
  if (d.candidates.length > 0) {
    out.print('');
    out.print(
      `model selection (mean validation RMSE over tasks${o.logTarget ? ', on the log scale of the target' : ''})`,
    );
    out.print(
      formatTable(
        ['candidate', 'validation RMSE', 'λ', 'groups', d.kind === 'blend' ? 'weight' : 'chosen'],
        d.candidates.map((c) => [
          c.id,
          fixed(c.validationRmse),
          lambdaText(c.lambda),
          String(c.numGroups),
          d.kind === 'blend' ? fixed(c.weight ?? 0) : c.chosen ? 'yes' : '',
        ]),
      ),
    );
  }
}
