/**
 * The hetmtl error family.
 *
 * Every error thrown on purpose by hetmtl is a {@link HetmtlError} with a stable `code`. `instanceof`
 * fails when two copies of `@hetmtl/tensor` are installed (two classes with the same name), so each
 * class has a static `isInstance` that checks a registry-wide symbol instead. The symbol holds each
 * class's explicit marker string (its static `errorName`), never the class's own name: a minifier
 * renames classes, not strings. A subclass outside hetmtl should declare its own `errorName`
 * (otherwise its class name is used, which is not minification-safe).
 */

const KINDS = Symbol.for('hetmtl.error.kinds');

/** Where in the data an error happened; every field is optional. */
export interface ErrorLocation {
  readonly task?: string | number;
  readonly row?: number;
  readonly column?: string | number;
}

/**
 * A reference to an option of the interface the user is in, inside an error's `expected` or `fix`
 * text: `{ missing: "drop-rows" }` for an API user, `--missing drop-rows` on the command line. The
 * library writes `opt('missing', 'drop-rows')`; {@link HetmtlError.render} turns it into words.
 */
export interface OptionRef {
  readonly option: string;
  /** The value to pass, if the text suggests one. */
  readonly value?: string | number | boolean | readonly (string | number)[];
}

/** Error text: plain, or parts with option references (see {@link opt}). */
export type ErrorText = string | readonly (string | OptionRef)[];

/** An option reference for an error's text: `opt('missing', 'drop-rows')`. */
export function opt(option: string, value?: OptionRef['value']): OptionRef {
  return value === undefined ? { option } : { option, value };
}

/** Renders an option reference; the API's words are the default (`missing: "drop-rows"`). */
export type OptionRenderer = (ref: OptionRef) => string;

/** The API's words for an option: `missing: "drop-rows"`, or `the categorical option`. */
export const apiOptionWords: OptionRenderer = (ref) =>
  ref.value === undefined
    ? `the ${ref.option} option`
    : `${ref.option}: ${JSON.stringify(ref.value)}`;

function renderText(text: ErrorText | undefined, words: OptionRenderer): string | undefined {
  if (text === undefined || typeof text === 'string') return text;
  return text.map((part) => (typeof part === 'string' ? part : words(part))).join('');
}

export interface HetmtlErrorOptions extends ErrorLocation {
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** What was expected (may name options with {@link opt}). */
  readonly expected?: ErrorText;
  /** What was received. */
  readonly received?: string;
  /** How to fix it, in one sentence (may name options with {@link opt}). */
  readonly fix?: ErrorText;
}

export type HetmtlErrorCode =
  | 'E_HETMTL'
  | 'E_VALIDATION'
  | 'E_NOT_FITTED'
  | 'E_BACKEND_UNAVAILABLE'
  | 'E_SERIALIZATION'
  | 'E_NOT_POSITIVE_DEFINITE'
  | 'E_NUMERIC'
  | 'E_ABORTED';

