import { type MissingPolicy, readReportNotes } from '@hetmtl/data';
import { adjustedRandIndex, type FamilyName } from '@hetmtl/estimator';
import type { FitProgress } from '@hetmtl/model';
import { HetmtlError } from '@hetmtl/tensor';
import {
  type ColumnChoice,
  type ColumnRole,
  columnReadOptions,
  defaultColumnRoles,
  pageOptionWords,
} from './columns.js';
import { guessColumns, parseCsvHeader } from './csv-header.js';
import { renderHeatmap } from './heatmap.js';
import { renderLambdaPath } from './lambda-path.js';
import { LossChart } from './loss-chart.js';
import { bestOf, metricColumns, validationScoreName } from './metric-columns.js';
import { modelFileDocument } from './model-file.js';
import { fromCsv, type Prepared, previewCsv, simulated } from './train.js';
import { TrainingStopped, trainInWorker } from './worker-client.js';
import { type DataSource, type FitReport, jobFraction } from './worker-protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const num = (id: string) => Number($<HTMLInputElement>(id).value);

const status = $<HTMLParagraphElement>('status');
const dataSummary = $<HTMLParagraphElement>('data-summary');
const progress = $<HTMLProgressElement>('progress');
const elapsed = $<HTMLSpanElement>('elapsed');
const trainButton = $<HTMLButtonElement>('train');
const stopButton = $<HTMLButtonElement>('stop');
const taskSelect = $<HTMLSelectElement>('task-col');
const targetSelect = $<HTMLSelectElement>('target-col');
const useCsvButton = $<HTMLButtonElement>('use-csv');
const missingSelect = $<HTMLSelectElement>('missing');
const columnsBox = $<HTMLDetailsElement>('columns-box');
const rolesBody = $<HTMLTableElement>('column-roles').tBodies[0]!;
const chart = new LossChart($<HTMLCanvasElement>('loss-chart'));

/** The data in use, and where the training worker reads the same rows. */
let data: { prepared: Prepared; source: DataSource; family: FamilyName } | null = null;
let csv: { file: File; delimiter: string; columns: readonly string[] } | null = null;
/** The column roles shown for the current task and target (null until the preview read ends). */
let choices: ColumnChoice[] | null = null;
let previewRun = 0;
let last: { report: FitReport; data: Prepared; seed: number; family: FamilyName } | null = null;
let running: { cancel: () => void } | null = null;

function say(el: HTMLElement, text: string, error = false): void {
  el.textContent = text;
  el.classList.toggle('error', error);
}
// The reader's errors name its options; the page shows them as its own controls.
const message = (e: unknown) =>
  HetmtlError.isInstance(e)
    ? e.render(pageOptionWords)
    : e instanceof Error
      ? e.message
      : String(e);
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');

const familySelect = $<HTMLSelectElement>('family');
const chosenFamily = () => familySelect.value as FamilyName;

function useData(d: Prepared, source: DataSource, family: FamilyName): void {
  data = { prepared: d, source, family };
  const { train, test } = d;
  say(
    dataSummary,
    `Data: ${d.source} — ${train.numTasks} tasks, ${train.numFeatures} features, ${train.totalRows} training and ${test.totalRows} test rows.`,
  );
  trainButton.disabled = running !== null;
}

$<HTMLButtonElement>('use-sim').addEventListener('click', () => {
  try {
    const settings = {
      seed: num('sim-seed'),
      n: num('sim-n'),
      p: num('sim-p'),
      alpha: num('sim-alpha'),
      family: chosenFamily(),
    };
    useData(simulated(settings), { kind: 'simulation', settings }, settings.family);
  } catch (e) {
    say(dataSummary, message(e), true);
  }
});

const ROLE_LABELS: Record<ColumnRole, string> = {
  numeric: 'numeric feature',
  categorical: 'categorical feature',
  exclude: 'excluded',
};

/** The roles chosen in the Columns table. */
function chosenRoles(): { column: string; role: ColumnRole }[] {
  return (choices ?? []).map((c, i) => ({
    column: c.column,
    role: (rolesBody.rows[i]?.querySelector('select')?.value ?? c.role) as ColumnRole,
  }));
}

