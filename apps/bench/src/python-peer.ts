import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MultiTaskDataset } from '@hetmtl/data';
import {
  type Evaluation,
  evaluatePredictions,
  type FamilyName,
  familyOf,
  holdOutSplit,
  seedStreams,
} from '@hetmtl/estimator';
import type { FittedLearner, Learner, MethodEntry } from './roster.js';

/**
 * The Python peers of `hetmtl-bench real`: what a practitioner would fit instead (gradient boosting
 * with the task as a category, sklearn's MLP pooled over tasks), run in /usr/bin/python3 on exactly
 * the rows every other method gets. The rows go over as one JSON file with the raw columns (the
 * task and every categorical column as a level code, numeric columns as read); the peer prints the
 * test rows' predictions, and the bench scores them with the metric code of every other method.
 */

/** The one-line remedy printed when /usr/bin/python3 lacks a peer's modules. */
export const PEER_REMEDY = 'apt-get install python3-xgboost python3-sklearn python3-pandas';

/** Share of each task's training rows that validates (the estimators' default `validationFraction`). */
export const VALIDATION_FRACTION = 0.2;

export function peerPython(): string {
  return process.env.HETMTL_PYTHON ?? '/usr/bin/python3';
}

/** A raw column of the hand-over: numeric as read, or categorical with its levels. */
export type HandOverColumn =
  | { readonly name: string; readonly kind: 'numeric' }
  | { readonly name: string; readonly kind: 'categorical'; readonly levels: readonly string[] };

/** One part's rows, tasks one after another in the dataset's order. */
export interface HandOverPart {
  /** Per row: the task, an index into `HandOver.tasks`. */
  readonly task: number[];
  /** Per column: numeric values, or level codes (index into `levels`; −1: no level set). */
  readonly columns: Record<string, number[]>;
  readonly y: number[];
  /** Per row: the offset on the link scale (log exposure), when the dataset has offsets. */
  readonly offset?: number[];
  /** Per row: the row weight, when the dataset has weights. */
  readonly weight?: number[];
}

/** What a peer reads (`format`/`version` let the script refuse a file it does not know). */
export interface HandOver {
  readonly format: 'hetmtl/peer-handover';
  readonly version: 1;
  readonly seed: number;
  readonly quick: boolean;
  /** The response family (absent in files of gaussian fits: gaussian). */
  readonly family?: FamilyName;
  readonly tasks: readonly string[];
  readonly columns: readonly HandOverColumn[];
  readonly train: HandOverPart;
  readonly validation: HandOverPart;
  readonly test: HandOverPart;
}

/**
 * The raw columns behind a dataset's encoded features: its encoding's columns when they give its
 * features (a table read), else every feature as a numeric column (data built from arrays).
 */
export function rawColumns(ds: MultiTaskDataset): {
  columns: HandOverColumn[];
  /** Start of each column's features in the encoded row. */
  offsets: number[];
} {
  const enc = ds.encoding;
  if (enc.featureNames.join('\u0000') === ds.featureNames.join('\u0000')) {
    return {
      columns: enc.columns.map((c) =>
        c.kind === 'categorical'
          ? { name: c.name, kind: 'categorical', levels: [...c.levels] }
          : { name: c.name, kind: 'numeric' },
      ),
      offsets: [...enc.offsets],
    };
  }
  return {
    columns: ds.featureNames.map((name) => ({ name, kind: 'numeric' })),
    offsets: ds.featureNames.map((_, j) => j),
  };
}

