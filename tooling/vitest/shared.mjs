// Shared vitest configuration: every package's vitest.config.mjs is `export default packageConfig()`.
// Each run writes a JSON report to .vitest/report.json, which tooling/scripts/ci-summary.mjs reads.
import { defineConfig } from 'vitest/config';

/** @param {import('vitest/config').UserConfig['test']} [test] */
export function packageConfig(test = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      reporters: ['default', 'json'],
      outputFile: { json: '.vitest/report.json' },
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
      ...test,
    },
  });
}