function summariseRoles(): void {
  const roles = chosenRoles();
  const n = (r: ColumnRole) => roles.filter((c) => c.role === r).length;
  $('columns-summary').textContent =
    `Columns: ${n('numeric')} numeric, ${n('categorical')} categorical, ${n('exclude')} excluded`;
}

function showRoles(list: ColumnChoice[]): void {
  choices = list;
  rolesBody.replaceChildren(
    ...list.map((c) => {
      const row = document.createElement('tr');
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = c.column;
      const select = document.createElement('select');
      select.setAttribute('aria-label', `Role of column ${c.column}`);
      select.dataset.column = c.column;
      for (const [value, label] of Object.entries(ROLE_LABELS))
        select.append(new Option(label, value, false, value === c.role));
      select.addEventListener('change', summariseRoles);
      const roleCell = document.createElement('td');
      roleCell.append(select);
      const why = document.createElement('td');
      why.textContent = c.why;
      row.append(name, roleCell, why);
      return row;
    }),
  );
  columnsBox.hidden = false;
  columnsBox.open = list.length <= 15;
  summariseRoles();
}

/** Reads the file with the reader's defaults and shows each column's default role. */
async function preview(): Promise<void> {
  if (!csv) return;
  const run = ++previewRun;
  const { file, delimiter } = csv;
  choices = null;
  useCsvButton.disabled = true;
  columnsBox.hidden = true;
  say(dataSummary, `Reading the columns of ${file.name}…`);
  try {
    const task = taskSelect.value;
    const target = targetSelect.value;
    const report = await previewCsv(file, file.name, { task, target, delimiter });
    if (run !== previewRun) return;
    showRoles(defaultColumnRoles(csv.columns, task, target, report));
    const missing = Object.values(report.imputedByColumn).reduce((a, b) => a + b, 0);
    say(
      dataSummary,
      `${file.name}: ${csv.columns.length} columns, ${report.rowsRead} rows${missing > 0 ? `, ${missing} missing feature values` : ''}${report.rowsDropped > 0 ? `, ${report.rowsDropped} rows without a target` : ''}. Check the column roles and the missing-value policy, then use the file.`,
    );
  } catch (e) {
    if (run !== previewRun) return;
    // The user can still set the roles by hand (every column numeric to start with).
    showRoles(
      csv.columns
        .filter((c) => c !== taskSelect.value && c !== targetSelect.value)
        .map((column) => ({ column, role: 'numeric' as const, why: '' })),
    );
    say(dataSummary, message(e), true);
  } finally {
    if (run === previewRun) useCsvButton.disabled = false;
  }
}

$<HTMLInputElement>('csv-file').addEventListener('change', async (ev) => {
  const file = (ev.target as HTMLInputElement).files?.[0];
  csv = null;
  choices = null;
  for (const s of [taskSelect, targetSelect, missingSelect]) s.disabled = true;
  for (const s of [taskSelect, targetSelect]) s.replaceChildren();
  columnsBox.hidden = true;
  useCsvButton.disabled = true;
  if (!file) return;
  try {
    const header = parseCsvHeader(await file.slice(0, 1 << 16).text());
    csv = { file, delimiter: header.delimiter, columns: header.columns };
    const guess = guessColumns(header.columns);
    for (const [select, chosen] of [
      [taskSelect, guess.task],
      [targetSelect, guess.target],
    ] as const) {
      select.replaceChildren(...header.columns.map((c) => new Option(c, c, false, c === chosen)));
      select.disabled = false;
    }
    missingSelect.disabled = false;
  } catch (e) {
    say(dataSummary, message(e), true);
    return;
  }
  await preview();
});

for (const s of [taskSelect, targetSelect]) s.addEventListener('change', () => void preview());

