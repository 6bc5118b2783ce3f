import { resolve } from 'node:path';
import {
  keepColumns,
  log1pColumns,
  type MissingPolicy,
  type MultiTaskDataset,
  mostVariableColumns,
  readReportNotes,
  repeatedSplits,
  trainTestSplit,
} from '@hetmtl/data';
import { logOfTarget } from '@hetmtl/estimator';
import { DualEncoderRegressor } from '@hetmtl/model';
import { throwIfAborted } from '@hetmtl/optimizer';
import { activateBackend, describeBackend } from '../backends.js';
import { VERSION } from '../choices.js';
import { CliError, UsageError } from '../errors.js';
import { featureEffects } from '../effects.js';
import { formatLambda, formatSeconds, jsonLambda, jsonNumber } from '../format.js';
import { interruptible } from '../interrupt.js';
import { modelDocument, writeFileAtomic } from '../model-file.js';
import { type ModelFlags, modelOptions } from '../model-options.js';
import { ProgressBar } from '../progress.js';
import { cliOptionWords, readerOptionsFromFlags } from '../option-flags.js';
import { checkOutputPath } from '../output-path.js';
import { readTrainingData } from '../read-data.js';
import {
  checkTargets,
  checkTrials,
  expandTrials,
  type FamilyFlags,
  familyFromFlags,
  familyHint,
  familyReaderOptions,
  inFileRowsOf,
  isTextTargetError,
  type SavedFamilyInput,
} from '../family-input.js';
import { type HetmtlError, ValidationError } from '@hetmtl/tensor';
import { type SkewChoice, type SkewMode, skewInputs, skewLine } from '../skew-inputs.js';
import {
  cellLabel,
  type Comparison,
  comparisonJson,
  comparisonTable,
  compareWithBaselines,
  groupLines,
  modelSummaryJson,
  selectionLines,
  taskNotes,
} from '../report.js';
import type { Output } from '../output.js';
import { type Repeats, repeatLines, repeatsJson } from '../repeats.js';

export interface FitFlags extends ModelFlags, FamilyFlags {
  readonly task: string;
  readonly target: string;
  readonly features?: string[];
  readonly exclude?: string[];
  readonly categorical?: string[];
  readonly numeric?: string[];
  readonly missing?: MissingPolicy;
  readonly naValues?: string[];
  readonly unseenLevels?: 'error' | 'zero';
  /** Refuse tasks too small to split and constant targets (today's refusals). */
  readonly strict?: boolean;
  readonly format?: string;
  readonly delimiter?: string;
  readonly backend: string;
  readonly out: string;
  /** Commander's --no-save. */
  readonly save: boolean;
  readonly test: number;
  readonly json?: boolean;
  readonly quiet?: boolean;
  /** Keep the k most variable numeric feature columns, chosen on the training rows. */
  readonly maxFeatures?: number;
  /** Skewed non-negative numeric columns: log1p when validation says it helps (auto), always, or never. */
  readonly skew?: SkewMode;
  /** --top: rows of the per-task table with many tasks. */
  readonly top?: number | 'all';
  /** --repeats: that many repeated stratified splits after the report (mean ± sd, paired wins). */
  readonly repeats?: number;
  /** Commander's --no-refit: false saves the report's model (fitted on the training rows only). */
  readonly refit?: boolean;
}

/** What was saved: the report's model, or the chosen candidate refitted on every row. */
export interface SavedFit {
  readonly refitted: boolean;
  /** Rows the saved model was fitted on. */
  readonly rows: number;
  readonly kind: 'dual' | 'linear' | 'blend';
  readonly lambda: number;
  readonly groups: string[][];
  /** --json: per-feature effects (linear models), coefficients and the λ path of the saved model. */
  readonly effects?: ReturnType<typeof featureEffects>;
  readonly coefficients?: ReturnType<DualEncoderRegressor['coefficients']>;
  readonly lambdaPath?: readonly unknown[];
}

