/**
 * The task-similarity heatmap: an HTML table of the pairwise distances ‖β_r − β_s‖ (0 where two
 * tasks are fused into one group), tasks ordered by learned group, cells shaded by distance. A table
 * keeps every number readable by screen readers and by keyboard.
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
      const t = Math.min(1, Math.max(0, d / max));
      const cell = row.insertCell();
      cell.textContent = d.toFixed(2);
      cell.dataset.value = String(d);
      // White → dark blue; light text on dark cells.
      const lightness = 97 - 67 * t;
      cell.style.backgroundColor = `hsl(212 70% ${lightness}%)`;
      cell.style.color = lightness < 55 ? '#fff' : '#111';
      cell.title = `${taskNames[i]} – ${taskNames[j]}: ${d.toPrecision(3)}`;
    }
  }
  container.replaceChildren(table);
}
