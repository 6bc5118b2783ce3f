#!/usr/bin/env node
// Reads every workspace package's vitest JSON report (.vitest/report.json) and prints the failures
// and a final line `N passed, N failed`. A test file that failed to load counts as a failure, and so
// does a package with a test script but no report. Exit code 1 when anything failed.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { workspacePackages } from './workspace.mjs';

export function summarise(root) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const problems = [];
  for (const { dir, path, pkg } of workspacePackages(root)) {
    if (!pkg.scripts?.test) continue;
    const reportPath = join(path, '.vitest', 'report.json');
    if (!existsSync(reportPath)) {
      failed += 1;
      problems.push(
        `${dir}: no test report (${relative(root, reportPath)}): its test run did not complete`,
      );
      continue;
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    for (const file of report.testResults ?? []) {
      const assertions = file.assertionResults ?? [];
      if (file.status === 'failed' && assertions.every((a) => a.status !== 'failed')) {
        failed += 1; // the file failed outside any test: it did not load, or a hook threw
        problems.push(
          `${dir}: ${relative(path, file.name)} failed to run: ${(file.message ?? '').split('\n')[0]}`,
        );
      }
      for (const a of assertions) {
        if (a.status === 'passed') passed += 1;
        else if (a.status === 'failed') {
          failed += 1;
          problems.push(
            `${dir}: ${a.fullName ?? a.title}: ${(a.failureMessages?.[0] ?? '').split('\n')[0]}`,
          );
        } else skipped += 1;
      }
    }
  }
  return { passed, failed, skipped, problems };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const extraAt = args.indexOf('--extra-failures');
  // Failed CI steps other than the tests (build, lint, ...) count as failures too.
  const extra = extraAt >= 0 ? Number(args.splice(extraAt, 2)[1]) : 0;
  const { passed, failed: testFailures, skipped, problems } = summarise(args[0] ?? process.cwd());
  for (const p of problems) console.log(`FAILED ${p}`);
  if (extra > 0)
    console.log(`FAILED ${extra} CI step(s) other than the tests (see ::: FAILED above)`);
  const failed = testFailures + extra;
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed > 0 ? 1 : 0);
}
