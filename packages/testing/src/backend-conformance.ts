import { cpuBackend } from '@hetmtl/backend-cpu';
import {
  type ActiveBackend,
  type BackendPlugin,
  countTensors,
  Random,
  tf,
  useBackend,
} from '@hetmtl/tensor';
import { type BackendCase, backendCases } from './backend-cases.js';

export interface CaseResult {
  readonly name: string;
  readonly group: BackendCase['group'];
  /** max |got − want| / max(1, max |want|) over all outputs. */
  readonly error: number;
  readonly tolerance: number;
  /** Tensors left alive by the case on the backend under test. */
  readonly leaked: number;
  readonly ok: boolean;
  /** Why the case failed, if it did. */
  readonly failure?: string;
}

export interface ConformanceReport {
  readonly backend: ActiveBackend;
  readonly reference: string;
  readonly results: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
}

export interface ConformanceOptions {
  /** The backend results are compared with (default: cpu). */
  readonly reference?: BackendPlugin;
  /** The cases to run (default: {@link backendCases}). */
  readonly cases?: readonly BackendCase[];
  /** Relative tolerance; default from the backend's float precision (1e-4 for 32 bits, 1e-2 for 16). */
  readonly tolerance?: number;
  /** Seed of the inputs (default 2505). */
  readonly seed?: number;
}

interface Outputs {
  readonly shapes: number[][];
  readonly values: Float64Array[];
}

async function runCase(c: BackendCase, seed: number): Promise<Outputs> {
  const outs = tf.tidy(() => c.run(new Random(seed)));
  try {
    const values = await Promise.all(outs.map(async (t) => Float64Array.from(await t.data())));
    return { shapes: outs.map((t) => t.shape), values };
  } finally {
    tf.dispose(outs);
  }
}

function compare(got: Outputs, want: Outputs): { error: number; mismatch?: string } {
  if (got.values.length !== want.values.length)
    return {
      error: Number.POSITIVE_INFINITY,
      mismatch: `returned ${got.values.length} outputs, expected ${want.values.length}`,
    };
  let error = 0;
  for (let k = 0; k < want.values.length; k++) {
    if (JSON.stringify(got.shapes[k]) !== JSON.stringify(want.shapes[k])) {
      return {
        error: Number.POSITIVE_INFINITY,
        mismatch: `output ${k} has shape [${got.shapes[k]}], expected [${want.shapes[k]}]`,
      };
    }
    const g = got.values[k];
    const w = want.values[k];
    let scale = 1;
    let diff = 0;
    for (let i = 0; i < w.length; i++) {
      scale = Math.max(scale, Math.abs(w[i]));
      const d = Math.abs(g[i] - w[i]);
      diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
    }
    error = Math.max(error, diff / scale);
  }
  return { error };
}

/**
 * Runs every case on the reference backend (cpu) and on `plugin`, and compares: results must agree
 * within the backend's precision and no case may leave tensors alive. Leaves `plugin` active.
 */
export async function checkBackendConformance(
  plugin: BackendPlugin,
  options: ConformanceOptions = {},
): Promise<ConformanceReport> {
  const cases = options.cases ?? backendCases;
  const seed = options.seed ?? 2505;
  const reference = options.reference ?? cpuBackend();
  await useBackend(reference);
  const wants = new Map<string, Outputs | Error>();
  for (const c of cases) wants.set(c.name, await runCase(c, seed).catch((e: Error) => e));

  const backend = await useBackend(plugin);
  const tolerance = options.tolerance ?? (backend.floatPrecision >= 32 ? 1e-4 : 1e-2);
  const results: CaseResult[] = [];
  for (const c of cases) {
    const want = wants.get(c.name) as Outputs | Error;
    const before = countTensors();
    let got: Outputs | Error;
    try {
      got = await runCase(c, seed);
    } catch (e) {
      got = e as Error;
    }
    const leaked = countTensors() - before;
    let error = Number.POSITIVE_INFINITY;
    let failure: string | undefined;
    if (want instanceof Error) failure = `the reference backend failed: ${want.message}`;
    else if (got instanceof Error) failure = `threw: ${got.message}`;
    else {
      const cmp = compare(got, want);
      error = cmp.error;
      if (cmp.mismatch) failure = cmp.mismatch;
      else if (!(error <= tolerance))
        failure = `relative error ${error.toExponential(2)} exceeds ${tolerance}`;
    }
    if (failure === undefined && leaked !== 0) failure = `leaked ${leaked} tensor(s)`;
    results.push({
      name: c.name,
      group: c.group,
      error,
      tolerance,
      leaked,
      ok: failure === undefined,
      ...(failure ? { failure } : {}),
    });
  }
  const failed = results.filter((r) => !r.ok).length;
  return { backend, reference: reference.name, results, passed: results.length - failed, failed };
}

/** A plain-text table of a report, one line per case. */
export function formatConformanceReport(report: ConformanceReport): string {
  const lines = [
    `backend ${report.backend.name} (simd ${report.backend.simd}, threads ${report.backend.threads}) vs ${report.reference}: ${report.passed} passed, ${report.failed} failed`,
  ];
  for (const r of report.results) {
    lines.push(
      `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(58)} err ${Number.isFinite(r.error) ? r.error.toExponential(1) : '—'}${r.failure ? `  ${r.failure}` : ''}`,
    );
  }
  return lines.join('\n');
}
