import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { PathRow } from '@hetmtl/model';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Legend,
  Tooltip,
);

const fmt = (x: number) =>
  x === Number.POSITIVE_INFINITY ? '∞' : Number.isFinite(x) ? x.toPrecision(3) : '—';

/** The λ of the path a chart can place on a log axis (finite and positive), in increasing λ. */
export function plottedPath(path: readonly PathRow[]): PathRow[] {
  return path
    .filter((r) => Number.isFinite(r.lambda) && r.lambda > 0)
    .sort((a, b) => a.lambda - b.lambda);
}

/** The row of the path at the chosen λ (the one closest on the log scale; ∞ matches ∞). */
export function chosenRow(path: readonly PathRow[], lambda: number): number {
  let best = -1;
  let gap = Number.POSITIVE_INFINITY;
  path.forEach((r, i) => {
    const d =
      r.lambda === lambda
        ? 0
        : r.lambda > 0 && lambda > 0 && Number.isFinite(r.lambda) && Number.isFinite(lambda)
          ? Math.abs(Math.log(r.lambda / lambda))
          : Number.POSITIVE_INFINITY;
    if (d < gap) {
      gap = d;
      best = i;
    }
  });
  return gap < 1e-6 ? best : -1;
}

let chart: Chart<'line', { x: number; y: number }[]> | undefined;

/**
 * The λ path of the fitted model (`model.lambdaPath()`, as fitted: not recomputed): validation
 * score and number of groups against λ on a log axis, the chosen λ marked; the same numbers in a
 * table (the text alternative, in a `<details>` under the chart). λ = 0 and ∞ are in the table
 * only (a log axis has no place for them).
 */
export function renderLambdaPath(
  container: HTMLElement,
  path: readonly PathRow[],
  lambda: number,
  score: string,
): void {
  chart?.destroy();
  chart = undefined;
  if (path.length === 0) {
    const p = document.createElement('p');
    p.textContent = 'The chosen model has no λ path (λ was fixed).';
    container.replaceChildren(p);
    return;
  }
  const at = chosenRow(path, lambda);
  const plotted = plottedPath(path);
  const box = document.createElement('div');
  box.className = 'chart-box';
  const canvas = document.createElement('canvas');
  canvas.id = 'lambda-chart';
  canvas.dataset.points = String(plotted.length);
  canvas.setAttribute('role', 'img');
  const best = path[at];
  canvas.setAttribute(
    'aria-label',
    `Line chart of the ${score} and the number of groups along ${path.length} values of λ${best ? `; the chosen λ = ${fmt(best.lambda)} has ${score} ${fmt(best.validationRmse)} and ${best.numGroups} groups` : ''}; the numbers are in the table below`,
  );
  box.append(canvas);
  const caption = document.createElement('p');
  caption.className = 'hint';
  const offAxis = best !== undefined && !plotted.includes(best);
  caption.textContent = `The fusion penalty λ path of the chosen candidate: a larger λ fuses more tasks into fewer groups. ${offAxis ? `The λ chosen (${fmt(best.lambda)}, ${best.numGroups} group${best.numGroups === 1 ? '' : 's'}) is off the log axis: see the table.` : 'Filled point: the λ chosen.'}${plotted.length < path.length ? ' λ = 0 and ∞ are in the table only.' : ''}`;
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = `The λ path as a table (${path.length} values)`;
  const table = document.createElement('table');
  table.id = 'lambda-table';
  const head = table.createTHead().insertRow();
  const hasBic = path.some((r) => r.bic !== undefined);
  for (const h of ['λ', score, 'groups', ...(hasBic ? ['BIC'] : []), 'chosen']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  path.forEach((r, i) => {
    const row = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = fmt(r.lambda);
    row.append(th);
    row.dataset.lambda = String(r.lambda);
    row.dataset.score = String(r.validationRmse);
    row.dataset.groups = String(r.numGroups);
    const cells = [fmt(r.validationRmse), String(r.numGroups)];
    if (hasBic) cells.push(r.bic !== undefined ? fmt(r.bic) : '—');
    cells.push(i === at ? 'yes' : '');
    for (const c of cells) row.insertCell().textContent = c;
    if (i === at) row.classList.add('best');
  });
  const scroll = document.createElement('div');
  scroll.className = 'table-scroll';
  scroll.append(table);
  details.append(summary, scroll);
  container.replaceChildren(box, caption, details);
  if (plotted.length === 0) {
    box.hidden = true;
    return;
  }
  const radius = plotted.map((r) => (r === best ? 7 : 3));
  const filled = plotted.map((r) => r === best);
  chart = new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        {
          label: score,
          data: plotted.map((r) => ({ x: r.lambda, y: r.validationRmse })),
          borderColor: '#1b6ca8',
          backgroundColor: filled.map((f) => (f ? '#1b6ca8' : '#ffffff')),
          pointRadius: radius,
          yAxisID: 'y',
        },
        {
          label: 'groups',
          data: plotted.map((r) => ({ x: r.lambda, y: r.numGroups })),
          borderColor: '#d1495b',
          backgroundColor: filled.map((f) => (f ? '#d1495b' : '#ffffff')),
          pointRadius: radius,
          stepped: true,
          yAxisID: 'groups',
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      scales: {
        x: { type: 'logarithmic', title: { display: true, text: 'λ (log scale)' } },
        y: { type: 'linear', position: 'left', title: { display: true, text: score } },
        groups: {
          type: 'linear',
          position: 'right',
          ticks: { precision: 0 },
          grid: { drawOnChartArea: false },
          title: { display: true, text: 'number of groups' },
        },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}
