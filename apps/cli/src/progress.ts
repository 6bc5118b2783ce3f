import type { FitProgress } from '@hetmtl/model';
import cliProgress from 'cli-progress';

const TOTAL = 1000;

const PHASES: Readonly<Record<FitProgress['phase'], string>> = {
  encoders: 'encoder phase',
  path: 'λ path',
  linear: 'linear MTL floor',
  refit: 'refit on all training rows',
  done: 'done',
};

/** The stage of a fit in words: "candidate 1/3 · encoder phase · round 4/30". */
export function describeStage(e: FitProgress): string {
  const parts = [`candidate ${e.candidate}/${e.candidates}`, PHASES[e.phase]];
  if (e.phase === 'encoders' && e.round !== undefined && e.maxRounds !== undefined)
    parts.push(`round ${e.round}/${e.maxRounds}`);
  return parts.join(' · ');
}

export interface ProgressOptions {
  /** Write nothing (--quiet). */
  readonly enabled: boolean;
  readonly stream?: NodeJS.WriteStream;
}

/**
 * A progress bar with an ETA on stderr (cli-progress). On a terminal it redraws in place; elsewhere
 * (CI logs, pipes) it prints one line every few seconds, so logs stay readable. The report goes to
 * stdout, so `hetmtl fit … > report.txt` or `--json | jq` never see the bar.
 */
export class ProgressBar {
  private readonly bar: cliProgress.SingleBar | null;
  private running = false;
  private last = 0;

  constructor(label: string, options: ProgressOptions) {
    const stream = options.stream ?? process.stderr;
    this.bar = options.enabled
      ? new cliProgress.SingleBar(
          {
            stream,
            format: `${label} [{bar}] {percentage}% | {duration_formatted} elapsed, ETA {eta_formatted} | {stage}`,
            // Before the first estimate there is no ETA (cli-progress gives 0 or NaN): show "?".
            // cli-progress rounds the ETA to multiples of 5 s and the elapsed time to 1 s.
            formatTime: (t, o, round) =>
              !Number.isFinite(t) || t < 0 || (round === 5 && this.last === 0)
                ? '?'
                : cliProgress.Format.TimeFormat(t, o, round).trim(),
            barsize: 24,
            hideCursor: true,
            clearOnComplete: true,
            // Progress lines in logs too, every 5 s, rather than nothing.
            noTTYOutput: true,
            notTTYSchedule: 5000,
            etaBuffer: 40,
            etaAsynchronousUpdate: true,
            fps: 8,
            // Ctrl-C is handled by the command (abort, then a clean stop of the bar).
            gracefulExit: false,
            linewrap: stream.isTTY ? false : null,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
  }

  start(stage = 'starting'): void {
    if (!this.bar || this.running) return;
    this.running = true;
    this.bar.start(TOTAL, 0, { stage });
  }

  /** Moves the bar to `fraction` (never backwards) and shows the stage. */
  update(fraction: number, stage: string): void {
    if (!this.bar || !this.running) return;
    const value = Math.round(Math.min(1, Math.max(this.last, fraction)) * TOTAL);
    this.last = value / TOTAL;
    this.bar.update(value, { stage });
  }

  /** Callback for DualEncoderRegressor.fit's onProgress, mapped into [from, to] of the bar. */
  fitCallback(from = 0, to = 1): (e: FitProgress) => void {
    return (e) => this.update(from + (to - from) * e.fraction, describeStage(e));
  }

  stop(): void {
    if (!this.bar || !this.running) return;
    this.running = false;
    this.bar.stop();
  }
}
