import { describeReceived, SerializationError } from '@hetmtl/tensor';

/**
 * The versioned document envelope every hetmtl estimator writes (`toJSON`): a plain JSON object
 * whose `format` tag names what wrote it and whose `version` says which layout it has. Readers
 * parse the text, check the tag and the version with clear errors, then check their own fields.
 */
export interface Envelope {
  readonly format: string;
  readonly version: number;
}

export interface EnvelopeSpec {
  /** The format tag this reader accepts, e.g. `hetmtl/ridge-regressor`. */
  readonly format: string;
  /** The one version this reader accepts. */
  readonly version: number;
  /** What the document is, in messages: `Not a ${name} document`. */
  readonly name: string;
  /** How messages call the document: "document" (default) or e.g. "model document". */
  readonly noun?: string;
  /** The remedy when the format tag is another one (none by default). */
  readonly formatFix?: string;
}

/**
 * A document or its JSON text, parsed. Text that is not JSON is a SerializationError
 * (`The ${noun} is not valid JSON`) with `fix`; anything else is returned as it is.
 */
export function parseDocument(json: unknown, fix: string, noun = 'document'): unknown {
  if (typeof json !== 'string') return json;
  try {
    return JSON.parse(json);
  } catch (cause) {
    throw new SerializationError(`The ${noun} is not valid JSON`, { cause, fix });
  }
}

/** Throws a SerializationError unless `doc` is an object with the spec's format tag and version. */
export function checkEnvelope(
  doc: unknown,
  spec: EnvelopeSpec,
): asserts doc is Envelope & Record<string, unknown> {
  const noun = spec.noun ?? 'document';
  if (
    typeof doc !== 'object' ||
    doc === null ||
    Array.isArray(doc) ||
    (doc as { format?: unknown }).format !== spec.format
  ) {
    throw new SerializationError(`Not a ${spec.name} document`, {
      expected: `format "${spec.format}"`,
      received: describeReceived((doc as { format?: unknown } | null)?.format),
      ...(spec.formatFix !== undefined ? { fix: spec.formatFix } : {}),
    });
  }
  const version = (doc as { version?: unknown }).version;
  if (version !== spec.version) {
    throw new SerializationError(`Unsupported ${noun} version`, {
      expected: `version ${spec.version}`,
      received: String(version),
      fix: 'Load it with the hetmtl version that saved it',
    });
  }
}

/** {@link parseDocument} then {@link checkEnvelope}: the checked envelope of a document or its text. */
export function readEnvelope(
  json: unknown,
  spec: EnvelopeSpec & { readonly jsonFix: string },
): Envelope & Record<string, unknown> {
  const doc = parseDocument(json, spec.jsonFix, spec.noun);
  checkEnvelope(doc, spec);
  return doc;
}
