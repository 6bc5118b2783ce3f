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

export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A progress bar with ETA on stderr: redrawn in place on a terminal, a line per 5% otherwise (logs,
 * CI). The ETA assumes the remaining units take as long on average as the finished ones.
 */
export class ProgressBar {
  private done = 0;
  private readonly started = performance.now();
  private lastPrinted = -1;

  constructor(
    private readonly total: number,
    private readonly unit: string,
    private readonly sink: ProgressSink = process.stderr,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  /** Marks `units` more done, with a short note on what ran last. */
  tick(units = 1, note = ''): void {
    this.done = Math.min(this.total, this.done + units);
    const line = this.line(note);
    if (this.sink.isTTY) {
      this.sink.write(`\r\x1b[2K${line}`);
      if (this.done === this.total) this.sink.write('\n');
      return;
    }
    const step = Math.floor((20 * this.done) / this.total);
    if (step !== this.lastPrinted) {
      this.lastPrinted = step;
      this.sink.write(`${line}\n`);
    }
  }

  line(note = ''): string {
    const width = 24;
    const frac = this.total > 0 ? this.done / this.total : 1;
    const filled = Math.round(frac * width);
    const elapsed = (this.now() - this.started) / 1000;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : Number.NaN;
    return (
      `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total} ${this.unit} ` +
      `${(100 * frac).toFixed(0)}%  elapsed ${formatDuration(elapsed)}  ETA ${formatDuration(eta)}` +
      (note ? `  ${note}` : '')
    );
  }
}
