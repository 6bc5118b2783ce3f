// The CLI's bad-input catalogue (shared/docs/bad-input-catalogue.md) as tests, one per row, run
// through the built command (`node dist/main.js`) on small simulated files and hand-made
// variants, each case in its own fresh directory. The expectations live in
// test-fixtures/catalogue-cases.ts (GOOD rows: today's behaviour; WEAK and BAD rows: the fixed
// behaviour issue #11 asks for). The rules applied to every case are described there.
//
// Run only this file: `npx vitest run src/catalogue.test.ts` (in apps/cli, after a build).
// HETMTL_CATALOGUE_KEEP=1 keeps the temporary directories; HETMTL_CATALOGUE_ONLY="9,24,I1"
// runs only those rows.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import {
  type Base,
  caseDir,
  limiter,
  lines,
  makeBase,
  predictionsOf,
  runCli,
  snapshot,
} from './test-fixtures/catalogue-files.js';
import { type Case, CASES } from './test-fixtures/catalogue-cases.js';
import { STACK_LINE } from './test-fixtures/run.js';

/** Cases at once: 2 (the machine has 2 cores shared with other work). */
const limit = limiter(2);
const CASE_TIMEOUT_MS = 60_000;
/** Never acceptable on stderr, whatever the case. */
const NEVER_ON_STDERR = [
  /unexpected error/i,
  /probably a bug/i,
  /FATAL ERROR/,
  /heap out of memory/i,
  /Last few GCs/,
];

const only = process.env.HETMTL_CATALOGUE_ONLY?.split(',').map((s) => s.trim());

let base: Base;
beforeAll(async () => {
  base = await makeBase();
}, 120_000);
afterAll(() => {
  if (base && !process.env.HETMTL_CATALOGUE_KEEP)
    rmSync(base.dir, { recursive: true, force: true });
});

const title = (k: Case) => `#${k.n} ${k.name}`;
const asList = <T>(x: T | readonly T[] | undefined): readonly T[] =>
  x === undefined ? [] : Array.isArray(x) ? (x as readonly T[]) : [x as T];
const shellWords = (args: readonly string[]) =>
  args.map((a) => (/^[\w./=,:-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');

/** The value of the last `flag VALUE` in args. */
function flagValue(args: readonly string[], ...flags: string[]): string | undefined {
  let v: string | undefined;
  args.forEach((a, i) => {
    if (flags.includes(a)) v = args[i + 1];
  });
  return v;
}

async function runCase(k: Case, expect: ExpectStatic): Promise<void> {
  const c = caseDir(base, `${k.n}-${k.name}`);
  await k.setup?.(c);
  const before = snapshot(c.dir);
  const r = await runCli(k.args, {
    cwd: c.dir,
    timeoutMs: k.runTimeoutMs ?? 50_000,
    ...(k.nodeOptions ? { nodeOptions: k.nodeOptions } : {}),
  });
  const after = snapshot(c.dir);
  const e = k.expect;
  const ctx = `${title(k)} (${k.verdictInCatalogue} in the catalogue), in ${c.dir}\n$ hetmtl ${shellWords(k.args)}\nexit ${r.code}${r.signal ? ` (${r.signal})` : ''} in ${Math.round(r.ms)} ms\n--- stderr\n${r.stderr.slice(0, 3000)}\n--- stdout\n${r.stdout.slice(0, 3000)}`;

  // The exit code.
  expect(asList(e.exit), `exit code\n${ctx}`).toContain(r.code);
  const ok = r.code === 0;

  // stderr: no stack trace (unless --verbose), no internal error, none of the forbidden phrases.
  if (!k.args.includes('--verbose'))
    expect(r.stderr, `stack trace on stderr\n${ctx}`).not.toMatch(STACK_LINE);
  for (const re of [...NEVER_ON_STDERR, ...(e.notStderr ?? [])])
    expect(r.stderr, `stderr must not match ${re}\n${ctx}`).not.toMatch(re);

  if (!ok) {
    // One error line, matching every pattern.
    const errs = r.stderr.split('\n').filter((l) => l.startsWith('hetmtl: error: '));
    expect(errs, `exactly one "hetmtl: error:" line\n${ctx}`).toHaveLength(1);
    for (const re of asList(e.stderr))
      expect(errs[0], `error line must match ${re}\n${ctx}`).toMatch(re);
  } else {
    const all = `${r.stdout}\n${r.stderr}`;
    for (const re of asList(e.onSuccess))
      expect(all, `output must match ${re}\n${ctx}`).toMatch(re);
    // Never a non-finite metric on stdout with exit 0.
    expect(r.stdout, `Infinity / NaN printed with exit 0\n${ctx}`).not.toMatch(
      /\bInfinity\b|\bNaN\b/,
    );
  }

  if (e.maxMs !== undefined)
    expect(r.ms, `took ${Math.round(r.ms)} ms\n${ctx}`).toBeLessThan(e.maxMs);

  // Files: inputs byte-identical; outputs created only on success; an existing --out untouched
  // on failure; nothing else created.
  const writes = e.files === 'untouched' ? [] : e.files.writes;
  const changed: string[] = [];
  for (const [p, h] of before) {
    const now = after.get(p);
    if (ok && writes.includes(p)) continue;
    if (now !== h) changed.push(`${p} ${now === undefined ? 'removed' : 'changed'}`);
  }
  for (const p of after.keys())
    if (!before.has(p) && !(ok && writes.includes(p))) changed.push(`${p} created`);
  expect(changed, `files changed\n${ctx}`).toEqual([]);
  if (ok)
    for (const w of writes) {
      expect(after.has(w), `${w} not written\n${ctx}`).toBe(true);
      if (before.has(w)) expect(after.get(w), `${w} not replaced\n${ctx}`).not.toBe(before.get(w));
    }

  // What a successful run wrote is sound.
  if (ok && k.args[0] === 'fit' && !k.args.includes('--no-save')) {
    const out = flagValue(k.args, '--out', '-o') ?? 'model.json';
    const doc = JSON.parse(c.read(out));
    expect(doc.format, `${out} is not a model file\n${ctx}`).toBe('hetmtl/cli-model');
  }
  if (ok && k.args[0] === 'predict') {
    const out = flagValue(k.args, '--out', '-o');
    const input = k.args[2];
    const column = flagValue(k.args, '--column') ?? 'prediction';
    const text = out ? c.read(out) : r.stdout;
    const header = (lines(text)[0] ?? '').split(',');
    const name =
      header.includes(`${column}_2`) && flagValue(k.args, '--column') ? `${column}_2` : column;
    const preds = predictionsOf(text, name);
    const rows = lines(c.read(input)).filter((l) => l.trim() !== '').length - 1;
    expect(preds, `predict must write every row of ${input}\n${ctx}`).toHaveLength(rows);
    expect(
      preds.filter((p) => !Number.isFinite(p)),
      `non-finite predictions written with exit 0\n${ctx}`,
    ).toEqual([]);
  }

  await e.check?.(r, c);
}

describe('the CLI bad-input catalogue (shared/docs/bad-input-catalogue.md, issue #11)', () => {
  for (const k of CASES) {
    if (only && !only.includes(String(k.n))) continue;
    if (k.skip) {
      it.skip(`${title(k)} (skipped: ${k.skip})`, () => {});
      continue;
    }
    it.concurrent(title(k), ({ expect }) => limit(() => runCase(k, expect)), CASE_TIMEOUT_MS);
  }
});