useCsvButton.addEventListener('click', async () => {
  if (!csv) return;
  useCsvButton.disabled = true;
  say(dataSummary, `Reading ${csv.file.name}…`);
  try {
    const options = {
      task: taskSelect.value,
      target: targetSelect.value,
      delimiter: csv.delimiter,
      test: num('test-share'),
      seed: num('seed'),
      columns: columnReadOptions(chosenRoles(), missingSelect.value as MissingPolicy),
    };
    const d = await fromCsv(csv.file, csv.file.name, options);
    useData(d, { kind: 'csv', file: csv.file, name: csv.file.name, options }, chosenFamily());
    const notes = d.report ? readReportNotes(d.report, pageOptionWords) : [];
    if (notes.length > 0) dataSummary.textContent += ` ${notes.join('. ')}.`;
  } catch (e) {
    say(dataSummary, message(e), true);
  } finally {
    useCsvButton.disabled = false;
  }
});

function onProgress(e: FitProgress): void {
  chart.add(e);
  progress.value = jobFraction(e.fraction);
  const round = e.round !== undefined ? `, round ${e.round} of at most ${e.maxRounds}` : '';
  const rmse =
    e.validationRmse !== undefined
      ? `, ${validationScoreName(data?.family ?? 'gaussian')} ${fmt(e.validationRmse)}`
      : '';
  say(status, `Training: candidate ${e.candidate} of ${e.candidates}, ${e.phase}${round}${rmse}.`);
}

trainButton.addEventListener('click', async () => {
  if (!data || running) return;
  const { prepared, source, family } = data;
  trainButton.disabled = true;
  stopButton.disabled = false;
  // Indeterminate until the worker's first step (then the steps', then the model's own progress).
  progress.removeAttribute('value');
  chart.reset(
    family === 'gaussian' ? undefined : `${validationScoreName(family)} (mean over tasks)`,
  );
  say(status, 'Starting the training worker…');
  const settings = {
    encoders: $<HTMLSelectElement>('encoders').value as 'linear' | 'mlp',
    maxRounds: num('rounds'),
    seed: num('seed'),
    family,
  };
  const job = trainInWorker(
    { type: 'train', source, settings },
    {
      step: (text, fraction) => {
        progress.value = fraction;
        say(status, `${text}…`);
      },
      progress: onProgress,
    },
  );
  running = job;
  // The seconds since Train, next to the bar (not a live region: the status line is).
  const t0 = performance.now();
  const tick = () => {
    elapsed.textContent = `${Math.floor((performance.now() - t0) / 1000)} s`;
  };
  tick();
  const ticker = setInterval(tick, 1000);
  try {
    const report = await job.result;
    last = { report, data: prepared, seed: settings.seed, family };
    showResults(report, prepared, family);
    const headline = metricColumns(family)[0]!;
    progress.value = 1;
    say(
      status,
      `Done in ${report.seconds.toFixed(1)} s on ${report.backend.name}${report.backend.simd ? ' (SIMD)' : ''}: mean test ${headline.name} per task ${fmt(headline.mean(report.evaluation))}, ${report.groups.length} groups.`,
    );
  } catch (e) {
    const stopped = e instanceof TrainingStopped;
    if (stopped) progress.value = 0;
    say(status, stopped ? 'Training stopped.' : `Training failed: ${message(e)}`, !stopped);
  } finally {
    clearInterval(ticker);
    running = null;
    trainButton.disabled = data === null;
    stopButton.disabled = true;
  }
});

stopButton.addEventListener('click', () => running?.cancel());

function cell(row: HTMLTableRowElement, text: string, header = false): HTMLTableCellElement {
  const c = header ? document.createElement('th') : row.insertCell();
  c.textContent = text;
  if (header) {
    (c as HTMLTableCellElement & { scope: string }).scope =
      row.parentElement?.tagName === 'THEAD' ? 'col' : 'row';
    row.appendChild(c);
  }
  return c;
}

