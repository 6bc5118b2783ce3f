export interface PlotSeries {
  readonly label: string;
  /** One value per x position (NaN: no point). */
  readonly values: readonly number[];
  /** Line style: the method bold, ablations dashed, baselines thin. */
  readonly style?: 'bold' | 'dashed' | 'thin';
  /** CSS colour (default: the next of a fixed palette). */
  readonly colour?: string;
}

export interface LinePlot {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Tick labels of the x positions, evenly spaced (the levels of a factor). */
  readonly xTicks: readonly string[];
  readonly series: readonly PlotSeries[];
}

const COLOURS = [
  '#d62728',
  '#ff7f0e',
  '#1f77b4',
  '#17becf',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#2ca02c',
  '#bcbd22',
  '#e7ba52',
  '#393b79',
  '#637939',
  '#843c39',
  '#000000',
];

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** "Nice" tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

/** Layout of the plot area, exported so tests can map values to coordinates. */
export const PLOT_AREA = { left: 60, top: 36, width: 420, height: 280, legendWidth: 210 } as const;

/** The y range of a plot: every finite value, padded by 5% of the span (or of the value when flat). */
export function yRange(series: readonly PlotSeries[]): [number, number] {
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  if (!all.length) return [0, 1];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = hi > lo ? 0.05 * (hi - lo) : Math.max(Math.abs(hi) * 0.05, 0.05);
  return [lo - pad, hi + pad];
}

/** An SVG line chart: one polyline (with markers) per series, x at evenly spaced levels. */
export function linePlot(plot: LinePlot): string {
  const { left, top, width, height, legendWidth } = PLOT_AREA;
  const [lo, hi] = yRange(plot.series);
  const nx = plot.xTicks.length;
  const x = (i: number) => left + (nx > 1 ? (i * width) / (nx - 1) : width / 2);
  const y = (v: number) => top + height - ((v - lo) / (hi - lo)) * height;
  const W = left + width + 20 + legendWidth;
  const H = Math.max(top + height + 50, top + 16 * plot.series.length + 10);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${left + width / 2}" y="20" text-anchor="middle" font-size="13">${esc(plot.title)}</text>`,
    `<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#999"/>`,
  ];
  for (const t of niceTicks(lo, hi)) {
    if (t < lo || t > hi) continue;
    out.push(
      `<line x1="${left}" x2="${left + width}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${left - 5}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${esc(String(t))}</text>`,
    );
  }
  plot.xTicks.forEach((label, i) => {
    out.push(
      `<text x="${x(i).toFixed(1)}" y="${top + height + 16}" text-anchor="middle">${esc(label)}</text>`,
    );
  });
  out.push(
    `<text x="${left + width / 2}" y="${top + height + 36}" text-anchor="middle">${esc(plot.xLabel)}</text>`,
    `<text transform="translate(16 ${top + height / 2}) rotate(-90)" text-anchor="middle">${esc(plot.yLabel)}</text>`,
  );
  let next = 0;
  plot.series.forEach((s, k) => {
    const colour = s.colour ?? COLOURS[next++ % COLOURS.length];
    const stroke =
      s.style === 'bold'
        ? 'stroke-width="2.5"'
        : s.style === 'dashed'
          ? 'stroke-width="1.5" stroke-dasharray="5 3"'
          : 'stroke-width="1.2"';
    const pts = s.values
      .map((v, i) => (Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : null))
      .filter((p): p is string => p !== null);
    out.push(
      `<polyline data-series="${esc(s.label)}" points="${pts.join(' ')}" fill="none" stroke="${colour}" ${stroke}/>`,
      ...pts.map((p) => {
        const [cx, cy] = p.split(',');
        return `<circle cx="${cx}" cy="${cy}" r="2.5" fill="${colour}"/>`;
      }),
    );
    const ly = top + 6 + 16 * k;
    const lx = left + width + 20;
    out.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${colour}" ${stroke}/>`,
      `<text x="${lx + 28}" y="${ly + 4}">${esc(s.label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
