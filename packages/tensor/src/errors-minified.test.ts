// Error names and codes are explicit strings (HetmtlError.errorName, the code argument), never a
// class's `name`: a minifier renames classes (`Uncaught PG: …`). Checked on a minified bundle of the
// error family, built here with esbuild, whose class names are shown to be mangled.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import * as errors from './errors.js';

const ENTRY = `
import * as e from './errors.js';
const make = {
  HetmtlError: () => new e.HetmtlError('x'),
  ValidationError: () => new e.ValidationError('x'),
  NotFittedError: () => new e.NotFittedError('the model'),
  BackendUnavailableError: () => new e.BackendUnavailableError('wasm', 'x'),
  SerializationError: () => new e.SerializationError('x'),
  NotPositiveDefiniteError: () => new e.NotPositiveDefiniteError(1, -1),
  NumericError: () => new e.NumericError('x'),
  AbortError: () => new e.AbortError(),
};
export function run() {
  return Object.entries(make).map(([label, f]) => {
    const err = f();
    return {
      label,
      name: err.name,
      code: err.code,
      className: err.constructor.name,
      isValidation: e.ValidationError.isInstance(err),
      isHetmtl: e.HetmtlError.isInstance(err),
      uncaught: String(err).split(':')[0],
    };
  });
}`;

const CODES: Record<string, string> = {
  HetmtlError: 'E_HETMTL',
  ValidationError: 'E_VALIDATION',
  NotFittedError: 'E_NOT_FITTED',
  BackendUnavailableError: 'E_BACKEND_UNAVAILABLE',
  SerializationError: 'E_SERIALIZATION',
  NotPositiveDefiniteError: 'E_NOT_POSITIVE_DEFINITE',
  NumericError: 'E_NUMERIC',
  AbortError: 'E_ABORTED',
};

it('the check covers every error class of the family', () => {
  const classes = Object.entries(errors)
    .filter(
      ([, v]) =>
        typeof v === 'function' &&
        (v === errors.HetmtlError || v.prototype instanceof errors.HetmtlError),
    )
    .map(([k]) => k);
  expect(classes.sort()).toEqual(Object.keys(CODES).sort());
});

it('a minified bundle keeps every error name and code', async () => {
  const out = await build({
    stdin: {
      contents: ENTRY,
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  const mod = (await import(
    `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
  )) as {
    run(): {
      label: string;
      name: string;
      code: string;
      className: string;
      isValidation: boolean;
      isHetmtl: boolean;
      uncaught: string;
    }[];
  };
  const rows = mod.run();
  expect(rows.map((r) => r.label)).toEqual(Object.keys(CODES));
  // The minifier did rename the classes: a name taken from the class would be wrong.
  expect(rows.filter((r) => r.className === r.label).map((r) => r.label)).toEqual([]);
  for (const r of rows) {
    expect(r.name, r.label).toBe(r.label);
    expect(r.uncaught, r.label).toBe(r.label);
    expect(r.code, r.label).toBe(CODES[r.label]);
    expect(r.isHetmtl, r.label).toBe(true);
    expect(r.isValidation, r.label).toBe(r.label === 'ValidationError');
  }
});