/** A class's marker: its own static `errorName`, or (for a subclass that declares none) its name. */
function markerOf(cls: unknown): string {
  const c = cls as { errorName?: unknown; name: string };
  return Object.hasOwn(c, 'errorName') && typeof c.errorName === 'string' ? c.errorName : c.name;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of length ${(value as Float64Array).length}`;
  return typeof value === 'object'
    ? `an object (${Object.prototype.toString.call(value).slice(8, -1)})`
    : typeof value;
}

/** Formats a value for an error message: short, never the whole array. */
export function describeReceived(value: unknown): string {
  return describeValue(value);
}

function composeMessage(
  summary: string,
  o: HetmtlErrorOptions,
  words: OptionRenderer = apiOptionWords,
): string {
  const expected = renderText(o.expected, words);
  const fix = renderText(o.fix, words);
  const where: string[] = [];
  if (o.task !== undefined) where.push(`task ${JSON.stringify(o.task)}`);
  if (o.row !== undefined) where.push(`row ${o.row}`);
  if (o.column !== undefined) where.push(`column ${JSON.stringify(o.column)}`);
  let msg = where.length > 0 ? `${summary} (at ${where.join(', ')})` : summary;
  if (expected !== undefined) msg += `: expected ${expected}`;
  if (o.received !== undefined)
    msg += `${expected !== undefined ? ',' : ':'} received ${o.received}`;
  if (fix !== undefined) msg += `. ${fix}`;
  return msg;
}

/** Base class of every error hetmtl throws on purpose. */
export class HetmtlError extends Error {
  /**
   * The class's marker string: `name` of its errors and what {@link HetmtlError.isInstance} matches.
   * Explicit, so that it survives minification; every subclass declares its own.
   */
  static readonly errorName: string = 'HetmtlError';
  readonly code: HetmtlErrorCode;
  readonly task: string | number | undefined;
  readonly row: number | undefined;
  readonly column: string | number | undefined;
  readonly expected: string | undefined;
  readonly received: string | undefined;
  readonly fix: string | undefined;
  /** The first part of the message, before the location, expected, received and fix. */
  readonly summary: string;
  private readonly parts: HetmtlErrorOptions;
  declare readonly [KINDS]: readonly string[];

  constructor(
    summary: string,
    options: HetmtlErrorOptions = {},
    code: HetmtlErrorCode = 'E_HETMTL',
  ) {
    super(
      composeMessage(summary, options),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = markerOf(new.target);
    this.code = code;
    this.summary = summary;
    this.parts = options;
    this.task = options.task;
    this.row = options.row;
    this.column = options.column;
    this.expected = renderText(options.expected, apiOptionWords);
    this.received = options.received;
    this.fix = renderText(options.fix, apiOptionWords);
    Object.defineProperty(this, 'parts', { enumerable: false });
    const kinds: string[] = [];
    for (
      let p: unknown = new.target;
      p !== Error && typeof p === 'function';
      p = Object.getPrototypeOf(p)
    ) {
      kinds.push(markerOf(p));
    }
    Object.defineProperty(this, KINDS, { value: Object.freeze(kinds), enumerable: false });
  }

  /**
   * The message with the options it names in another interface's words (the command line's flags,
   * say); `message` is the API's words.
   */
  render(words: OptionRenderer): string {
    return composeMessage(this.summary, this.parts, words);
  }

  /**
   * The same error at another place in the data (a row renumbered to the file's numbering, say):
   * same class, code, texts and cause; the given location fields replace the old ones.
   */
  at(location: ErrorLocation): this {
    const parts: HetmtlErrorOptions = { ...this.parts, ...location };
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    for (const key of Object.getOwnPropertyNames(this)) {
      Object.defineProperty(
        copy,
        key,
        Object.getOwnPropertyDescriptor(this, key) as PropertyDescriptor,
      );
    }
    Object.defineProperty(copy, KINDS, { value: this[KINDS], enumerable: false });
    const set = (key: string, value: unknown) =>
      Object.defineProperty(copy, key, {
        value,
        writable: true,
        configurable: true,
        enumerable: key !== 'message' && key !== 'parts',
      });
    set('parts', parts);
    set('task', parts.task);
    set('row', parts.row);
    set('column', parts.column);
    set('message', composeMessage(this.summary, parts));
    return copy;
  }

  /**
   * True when `value` is an error of this class (or a subclass), even when it was thrown by another
   * installed copy of `@hetmtl/tensor`.
   */
  static isInstance<T extends HetmtlError>(
    this: abstract new (
      ...args: never[]
    ) => T,
    value: unknown,
  ): value is T {
    if (typeof value !== 'object' || value === null) return false;
    const kinds = (value as { [KINDS]?: unknown })[KINDS];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass isInstance is called on.
    return Array.isArray(kinds) && kinds.includes(markerOf(this));
  }
}

/** Input that does not satisfy what an API expects (wrong type, size, value or content). */
export class ValidationError extends HetmtlError {
  static override readonly errorName: string = 'ValidationError';
  constructor(summary: string, options: HetmtlErrorOptions = {}) {
    super(summary, options, 'E_VALIDATION');
  }
}

/** A method that needs a fitted model was called before `fit`. */
export class NotFittedError extends HetmtlError {
  static override readonly errorName: string = 'NotFittedError';
  constructor(what: string, options: HetmtlErrorOptions = {}) {
    super(
      `${what} is not fitted yet`,
      { fix: 'Call fit() first, or load a fitted model with fromJSON()', ...options },
      'E_NOT_FITTED',
    );
  }
}

/**
 * Why a backend cannot run here and what to do, as data (for an interface to put in its own words):
 * `fix` is what makes *this* backend run (install, rebuild, an option), `alternatives` the backends to
 * use instead, by name, best first.
 */
export interface BackendRemedy {
  readonly reason: string;
  /** What makes this backend run here; empty when nothing can (then use an alternative). */
  readonly fix: string;
  /** Backend names (as `loadBackend` takes them) to use instead, best first. */
  readonly alternatives: readonly string[];
}

/**
 * A backend plugin cannot run here; `fix` names the remedy in the API's words and `remedy` holds it
 * as data ({@link BackendRemedy}).
 */
export class BackendUnavailableError extends HetmtlError {
  static override readonly errorName: string = 'BackendUnavailableError';
  readonly backend: string;
  /** The structured remedy: reason, this backend's own fix, alternatives by name. */
  readonly remedy: BackendRemedy;
  constructor(
    backend: string,
    reason: string,
    options: HetmtlErrorOptions & { readonly remedy?: Partial<BackendRemedy> } = {},
  ) {
    const { remedy, ...rest } = options;
    super(`Backend "${backend}" is not available: ${reason}`, rest, 'E_BACKEND_UNAVAILABLE');
    this.backend = backend;
    this.remedy = Object.freeze({
      reason: remedy?.reason ?? reason,
      fix: remedy?.fix ?? this.fix ?? '',
      alternatives: Object.freeze([...(remedy?.alternatives ?? [])]),
    });
  }
}

/** A saved document that cannot be read back (wrong version, corrupt, incomplete). */
export class SerializationError extends HetmtlError {
  static override readonly errorName: string = 'SerializationError';
  constructor(summary: string, options: HetmtlErrorOptions = {}) {
    super(summary, options, 'E_SERIALIZATION');
  }
}

/** A matrix that had to be symmetric positive definite was not. */
export class NotPositiveDefiniteError extends HetmtlError {
  static override readonly errorName: string = 'NotPositiveDefiniteError';
  /** Index of the pivot that failed. */
  readonly pivot: number;
  /** The failing pivot's value (≤ 0, or not finite). */
  readonly value: number;
  constructor(pivot: number, value: number, options: HetmtlErrorOptions = {}) {
    super(
      `Matrix is not positive definite: pivot ${pivot} is ${value}`,
      {
        fix: 'Add a ridge (a small multiple of the identity) or remove collinear columns',
        ...options,
      },
      'E_NOT_POSITIVE_DEFINITE',
    );
    this.pivot = pivot;
    this.value = value;
  }
}

/** A computation produced a non-finite value; `step` names where. */
export class NumericError extends HetmtlError {
  static override readonly errorName: string = 'NumericError';
  constructor(summary: string, options: HetmtlErrorOptions = {}) {
    super(summary, options, 'E_NUMERIC');
  }
}

/**
 * A fit (or another long computation) was stopped through its `AbortSignal`; `cause` is the signal's
 * reason. Code `E_ABORTED`. Also exported by `@hetmtl/optimizer`, where `throwIfAborted` throws it.
 */
export class AbortError extends HetmtlError {
  static override readonly errorName: string = 'AbortError';
  constructor(reason?: unknown, options: HetmtlErrorOptions = {}) {
    super(
      'The fit was aborted',
      { cause: reason, fix: 'Nothing was changed; call fit() again to retrain', ...options },
      'E_ABORTED',
    );
  }
}
