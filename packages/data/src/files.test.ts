import { ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { files as browserFiles } from './files.browser.js';
import { files as nodeFiles } from './files.node.js';

describe('file access behind #files', () => {
  it('in Node reads the file and its size', async () => {
    const path = new URL('./files.ts', import.meta.url);
    const bytes = await nodeFiles.readFile(path);
    expect(await nodeFiles.size(path)).toBe(bytes.byteLength);
    const decoder = await nodeFiles.asciiDecoder();
    expect(decoder?.latin1(bytes).startsWith('import type')).toBe(true);
  });

  it('in a browser, a file path is a ValidationError saying what to pass instead', async () => {
    const err = await browserFiles.readFile('data.csv').catch((e: unknown) => e);
    expect(ValidationError.isInstance(err)).toBe(true);
    expect((err as ValidationError).message).toMatch(/^Cannot read a file path here/);
    expect((err as ValidationError).message).toContain('"data.csv"');
    expect((err as ValidationError).fix).toMatch(/parseCsv\(file\) for a File or Blob/);
    expect(() => browserFiles.open('data.csv')).toThrow(/Cannot read a file path here/);
    expect(await browserFiles.size('data.csv')).toBeUndefined();
    expect(await browserFiles.asciiDecoder()).toBeUndefined();
  });
});
