import { Encoding, type EncodingJSON } from '@hetmtl/data';
import { SerializationError } from '@hetmtl/tensor';
import { parseDocument } from './document.js';

/**
 * A pipeline: the categorical encoding of a training table next to the document of the estimator
 * fitted on its encoded rows, so that a new table is read the way the training table was and then
 * predicted. It is the file `hetmtl fit --out` writes (the format keeps its historical tag
 * `hetmtl/cli-model`); the web app writes the same file. This package cannot build the estimator
 * (it does not import the model): the reader is given a loader.
 */
export const PIPELINE_FORMAT = 'hetmtl/cli-model';
export const PIPELINE_VERSION = 1;

/** The columns of the training table: what a new table needs to be read. */
export interface PipelineColumns {
  readonly task: string;
  readonly target: string;
  /** Feature columns of the table, in order (before one-hot encoding). */
  readonly features: readonly string[];
  readonly categorical: readonly string[];
}

/** How the estimator was fitted (shown by `hetmtl info`). */
export interface PipelineFitRecord {
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

/** `{ format: "hetmtl/cli-model", version: 1, columns, encoding, fit, model }`. */
export interface PipelineDocument<D = unknown, F = PipelineFitRecord> {
  readonly format: typeof PIPELINE_FORMAT;
  readonly version: number;
  readonly columns: PipelineColumns;
  readonly encoding: EncodingJSON;
  readonly fit: F;
  /** The estimator's own document (`toJSON()`). */
  readonly model: D;
}

/** The columns of an encoding's training table. */
export function pipelineColumns(encoding: Encoding): PipelineColumns {
  return {
    task: encoding.taskColumn,
    target: encoding.target,
    features: encoding.columns.map((c) => c.name),
    categorical: encoding.columns.filter((c) => c.kind === 'categorical').map((c) => c.name),
  };
}

/** The pipeline document of an encoding and an estimator's document (keys in the file's order). */
export function pipelineDocument<D, F>(parts: {
  readonly encoding: Encoding;
  readonly model: D;
  readonly fit: F;
  readonly columns?: PipelineColumns;
}): PipelineDocument<D, F> {
  return {
    format: PIPELINE_FORMAT,
    version: PIPELINE_VERSION,
    columns: parts.columns ?? pipelineColumns(parts.encoding),
    encoding: parts.encoding.toJSON(),
    fit: parts.fit,
    model: parts.model,
  };
}

/** The first thing wrong with a pipeline document, for interfaces that word it themselves. */
export type PipelineIssue =
  | { readonly kind: 'format'; readonly format: unknown }
  | { readonly kind: 'version'; readonly version: unknown }
  /** `columns` (task, target, features) or `model` missing. */
  | { readonly kind: 'parts' }
  /** `encoding` missing or not an object. */
  | { readonly kind: 'encoding'; readonly encoding: unknown }
  /** `encoding` refused by `Encoding.fromJSON`. */
  | { readonly kind: 'encoding-invalid'; readonly cause: unknown }
  /** The encoding, the columns and the model describe different data. */
  | {
      readonly kind: 'mismatch';
      readonly what: string;
      readonly expected: string;
      readonly received: string;
    };

/** The envelope and the parts of a parsed document (before the encoding is read), or null. */
export function pipelineIssue(doc: unknown): PipelineIssue | null {
  const d = doc as Partial<PipelineDocument> | null;
  const format = d?.format;
  if (format !== PIPELINE_FORMAT) return { kind: 'format', format };
  if (d?.version !== PIPELINE_VERSION) return { kind: 'version', version: d?.version };
  const c = d.columns;
  if (
    typeof c?.task !== 'string' ||
    typeof c.target !== 'string' ||
    !Array.isArray(c.features) ||
    typeof d.model !== 'object' ||
    d.model === null
  )
    return { kind: 'parts' };
  if (typeof d.encoding !== 'object' || d.encoding === null)
    return { kind: 'encoding', encoding: d.encoding };
  return null;
}

const shortList = (names: readonly string[]) =>
  names.length > 6
    ? `${names
        .slice(0, 6)
        .map((n) => JSON.stringify(n))
        .join(', ')}, … (${names.length})`
    : names.map((n) => JSON.stringify(n)).join(', ');

/** Whether the encoding, the column names and the model of a document describe the same data. */
export function pipelinePartsIssue(
  doc: PipelineDocument,
  encoding: Encoding,
): PipelineIssue | null {
  const model = doc.model as { featureNames?: unknown; taskNames?: unknown };
  const modelFeatures = Array.isArray(model.featureNames) ? (model.featureNames as string[]) : [];
  const modelTasks = Array.isArray(model.taskNames) ? (model.taskNames as string[]) : [];
  const encFeatures = encoding.featureNames;
  const mismatch = (what: string, expected: string, received: string): PipelineIssue => ({
    kind: 'mismatch',
    what,
    expected,
    received,
  });
  if (
    encFeatures.length !== modelFeatures.length ||
    encFeatures.some((f, j) => f !== modelFeatures[j])
  )
    return mismatch(
      'the encoding and the model have different features',
      `the model's ${modelFeatures.length} features ${shortList(modelFeatures)}`,
      `${encFeatures.length} encoded features ${shortList(encFeatures)} in "encoding"`,
    );
  const columns = encoding.columns.map((c) => c.name);
  if (
    columns.length !== doc.columns.features.length ||
    columns.some((c, j) => c !== doc.columns.features[j])
  )
    return mismatch(
      '"columns.features" and "encoding" list different columns',
      shortList(columns),
      shortList(doc.columns.features),
    );
  if (encoding.taskColumn !== doc.columns.task || encoding.target !== doc.columns.target)
    return mismatch(
      '"columns" and "encoding" name different task or target columns',
      `task ${JSON.stringify(encoding.taskColumn)} and target ${JSON.stringify(encoding.target)}`,
      `${JSON.stringify(doc.columns.task)} and ${JSON.stringify(doc.columns.target)}`,
    );
  const known = new Set(encoding.tasks);
  const missing = modelTasks.filter((t) => !known.has(t));
  if (missing.length > 0)
    return mismatch(
      'the model has tasks the encoding does not know',
      `tasks among ${shortList(encoding.tasks)}`,
      shortList(missing),
    );
  return null;
}

/**
 * The encoding of a checked document; `unseenLevels` overrides the stored policy for categories
 * not seen in training. Returns the issue instead when `Encoding.fromJSON` refuses it.
 */
export function pipelineEncoding(
  doc: PipelineDocument,
  unseenLevels?: 'error' | 'zero',
): Encoding | PipelineIssue {
  try {
    return Encoding.fromJSON(
      unseenLevels === undefined ? doc.encoding : { ...doc.encoding, unseenCategory: unseenLevels },
    );
  } catch (cause) {
    return { kind: 'encoding-invalid', cause };
  }
}

const FIX = 'Pass a pipeline document written by hetmtl (`hetmtl fit --out model.json`)';

/** The words of an issue, as a SerializationError for library users. */
export function pipelineIssueError(issue: PipelineIssue): SerializationError {
  switch (issue.kind) {
    case 'format':
      return new SerializationError('Not a hetmtl pipeline document', {
        expected: `format "${PIPELINE_FORMAT}"`,
        received: JSON.stringify(issue.format ?? null),
        fix: FIX,
      });
    case 'version':
      return new SerializationError('Unsupported pipeline document version', {
        expected: `version ${PIPELINE_VERSION}`,
        received: JSON.stringify(issue.version ?? null),
        fix: 'Load it with the hetmtl version that saved it, or refit the model',
      });
    case 'parts':
      return new SerializationError('Corrupt pipeline document: columns or model missing', {
        expected: 'columns { task, target, features } and a model document',
        fix: FIX,
      });
    case 'encoding':
      return new SerializationError('Corrupt pipeline document: encoding', {
        expected: 'the encoding of the training columns (an object)',
        received: issue.encoding === undefined ? 'nothing' : JSON.stringify(issue.encoding),
        fix: FIX,
      });
    case 'encoding-invalid':
      return new SerializationError(
        `Corrupt pipeline document: encoding (${(issue.cause as Error).message})`,
        { cause: issue.cause, fix: FIX },
      );
    case 'mismatch':
      return new SerializationError(`Corrupt pipeline document: ${issue.what}`, {
        expected: issue.expected,
        received: issue.received,
        fix: `${FIX}; a document edited by hand must keep the encoding, the columns and the model in step`,
      });
  }
}

export interface PipelineReadOptions<P> {
  /** Builds the estimator from its document (e.g. `DualEncoderRegressor.fromJSON`). */
  readonly load: (model: unknown) => P;
  /** Checks the estimator's document without building it (e.g. `validateModelDocument`). */
  readonly validate?: (model: unknown) => unknown;
  /** Overrides the policy for categories not seen in training that the document stores. */
  readonly unseenLevels?: 'error' | 'zero' | undefined;
}

/**
 * A pipeline read back: its document, its encoding, and the estimator built on demand by the
 * injected loader (a model needs an active backend, so it is built by `estimator()`, not here).
 */
export class Pipeline<P = unknown, D = unknown, F = PipelineFitRecord> {
  readonly document: PipelineDocument<D, F>;
  readonly encoding: Encoding;
  readonly #options: PipelineReadOptions<P>;

