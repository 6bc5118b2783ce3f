// Conventional command-line behaviour: --help on every command, exit codes (0 ok, 1 failure,
// 2 usage), and errors on stderr in one readable line with the fix, without a stack trace unless
// --verbose — checked on bad files and bad command lines with the built command.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorLines, hetmtl, scratchDir, STACK_LINE } from './test-fixtures/run.js';

const dir = scratchDir('errors');
const COMMANDS = ['fit', 'predict', 'evaluate', 'info', 'simulate', 'demo'];

/** Exit code 1 or 2, exactly one stderr line "hetmtl: error: …" matching `message`, no stack. */
async function expectOneLineError(args: string[], code: number, message: RegExp) {
  const r = await hetmtl(args, { cwd: dir });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(code);
  const lines = errorLines(r.stderr);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^hetmtl: error: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stdout).toBe('');
  return lines[0];
}

beforeAll(() => {
  writeFileSync(
    join(dir, 'good.csv'),
    'task,x1,x2,y\na,1,2,3\na,2,1,4\na,3,3,5\nb,1,1,1\nb,2,2,2\nb,4,1,2.5\n',
  );
  writeFileSync(join(dir, 'ragged.csv'), 'task,x1,x2,y\na,1,2,3\na,2,1,4,9\nb,1,1,1\n');
  // A column of numbers with one stray word (1 cell of 40): an error, not a category.
  writeFileSync(
    join(dir, 'nonnumeric.csv'),
    `task,x1,x2,y\n${Array.from({ length: 40 }, (_, i) => `${i < 20 ? 'a' : 'b'},${i === 1 ? 'two' : i % 7},${i % 3},${i % 5}`).join('\n')}\n`,
  );
  writeFileSync(join(dir, 'empty.csv'), '');
  const bytes = new Uint8Array(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
  writeFileSync(join(dir, 'binary.csv'), bytes);
  writeFileSync(join(dir, 'book.xlsx'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]));
  writeFileSync(join(dir, 'bad.json'), '[{"task": "a", "x1": 1, "y": 2},]');
  writeFileSync(join(dir, 'notamodel.json'), '{"hello": "world"}');
  mkdirSync(join(dir, 'folder'), { recursive: true });
});