function showResults(r: FitReport, d: Prepared, family: FamilyName): void {
  const tasks = r.taskNames;
  const labels = r.groupLabels;
  const summary = r.summary;
  // Shown first, so that the heatmap canvas can measure the width it has.
  $('results').hidden = false;
  const table = $<HTMLTableElement>('metrics');
  table.replaceChildren();
  const models = [{ name: 'hetmtl', evaluation: r.evaluation }, ...r.baselines];
  const metrics = metricColumns(family);
  const head = table.createTHead().insertRow();
  for (const h of [
    'task',
    'group',
    'test rows',
    ...metrics.flatMap((m) => models.map((c) => `${m.name} ${c.name}`)),
  ])
    cell(head, h, true);
  const body = table.createTBody();
  const addRow = (
    name: string,
    group: string,
    n: number,
    values: (m: (typeof metrics)[number]) => number[],
  ) => {
    const row = body.insertRow();
    cell(row, name, true);
    cell(row, group);
    cell(row, String(n));
    for (const m of metrics) {
      const v = values(m);
      const best = bestOf(v, m.better);
      v.forEach((x, i) => {
        const c = cell(row, fmt(x));
        c.dataset.value = String(x);
        c.dataset.metric = m.name;
        c.classList.toggle('best', best.has(i));
      });
    }
  };
  tasks.forEach((t, i) => {
    addRow(t, String(labels[i]! + 1), r.evaluation.tasks[t]!.n, (m) =>
      models.map((c) => m.task(c.evaluation.tasks[t]!)),
    );
  });
  addRow('mean over tasks', '', d.test.totalRows, (m) => models.map((c) => m.mean(c.evaluation)));
  const caption = table.createCaption();
  caption.textContent = `${metrics
    .map((m) => `${m.name} (${m.better} is better)`)
    .join(
      ', ',
    )} on the held-out test rows, ${family} family; the best of each row and metric in bold.${r.evaluation.notes ? ` ${r.evaluation.notes.join('. ')}.` : ''}`;

  renderHeatmap($('heatmap'), tasks, r.similarity, labels);
  $('groups').replaceChildren(
    ...r.groups.map((g, i) => {
      const li = document.createElement('li');
      li.textContent = `Group ${i + 1}: ${g.join(', ')}`;
      return li;
    }),
  );
  renderLambdaPath($('lambda-path'), r.lambdaPath, summary.lambda, validationScoreName(family));
  const ari = d.truthGroups ? adjustedRandIndex([...labels], [...d.truthGroups]) : undefined;
  const truth = d.truthGroups
    ? ` Planted groups: ${groupsText(tasks, d.truthGroups)}. Adjusted Rand index of the learned groups vs the planted ones: ${ari !== undefined && Number.isFinite(ari) ? ari.toFixed(2) : '—'} (1 = the planted groups recovered).`
    : '';
  const summaryLine = $('result-summary');
  if (ari === undefined) delete summaryLine.dataset.ari;
  else summaryLine.dataset.ari = String(ari);
  say(
    summaryLine,
    `Chosen model: ${summary.kind === 'dual' ? 'dual encoder' : summary.kind === 'blend' ? 'an average of candidates (λ and groups of its heaviest one)' : 'linear multi-task floor'}, λ = ${summary.lambda === Number.POSITIVE_INFINITY ? '∞' : fmt(summary.lambda)}, ${summary.numGroups} groups.${truth}`,
  );
}

function groupsText(tasks: readonly string[], labels: readonly number[]): string {
  const groups = new Map<number, string[]>();
  labels.forEach((g, i) => groups.set(g, [...(groups.get(g) ?? []), tasks[i]!]));
  return [...groups.values()].map((g) => `{${g.join(', ')}}`).join(' ');
}

$<HTMLButtonElement>('download').addEventListener('click', () => {
  if (!last) return;
  const { report, data: d, seed } = last;
  const doc = modelFileDocument(report.model, d.encoding, {
    source: d.source,
    format: d.format,
    backend: report.backend.name,
    seed,
    test: d.testShare,
    trainRows: d.train.totalRows,
    testRows: d.test.totalRows,
    seconds: report.seconds,
  });
  const url = URL.createObjectURL(
    new Blob([`${JSON.stringify(doc)}\n`], { type: 'application/json' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = 'hetmtl-model.json';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
});
