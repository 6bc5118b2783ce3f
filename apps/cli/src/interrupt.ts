import { EXIT, InterruptedError } from './errors.js';

type Signal = 'SIGINT' | 'SIGTERM';

/**
 * Runs a long step with Ctrl-C (SIGINT) and SIGTERM wired to an AbortSignal: the first signal aborts
 * the step (the fit throws an AbortError at its next check, leaves nothing half-done, and the
 * command exits 130); a second one exits at once. Whatever the step threw after a signal, the
 * result is an {@link InterruptedError}. The step checks the signal before it commits its output
 * (see writeFileAtomic), so an interrupted command never leaves its output file behind.
 */
export async function interruptible<T>(
  run: (signal: AbortSignal) => Promise<T>,
  onFirstSignal?: () => void,
): Promise<T> {
  const controller = new AbortController();
  let received: Signal | undefined;
  const handler = (sig: Signal) => {
    if (received !== undefined) {
      process.stderr.write('\nhetmtl: stopped at once (second interrupt)\n');
      process.exit(sig === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
    }
    received = sig;
    onFirstSignal?.();
    controller.abort(new InterruptedError(sig));
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    // A step that finished (its output committed) counts as done, even if a signal came late.
    return await run(controller.signal);
  } catch (e) {
    if (received !== undefined) throw new InterruptedError(received);
    throw e;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