describe('--help and --version', () => {
  it('hetmtl --help lists every command (exit 0)', async () => {
    const r = await hetmtl(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(r.stdout).toMatch(/Exit codes: 0 ok, 1 failure/);
  });

  it.each(COMMANDS)(
    'hetmtl %s --help shows its usage, options and an example (exit 0)',
    async (c) => {
      const r = await hetmtl([c, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: hetmtl ${c} `, 'm'));
      expect(r.stdout).toMatch(/--json/); // the global options are shown too
      expect(r.stdout).toMatch(/Example/);
      expect(r.stderr).toBe('');
    },
  );

  it('hetmtl help fit is the same as hetmtl fit --help', async () => {
    const a = await hetmtl(['help', 'fit']);
    const b = await hetmtl(['fit', '--help']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('--version prints the version', async () => {
    const r = await hetmtl(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('usage errors exit 2 with one line that says what to type', () => {
  it('no command: the help on stderr and exit 2', async () => {
    const r = await hetmtl([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Usage: hetmtl/);
    expect(r.stderr).toMatch(/^hetmtl: error: no command given/m);
  });

  it('an unknown command', () =>
    expectOneLineError(
      ['fitt'],
      2,
      /unknown command 'fitt'.*Did you mean fit\?.*Run "hetmtl --help"/,
    ));

  it('an unknown option, with a suggestion', () =>
    expectOneLineError(
      ['fit', 'good.csv', '--task', 'task', '--target', 'y', '--max-round', '2'],
      2,
      /unknown option '--max-round'.*Did you mean --max-rounds\?.*Run "hetmtl fit --help" for usage/,
    ));

  it('a missing required option', () =>
    expectOneLineError(
      ['fit', 'good.csv', '--target', 'y'],
      2,
      /required option '--task <column>' not specified/,
    ));

  it('a missing argument', () =>
    expectOneLineError(['predict', 'model.json'], 2, /missing required argument 'file'/));

  it('an invalid number', () =>
    expectOneLineError(
      ['fit', 'good.csv', '--task', 'task', '--target', 'y', '--test', '1.5'],
      2,
      /--test <share>.*expected a share in \[0, 1\)/,
    ));

  it('--jobs 0 (model selection needs a thread at least)', () =>
    expectOneLineError(
      ['fit', 'good.csv', '--task', 'task', '--target', 'y', '--jobs', '0'],
      2,
      /option '--jobs <n>' argument '0' is invalid.*expected an integer ≥ 1, received "0"/,
    ));

  it('an invalid choice', () =>
    expectOneLineError(
      ['fit', 'good.csv', '--task', 'task', '--target', 'y', '--backend', 'gpu'],
      2,
      /--backend.*Allowed choices are wasm, cpu, tfjs-node/,
    ));
});

describe('bad files exit 1 with one line naming the place and the fix', () => {
  const fit = (file: string, ...more: string[]) => [
    'fit',
    file,
    '--task',
    'task',
    '--target',
    'y',
    '--quick',
    '--no-save',
    ...more,
  ];

  it('a missing file', () =>
    expectOneLineError(fit('nope.csv'), 1, /data file not found: "nope.csv"\. Check the path/));

  it('a directory', () => expectOneLineError(fit('folder'), 1, /"folder" is a directory/));

  it('a missing column, with a spelling hint', () =>
    expectOneLineError(
      ['fit', 'good.csv', '--task', 'task', '--target', 'Y'],
      1,
      /Unknown column \(at column "Y"\).*Did you mean "y"\?/,
    ));

  it('a missing feature column', () =>
    expectOneLineError(
      fit('good.csv', '--features', 'x1,x3'),
      1,
      /Unknown column \(at column "x3"\)/,
    ));

  it('a ragged CSV row', () =>
    expectOneLineError(
      fit('ragged.csv'),
      1,
      /Ragged row \(at row 3\): expected 4 fields.*received 5/,
    ));

  it('a non-numeric value', () =>
    expectOneLineError(
      fit('nonnumeric.csv'),
      1,
      /row 3, column "x1".*"two".*--na-values two.*--categorical x1|row 3, column "x1".*"two".*--categorical x1.*--na-values two/,
    ));

  it('a binary file', () =>
    expectOneLineError(fit('binary.csv'), 1, /is not text: expected UTF-8 text/));

  it('a spreadsheet', () =>
    expectOneLineError(
      fit('book.xlsx', '--format', 'csv'),
      1,
      /is not text.*ZIP archive.*export a spreadsheet to CSV/,
    ));

  it('an empty file', () => expectOneLineError(fit('empty.csv'), 1, /empty/i));

  it('invalid JSON', () => expectOneLineError(fit('bad.json'), 1, /Invalid JSON.*trailing commas/));

  it('a JSON file that is not a model', () =>
    expectOneLineError(
      ['info', 'notamodel.json'],
      1,
      /"notamodel.json" is not a hetmtl model file \(format null/,
    ));

  it('a missing model file', () =>
    expectOneLineError(['info', 'nope.json'], 1, /model file not found/));

  it('a backend that cannot run here says which ones can', async () => {
    const r = await hetmtl(fit('good.csv', '--backend', 'tfjs-node'), { cwd: dir });
    if (r.code === 0) return; // tfjs-node happens to be installed here
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(
      /backend "tfjs-node" is not available here: .*run with --backend wasm \(the default\) or --backend cpu/,
    );
  });

  it('--verbose adds the stack trace', async () => {
    const r = await hetmtl([...fit('ragged.csv'), '--verbose'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^hetmtl: error: Ragged row/m);
    expect(r.stderr).toMatch(STACK_LINE);
  });

  it('an output directory that does not exist: exit 1, nothing written', () =>
    expectOneLineError(
      ['simulate', '--tasks', '2', '--n', '5', '--p', '5', '--out', 'no/such/dir/data.csv'],
      1,
      /cannot write "no\/such\/dir\/data.csv": the directory "no\/such\/dir" does not exist \(ENOENT\)\. Create the directory first/,
    ));
});
