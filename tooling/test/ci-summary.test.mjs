import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarise } from '../scripts/ci-summary.mjs';

function workspace(reports) {
  const root = mkdtempSync(join(tmpdir(), 'hetmtl-ci-'));
  for (const [name, report] of Object.entries(reports)) {
    const dir = join(root, 'packages', name);
    mkdirSync(join(dir, '.vitest'), { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name, scripts: { test: 'vitest run' } }),
    );
    if (report) writeFileSync(join(dir, '.vitest', 'report.json'), JSON.stringify(report));
  }
  return root;
}

describe('ci-summary', () => {
  it('counts passed, failed, skipped tests and files that failed to load, and missing reports', () => {
    const root = workspace({
      a: {
        testResults: [
          {
            name: '/x/a.test.ts',
            status: 'passed',
            assertionResults: [{ status: 'passed' }, { status: 'passed' }, { status: 'skipped' }],
          },
          {
            name: '/x/b.test.ts',
            status: 'failed',
            message: 'Cannot find module',
            assertionResults: [],
          },
        ],
      },
      b: {
        testResults: [
          {
            name: '/y/c.test.ts',
            status: 'failed',
            assertionResults: [
              { status: 'failed', fullName: 'c fails', failureMessages: ['boom\nstack'] },
              { status: 'passed' },
            ],
          },
        ],
      },
      c: null,
    });
    const s = summarise(root);
    expect([s.passed, s.failed, s.skipped]).toEqual([3, 3, 1]);
    expect(s.problems.join('\n')).toMatch(/failed to run: Cannot find module/);
    expect(s.problems.join('\n')).toMatch(/c fails: boom/);
    expect(s.problems.join('\n')).toMatch(/packages\/c: no test report/);
  });
});