/** A part's rows as raw columns: a one-hot block back to its level (the largest entry; −1 if none is set). */
export function handOverPart(
  ds: MultiTaskDataset,
  columns: readonly HandOverColumn[],
  offsets: readonly number[],
  tasks: readonly string[],
): HandOverPart {
  const code = new Map(tasks.map((t, i) => [t, i]));
  const out: HandOverPart = {
    task: [],
    columns: Object.fromEntries(columns.map((c) => [c.name, []])),
    y: [],
    ...(ds.offsets ? { offset: [] } : {}),
    ...(ds.weights ? { weight: [] } : {}),
  };
  const p = ds.numFeatures;
  for (const t of ds.tasks()) {
    const r = code.get(t.name);
    if (r === undefined) throw new Error(`peer hand-over: task "${t.name}" has no training rows`);
    for (let i = 0; i < t.n; i++) {
      out.task.push(r);
      columns.forEach((c, k) => {
        const at = i * p + offsets[k];
        if (c.kind === 'numeric') {
          out.columns[c.name].push(t.X[at]);
          return;
        }
        let best = -1;
        for (let l = 0; l < c.levels.length; l++) {
          if (t.X[at + l] > 0 && (best < 0 || t.X[at + l] > t.X[at + best])) best = l;
        }
        out.columns[c.name].push(best);
      });
      out.y.push(t.y[i]);
      if (t.offset) out.offset?.push(t.offset[i]);
      if (t.weight) out.weight?.push(t.weight[i]);
    }
  }
  return out;
}

/** The hand-over of one fit: training, validation and test rows over the training tasks. */
export function handOver(
  parts: {
    readonly train: MultiTaskDataset;
    readonly validation: MultiTaskDataset;
    readonly test: MultiTaskDataset;
  },
  seed: number,
  quick: boolean,
  family: FamilyName = 'gaussian',
): HandOver {
  const { columns, offsets } = rawColumns(parts.train);
  const tasks = parts.train.taskNames;
  const part = (ds: MultiTaskDataset) => handOverPart(ds, columns, offsets, tasks);
  return {
    format: 'hetmtl/peer-handover',
    version: 1,
    seed,
    quick,
    ...(family !== 'gaussian' ? { family } : {}),
    tasks: [...tasks],
    columns,
    train: part(parts.train),
    validation: part(parts.validation),
    test: part(parts.test),
  };
}

/** What a peer printed on its last line: the test predictions and what it chose. */
export interface PeerOutput {
  readonly predictions: Float64Array;
  /** The setting chosen on the validation rows, and what else the peer reports (versions). */
  readonly chosen: Readonly<Record<string, unknown>>;
}

/** Parses a peer's stdout (its last non-empty line is the JSON result) for `rows` test rows. */
export function parsePeerOutput(stdout: string, rows: number, who: string): PeerOutput {
  const last = stdout.trim().split('\n').pop() ?? '';
  let r: { predictions?: unknown; chosen?: unknown };
  try {
    r = JSON.parse(last);
  } catch {
    throw new Error(
      `${who} printed no JSON result line (last line: ${JSON.stringify(last.slice(0, 80))})`,
    );
  }
  const p = r?.predictions;
  if (!Array.isArray(p) || p.length !== rows) {
    throw new Error(
      `${who} returned ${Array.isArray(p) ? p.length : 'no'} predictions for ${rows} test rows`,
    );
  }
  const bad = p.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${who} returned a non-finite prediction at test row ${bad + 1}`);
  const chosen =
    typeof r.chosen === 'object' && r.chosen !== null ? (r.chosen as Record<string, unknown>) : {};
  return { predictions: Float64Array.from(p as number[]), chosen };
}

const checked = new Map<string, string | null>();

/**
 * Null when `python` imports every module, else one line saying what is missing and the remedy.
 * Checked once per process for each interpreter and module list.
 */
export function peerAvailability(
  modules: readonly string[],
  python: string = peerPython(),
): string | null {
  const key = `${python}\u0000${modules.join(',')}`;
  const known = checked.get(key);
  if (known !== undefined) return known;
  let why: string | null = null;
  try {
    execFileSync(python, ['-c', `import ${modules.join(', ')}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      timeout: 120_000,
    });
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    const missing = /No module named '([^']+)'/.exec(err.stderr ?? '')?.[1];
    why =
      err.code === 'ENOENT'
        ? `${python} not found; install Python 3 and then: ${PEER_REMEDY}`
        : missing
          ? `${python} lacks the Python module ${missing}; install it: ${PEER_REMEDY}`
          : `${python} cannot import ${modules.join(', ')}: ${(err.stderr ?? err.message).trim().split('\n').pop()}`;
  }
  checked.set(key, why);
  return why;
}

