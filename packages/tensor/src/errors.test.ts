import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  opt,
  AbortError,
  BackendUnavailableError,
  NotPositiveDefiniteError,
  NumericError,
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
    const copy = (await import(
      pathToFileURL(join(dir, 'errors.js')).href
    )) as typeof import('./errors.js');
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

  it('AbortError is one of the family, with its own code', () => {
    const reason = new Error('stopped');
    const e = new AbortError(reason);
    expect(e.code).toBe('E_ABORTED');
    expect(e.name).toBe('AbortError');
    expect(e.cause).toBe(reason);
    expect(AbortError.isInstance(e)).toBe(true);
    expect(HetmtlError.isInstance(e)).toBe(true);
    expect(ValidationError.isInstance(e)).toBe(false);
    expect(AbortError.isInstance(new ValidationError('x'))).toBe(false);
    expect(e.message).toBe('The fit was aborted. Nothing was changed; call fit() again to retrain');
  });

  it('NotPositiveDefiniteError keeps the failing pivot and its value as fields', () => {
    const e = new NotPositiveDefiniteError(3, -0.25);
    expect(e.pivot).toBe(3);
    expect(e.value).toBe(-0.25);
    expect(Number.isNaN(new NotPositiveDefiniteError(0, Number.NaN).value)).toBe(true);
    expect(e.at({ task: 2 }).value).toBe(-0.25);
  });

  it("every class has its own explicit marker string, which is its errors' name", () => {
    const classes = {
      HetmtlError,
      ValidationError,
      NotFittedError,
      BackendUnavailableError,
      SerializationError,
      NotPositiveDefiniteError,
      NumericError,
      AbortError,
    };
    for (const [name, cls] of Object.entries(classes)) {
      expect(Object.hasOwn(cls, 'errorName'), name).toBe(true);
      expect(cls.errorName).toBe(name);
    }
    // A subclass outside hetmtl without a marker of its own is matched by its class name, and is
    // not mistaken for its parent's errors (nor they for it).
    class LocalError extends ValidationError {}
    const local = new LocalError('x');
    expect(local.name).toBe('LocalError');
    expect(LocalError.isInstance(local)).toBe(true);
    expect(ValidationError.isInstance(local)).toBe(true);
    expect(LocalError.isInstance(new ValidationError('y'))).toBe(false);
  });

  /** Checks a foreign copy of the compiled module against this one, both ways. */
  function checkForeignCopy(copy: typeof import('./errors.js')): void {
    expect(copy.ValidationError).not.toBe(ValidationError);
    const foreign = new copy.NotPositiveDefiniteError(2, -1);
    expect(foreign.name).toBe('NotPositiveDefiniteError');
    expect(NotPositiveDefiniteError.isInstance(foreign)).toBe(true);
    expect(HetmtlError.isInstance(foreign)).toBe(true);
    expect(ValidationError.isInstance(foreign)).toBe(false);
    expect(AbortError.isInstance(new copy.AbortError())).toBe(true);
    expect(NotFittedError.isInstance(new copy.AbortError())).toBe(false);
    expect(copy.AbortError.isInstance(new AbortError())).toBe(true);
    expect(copy.ValidationError.isInstance(new ValidationError('x'))).toBe(true);
    expect(copy.ValidationError.isInstance(new NumericError('x'))).toBe(false);
  }

  it('isInstance does not depend on class names: a copy whose classes are renamed still matches', async () => {
    // What a minifier does to class names, done by hand (always runs, with or without esbuild).
    let source = readFileSync(new URL('../dist/errors.js', import.meta.url), 'utf8').replace(
      /\/\/# sourceMappingURL=.*/,
      '',
    );
    const names = [
      'HetmtlError',
      'ValidationError',
      'NotFittedError',
      'BackendUnavailableError',
      'SerializationError',
      'NotPositiveDefiniteError',
      'NumericError',
      'AbortError',
    ];
    names.forEach((n, i) => {
      // Rename identifiers only: the marker strings are quoted, and quotes are not word characters.
      source = source.replace(new RegExp(`(?<!['"\\w])${n}(?!['"\\w])`, 'g'), `C${i}`);
    });
    source += `\nexport { ${names.map((n, i) => `C${i} as ${n}`).join(', ')} };\n`;
    source = source.replace(/^export class /gm, 'class ');
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-renamed-'));
    writeFileSync(join(dir, 'errors.js'), source);
    const copy = (await import(
      pathToFileURL(join(dir, 'errors.js')).href
    )) as typeof import('./errors.js');
    expect(copy.ValidationError.name).toBe('C1');
    checkForeignCopy(copy);
  });

  it('isInstance survives a minified copy (esbuild --minify of the compiled module)', async (ctx) => {
    // esbuild comes with the workspace's vite (a dependency of vitest); skip when it cannot be found.
    let esbuild: { transform(code: string, o: object): Promise<{ code: string }> } | undefined;
    try {
      const fromVitest = createRequire(createRequire(import.meta.url).resolve('vitest'));
      const fromVite = createRequire(fromVitest.resolve('vite'));
      esbuild = (await import(pathToFileURL(fromVite.resolve('esbuild')).href)) as typeof esbuild;
    } catch {
      ctx.skip();
      return;
    }
    const source = readFileSync(new URL('../dist/errors.js', import.meta.url), 'utf8');
    const { code } = await (esbuild as NonNullable<typeof esbuild>).transform(source, {
      minify: true,
      format: 'esm',
      target: 'es2022',
    });
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-minified-'));
    writeFileSync(join(dir, 'errors.js'), code);
    const copy = (await import(
      pathToFileURL(join(dir, 'errors.js')).href
    )) as typeof import('./errors.js');
    // esbuild keeps exported names but renames the classes behind them.
    expect(copy.NotPositiveDefiniteError.name).not.toBe('NotPositiveDefiniteError');
    checkForeignCopy(copy);
  });
});
