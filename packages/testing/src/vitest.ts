import type { BackendPlugin } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendCases } from './backend-cases.js';
import { type ConformanceOptions, type ConformanceReport, checkBackendConformance } from './backend-conformance.js';

/**
 * Registers the backend conformance suite as vitest tests, one test per case. When the backend is
 * not available here the suite is skipped and the reason printed.
 */
export function describeBackendConformance(plugin: BackendPlugin, options: ConformanceOptions = {}): void {
  describe(`backend conformance: ${plugin.name} ${JSON.stringify(plugin.config)}`, async () => {
    const availability = await plugin.isAvailable();
    if (!availability.ok) {
      console.warn(`[hetmtl] skipping backend conformance for "${plugin.name}": ${availability.reason}`);
      it.skip(`${plugin.name} is not available here: ${availability.reason}`, () => {});
      return;
    }
    let report: ConformanceReport;
    beforeAll(async () => {
      report = await checkBackendConformance(plugin, options);
    });
    for (const c of options.cases ?? backendCases) {
      it(c.name, () => {
        const r = report.results.find((x) => x.name === c.name);
        expect(r?.failure).toBeUndefined();
        expect(r?.ok).toBe(true);
      });
    }
  });
}
