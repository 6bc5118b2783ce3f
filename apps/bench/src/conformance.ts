import { checkBackendConformance, formatConformanceReport } from '@hetmtl/testing';
import { BACKENDS } from './backends.js';
import { formatTable } from './table.js';

/**
 * The backend demo: runs the conformance suite (every op and gradient hetmtl uses, compared with
 * cpu) on each backend and prints one row per backend. Returns false when a backend fails.
 */
export async function conformanceTable(options: { verbose?: boolean } = {}): Promise<boolean> {
  const rows: string[][] = [];
  let ok = true;
  for (const [name, make] of Object.entries(BACKENDS)) {
    const plugin = await make();
    const availability = await plugin.isAvailable();
    if (!availability.ok) {
      rows.push([name, '—', '—', '—', '—', '—', '—', `not available: ${availability.reason}`]);
      continue;
    }
    const t0 = performance.now();
    const report = await checkBackendConformance(plugin);
    const ms = performance.now() - t0;
    const maxErr = Math.max(...report.results.map((r) => (Number.isFinite(r.error) ? r.error : 0)));
    ok &&= report.failed === 0;
    rows.push([
      name,
      String(report.backend.simd),
      String(report.backend.threads),
      String(report.passed),
      String(report.failed),
      maxErr.toExponential(1),
      `${ms.toFixed(0)} ms`,
      report.failed === 0
        ? 'ok'
        : report.results
            .filter((r) => !r.ok)
            .map((r) => r.name)
            .join('; '),
    ]);
    if (options.verbose || report.failed > 0) console.log(formatConformanceReport(report));
  }
  console.log(
    'Backend conformance: every op and gradient hetmtl uses, compared with the cpu backend\n',
  );
  console.log(
    formatTable(
      ['backend', 'simd', 'threads', 'passed', 'failed', 'max rel err', 'time', 'status'],
      rows,
    ),
  );
  return ok;
}
