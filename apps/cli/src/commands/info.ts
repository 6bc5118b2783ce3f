import {
  describeGroups,
  fixed,
  formatLambda,
  formatSeconds,
  formatTable,
  jsonLambda,
  listNames,
} from '../format.js';
import { readModelFile } from '../model-file.js';
import type { Output } from '../output.js';

export interface InfoFlags {
  readonly json?: boolean;
}

type Doc = Awaited<ReturnType<typeof readModelFile>>['document'];

/** λ as the model document stores it (a number, or "Infinity" for ∞), as a number. */
function lambdaValue(v: unknown): number {
  return v === 'Infinity' ? Number.POSITIVE_INFINITY : Number(v);
}

function lambdaText(v: unknown): string {
  if (v === 'path') return 'path';
  return formatLambda(lambdaValue(v));
}

/** The options option `lambda` ("path", a number, ∞) in --json: never the string "Infinity". */
function lambdaOptionJson(v: unknown) {
  return v === 'path'
    ? { lambda: 'path' as const, lambdaInfinite: false }
    : jsonLambda(lambdaValue(v));
}

function encoderText(spec: unknown): string {
  if (spec === null || spec === undefined) return 'none';
  const s = spec as { kind: string; config?: Record<string, unknown> };
  const cfg = s.config && Object.keys(s.config).length > 0 ? JSON.stringify(s.config) : '';
  return `${s.kind}${cfg}`;
}

type Settings = Readonly<Record<string, number | string>>;

/**
 * The options of the candidate model selection chose: the fit's options with the candidate's own
 * settings (a grid candidate changes K0, K1, μ, ω or the mlp width; the linear floor is the
 * identity encoder with a quadratic pull to the common centre, and no encoders of its own).
 */
function chosenOptions(doc: Doc) {
  const m = doc.model;
  const o = m.options;
  const c = m.candidates.find((x) => x.chosen);
  const settings: Settings = (c as { settings?: Settings } | undefined)?.settings ?? {};
  // A blend's chosen candidate is its heaviest component (its λ and groups are the model's).
  const kind = m.kind === 'blend' ? (c?.kind ?? 'dual') : m.kind;
  const base = {
    id: c?.id ?? (kind === 'dual' ? 'dual' : 'linear-mtl'),
    kind,
    ...jsonLambda(lambdaValue(m.lambda)),
    validationRmse: c?.validationRmse ?? null,
    ...(c?.weight !== undefined ? { weight: c.weight } : {}),
  };
  if (kind === 'linear')
    return {
      ...base,
      encoder: 'identity (the standardised features)',
      specific: null,
      K1: 0,
      similarity: 'centre (quadratic): each task’s β pulled toward the mean β',
      ridge: o.ridge,
    };
  const K1 = Number(settings.K1 ?? o.K1);
  // A candidate of another encoder kind than the options' (the trunk: mlp/none) names its kinds.
  const [sharedKind, specificKind] = String(settings.encoder ?? '').split('/');
  return {
    ...base,
    shared:
      sharedKind && sharedKind !== (o.shared as { kind?: string } | null)?.kind
        ? { kind: sharedKind }
        : o.shared,
    specific: K1 === 0 || specificKind === 'none' ? null : o.specific,
    ...(settings.heads !== undefined ? { heads: settings.heads } : {}),
    ...(settings.width !== undefined ? { width: settings.width } : {}),
    K0: Number(settings.K0 ?? o.K0),
    K1,
    mu: Number(settings.mu ?? o.mu),
    omega: Number(settings.omega ?? o.omega),
    tau: o.tau,
    nu: o.nu,
    ridge: o.ridge,
    similarity: m.similarity,
    lambdaSelection: o.lambda === 'path' ? o.lambdaSelection : 'fixed',
    rounds: (c as { bestRound?: number } | undefined)?.bestRound ?? null,
  };
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
  const family = (o as { family?: string }).family ?? 'gaussian';
  const input = doc.fit?.family;
  return {
    format: `${doc.format} v${doc.version}`,
    family,
    ...(input?.positive !== undefined
      ? { positive: input.positive, negative: input.negative ?? null }
      : {}),
    rowColumns: {
      weights: input?.trials ?? input?.weights ?? null,
      offset: input?.offset ?? null,
      exposure: input?.exposure ?? null,
      trials: input?.trials ?? null,
    },
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
    ...jsonLambda(lambdaValue(m.lambda)),
    groups: groups.filter((g) => g !== undefined),
    /** The options of the candidate that won model selection (what the saved model is). */
    chosen: chosenOptions(doc),
    /** The options the fit was given, which every candidate starts from. */
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
      ...lambdaOptionJson(o.lambda),
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
      ...jsonLambda(lambdaValue(c.lambda)),
      numGroups: c.numGroups,
      chosen: c.chosen,
      ...(c.weight !== undefined ? { weight: c.weight } : {}),
    })),
  };
}