/** `hetmtl fit <file>`: read, split, fit with model selection, compare, save. */
export async function fitCommand(file: string, flags: FitFlags, out: Output): Promise<void> {
  const t0 = performance.now();
  const family = familyFromFlags(flags);
  modelOptions(flags); // flag mistakes are usage errors before any work
  if (flags.repeats !== undefined && !(flags.test > 0))
    throw new UsageError(
      `--repeats ${flags.repeats} repeats the held-out split, and --test 0 holds out no rows`,
      'Pass --test 0.2 (or another share) with --repeats, or drop --repeats',
    );
  if (flags.save)
    await checkOutputPath(flags.out, '--out', [{ path: file, what: 'the training data' }]);
  const bar = new ProgressBar('fit', { enabled: !flags.quiet });
  let model: DualEncoderRegressor | null = null;
  try {
    const result = await interruptible(
      async (signal) => {
        const readOptions = {
          ...(flags.format ? { format: flags.format } : {}),
          ...(flags.delimiter ? { delimiter: flags.delimiter } : {}),
        };
        // The checks after the read (weights, offsets, the family's targets, trials) name the file row.
        let dropped = 0;
        const { dataset, format } = await inFileRowsOf(
          file,
          readOptions,
          flags.task,
          flags,
          family,
          async () => {
            const read = await readTrainingData(
              file,
              {
                task: flags.task,
                target: flags.target,
                ...readerOptionsFromFlags(flags as unknown as Record<string, unknown>),
              },
              readOptions,
              familyReaderOptions(flags, family),
            ).catch((e: unknown) => {
              throw family === 'gaussian' && isTextTargetError(e, flags.target)
                ? withTextTargetHint(e as HetmtlError)
                : e;
            });
            dropped = read.dataset.report?.rowsDropped ?? 0;
            if (flags.trials !== undefined) checkTrials(read.dataset, flags.trials);
            else checkTargets(read.dataset, family);
            return read;
          },
          () => dropped,
        );
        if (family === 'gaussian' && dataset.weights === null) {
          const hint = familyHint(dataset);
          if (hint) out.info(hint);
        }
        if (flags.strict) refuseTinyTasks(dataset, flags.test);
        // --log-target: a target ≤ 0 is refused before the split, numbered as the task's rows are.
        if (flags.logTarget) logOfTarget(dataset, 'training');
        let train: MultiTaskDataset = dataset;
        // Every row, read as the training rows are (--max-features, --skew): what the saved model is refitted on.
        let all: MultiTaskDataset = dataset;
        let evaluation: MultiTaskDataset = dataset;
        let tasksWithoutTest: readonly string[] = [];
        if (flags.test > 0) {
          const split = trainTestSplit(dataset, { test: flags.test, seed: flags.seed });
          train = split.train;
          evaluation = split.test;
          tasksWithoutTest = split.tasksWithoutTest;
        }
        if (flags.maxFeatures !== undefined) checkMaxFeatures(dataset, flags.maxFeatures, file);
        const prepared = await prepare(dataset, train, evaluation, flags, signal);
        const { skew } = prepared;
        train = prepared.train;
        evaluation = prepared.evaluation;
        all = prepared.all;
        const binaryTarget = dataset.report?.binaryTarget;
        // Refit on every row after the report (unless --no-refit; nothing to add with --test 0 or --no-save).
        const refit = flags.refit !== false && flags.test > 0 && flags.save;
        const dataNotes = dataset.report ? readReportNotes(dataset.report, cliOptionWords) : [];
        dataNotes.push(...familyNotes(dataset, flags, family));
        const skewNote = skewLine(skew.choice);
        if (skewNote) dataNotes.push(skewNote);
        const backend = await activateBackend(flags.backend);
        throwIfAborted(signal);
        out.info(
          `Fitting ${dataset.numTasks} tasks × ${train.numFeatures} features${train.numFeatures < dataset.numFeatures ? ` (the ${train.numFeatures} most variable of ${dataset.numFeatures}, --max-features)` : ''} (${train.totalRows} training rows${flags.test > 0 ? `, ${evaluation.totalRows} held out` : ''}) from ${file} on ${describeBackend(backend)}`,
        );
        model = new DualEncoderRegressor(modelOptions(flags, train.numFeatures));
        bar.start();
        // The bar: the fit (1), each repeat (1), the refit (0.5), then the baselines.
        const units = 1 + (flags.repeats ?? 0) + (refit ? 0.5 : 0);
        const share = 0.95 / units;
        await model.fit(train, { signal, onProgress: bar.fitCallback(0, share) });
        bar.update(
          share,
          `baselines: per-task and pooled ${family === 'gaussian' ? 'ridge' : `${family} GLM`}`,
        );
        const comparison = await compareWithBaselines(model, train, evaluation, {
          seed: flags.seed,
          signal,
        });
        // The report describes the model it scored; the refit below replaces it in `model`.
        const chosen = {
          selection: selectionLines(model),
          groups: groupLines(model),
          json: modelSummaryJson(model),
        };
        let repeats: Repeats | null = null;
        if (flags.repeats !== undefined) {
          const comparisons: Comparison[] = [];
          const splits = repeatedSplits(dataset, {
            repeats: flags.repeats,
            test: flags.test,
            seed: flags.seed,
          });
          for (const split of splits) {
            const from = share * (1 + split.repeat);
            bar.update(from, `repeat ${split.repeat + 1} of ${splits.length}`);
            // Each split is read as the main one: its input choices made on its training rows.
            const p = await prepare(dataset, split.train, split.test, flags, signal);
            const m = new DualEncoderRegressor(modelOptions(flags, p.train.numFeatures));
            try {
              await m.fit(p.train, { signal, onProgress: bar.fitCallback(from, from + share) });
              comparisons.push(
                await compareWithBaselines(m, p.train, p.evaluation, { seed: flags.seed, signal }),
              );
            } finally {
              m.dispose();
            }
          }
          repeats = { test: flags.test, seed: flags.seed, comparisons };
        }
        if (refit) {
          const from = share * (1 + (flags.repeats ?? 0));
          bar.update(from, `refit on all ${all.totalRows} rows`);
          await model.refit(all, { signal, onProgress: bar.fitCallback(from, 1) });
        }
        const fitted = refit ? all : train;
        const s = model.summary();
        const savedFit: SavedFit = {
          refitted: refit,
          rows: fitted.totalRows,
          kind: s.kind,
          lambda: s.lambda,
          groups: model.groups(),
          ...(flags.json
            ? {
                effects: featureEffects(model, fitted),
                coefficients: model.coefficients(),
                lambdaPath: model.lambdaPath().map((row) => ({
                  ...jsonLambda(row.lambda),
                  validationRmse: jsonNumber(row.validationRmse),
                  numGroups: row.numGroups,
                  ...(row.bic !== undefined ? { bic: jsonNumber(row.bic) } : {}),
                })),
              }
            : {}),
        };
        bar.update(1, 'done');
        bar.stop();
        throwIfAborted(signal);
        const seconds = (performance.now() - t0) / 1000;
        let saved: string | null = null;
        if (flags.save) {
          // The training encoding (restricted to the kept columns by --max-features, with --skew's log1p columns).
          const enc = fitted.encoding;
          const doc = modelDocument(
            model,
            {
              task: enc.taskColumn,
              target: enc.target,
              features: enc.columns.map((c) => c.name),
              categorical: enc.columns.filter((c) => c.kind === 'categorical').map((c) => c.name),
            },
            enc,
            {
              source: resolve(file),
              format,
              backend: backend.name,
              seed: flags.seed,
              test: flags.test,
              trainRows: fitted.totalRows,
              testRows: flags.test > 0 ? evaluation.totalRows : 0,
              refitted: refit,
              ...(refit ? { reportTrainRows: train.totalRows } : {}),
              ...(family !== 'gaussian' || dataset.weights !== null
                ? { family: savedFamilyInput(flags, family, binaryTarget) }
                : {}),
              seconds,
              createdAt: new Date().toISOString(),
              hetmtlCli: VERSION,
            },
          );
          // Checks the signal before the rename: an interrupted fit writes nothing.
          await writeFileAtomic(flags.out, `${JSON.stringify(doc)}\n`, signal);
          saved = resolve(flags.out);
        }
        const notes = taskNotes(dataset, tasksWithoutTest);
        return {
          chosen,
          savedFit,
          repeats,
          comparison,
          seconds,
          saved,
          format,
          backend,
          notes,
          dataNotes,
          tasksWithoutTest,
          report: dataset.report,
          skew: skew.choice,
          family,
        };
      },
      () => {
        bar.stop();
        out.info(
          'hetmtl: interrupt received, stopping the fit (press Ctrl-C again to quit at once)',
        );
      },
    );
    report(file, flags, result, out);
  } finally {
    bar.stop();
    (model as DualEncoderRegressor | null)?.dispose();
  }
}

