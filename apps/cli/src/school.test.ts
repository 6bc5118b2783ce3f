// The real School data (139 schools, 15,362 students) through the built command, with small
// settings (--max-rounds 2) so that the fit takes seconds, then predict and evaluate on the file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasSchool, hetmtl, SCHOOL_CSV, scratchDir } from './test-fixtures/run.js';

const dir = scratchDir('school');

describe('hetmtl on the School data', () => {
  it('the file is where the tests expect it (shared/ beside the clone, or HETMTL_SCHOOL_CSV)', () => {
    expect(hasSchool, `School data not found at ${SCHOOL_CSV}`).toBe(true);
  });

  let fit: { code: number | null; stdout: string; stderr: string };
  beforeAll(async () => {
    if (!hasSchool) return;
    fit = await hetmtl(
      [
        'fit',
        SCHOOL_CSV,
        '--task',
        'school',
        '--target',
        'score',
        '--max-rounds',
        '2',
        '--seed',
        '1',
        '--out',
        'school.json',
        '--json',
      ],
      { cwd: dir },
    );
  });

  it.runIf(hasSchool)(
    'fit: 139 tasks, scores next to both ridge baselines, the model saved',
    () => {
      expect(fit.code, fit.stderr).toBe(0);
      const j = JSON.parse(fit.stdout);
      expect(j.tasks).toHaveLength(139);
      expect(j.tasks[0]).toMatchObject({ task: '1' });
      const rows = j.allRows;
      expect(
        j.tasks.reduce(
          (a: number, t: { nTrain: number; nTest: number }) => a + t.nTrain + t.nTest,
          0,
        ),
      ).toBe(15_362);
      // Exam scores with sd ≈ 12.7: every learner explains part of the variance, and hetmtl is no
      // worse than per-task ridge (the School benchmark's classic weak baseline) overall.
      for (const k of ['hetmtl', 'ridgePerTask', 'ridgePooled']) {
        expect(rows[k].rmse).toBeGreaterThan(8);
        expect(rows[k].rmse).toBeLessThan(12);
        expect(rows[k].r2).toBeGreaterThan(0.2);
      }
      expect(rows.hetmtl.rmse).toBeLessThan(rows.ridgePerTask.rmse);
      expect(j.model.candidates.length).toBeGreaterThanOrEqual(2);
      expect(existsSync(join(dir, 'school.json'))).toBe(true);
      // The progress bar went to stderr, never into the JSON.
      expect(fit.stderr).toMatch(/^fit \[/m);
    },
  );

  it.runIf(hasSchool)(
    'predict and evaluate read the School file with the stored encoding',
    async () => {
      const e = await hetmtl(['evaluate', 'school.json', SCHOOL_CSV, '--json'], { cwd: dir });
      expect(e.code, e.stderr).toBe(0);
      const ev = JSON.parse(e.stdout);
      expect(ev.tasks).toHaveLength(139);
      expect(ev.overall.n).toBe(15_362);
      const p = await hetmtl(['predict', 'school.json', SCHOOL_CSV, '--out', 'school-preds.csv'], {
        cwd: dir,
      });
      expect(p.code, p.stderr).toBe(0);
      const lines = readFileSync(join(dir, 'school-preds.csv'), 'utf8').trim().split('\n');
      expect(lines).toHaveLength(15_363);
      expect(lines[0]).toMatch(/^school,x1,.*,x27,score,prediction$/);
      // RMSE recomputed from the written predictions equals evaluate's.
      let sse = 0;
      for (const line of lines.slice(1)) {
        const cells = line.split(',');
        sse += (Number(cells[28]) - Number(cells[29])) ** 2;
      }
      expect(Math.sqrt(sse / 15_362)).toBeCloseTo(ev.overall.rmse, 6);
    },
  );
});
