import { AbortError } from '@hetmtl/optimizer';
import { HetmtlError } from '@hetmtl/tensor';
import { CliError, EXIT, InterruptedError, oneLine, UsageError, withFix } from './errors.js';
import { cliOptionWords } from './option-flags.js';

export interface DescribedError {
  readonly code: number;
  /** The one-line message for stderr (without the "hetmtl: " prefix). */
  readonly message: string;
}

/** Maps any error to its exit code and one readable line. */
export function describeError(e: unknown, signal?: 'SIGINT' | 'SIGTERM'): DescribedError {
  if (e instanceof InterruptedError || (AbortError.isInstance(e) && signal !== undefined)) {
    const sig = e instanceof InterruptedError ? e.signal : (signal as 'SIGINT' | 'SIGTERM');
    return {
      code: sig === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted,
      message: `interrupted (${sig === 'SIGINT' ? 'Ctrl-C' : sig}): the fit was stopped and nothing was written`,
    };
  }
  if (e instanceof UsageError)
    return { code: EXIT.usage, message: oneLine(withFix(e.message, e.fix)) };
  if (e instanceof CliError)
    return { code: EXIT.failure, message: oneLine(withFix(e.message, e.fix)) };
  if (HetmtlError.isInstance(e)) {
    // The library's messages carry where, expected, received and the fix; the options they name
    // are said as this interface's flags.
    return { code: EXIT.failure, message: oneLine(e.render(cliOptionWords)) };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    code: EXIT.failure,
    message: oneLine(
      `unexpected error: ${err.message || err.name}. This is probably a bug in hetmtl: run the command again with --verbose and report the stack trace`,
    ),
  };
}