/** --max-features above the file's numeric columns is a usage error naming p. */
function checkMaxFeatures(dataset: MultiTaskDataset, k: number, file: string): void {
  const numeric = dataset.encoding.columns.filter((c) => c.kind === 'numeric').length;
  if (k > numeric)
    throw new UsageError(
      `--max-features ${k} is larger than the number of numeric feature columns of ${file} (p = ${numeric})`,
      `Pass --max-features ${numeric} or less, or leave it out to keep every column`,
    );
}

/**
 * The input choices made on a split's training rows only (--max-features, --skew) and applied to
 * its held-out rows and to every row (what the saved model is refitted on).
 */
async function prepare(
  dataset: MultiTaskDataset,
  train: MultiTaskDataset,
  evaluation: MultiTaskDataset,
  flags: FitFlags,
  signal: AbortSignal,
): Promise<{
  train: MultiTaskDataset;
  evaluation: MultiTaskDataset;
  all: MultiTaskDataset;
  skew: Awaited<ReturnType<typeof skewInputs>>;
}> {
  let all = dataset;
  if (flags.maxFeatures !== undefined) {
    // Chosen on the training rows only; the held-out rows are read the same way after.
    const keep = mostVariableColumns(train, flags.maxFeatures);
    const same = evaluation === train;
    train = keepColumns(train, keep);
    evaluation = same ? train : keepColumns(evaluation, keep);
    all = keepColumns(all, keep);
  }
  const skew = await skewInputs(
    train,
    evaluation,
    flags.skew ?? 'auto',
    flags.seed,
    signal,
    flags.logTarget === true,
  );
  if (skew.choice.applied)
    all = log1pColumns(
      all,
      skew.choice.columns.map((c) => c.name),
    );
  if (flags.trials !== undefined)
    // Each row of s successes in t trials as a 1 of weight s and a 0 of weight t − s, after the split.
    return {
      train: expandTrials(skew.train),
      evaluation:
        skew.evaluation === skew.train ? expandTrials(skew.train) : expandTrials(skew.evaluation),
      all: expandTrials(all),
      skew,
    };
  return { train: skew.train, evaluation: skew.evaluation, all, skew };
}

