import { describe, expect, it } from 'vitest';
import { type RealResults, realMarkdown } from './real.js';
import type { StudyResults } from './study.js';
import { studyMarkdown, studyPlots } from './study-report.js';

const metricsOf = (rmse: number) => ({ n: 10, rmse, mae: rmse, r2: 0.5 });

describe('study report', () => {
  // Two settings of one factor (a = 1 is the default), two replications, the method and two baselines.
  const run = (
    key: string,
    seed: number,
    oracle: number,
    h: number,
    b1: number,
    b2: number,
    ari: number,
  ) => ({
    key,
    seed,
    oracle,
    scores: [
      { method: 'hetmtl', rmse: h, ari, seconds: 2 },
      { method: 'b1', rmse: b1, seconds: 1 },
      { method: 'b2', rmse: b2, seconds: 3 },
    ],
  });
  const results: StudyResults = {
    design: 'toy',
    title: 'Toy design',
    command: 'hetmtl-bench study',
    machine: 'm',
    backend: 'wasm',
    date: '2026-11-28',
    quick: false,
    reps: 2,
    methods: [
      { id: 'hetmtl', label: 'hetmtl', kind: 'method' },
      { id: 'b1', label: 'B one', kind: 'baseline' },
      { id: 'b2', label: 'B two', kind: 'baseline' },
    ],
    defaults: { a: 1 },
    factors: [{ key: 'a', label: 'factor a', levels: [1, 2], settings: ['a=1', 'a=2'] }],
    runs: [
      run('a=1', 1, 0.5, 1.0, 1.2, 1.5, 1),
      run('a=1', 2, 0.5, 1.2, 1.4, 1.5, 0.5),
      run('a=2', 1, 0.5, 2.0, 1.0, 3.0, 0),
      run('a=2', 2, 0.5, 1.0, 1.2, 3.0, 0),
    ],
  };

  it('tables mean ± sd per method and level, bolds the best, and reports ARI', () => {
    const md = studyMarkdown(results);
    expect(md).toContain('| method | a = 1 | a = 2 |');
    expect(md).toContain('| *oracle* | 0.500 ± 0.000 | 0.500 ± 0.000 |');
    // hetmtl at a = 1: 1.0, 1.2 → 1.100 ± 0.141 (best); at a = 2: 2.0, 1.0 → 1.500 ± 0.707.
    expect(md).toContain('| hetmtl | **1.100 ± 0.141** | 1.500 ± 0.707 |');
    expect(md).toContain('| B one | 1.300 ± 0.141 | **1.100 ± 0.141** |');
    expect(md).toContain('| ARI: hetmtl | 0.75 ± 0.35 | 0.00 ± 0.00 |');
  });

  it('says where the method loses: paired gap to the best baseline and wins per setting', () => {
    const md = studyMarkdown(results);
    // defaults: gaps −0.2, −0.2; a = 2: +1.0, −0.2 → +0.400 ± 0.849, bold because the method loses.
    expect(md).toContain('| defaults | 1.100 ± 0.141 | B one 1.300 | -0.200 ± 0.000 | 2/2 | n/a |');
    expect(md).toContain(
      '| a = 2 | 1.500 ± 0.707 | B one 1.100 | **+0.400 ± 0.849** | 1/2 | n/a |',
    );
    expect(md).toMatch(/\| B two \| 3\.00 \|/);
  });

  it('plots one SVG per factor with a line per method and the oracle', () => {
    const plots = studyPlots(results);
    expect(plots.map(([f]) => f)).toEqual(['toy-a.svg']);
    const svg = plots[0]?.[1];
    for (const label of ['oracle', 'hetmtl', 'B one', 'B two'])
      expect(svg).toContain(`data-series="${label}"`);
  });
});

describe('real-data report', () => {
  const score = (method: string, taskRmse: number[], numGroups?: number) => ({
    method,
    rmse: taskRmse.reduce((a, b) => a + b, 0) / taskRmse.length,
    overall: metricsOf(1),
    taskRmse,
    seconds: 1,
    ...(numGroups ? { numGroups } : {}),
  });
  const results: RealResults = {
    dataset: 'toy',
    command: 'hetmtl-bench real toy.csv',
    machine: 'm',
    backend: 'wasm',
    date: '2026-11-28',
    repeats: 2,
    test: 0.25,
    taskNames: ['s1', 's2', 's3'],
    taskRows: [10, 20, 30],
    numFeatures: 4,
    methods: [
      { id: 'hetmtl', label: 'hetmtl', kind: 'method' },
      { id: 'ridge-task', label: 'single-task ridge', kind: 'baseline' },
      { id: 'ridge-pooled', label: 'pooled ridge', kind: 'baseline' },
    ],
    splits: [
      [
        score('hetmtl', [1, 2, 3], 2),
        score('ridge-task', [2, 1, 3.5]),
        score('ridge-pooled', [0.5, 3, 3.5]),
      ],
      [
        score('hetmtl', [1, 2, 3], 3),
        score('ridge-task', [0.5, 3, 3.5]),
        score('ridge-pooled', [2, 1, 2]),
      ],
    ],
  };

  it('counts per task whether the method beat single-task and pooled ridge on the mean over splits', () => {
    const md = realMarkdown(results);
    // s1: 1 vs single 1.25 (yes, 1/2) vs pooled 1.25 (yes, 1/2); s2: 2 vs 2 (no: not lower) vs 2;
    // s3: 3 vs 3.5 (yes, 2/2) vs 2.75 (no, 1/2).
    expect(md).toContain('| s1 | 10 | 1.000 | 1.250 | 1.250 | yes (1/2) | yes (1/2) |');
    expect(md).toContain('| s2 | 20 | 2.000 | 2.000 | 2.000 | no (1/2) | no (1/2) |');
    expect(md).toContain('| s3 | 30 | 3.000 | 3.500 | 2.750 | yes (2/2) | no (1/2) |');
    expect(md).toContain(
      'beat single-task ridge on **2 of 3** tasks, pooled ridge (with task intercepts) on **1 of 3**, both on **1 of 3**',
    );
    expect(md).toMatch(
      /\| hetmtl \| \*\*2\.000 ± 0\.000\*\* \| 1\.000 ± 0\.000 \| 50\.0 ± 0\.0% \| 2–3 \| 1\.00 \|/,
    );
  });
});
