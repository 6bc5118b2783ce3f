import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatDuration, ProgressBar } from './progress.js';
import { mean, meanSd, sd } from './stats.js';
import {
  COVARIATE_DESIGN,
  FACTOR_DESIGN,
  PDX_DESIGN,
  settingKey,
  studySettings,
} from './study-designs.js';
import { linePlot, niceTicks, PLOT_AREA, yRange } from './svg-plot.js';

describe('stats', () => {
  it('mean and sample sd against hand-computed values, skipping non-finite entries', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    // Deviations −2, −1, 0, 3: squares sum to 14, over n − 1 = 3.
    expect(sd([1, 2, 3, 6])).toBeCloseTo(Math.sqrt(14 / 3), 12);
    expect(mean([1, Number.NaN, 3])).toBe(2);
    expect(sd([5])).toBeNaN();
    expect(meanSd([1, 2, 3, 6], 2)).toBe(`3.00 ± ${Math.sqrt(14 / 3).toFixed(2)}`);
    expect(meanSd([Number.NaN])).toBe('n/a');
  });
});

/** A stream that keeps what is written, a terminal when `tty`. */
function sink(tty: boolean, out: string[]): Writable & { isTTY: boolean } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      out.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { isTTY: tty });
}

describe('progress bar', () => {
  it('formats durations', () => {
    expect(formatDuration(12.4)).toBe('12s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  it('estimates the time left from the finished units and prints a line per 5% when not a terminal', () => {
    let t = 0;
    const lines: string[] = [];
    const bar = new ProgressBar(40, 'fits', sink(false, lines), () => t);
    t = 10_000;
    bar.tick(1, 'first');
    // 1 of 40 in 10 s: 39 left at 10 s each.
    expect(lines[0]).toBe(
      '[#-----------------------] 1/40 fits 3%  elapsed 10s  ETA 6m30s  first\n',
    );
    bar.tick(); // 2/40 = 5%: a new twentieth
    bar.tick(); // 3/40 = 7.5%: same twentieth, no line
    expect(lines).toHaveLength(2);
    for (let i = 3; i < 40; i++) bar.tick();
    expect(lines.at(-1)).toMatch(/^\[#{24}\] 40\/40 fits 100% {2}elapsed 10s {2}ETA 0s\n$/);
    expect(lines).toHaveLength(21);
  });

  it('draws with cli-progress on a terminal: redrawn in place, the last state kept, one line end', () => {
    let t = 0;
    const out: string[] = [];
    const bar = new ProgressBar(2, 'fits', sink(true, out), () => t);
    t = 3000;
    bar.tick(1, 'a');
    t = 8000;
    bar.tick(1, 'b');
    const text = out.join('');
    // cli-progress moves to column 1 (CSI 1G) and clears to the right (CSI 0K) at every redraw.
    expect(text).toContain(
      '\x1b[1G[########################] 2/2 fits 100%  elapsed 8s  ETA 0s  b\x1b[0K',
    );
    expect(text.split('\n')).toHaveLength(2);
    expect(text.endsWith('\n')).toBe(true);
    bar.stop(); // idempotent once the bar is complete
    expect(out.join('')).toBe(text);
  });

  it('stop() ends an unfinished bar: its last state drawn, a line end, no redraw timer left', () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const out: string[] = [];
    const bar = new ProgressBar(5, 'fits', sink(true, out), () => 0);
    bar.tick(2, 'x');
    expect(timers()).toBe(before + 1); // cli-progress redraws on a timer until stopped
    bar.stop();
    expect(timers()).toBe(before);
    const text = out.join('');
    expect(text).toContain('[##########--------------] 2/5 fits 40%  elapsed 0s  ETA 0s  x\x1b[0K');
    expect(text.endsWith('\n')).toBe(true);
    // A run with nothing to do (a resumed study) draws nothing.
    const idle: string[] = [];
    new ProgressBar(0, 'fits', sink(true, idle)).stop();
    expect(idle).toEqual([]);
  });
});

describe('study settings', () => {
  for (const [design, factors] of [
    [FACTOR_DESIGN, 8],
    [COVARIATE_DESIGN, 8],
    [PDX_DESIGN, 4],
  ] as const) {
    it(`${design.name} design: ${factors} factors, the defaults point once, every factor through the defaults`, () => {
      expect(design.factors).toHaveLength(factors);
      for (const quick of [false, true]) {
        const { settings, byFactor } = studySettings(design, quick);
        const levels = design.factors.map((f) => (quick ? f.quick : f.levels).length);
        // One-factor-at-a-time: 1 + Σ (levels − 1) distinct points.
        expect(settings).toHaveLength(1 + levels.reduce((a, b) => a + b - 1, 0));
        const defaultKey = settingKey(quick ? design.quickDefaults : design.defaults);
        for (const f of design.factors) {
          const keys = byFactor.get(f.key) as string[];
          expect(keys).toContain(defaultKey);
          const lv = quick ? f.quick : f.levels;
          expect([...lv].sort((a, b) => a - b)).toEqual(lv);
          keys.forEach((k, i) => expect(k).toContain(`${f.key}=${lv[i]}`));
        }
        // Every point is a valid simulation (the simulators reject unknown or out-of-range options).
        if (quick)
          for (const s of settings)
            expect(() => design.simulate({ ...s.options }, 1)).not.toThrow();
      }
    });
  }
});

describe('SVG line plot', () => {
  it('nice ticks cover the range with round steps', () => {
    expect(niceTicks(0.95, 2.05)).toEqual([1, 1.25, 1.5, 1.75, 2]);
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('puts each point where the axes say: x evenly spaced by level, y linear in the value', () => {
    const svg = linePlot({
      title: 'T <&>',
      xLabel: 'x',
      yLabel: 'y',
      xTicks: ['a', 'b', 'c'],
      series: [
        { label: 'one', values: [1, 2, Number.NaN], style: 'bold' },
        { label: 'two', values: [1.5, 1.5, 1.5] },
      ],
    });
    const [lo, hi] = yRange([{ label: '', values: [1, 2, 1.5] }]);
    expect(lo).toBeCloseTo(0.95, 12);
    expect(hi).toBeCloseTo(2.05, 12);
    const { left, top, width, height } = PLOT_AREA;
    const px = (i: number) => (left + (i * width) / 2).toFixed(1);
    const py = (v: number) => (top + height - ((v - 0.95) / 1.1) * height).toFixed(1);
    expect(svg).toContain(
      `<polyline data-series="one" points="${px(0)},${py(1)} ${px(1)},${py(2)}"`,
    );
    expect(svg).toContain(
      `<polyline data-series="two" points="${px(0)},${py(1.5)} ${px(1)},${py(1.5)} ${px(2)},${py(1.5)}"`,
    );
    expect(svg).toContain('T &lt;&amp;&gt;');
    expect(svg.match(/<circle /g)).toHaveLength(5);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });
});