/** Where the model went and which rows it was fitted on. */
function savedLine(saved: string | null, f: SavedFit, flags: FitFlags): string {
  if (!saved) return 'Model not saved (--no-save)';
  const use = 'use it with hetmtl predict, evaluate or info';
  if (f.refitted)
    return `Model saved to ${saved}: the saved model refitted on all ${f.rows} rows (the chosen candidate, as selected above: λ = ${formatLambda(f.lambda)}, ${f.groups.length} group${f.groups.length === 1 ? '' : 's'}; --no-refit saves the model scored above); ${use}`;
  if (flags.test > 0)
    return `Model saved to ${saved}: the model scored above, fitted on the ${f.rows} training rows (--no-refit); ${use}`;
  return `Model saved to ${saved}: fitted on all ${f.rows} rows; ${use}`;
}

/**
 * --strict: a task needs a row to hold out and two to fit (the model validates inside the
 * training rows); by default such tasks are fitted and marked in the report.
 */
function refuseTinyTasks(dataset: MultiTaskDataset, test: number): void {
  const need = test > 0 ? 3 : 2;
  dataset.taskNames.forEach((task, r) => {
    const n = dataset.sizes[r];
    if (n < need)
      throw new CliError(
        `Task too small (at task ${JSON.stringify(task)}): expected at least ${need} rows (${test > 0 ? 'one held out by --test, two to fit and validate' : 'two to fit and validate'}), received ${n} row${n === 1 ? '' : 's'}`,
        'Drop or merge the task, or leave out --strict to fit it (its coefficients then borrow from the other tasks)',
      );
  });
}