/** The estimators' validation rows of `train` under `seed` (their seed protocol: the same rows in every method). */
export function validationSplit(
  train: MultiTaskDataset,
  seed: number,
): { train: MultiTaskDataset; validation: MultiTaskDataset } {
  const split = holdOutSplit(train, VALIDATION_FRACTION, seedStreams(seed).splitSeed);
  return { train: train.subset(split.train), validation: train.subset(split.validation) };
}

/**
 * A peer fitted lazily: `fit` keeps the rows, `evaluate` hands training, validation and test rows to
 * the script in one Python process (tuning on the validation rows, refit on training + validation,
 * prediction of the test rows) and scores the predictions with `evaluatePredictions`, the metric
 * code of every hetmtl estimator. So the bench's seconds per fit include Python's start and imports.
 */
export class PythonPeer implements Learner {
  constructor(
    readonly script: string,
    readonly seed: number,
    readonly quick: boolean,
    /** The family: the peer's objective, and the metrics its predictions are scored with. */
    readonly family: FamilyName = 'gaussian',
  ) {}

  async fit(
    data: MultiTaskDataset,
    options: { validation?: MultiTaskDataset } = {},
  ): Promise<FittedLearner> {
    const parts = options.validation
      ? { train: data, validation: options.validation }
      : validationSplit(data, this.seed);
    return new FittedPeer(this, parts.train, parts.validation);
  }
}

class FittedPeer implements FittedLearner {
  private setting: Readonly<Record<string, unknown>> = {};

  constructor(
    private readonly peer: PythonPeer,
    private readonly train: MultiTaskDataset,
    private readonly validation: MultiTaskDataset,
  ) {}

  evaluate(test: MultiTaskDataset): Evaluation {
    const { script, seed, quick, family } = this.peer;
    const data = handOver(
      { train: this.train, validation: this.validation, test },
      seed,
      quick,
      family,
    );
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-peer-'));
    const python = peerPython();
    const path = fileURLToPath(new URL(`../peers/${script}`, import.meta.url));
    try {
      const file = join(dir, 'rows.json');
      writeFileSync(file, JSON.stringify(data));
      let stdout: string;
      try {
        stdout = execFileSync(python, [path, file], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          maxBuffer: 1 << 28,
          env: {
            ...process.env,
            OMP_NUM_THREADS: '1',
            OPENBLAS_NUM_THREADS: '1',
            MKL_NUM_THREADS: '1',
          },
        });
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(
          `${python} ${script} failed: ${(err.stderr || err.message).trim().split('\n').pop()}`,
        );
      }
      const out = parsePeerOutput(stdout, test.totalRows, `${python} ${script}`);
      this.setting = out.chosen;
      let at = 0;
      return evaluatePredictions(
        test,
        (t) => {
          const pred = out.predictions.subarray(at, at + t.y.length);
          at += t.y.length;
          return pred;
        },
        familyOf(family),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  chosen(): Readonly<Record<string, unknown>> {
    return this.setting;
  }

  dispose(): void {}
}

/** The Python peers of `hetmtl-bench real` (not in the study's default roster). */
export const PEERS: readonly MethodEntry[] = Object.freeze([
  {
    id: 'xgboost',
    label: 'xgboost (task as a category)',
    kind: 'baseline',
    make: (seed, quick) => new PythonPeer('xgboost_peer.py', seed, quick),
    available: () => peerAvailability(['xgboost', 'pandas', 'numpy']),
  },
  {
    id: 'sklearn-mlp',
    label: 'sklearn MLP (pooled, task one-hot)',
    kind: 'baseline',
    make: (seed, quick) => new PythonPeer('sklearn_mlp_peer.py', seed, quick),
    available: () => peerAvailability(['sklearn', 'numpy', 'scipy']),
  },
]);
