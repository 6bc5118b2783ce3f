import cliProgress from 'cli-progress';

/** Seconds as "1h02m", "3m05s" or "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Where the bar goes: stderr, or in tests any writable stream (`isTTY` set to act as a terminal). */
export type ProgressSink = NodeJS.WritableStream & { readonly isTTY?: boolean };

/**
 * A progress bar with ETA on stderr: on a terminal a cli-progress bar redrawn in place (as the
 * CLI's); otherwise (logs, CI) a line per 5%, so logs stay short and their lines predictable. The
 * ETA assumes the remaining units take as long on average as the finished ones. Call `stop()` when
 * the work ends early (an error): the terminal bar redraws on a timer until it is stopped.
 */
export class ProgressBar {
  private done = 0;
  private note = '';
  private readonly started: number;
  private lastPrinted = -1;
  private drawing = false;
  private readonly bar: cliProgress.SingleBar | null;

  constructor(
    private readonly total: number,
    private readonly unit: string,
    private readonly sink: ProgressSink = process.stderr,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
    this.bar = sink.isTTY
      ? new cliProgress.SingleBar({
          stream: sink,
          // The whole line is ours (the same as in logs); cli-progress draws it in place.
          format: (_options, params) => this.line(this.note, params.value),
          fps: 8,
          linewrap: false,
          clearOnComplete: false,
          // Ctrl-C ends the bench (a SIGINT handler here would keep it running).
          gracefulExit: false,
          hideCursor: false,
        })
      : null;
  }

  /** Marks `units` more done, with a short note on what ran last. */
  tick(units = 1, note = ''): void {
    this.done = Math.min(this.total, this.done + units);
    this.note = note;
    if (this.bar) {
      // Started at the first tick, so a run with nothing to do draws nothing.
      if (!this.drawing) {
        this.drawing = true;
        this.bar.start(this.total, this.done);
      }
      this.bar.update(this.done);
      if (this.done === this.total) this.stop();
      return;
    }
    const step = Math.floor((20 * this.done) / this.total);
    if (step !== this.lastPrinted) {
      this.lastPrinted = step;
      this.sink.write(`${this.line(note)}\n`);
    }
  }

  /** Ends the terminal bar (its last state stays on screen); idempotent, a no-op in logs. */
  stop(): void {
    this.bar?.stop();
  }

  line(note = '', done = this.done): string {
    const width = 24;
    const frac = this.total > 0 ? done / this.total : 1;
    const filled = Math.round(frac * width);
    const elapsed = (this.now() - this.started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : Number.NaN;
    return (
      `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${this.total} ${this.unit} ` +
      `${(100 * frac).toFixed(0)}%  elapsed ${formatDuration(elapsed)}  ETA ${formatDuration(eta)}` +
      (note ? `  ${note}` : '')
    );
  }
}