function report(
  file: string,
  flags: FitFlags,
  r: {
    chosen: {
      selection: string[];
      groups: string[];
      json: ReturnType<typeof modelSummaryJson>;
    };
    savedFit: SavedFit;
    repeats: Repeats | null;
    comparison: Comparison;
    seconds: number;
    saved: string | null;
    format: string;
    backend: { name: string };
    notes: ReadonlyMap<string, string>;
    dataNotes: readonly string[];
    tasksWithoutTest: readonly string[];
    report: MultiTaskDataset['report'];
    skew: SkewChoice;
    family: string;
  },
  out: Output,
): void {
  const { chosen, savedFit, comparison, seconds, saved } = r;
  if (flags.json) {
    out.json({
      command: 'fit',
      file,
      format: r.format,
      backend: r.backend.name,
      seed: flags.seed,
      evaluation:
        flags.test > 0
          ? { rows: 'held-out', test: flags.test }
          : { rows: 'training (in-sample)', test: 0 },
      data: {
        notes: r.dataNotes,
        categoricalColumns: r.report?.categoricalColumns ?? [],
        idColumns: r.report?.idColumns ?? [],
        rowsDropped: r.report?.rowsDropped ?? 0,
        droppedByTask: r.report?.droppedByTask ?? {},
        constantTargetTasks: r.report?.constantTargetTasks ?? [],
        tinyTasks: r.report?.tinyTasks ?? [],
        binaryTarget: r.report?.binaryTarget ?? null,
        weights: flags.trials ?? flags.weights ?? null,
        offset: flags.offset ?? null,
        exposure: flags.exposure ?? null,
        trials: flags.trials ?? null,
        tasksWithoutTest: r.tasksWithoutTest,
        skew: {
          mode: r.skew.mode,
          columns: r.skew.columns,
          log1p: r.skew.applied,
          ...(r.skew.validation ? { validationRmse: r.skew.validation } : {}),
        },
      },
      ...comparisonJson(comparison, r.notes),
      repeats: r.repeats ? repeatsJson(r.repeats) : null,
      model: chosen.json,
      saved,
      savedModel: saved
        ? {
            refitted: savedFit.refitted,
            rows: savedFit.rows,
            kind: savedFit.kind,
            ...jsonLambda(savedFit.lambda),
            numGroups: savedFit.groups.length,
            groups: savedFit.groups,
            lambdaPath: savedFit.lambdaPath,
            coefficients: savedFit.coefficients,
            effects: savedFit.effects,
          }
        : null,
      seconds,
    });
    return;
  }
  const metricsOf = cellLabel(comparison.family ?? 'gaussian');
  out.print(
    `${r.family !== 'gaussian' ? `Family ${r.family}. ` : ''}${
      flags.test > 0
        ? `Held-out test rows (${Math.round(flags.test * 100)}% of each task, seed ${flags.seed}): ${metricsOf}`
        : `Training rows (in-sample; pass --test 0.2 to hold rows out): ${metricsOf}`
    }`,
  );
  if (r.dataNotes.length > 0) {
    out.print('Data:');
    for (const note of r.dataNotes) out.print(`  ${note}`);
    out.print('');
  }
  out.print(comparisonTable(comparison, undefined, r.notes, flags.top));
  if (r.tasksWithoutTest.length > 0)
    out.print(
      `${r.tasksWithoutTest.length} task${r.tasksWithoutTest.length === 1 ? ' is' : 's are'} too small to spare a test row (fitted on all of ${r.tasksWithoutTest.length === 1 ? 'its' : 'their'} rows, not scored): marked "no test rows"`,
    );
  if (r.repeats) {
    out.print('');
    for (const line of repeatLines(r.repeats)) out.print(line);
  }
  out.print('');
  for (const line of chosen.selection) out.print(line);
  out.print('');
  out.print('Learned task groups (tasks whose shared-factor coefficients are fused):');
  for (const line of chosen.groups) out.print(`  ${line}`);
  out.print('');
  out.print(savedLine(saved, savedFit, flags));
  out.print(`Done in ${formatSeconds(seconds)}.`);
}

