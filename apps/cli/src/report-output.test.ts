// What the reports print: λ = ∞ in --json (null with lambdaInfinite, never the string
// "Infinity"), no signed zero in tables, evaluate's mean-of-tasks row with MAE and R², and info
// printing the options of the candidate that won model selection.
import { beforeAll, describe, expect, it } from 'vitest';
import { fixed, jsonLambda, jsonNumber } from './format.js';
import { hetmtl, quickFit, scratchDir, simulateInto } from './test-fixtures/run.js';

const dir = scratchDir('report-output');
const fit = (...args: string[]) => hetmtl(quickFit('train.csv', ...args), { cwd: dir });

beforeAll(() => simulateInto(dir, { n: 60, p: 20, testRows: 40, seed: 3 }));

describe('numbers in tables and JSON', () => {
  it('a value that rounds to zero prints without a sign; a negative one keeps it', () => {
    expect(fixed(-0)).toBe('0.000');
    expect(fixed(-0.0004)).toBe('0.000');
    expect(fixed(-0.0004, 2)).toBe('0.00');
    expect(fixed(-0.0006)).toBe('-0.001');
    expect(fixed(0.0004)).toBe('0.000');
    expect(fixed(-12.5)).toBe('-12.500');
    expect(fixed(Number.NaN)).toBe('-');
  });

  it('JSON numbers: non-finite is null, λ = ∞ is null with lambdaInfinite', () => {
    expect(jsonNumber(Number.NaN)).toBeNull();
    expect(jsonNumber(Number.POSITIVE_INFINITY)).toBeNull();
    expect(Object.is(jsonNumber(-0), 0)).toBe(true);
    expect(jsonLambda(Number.POSITIVE_INFINITY)).toEqual({ lambda: null, lambdaInfinite: true });
    expect(jsonLambda(0.25)).toEqual({ lambda: 0.25, lambdaInfinite: false });
    expect(jsonLambda(0)).toEqual({ lambda: 0, lambdaInfinite: false });
  });
});

describe('λ = ∞ in --json', () => {
  it('fit --lambda inf --json and info --json write null with lambdaInfinite, no "Infinity"', async () => {
    const r = await fit('--lambda', 'inf', '--no-linear-floor', '--out', 'inf.json', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/Infinity|NaN/);
    const j = JSON.parse(r.stdout);
    expect(j.model).toMatchObject({ kind: 'dual', lambda: null, lambdaInfinite: true });
    expect(j.model.candidates[0]).toMatchObject({ lambda: null, lambdaInfinite: true });
    expect(j.savedModel).toMatchObject({ lambda: null, lambdaInfinite: true, numGroups: 1 });
    const info = await hetmtl(['info', 'inf.json', '--json'], { cwd: dir });
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).not.toMatch(/Infinity/);
    const d = JSON.parse(info.stdout);
    expect(d).toMatchObject({ lambda: null, lambdaInfinite: true });
    expect(d.options).toMatchObject({ lambda: null, lambdaInfinite: true });
    expect(d.chosen).toMatchObject({ lambda: null, lambdaInfinite: true });
    expect(d.candidates[0]).toMatchObject({ lambda: null, lambdaInfinite: true });
    // A finite λ stays a number (the trunk's path may end at λ = ∞: null there).
    const path = JSON.parse((await fit('--out', 'path.json', '--json')).stdout);
    expect(path.model.candidates.some((c: { lambdaInfinite: boolean }) => !c.lambdaInfinite)).toBe(
      true,
    );
    for (const c of path.model.candidates)
      expect(c.lambda === null ? 'null' : typeof c.lambda).toBe(
        c.lambdaInfinite ? 'null' : 'number',
      );
    const help = await hetmtl(['fit', '--help']);
    expect(help.stdout).toMatch(/"lambda": null with "lambdaInfinite": true/);
  });
});

describe('evaluate', () => {
  it("the mean-of-tasks row has RMSE, MAE and R²: the means of the tasks' rows", async () => {
    expect((await fit('--out', 'model.json')).code).toBe(0);
    const j = JSON.parse(
      (await hetmtl(['evaluate', 'model.json', 'test.csv', '--json'], { cwd: dir })).stdout,
    );
    const mean = (k: 'rmse' | 'mae' | 'r2') =>
      j.tasks.reduce((a: number, t: Record<string, number>) => a + t[k], 0) / j.tasks.length;
    expect(j.tasks).toHaveLength(5);
    for (const k of ['rmse', 'mae', 'r2'] as const)
      expect(j.meanOfTasks[k]).toBeCloseTo(mean(k), 12);
    expect(j.meanOfTasks.rmse).toBeCloseTo(j.meanTaskRmse, 12);
    const text = (await hetmtl(['evaluate', 'model.json', 'test.csv'], { cwd: dir })).stdout;
    expect(text).toContain(
      `mean of tasks       ${fixed(mean('rmse'))}  ${fixed(mean('mae'))}  ${fixed(mean('r2'))}`,
    );
  });
});

describe('info prints the options of the chosen candidate', () => {
  it('the linear floor when it wins (not the dual options that lost), the dual settings when it does', async () => {
    // This draw (seed 3, 20 features, 60 rows a task) is won by the linear floor.
    expect((await fit('--out', 'model.json')).code).toBe(0);
    const text = (await hetmtl(['info', 'model.json'], { cwd: dir })).stdout;
    const d = JSON.parse((await hetmtl(['info', 'model.json', '--json'], { cwd: dir })).stdout);
    const chosen = d.candidates.find((c: { chosen: boolean }) => c.chosen);
    expect(chosen.id).toBe('linear-mtl');
    expect(d.chosen).toMatchObject({ id: 'linear-mtl', kind: 'linear', K1: 0, specific: null });
    expect(d.chosen.validationRmse).toBe(chosen.validationRmse);
    const options = text.split('\n').find((l) => l.startsWith('options'));
    expect(options).toMatch(/of the chosen candidate "linear-mtl": identity encoder/);
    expect(options).not.toMatch(/K0 = 4|mcp/);
    expect(text).toMatch(/^model\s+linear MTL floor .*\(candidate "linear-mtl" of 3\)$/m);
    expect(text).toMatch(/^selection\s+3 candidates from the options .* K0 = 4/m);

    expect(
      (await fit('--no-linear-floor', '--no-trunk', '--k0', '3', '--out', 'dual.json')).code,
    ).toBe(0);
    const dual = JSON.parse((await hetmtl(['info', 'dual.json', '--json'], { cwd: dir })).stdout);
    expect(dual.chosen).toMatchObject({ id: 'dual', kind: 'dual', K0: 3, K1: 2, mu: 0.1 });
    const dualText = (await hetmtl(['info', 'dual.json'], { cwd: dir })).stdout;
    expect(dualText).toMatch(
      /^options\s+of the chosen candidate "dual": shared linear.* K0 = 3, K1 = 2/m,
    );
  });
});
