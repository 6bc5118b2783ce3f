/** Exit codes of the hetmtl command. */
export const EXIT = Object.freeze({
  ok: 0,
  /** The command ran and failed: bad data, a bad model file, an unavailable backend. */
  failure: 1,
  /** The command line itself is wrong: unknown option, missing argument, invalid value. */
  usage: 2,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15). */
  terminated: 143,
});

/** A mistake on the command line (exit code 2). `fix` says what to type instead. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the CLI detects itself (exit code 1), with the fix in the same sentence. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** The fit (or another long step) was stopped by a signal; nothing was written. */
export class InterruptedError extends Error {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}

/** One line: newlines and runs of spaces collapsed. */
export function oneLine(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

export function withFix(message: string, fix: string | undefined): string {
  if (!fix) return message;
  const m = message.replace(/[.\s]+$/, '');
  return `${m}. ${fix}`;
}

/** The stack trace and cause chain, for --verbose. */
export function verboseDetails(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    if (cur instanceof Error) {
      parts.push(`${depth > 0 ? 'caused by: ' : ''}${cur.stack ?? `${cur.name}: ${cur.message}`}`);
      cur = (cur as { cause?: unknown }).cause;
    } else {
      parts.push(`caused by: ${String(cur)}`);
      break;
    }
  }
  return parts.join('\n');
}
