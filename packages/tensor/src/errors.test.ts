import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  opt,
  BackendUnavailableError,
  HetmtlError,
  NotFittedError,
  SerializationError,
  ValidationError,
} from './errors.js';

describe('error family', () => {
  it('composes what / where / expected / received / fix into the message', () => {
    const e = new ValidationError('Non-numeric value', {
      task: 'school-3',
      row: 17,
      column: 'x4',
      expected: 'a number',
      received: '"abc"',
      fix: 'Clean the column or mark it categorical',
    });
    expect(e.message).toBe(
      'Non-numeric value (at task "school-3", row 17, column "x4"): expected a number, received "abc". Clean the column or mark it categorical',
    );
    expect(e.code).toBe('E_VALIDATION');
    expect(e.name).toBe('ValidationError');
    expect(e.row).toBe(17);
    expect(e).toBeInstanceOf(Error);
  });

  it('keeps the cause', () => {
    const cause = new Error('low level');
    const e = new SerializationError('Bad document', { cause });
    expect(e.cause).toBe(cause);
    expect(e.code).toBe('E_SERIALIZATION');
  });

  it('isInstance follows the class hierarchy', () => {
    const e = new NotFittedError('DualEncoderRegressor');
    expect(NotFittedError.isInstance(e)).toBe(true);
    expect(HetmtlError.isInstance(e)).toBe(true);
    expect(ValidationError.isInstance(e)).toBe(false);
    expect(HetmtlError.isInstance(new Error('x'))).toBe(false);
    expect(HetmtlError.isInstance(null)).toBe(false);
    expect(HetmtlError.isInstance('E_VALIDATION')).toBe(false);
    expect(e.message).toContain('Call fit() first');
  });

  it('isInstance survives two installed copies of the package', async () => {
    // A genuine second copy of the compiled module, loaded from another path.
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-copy-'));
    copyFileSync(new URL('../dist/errors.js', import.meta.url), join(dir, 'errors.js'));
    const copy = (await import(pathToFileURL(join(dir, 'errors.js')).href)) as typeof import('./errors.js');
    expect(copy.ValidationError).not.toBe(ValidationError);
    const foreign = new copy.BackendUnavailableError('wasm', 'no SIMD', { fix: 'use cpu' });
    expect(foreign instanceof BackendUnavailableError).toBe(false);
    expect(BackendUnavailableError.isInstance(foreign)).toBe(true);
    expect(HetmtlError.isInstance(foreign)).toBe(true);
    expect(ValidationError.isInstance(foreign)).toBe(false);
    expect(copy.ValidationError.isInstance(new ValidationError('x'))).toBe(true);
  });

  it('names options in the words of the interface: the API by default, flags when rendered so', () => {
    const e = new ValidationError('Missing value', {
      task: 't1',
      row: 6,
      column: 'x2',
      expected: ['a number (see ', opt('naValues'), ')'],
      received: '"NA"',
      fix: ['Pass ', opt('missing', 'drop-rows'), ' or ', opt('categorical', ['x2'])],
    });
    expect(e.message).toBe(
      'Missing value (at task "t1", row 6, column "x2"): expected a number (see the naValues option), received "NA". Pass missing: "drop-rows" or categorical: ["x2"]',
    );
    expect(e.fix).toBe('Pass missing: "drop-rows" or categorical: ["x2"]');
    expect(e.expected).toBe('a number (see the naValues option)');
    const flags = (r: { option: string; value?: unknown }) =>
      `--${r.option}${r.value === undefined ? '' : ` ${Array.isArray(r.value) ? r.value.join(',') : String(r.value)}`}`;
    expect(e.render(flags)).toBe(
      'Missing value (at task "t1", row 6, column "x2"): expected a number (see --naValues), received "NA". Pass --missing drop-rows or --categorical x2',
    );
    // Plain texts render the same in every interface.
    const plain = new ValidationError('Bad', { fix: 'Do this' });
    expect(plain.render(flags)).toBe(plain.message);
  });

  it('at() moves an error to another place and keeps everything else', () => {
    const cause = new Error('inner');
    const e = new ValidationError('Unknown task', {
      task: 'x',
      row: 6,
      column: 'task',
      expected: ['a training task, or ', opt('task')],
      received: '"x"',
      fix: 'Check it',
      cause,
    });
    const moved = e.at({ row: 7 });
    expect(moved).not.toBe(e);
    expect(moved.row).toBe(7);
    expect(e.row).toBe(6);
    expect(moved.message).toBe(e.message.replace('row 6', 'row 7'));
    expect(ValidationError.isInstance(moved)).toBe(true);
    expect(moved).toBeInstanceOf(ValidationError);
    expect(moved.code).toBe('E_VALIDATION');
    expect(moved.cause).toBe(cause);
    expect(moved.render((r) => `--${r.option}`)).toContain('a training task, or --task');
    expect(Object.keys(moved)).toEqual(Object.keys(e));
  });
});
