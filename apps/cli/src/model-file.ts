import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Encoding, type EncodingJSON } from '@hetmtl/data';
import { DualEncoderRegressor, MODEL_FORMAT, validateModelDocument } from '@hetmtl/model';
import { HetmtlError } from '@hetmtl/tensor';
import { CliError } from './errors.js';
import { checkReadable } from './read-data.js';

export const CLI_MODEL_FORMAT = 'hetmtl/cli-model';
export const CLI_MODEL_VERSION = 1;

/** The columns of the training file: what predict needs to read a new file. */
export interface ModelColumns {
  readonly task: string;
  readonly target: string;
  /** Feature columns of the file, in order (before one-hot encoding). */
  readonly features: readonly string[];
  readonly categorical: readonly string[];
}

/** How the model was fitted, for `hetmtl info`. */
export interface FitRecord {
  readonly source: string;
  readonly format: string;
  readonly backend: string;
  readonly seed: number;
  /** Share of each task held out for the report (0: none). */
  readonly test: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly seconds: number;
  readonly createdAt: string;
  readonly hetmtlCli: string;
}

/**
 * The file `hetmtl fit --out` writes: the model document of @hetmtl/model next to the column names
 * and the categorical encoding of the training file, so that predict and evaluate can read a new
 * file the way the training file was read.
 */
export interface CliModelDocument {
  readonly format: typeof CLI_MODEL_FORMAT;
  readonly version: number;
  readonly columns: ModelColumns;
  readonly encoding: EncodingJSON;
  readonly fit: FitRecord;
  readonly model: ReturnType<DualEncoderRegressor['toJSON']>;
}

export interface LoadedModel {
  readonly path: string;
  readonly document: CliModelDocument;
  readonly encoding: Encoding;
  /** Builds the model (needs an active backend for dual-encoder models). */
  readonly load: () => DualEncoderRegressor;
  /** Checks the model document as `load` does, without building it (no backend needed). */
  readonly validate: () => void;
}

/**
 * Writes text to `path` atomically: to a temporary file in the same directory, flushed, then renamed
 * over `path`. An interruption leaves either the old file or the new one, never half a file; with an
 * aborted `signal` before the rename, nothing is written.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  signal?: AbortSignal,
): Promise<void> {
  const target = resolve(path);
  const tmp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(tmp, 'wx');
    await fh.writeFile(text, 'utf8');
    await fh.sync();
    await fh.close();
    fh = undefined;
    // The last moment to give up: after the rename the new file is there, whole.
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    await rename(tmp, target);
  } catch (e) {
    await fh?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    if (signal?.aborted) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot write ${JSON.stringify(path)} (${code ?? (e as Error).message})`,
      code === 'ENOENT'
        ? 'Create the directory first, or choose another --out path'
        : 'Check that the directory exists and is writable, or choose another --out path',
      { cause: e },
    );
  }
}

export function modelDocument(
  model: DualEncoderRegressor,
  columns: ModelColumns,
  encoding: Encoding,
  fit: FitRecord,
): CliModelDocument {
  return {
    format: CLI_MODEL_FORMAT,
    version: CLI_MODEL_VERSION,
    columns,
    encoding: encoding.toJSON(),
    fit,
    model: model.toJSON(),
  };
}

const MODEL_FIX = 'Pass a model file written by `hetmtl fit --out model.json`';

/** Runs `fn` on the file's model document; its refusal names the file and its "model" field. */
function inModelFile<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!HetmtlError.isInstance(e) || e.code !== 'E_SERIALIZATION') throw e;
    // The document's own words for what is wrong, without its fix (which speaks to API users).
    const what = `${e.summary}${e.expected !== undefined ? `: expected ${e.expected}` : ''}${e.received !== undefined ? `${e.expected !== undefined ? ',' : ':'} received ${e.received}` : ''}`;
    throw new CliError(
      `${JSON.stringify(path)} is a corrupt model file: its "model" field is refused (${what})`,
      `${MODEL_FIX}; a file edited by hand cannot be repaired, refit the model`,
      { cause: e },
    );
  }
}

/** Where a model file's parts disagree: names the file, the two parts and the fix. */
function mismatch(path: string, what: string, expected: string, received: string): CliError {
  return new CliError(
    `${JSON.stringify(path)} is a corrupt model file: ${what} (expected ${expected}, received ${received})`,
    `${MODEL_FIX}; a file edited by hand must keep the encoding, the columns and the model in step`,
  );
}

const shortList = (names: readonly string[]) =>
  names.length > 6
    ? `${names
        .slice(0, 6)
        .map((n) => JSON.stringify(n))
        .join(', ')}, … (${names.length})`
    : names.map((n) => JSON.stringify(n)).join(', ');

