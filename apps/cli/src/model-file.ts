import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Encoding } from '@hetmtl/data';
import {
  PIPELINE_FORMAT,
  PIPELINE_VERSION,
  type PipelineColumns,
  type PipelineDocument,
  type PipelineFitRecord,
  type PipelineIssue,
  Pipeline,
  pipelineDocument,
} from '@hetmtl/estimator';
import { DualEncoderRegressor, MODEL_FORMAT, validateModelDocument } from '@hetmtl/model';
import { HetmtlError } from '@hetmtl/tensor';
import { CliError } from './errors.js';
import type { SavedFamilyInput } from './family-input.js';
import { checkReadable } from './read-data.js';

/** The pipeline file of `@hetmtl/estimator` (tag `hetmtl/cli-model`): encoding + columns + model. */
export const CLI_MODEL_FORMAT = PIPELINE_FORMAT;
export const CLI_MODEL_VERSION = PIPELINE_VERSION;

/** The columns of the training file: what predict needs to read a new file. */
export type ModelColumns = PipelineColumns;

/**
 * How the model was fitted, for `hetmtl info`: `trainRows` are the rows the saved model was
 * fitted on; with `refitted`, every row after a held-out report on `reportTrainRows` training and
 * `testRows` held-out rows (absent in files written before the refit: not refitted).
 */
export interface FitRecord extends PipelineFitRecord {
  readonly refitted?: boolean;
  readonly reportTrainRows?: number;
  /** The family and its row-value columns (absent: gaussian without weights). */
  readonly family?: SavedFamilyInput;
}

/**
 * The file `hetmtl fit --out` writes: the model document of @hetmtl/model next to the column names
 * and the categorical encoding of the training file, so that predict and evaluate can read a new
 * file the way the training file was read (a pipeline document of @hetmtl/estimator).
 */
export type CliModelDocument = PipelineDocument<
  ReturnType<DualEncoderRegressor['toJSON']>,
  FitRecord
>;

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
 * Writes text (a string, or chunks a producer writes) to `path` atomically: to a temporary file in the same directory, flushed, then renamed
 * over `path`. An interruption leaves either the old file or the new one, never half a file; with an
 * aborted `signal` before the rename, nothing is written.
 */
export async function writeFileAtomic(
  path: string,
  text: string | ((write: (chunk: string) => Promise<void>) => Promise<void>),
  signal?: AbortSignal,
): Promise<void> {
  const target = resolve(path);
  const tmp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  let producerError: { error: unknown } | undefined;
  try {
    fh = await open(tmp, 'wx');
    if (typeof text === 'string') await fh.writeFile(text, 'utf8');
    else {
      const f = fh;
      // Written as it is produced (a large output is never one string).
      let writeError: unknown;
      await text(async (chunk) => {
        await f.write(chunk, null, 'utf8').catch((error: unknown) => {
          writeError = error;
          throw error;
        });
      }).catch((error: unknown) => {
        // The producer's own errors (bad input) pass as they are; write errors are reported below.
        if (error !== writeError) producerError = { error };
        throw error;
      });
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    // The last moment to give up: after the rename the new file is there, whole.
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    await rename(tmp, target);
  } catch (e) {
    await fh?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    if (signal?.aborted || (producerError !== undefined && producerError.error === e)) throw e;
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
  return pipelineDocument({ encoding, model: model.toJSON(), fit, columns });
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

/** The CLI's words for what is wrong with a model file (the pipeline's issue), naming the file. */
function refused(path: string, issue: PipelineIssue): CliError {
  const file = JSON.stringify(path);
  switch (issue.kind) {
    case 'format':
      return new CliError(
        `${file} is not a hetmtl model file (format ${JSON.stringify(issue.format ?? null)}, expected "${CLI_MODEL_FORMAT}")`,
        MODEL_FIX,
      );
    case 'version':
      return new CliError(
        `${file} has model file version ${JSON.stringify(issue.version)}; this hetmtl reads version ${CLI_MODEL_VERSION}`,
        'Use the hetmtl version that wrote it, or refit the model',
      );
    case 'parts':
      return new CliError(`${file} is a corrupt model file (columns or model missing)`, MODEL_FIX);
    case 'encoding':
      return new CliError(
        `${file} is a corrupt model file: its "encoding" field (the training columns, levels and missing-value policy) is ${issue.encoding === undefined ? 'missing' : JSON.stringify(issue.encoding)}`,
        MODEL_FIX,
      );
    case 'encoding-invalid':
      return new CliError(
        `${file} is a corrupt model file: its "encoding" field is not valid (${(issue.cause as Error).message})`,
        MODEL_FIX,
        { cause: issue.cause },
      );
    case 'mismatch':
      return new CliError(
        `${file} is a corrupt model file: ${issue.what} (expected ${issue.expected}, received ${issue.received})`,
        `${MODEL_FIX}; a file edited by hand must keep the encoding, the columns and the model in step`,
      );
  }
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
  const read = Pipeline.read<DualEncoderRegressor, CliModelDocument['model'], FitRecord>(doc, {
    load: (model) => DualEncoderRegressor.fromJSON(model),
    validate: validateModelDocument,
    unseenLevels: options.unseenLevels,
  });
  if (!(read instanceof Pipeline)) throw refused(path, read);
  return {
    path,
    document: read.document,
    encoding: read.encoding,
    load: () => inModelFile(path, () => read.estimator()),
    validate: () => {
      inModelFile(path, () => read.validate());
    },
  };
}
