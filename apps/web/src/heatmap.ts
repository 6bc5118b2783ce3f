/** Above this many tasks the heatmap is a canvas (a table would be thousands of pixels wide). */
export const CANVAS_ABOVE_TASKS = 30;

/** The shade of a distance scaled to [0, 1]: white (0) to dark blue (1), as an HSL lightness. */
export function shadeLightness(t: number): number {
  return 97 - 67 * Math.min(1, Math.max(0, t));
}
const shade = (t: number) => `hsl(212 70% ${shadeLightness(t)}%)`;

/**
 * The task-similarity heatmap: the pairwise distances ‖β_r − β_s‖ (0 where two tasks are fused
 * into one group), tasks ordered by learned group, shaded by distance. An HTML table keeps every
 * number readable by screen readers and by keyboard; above {@link CANVAS_ABOVE_TASKS} tasks the
 * picture is a canvas with a legend and group boundaries, and the table is kept, closed, in a
 * `<details>` below it.
 */
export function renderHeatmap(
  container: HTMLElement,
  taskNames: readonly string[],
  distances: readonly (readonly number[])[],
  groupLabels: readonly number[],
): void {
  const order = taskNames
    .map((_, i) => i)
    .sort((a, b) => groupLabels[a]! - groupLabels[b]! || a - b);
  const max = Math.max(1e-12, ...distances.flat().filter(Number.isFinite));
  const table = heatmapTable(taskNames, distances, groupLabels, order, max);
  if (taskNames.length <= CANVAS_ABOVE_TASKS) {
    const scroll = document.createElement('div');
    scroll.className = 'table-scroll';
    scroll.append(table);
    container.replaceChildren(scroll);
    return;
  }
  const figure = document.createElement('figure');
  figure.className = 'heatmap-figure';
  const canvas = document.createElement('canvas');
  canvas.id = 'heatmap-canvas';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute(
    'aria-label',
    `Heatmap of the pairwise distances between ${taskNames.length} tasks, ordered by learned group; the numbers are in the table below`,
  );
  const caption = document.createElement('figcaption');
  caption.textContent = `Pairwise distances between the ${taskNames.length} tasks' shared coefficients β, tasks ordered by learned group (lines: group boundaries). Point at a cell for its tasks and distance.`;
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = `The distances as a table (${taskNames.length} × ${taskNames.length})`;
  const scroll = document.createElement('div');
  scroll.className = 'table-scroll';
  scroll.append(table);
  details.append(summary, scroll);
  figure.append(canvas, legend(max), caption);
  container.replaceChildren(figure, details);
  drawCanvas(canvas, container, taskNames, distances, groupLabels, order, max);
}

function heatmapTable(
  taskNames: readonly string[],
  distances: readonly (readonly number[])[],
  groupLabels: readonly number[],
  order: readonly number[],
  max: number,
): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'heatmap';
  table.id = 'heatmap-table';
  const caption = table.createCaption();
  caption.textContent = `Pairwise distances between the tasks' shared coefficients β (darker: more different; 0: same group). Largest: ${max.toFixed(3)}.`;
  const head = table.createTHead().insertRow();
  const corner = document.createElement('th');
  corner.scope = 'col';
  corner.textContent = 'task (group)';
  head.appendChild(corner);
  for (const j of order) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = taskNames[j]!;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const i of order) {
    const row = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = `${taskNames[i]} (${groupLabels[i]! + 1})`;
    row.appendChild(th);
    for (const j of order) {
      const d = distances[i]![j]!;
      const lightness = shadeLightness(d / max);
      const cell = row.insertCell();
      cell.textContent = d.toFixed(2);
      cell.dataset.value = String(d);
      cell.style.backgroundColor = `hsl(212 70% ${lightness}%)`;
      // Light text on dark cells.
      cell.style.color = lightness < 55 ? '#fff' : '#111';
      cell.title = `${taskNames[i]} – ${taskNames[j]}: ${d.toPrecision(3)}`;
    }
  }
  return table;
}

/** A colour bar from 0 to the largest distance. */
function legend(max: number): HTMLElement {
  const box = document.createElement('div');
  box.className = 'heatmap-legend';
  box.id = 'heatmap-legend';
  const low = document.createElement('span');
  low.textContent = '0 (same group)';
  const bar = document.createElement('span');
  bar.className = 'heatmap-legend-bar';
  bar.setAttribute('aria-hidden', 'true');
  bar.style.background = `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map(shade).join(', ')})`;
  const high = document.createElement('span');
  high.textContent = `${max.toFixed(3)} (most different)`;
  box.append(low, bar, high);
  return box;
}

function drawCanvas(
  canvas: HTMLCanvasElement,
  container: HTMLElement,
  taskNames: readonly string[],
  distances: readonly (readonly number[])[],
  groupLabels: readonly number[],
  order: readonly number[],
  max: number,
): void {
  const n = order.length;
  // Square, as wide as the container allows (at most 640 px), whole pixels per cell when it can.
  const room = Math.min(640, container.clientWidth || 640);
  const cell = Math.max(1, Math.floor(room / n));
  const size = Math.min(room, cell * n);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(size * ratio);
  canvas.height = Math.round(size * ratio);
  // The height follows the width (CSS `height: auto`), so a narrow page shrinks the square.
  canvas.style.width = `${size}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.scale(ratio, ratio);
  const step = size / n;
  order.forEach((i, a) => {
    order.forEach((j, b) => {
      ctx.fillStyle = shade(distances[i]![j]! / max);
      ctx.fillRect(b * step, a * step, Math.ceil(step), Math.ceil(step));
    });
  });
  // Group boundaries.
  ctx.strokeStyle = '#b35c00';
  ctx.lineWidth = 1;
  for (let a = 1; a < n; a++) {
    if (groupLabels[order[a]!] === groupLabels[order[a - 1]!]) continue;
    ctx.beginPath();
    ctx.moveTo(a * step, 0);
    ctx.lineTo(a * step, size);
    ctx.moveTo(0, a * step);
    ctx.lineTo(size, a * step);
    ctx.stroke();
  }
  canvas.dataset.tasks = String(n);
  canvas.addEventListener('mousemove', (e) => {
    const scale = size / (canvas.clientWidth || size);
    const a = Math.floor((e.offsetY * scale) / step);
    const b = Math.floor((e.offsetX * scale) / step);
    const i = order[a];
    const j = order[b];
    if (i === undefined || j === undefined) return;
    canvas.title = `${taskNames[i]} (group ${groupLabels[i]! + 1}) – ${taskNames[j]} (group ${groupLabels[j]! + 1}): ${distances[i]![j]!.toPrecision(3)}`;
  });
}