/** The reader's error on a text target, with the one-line hint that a two-level target is binomial. */
function withTextTargetHint(e: HetmtlError): ValidationError {
  return new ValidationError(e.summary, {
    ...(e.task !== undefined ? { task: e.task } : {}),
    ...(e.row !== undefined ? { row: e.row } : {}),
    ...(e.column !== undefined ? { column: e.column } : {}),
    ...(e.expected !== undefined ? { expected: e.expected } : {}),
    ...(e.received !== undefined ? { received: e.received } : {}),
    fix: `${(e.fix ?? 'Correct the row').replace(/[.\s]+$/, '')}; a two-level target (Y/N, yes/no, true/false) is fitted with --family binomial`,
  });
}

/** The report's lines on the family's input: the level read as 1, the weights, the offset. */
function familyNotes(ds: MultiTaskDataset, flags: FitFlags, family: string): string[] {
  const notes: string[] = [];
  const b = ds.report?.binaryTarget;
  if (b)
    notes.push(
      `target ${JSON.stringify(b.column)}: ${JSON.stringify(b.positive)} read as 1${b.negative !== null ? `, ${JSON.stringify(b.negative)} as 0` : ' (the only level)'} (${flags.positive !== undefined ? '--positive' : 'the second level in sorted order; --positive <level> to choose'})`,
    );
  if (flags.trials !== undefined)
    notes.push(
      `target ${JSON.stringify(flags.target)}: successes out of --trials ${JSON.stringify(flags.trials)} (each row a 1 of weight s and a 0 of weight trials − s)`,
    );
  else if (flags.weights !== undefined)
    notes.push(`rows weighted by --weights ${JSON.stringify(flags.weights)}`);
  if (flags.offset !== undefined)
    notes.push(`offset (log exposure) from --offset ${JSON.stringify(flags.offset)}`);
  if (flags.exposure !== undefined)
    notes.push(`offset log(${flags.exposure}) from --exposure ${JSON.stringify(flags.exposure)}`);
  if (family !== 'gaussian' && notes.length === 0) notes.push(`family ${family}`);
  return notes;
}

/** What the model file records of the family input, for predict, evaluate and info. */
function savedFamilyInput(
  flags: FitFlags,
  family: SavedFamilyInput['family'],
  binary: { readonly positive: string; readonly negative: string | null } | undefined,
): SavedFamilyInput {
  return {
    family,
    ...(flags.weights !== undefined ? { weights: flags.weights } : {}),
    ...(flags.offset !== undefined ? { offset: flags.offset } : {}),
    ...(flags.exposure !== undefined ? { exposure: flags.exposure } : {}),
    ...(flags.trials !== undefined ? { trials: flags.trials } : {}),
    ...(binary ? { positive: binary.positive, negative: binary.negative } : {}),
  };
}