  private constructor(
    document: PipelineDocument<D, F>,
    encoding: Encoding,
    options: PipelineReadOptions<P>,
  ) {
    this.document = document;
    this.encoding = encoding;
    this.#options = options;
  }

  /**
   * Reads a pipeline document or its JSON text: the envelope, the columns, the encoding and their
   * agreement with the estimator's document; a SerializationError says what is wrong.
   */
  static fromJSON<P, D = unknown, F = PipelineFitRecord>(
    json: unknown,
    options: PipelineReadOptions<P>,
  ): Pipeline<P, D, F> {
    const read = Pipeline.read<P, D, F>(parseDocument(json, FIX, 'pipeline document'), options);
    if (!(read instanceof Pipeline)) throw pipelineIssueError(read);
    return read;
  }

  /**
   * {@link fromJSON} on a parsed document, returning the first issue instead of throwing it (for
   * interfaces that word it themselves, as the CLI names the file).
   */
  static read<P, D = unknown, F = PipelineFitRecord>(
    doc: unknown,
    options: PipelineReadOptions<P>,
  ): Pipeline<P, D, F> | PipelineIssue {
    const issue = pipelineIssue(doc);
    if (issue) return issue;
    const checked = doc as PipelineDocument<D, F>;
    const encoding = pipelineEncoding(checked as PipelineDocument, options.unseenLevels);
    if (!(encoding instanceof Encoding)) return encoding;
    return (
      pipelinePartsIssue(checked as PipelineDocument, encoding) ??
      new Pipeline(checked, encoding, options)
    );
  }

  /** The estimator, built from its document by the loader (a new one on every call). */
  estimator(): P {
    return this.#options.load(this.document.model);
  }

  /** Checks the estimator's document as `estimator()` would, without building it. */
  validate(): void {
    this.#options.validate?.(this.document.model);
  }

  toJSON(): PipelineDocument<D, F> {
    return this.document;
  }
}
