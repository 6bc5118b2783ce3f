import type { EncoderSpec } from '@hetmtl/encoders';
import type { BackendPlugin } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendCases } from './backend-cases.js';
import {
  type ConformanceOptions,
  type ConformanceReport,
  checkBackendConformance,
} from './backend-conformance.js';
import {
  checkEstimatorConformance,
  type EstimatorConformanceOptions,
  type EstimatorConformanceReport,
  type EstimatorSubject,
  type EstimatorUnderTest,
  estimatorChecks,
} from './estimator-conformance.js';
import {
  checkPenaltyConformance,
  type PenaltyConformanceOptions,
  type PenaltyUnderTest,
  penaltyChecks,
} from './penalty-conformance.js';
import {
  checkEncoderConformance,
  type EncoderConformanceOptions,
  type EncoderConformanceReport,
  encoderChecks,
} from './encoder-conformance.js';

/**
 * Registers the backend conformance suite as vitest tests, one test per case. When the backend is
 * not available here the suite is skipped and the reason printed.
 */
export function describeBackendConformance(
  plugin: BackendPlugin,
  options: ConformanceOptions = {},
): void {
  describe(`backend conformance: ${plugin.name} ${JSON.stringify(plugin.config)}`, async () => {
    const availability = await plugin.isAvailable();
    if (!availability.ok) {
      console.warn(
        `[hetmtl] skipping backend conformance for "${plugin.name}": ${availability.reason}`,
      );
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

/**
 * Registers the encoder conformance suite for a spec as vitest tests, one test per check, e.g.
 * `describeEncoderConformance(myEncoder({ width: 8 }))` in a plugin package's tests.
 */
export function describeEncoderConformance(
  spec: EncoderSpec,
  options: EncoderConformanceOptions = {},
): void {
  describe(`encoder conformance: ${spec.kind} ${JSON.stringify(spec.config)}`, () => {
    let report: EncoderConformanceReport;
    beforeAll(async () => {
      report = await checkEncoderConformance(spec, options);
    });
    for (const name of encoderChecks) {
      it(name, () => {
        const r = report.results.find((x) => x.name === name);
        // The whole message (expect(...).toBeUndefined() would truncate it).
        if (r?.failure !== undefined) expect.fail(r.failure);
        expect(r?.ok).toBe(true);
      });
    }
  });
}

/**
 * Registers the penalty conformance suite for a penalty as vitest tests, one test per check, e.g.
 * `describePenaltyConformance(mcp(), { rebuild: (json) => similarityRegistry.create(json) })`.
 */
export function describePenaltyConformance(
  penalty: PenaltyUnderTest,
  options: PenaltyConformanceOptions = {},
): void {
  describe(`penalty conformance: ${penalty.kind} ${JSON.stringify(penalty.config ?? {})}`, () => {
    const report = checkPenaltyConformance(penalty, options);
    for (const name of penaltyChecks) {
      it(name, () => {
        const r = report.results.find((x) => x.name === name);
        if (r?.failure !== undefined) expect.fail(r.failure);
        expect(r?.ok).toBe(true);
      });
    }
  });
}

/**
 * Registers the estimator conformance suite as vitest tests, one test per check, e.g.
 * `describeEstimatorConformance({ name, make: (o) => new RidgeRegressor(o), fromJSON: (j) => RidgeRegressor.fromJSON(j), train, test })`.
 * Activate the backend first (a `beforeAll` registered before this call runs first).
 */
export function describeEstimatorConformance<E extends EstimatorUnderTest>(
  subject: EstimatorSubject<E>,
  options: EstimatorConformanceOptions = {},
): void {
  describe(`estimator conformance: ${subject.name}`, () => {
    let report: EstimatorConformanceReport;
    beforeAll(async () => {
      report = await checkEstimatorConformance(subject, options);
    });
    for (const name of estimatorChecks) {
      it(name, () => {
        const r = report.results.find((x) => x.name === name);
        if (r?.failure !== undefined) expect.fail(r.failure);
        expect(r?.ok).toBe(true);
      });
    }
  });
}
