// The choices the command line offers, in a module without dependencies, so that `--help` and
// usage errors answer without loading TensorFlow.js.
import { readFileSync } from 'node:fs';

/**
 * The command's version (`hetmtl --version`, and stored in every model file): the package's own
 * version, read from its package.json (one place, which changesets bumps).
 */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** Backends by name (see backends.ts for the plugins). */
export const BACKEND_NAMES: readonly string[] = ['wasm', 'cpu', 'tfjs-node', 'native'];
export const DEFAULT_BACKEND = 'wasm';

export type FileFormat = 'csv' | 'tsv' | 'json' | 'arrow';
export const FORMATS: readonly FileFormat[] = ['csv', 'tsv', 'json', 'arrow'];

export const DESIGNS = ['factor', 'covariate', 'pdx'] as const;
export type Design = (typeof DESIGNS)[number];
