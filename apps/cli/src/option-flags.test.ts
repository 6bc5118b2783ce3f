import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { opt, ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './cli.js';
import {
  cliOptionWords,
  flagProperty,
  OPTION_FLAGS,
  READER_OPTIONS,
  readerOptionsFromFlags,
} from './option-flags.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

describe('the option ↔ flag table', () => {
  it('renders options as flags: with a value, a placeholder, lists and the --strict switch', () => {
    expect(cliOptionWords(opt('missing', 'drop-rows'))).toBe('--missing drop-rows');
    expect(cliOptionWords(opt('categorical', ['x2', 'site']))).toBe('--categorical x2,site');
    expect(cliOptionWords(opt('categorical'))).toBe('--categorical <columns>');
    expect(cliOptionWords(opt('naValues', ['-99']))).toBe('--na-values -99');
    expect(cliOptionWords(opt('naValues', ['n a']))).toBe('--na-values "n a"');
    expect(cliOptionWords(opt('delimiter', ';'))).toBe('--delimiter ";"');
    expect(cliOptionWords(opt('delimiter', '\t'))).toBe("--delimiter $'\\t'");
    expect(cliOptionWords(opt('constantTarget', 'error'))).toBe('--strict');
    expect(cliOptionWords(opt('constantTarget', 'allow'))).toBe('no --strict (the default)');
    expect(cliOptionWords(opt('lambda', Number.POSITIVE_INFINITY))).toBe('--lambda inf');
    expect(cliOptionWords(opt('K0', 5))).toBe('--k0 5');
    expect(cliOptionWords(opt('jobs', 1))).toBe('--jobs 1');
    expect(cliOptionWords(opt('dtype', 'float32'))).toMatch(/not settable from the command line/);
  });

  it('an error from the library reads in flags on the command line and in options in the API', () => {
    const e = new ValidationError('Missing value', {
      row: 6,
      column: 'x2',
      fix: ['Fill it in, or pass ', opt('missing', 'drop-rows')],
    });
    expect(e.message).toContain('missing: "drop-rows"');
    expect(e.render(cliOptionWords)).toContain('pass --missing drop-rows');
    expect(e.render(cliOptionWords)).not.toContain('missing: "');
  });

  it('every flag of the table exists on the commands, and sets its option', () => {
    const program = buildProgram({});
    const fit = program.commands.find((c) => c.name() === 'fit');
    const flags = new Set(fit?.options.map((o) => o.long));
    for (const name of READER_OPTIONS) expect(flags).toContain(OPTION_FLAGS[name]?.flag);
    for (const name of [
      'task',
      'target',
      'seed',
      'K0',
      'K1',
      'maxRounds',
      'numLambdas',
      'lambda',
      'hidden',
      'format',
      'delimiter',
    ])
      expect(flags).toContain(OPTION_FLAGS[name]?.flag);
    expect(flagProperty('--na-values')).toBe('naValues');
    expect(
      readerOptionsFromFlags({
        categorical: ['a'],
        naValues: ['-99'],
        unseenLevels: 'zero',
        strict: true,
        numeric: [],
      }),
    ).toEqual({
      categorical: ['a'],
      naValues: ['-99'],
      unseenCategory: 'zero',
      constantTarget: 'error',
    });
    expect(readerOptionsFromFlags({}).constantTarget).toBe('allow');
  });

  it('names a flag for every option the packages name in their errors', () => {
    const used = new Set<string>();
    for (const file of sources(join(repo, 'packages'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bopt\(\s*'([A-Za-z0-9]+)'/g))
        used.add(m[1]);
    }
    // Options of the library that the command line deliberately does not expose: the storage
    // type, a fixed task list, an encoding object, the CSV quote character, and the names of a
    // dataset built from arrays or written with toCsv, fit's explicit validation rows, and the
    // skewness threshold of skewedColumns (--skew uses its default). The response family, a
    // binary target's positive level and the row-value columns (weights, offset, exposure) have
    // their flags (issue #15): --family, --positive, --weights, --offset, --exposure.
    const apiOnly = new Set([
      'dtype',
      'tasks',
      'encoding',
      'quote',
      'taskColumn',
      'featureNames',
      'validation',
      'threshold',
    ]);
    const missing = [...used].filter((o) => OPTION_FLAGS[o] === undefined && !apiOnly.has(o));
    expect(missing).toEqual([]);
  });
});