/** The family and its row-value columns in one line. */
function familyText(d: ReturnType<typeof describe>): string {
  const parts: string[] = [
    d.family === 'gaussian'
      ? 'gaussian (identity link, squared error)'
      : d.family === 'binomial'
        ? 'binomial (logit link; predictions are probabilities)'
        : 'poisson (log link; predictions are expected counts)',
  ];
  if (d.positive !== undefined)
    parts.push(
      `target ${JSON.stringify(d.positive)} read as 1${d.negative ? `, ${JSON.stringify(d.negative)} as 0` : ''}`,
    );
  const c = d.rowColumns;
  if (c.trials !== null)
    parts.push(`successes out of the trials of column "${c.trials}" (--trials)`);
  else if (c.weights !== null) parts.push(`rows weighted by column "${c.weights}" (--weights)`);
  if (c.offset !== null) parts.push(`offset from column "${c.offset}" (--offset)`);
  if (c.exposure !== null) parts.push(`offset log of column "${c.exposure}" (--exposure)`);
  return parts.join('; ');
}

/** The chosen candidate's options in one line. */
function chosenText(c: ReturnType<typeof chosenOptions>): string {
  const lambda = `λ = ${c.lambdaInfinite ? '∞' : formatLambda(c.lambda ?? Number.NaN)}`;
  if (c.kind === 'linear' || !('shared' in c))
    return `of the chosen candidate "${c.id}": identity encoder (the standardised features), no task-specific factors (K1 = 0), each task's coefficients pulled toward their common centre (quadratic penalty, ${lambda} by validation), ridge ${c.ridge}`;
  return `of the chosen candidate "${c.id}": shared ${encoderText(c.shared)}${c.width !== undefined ? ` width ${c.width}` : ''}, task-specific ${encoderText(c.specific)}, K0 = ${c.K0}, K1 = ${c.K1}${'heads' in c && c.heads === 'pooled' ? ' (one common head while the encoder learns)' : ''}, μ = ${c.mu}, ω = ${c.omega}, τ = ${c.tau}, ν = ${c.nu}, ridge ${c.ridge}, similarity ${encoderText(c.similarity)}, ${lambda} (${c.lambdaSelection === 'fixed' ? 'fixed by --lambda' : `by ${c.lambdaSelection} on the path`})${c.rounds !== null ? `, ${c.rounds} encoder round${c.rounds === 1 ? '' : 's'}` : ''}`;
}

/** Which rows the saved model was fitted on, and those of the report. */
function fittedRows(f: Doc['fit']): string {
  const held = `${Math.round(f.test * 100)}% of each task held out`;
  if (f.refitted)
    return `refitted on all ${f.trainRows} rows after the held-out report (${f.reportTrainRows} training rows, ${held}: ${f.testRows} rows)`;
  if (f.test > 0)
    return `${f.trainRows} training rows (${held} for the report: ${f.testRows} rows)`;
  return `${f.trainRows} training rows (all rows)`;
}

/** `hetmtl info <model>`: tasks, groups, options, columns and preprocessing of a model file. */
export async function infoCommand(modelPath: string, flags: InfoFlags, out: Output): Promise<void> {
  const loaded = await readModelFile(modelPath);
  // Validates like predict (the model's own document check, which builds no tensors), so info
  // never describes a file that predict refuses.
  loaded.validate();
  const d = describe(loaded.document);
  const m = loaded.document.model;
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
      `${f.createdAt} from ${f.source} (${f.format}) on ${f.backend}, seed ${f.seed}, ${fittedRows(f)}, ${formatSeconds(f.seconds)}`,
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
    ['family', familyText(d)],
    ['missing', `${d.missing}`],
    ['tasks', `${d.tasks.length}: ${listNames(d.tasks, 15)}`],
    [
      'model',
      d.kind === 'blend'
        ? `an average of ${d.candidates.filter((c) => (c.weight ?? 0) > 0).length} candidates (weights below), λ = ${lambdaText(m.lambda)} and ${d.groups.length} group${d.groups.length === 1 ? '' : 's'} of the heaviest (candidate "${d.chosen.id}")`
        : `${d.kind === 'dual' ? 'dual encoder' : 'linear MTL floor (identity encoder, mean-regularised)'}, λ = ${lambdaText(m.lambda)}, ${d.groups.length} group${d.groups.length === 1 ? '' : 's'} (candidate "${d.chosen.id}"${d.candidates.length > 1 ? ` of ${d.candidates.length}` : ''})`,
    ],
    ['options', chosenText(d.chosen)],
    [
      'selection',
      `${d.candidates.length} candidate${d.candidates.length === 1 ? '' : 's'} from the options shared ${encoderText(o.shared)}, task-specific ${encoderText(o.specific)}, K0 = ${o.K0}, K1 = ${o.K1}, μ = ${o.mu}, ω = ${o.omega}; ${m.options.lambda === 'path' ? `λ on a path of ${o.numLambdas} values by ${o.lambdaSelection}` : `λ fixed at ${lambdaText(m.options.lambda)}`}, at most ${o.maxRounds} rounds, seed ${o.seed}`,
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
      `model selection (mean validation ${d.family === 'gaussian' ? 'RMSE' : 'deviance'} over tasks${o.logTarget ? ', on the log scale of the target' : ''})`,
    );
    out.print(
      formatTable(
        [
          'candidate',
          d.family === 'gaussian' ? 'validation RMSE' : 'validation deviance',
          'λ',
          'groups',
          d.kind === 'blend' ? 'weight' : 'chosen',
        ],
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