/** The encoding, the column names and the model of a model file describe the same data. */
function checkParts(path: string, doc: CliModelDocument, encoding: Encoding): void {
  const model = doc.model as { featureNames?: unknown; taskNames?: unknown };
  const modelFeatures = Array.isArray(model.featureNames) ? (model.featureNames as string[]) : [];
  const modelTasks = Array.isArray(model.taskNames) ? (model.taskNames as string[]) : [];
  const encFeatures = encoding.featureNames;
  if (
    encFeatures.length !== modelFeatures.length ||
    encFeatures.some((f, j) => f !== modelFeatures[j])
  )
    throw mismatch(
      path,
      'the encoding and the model have different features',
      `the model's ${modelFeatures.length} features ${shortList(modelFeatures)}`,
      `${encFeatures.length} encoded features ${shortList(encFeatures)} in "encoding"`,
    );
  const columns = encoding.columns.map((c) => c.name);
  if (
    columns.length !== doc.columns.features.length ||
    columns.some((c, j) => c !== doc.columns.features[j])
  )
    throw mismatch(
      path,
      '"columns.features" and "encoding" list different columns',
      shortList(columns),
      shortList(doc.columns.features),
    );
  if (encoding.taskColumn !== doc.columns.task || encoding.target !== doc.columns.target)
    throw mismatch(
      path,
      '"columns" and "encoding" name different task or target columns',
      `task ${JSON.stringify(encoding.taskColumn)} and target ${JSON.stringify(encoding.target)}`,
      `${JSON.stringify(doc.columns.task)} and ${JSON.stringify(doc.columns.target)}`,
    );
  const known = new Set(encoding.tasks);
  const missing = modelTasks.filter((t) => !known.has(t));
  if (missing.length > 0)
    throw mismatch(
      path,
      'the model has tasks the encoding does not know',
      `tasks among ${shortList(encoding.tasks)}`,
      shortList(missing),
    );
}

/**
 * Reads and checks a model file; the model itself is built by `load()` once a backend is active.
 * `unseenLevels` overrides the policy for categories not seen in training that the file stores.
 */
export async function readModelFile(
  path: string,
  options: { readonly unseenLevels?: 'error' | 'zero' | undefined } = {},
): Promise<LoadedModel> {
  await checkReadable(path, 'model file');
  const text = await readFile(path, 'utf8');
  let doc: CliModelDocument;
  try {
    doc = JSON.parse(text) as CliModelDocument;
  } catch {
    throw new CliError(`${JSON.stringify(path)} is not a hetmtl model file (not JSON)`, MODEL_FIX);
  }
  const format = (doc as { format?: unknown } | null)?.format;
  if (format === MODEL_FORMAT)
    throw new CliError(
      `${JSON.stringify(path)} is a bare model document (model.toJSON()) without the column names and encoding the command needs`,
      `${MODEL_FIX}, or load it with DualEncoderRegressor.fromJSON in your own code`,
    );
  if (format !== CLI_MODEL_FORMAT)
    throw new CliError(
      `${JSON.stringify(path)} is not a hetmtl model file (format ${JSON.stringify(format ?? null)}, expected "${CLI_MODEL_FORMAT}")`,
      MODEL_FIX,
    );
  if (doc.version !== CLI_MODEL_VERSION)
    throw new CliError(
      `${JSON.stringify(path)} has model file version ${JSON.stringify(doc.version)}; this hetmtl reads version ${CLI_MODEL_VERSION}`,
      'Use the hetmtl version that wrote it, or refit the model',
    );
  const c = doc.columns;
  if (
    typeof c?.task !== 'string' ||
    typeof c.target !== 'string' ||
    !Array.isArray(c.features) ||
    typeof doc.model !== 'object' ||
    doc.model === null
  )
    throw new CliError(
      `${JSON.stringify(path)} is a corrupt model file (columns or model missing)`,
      MODEL_FIX,
    );
  if (typeof doc.encoding !== 'object' || doc.encoding === null)
    throw new CliError(
      `${JSON.stringify(path)} is a corrupt model file: its "encoding" field (the training columns, levels and missing-value policy) is ${doc.encoding === undefined ? 'missing' : JSON.stringify(doc.encoding)}`,
      MODEL_FIX,
    );
  let encoding: Encoding;
  try {
    encoding = Encoding.fromJSON(
      options.unseenLevels === undefined
        ? doc.encoding
        : { ...doc.encoding, unseenCategory: options.unseenLevels },
    );
  } catch (e) {
    throw new CliError(
      `${JSON.stringify(path)} is a corrupt model file: its "encoding" field is not valid (${(e as Error).message})`,
      MODEL_FIX,
      { cause: e },
    );
  }
  checkParts(path, doc, encoding);
  return {
    path,
    document: doc,
    encoding,
    load: () => inModelFile(path, () => DualEncoderRegressor.fromJSON(doc.model)),
    validate: () => {
      inModelFile(path, () => validateModelDocument(doc.model));
    },
  };
}
