import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJson, readJson } from './json.js';

const records = [
  { task: 'a', x: 1, y: 2 },
  { task: 'a', x: 2, y: 3 },
  { task: 'b', x: null, y: 1 },
  { task: 'b', x: 4, y: 5 },
];
const opts = { task: 'task', target: 'y', missing: 'mean-impute' } as const;

describe('fromJson', () => {
  it('reads an array of records (text, bytes or parsed) and an object of columns', async () => {
    const fromText = await fromJson(JSON.stringify(records), opts);
    expect(fromText.sizes).toEqual([2, 2]);
    expect(Array.from(fromText.task('b').X)).toEqual([7 / 3, 4]);
    const fromBytes = await fromJson(new TextEncoder().encode(JSON.stringify(records)), opts);
    expect(Array.from(fromBytes.task('b').X)).toEqual([7 / 3, 4]);
    const parsed = await fromJson(records, opts);
    expect(parsed.report?.source).toBe('JSON');
    const columns = await fromJson(
      JSON.stringify({ task: ['a', 'a', 'b', 'b'], x: [1, 2, null, 4], y: [2, 3, 1, 5] }),
      opts,
    );
    expect(Array.from(columns.task('b').X)).toEqual([7 / 3, 4]);
  });

  it('reads a file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hetmtl-json-')), 'd.json');
    writeFileSync(path, JSON.stringify(records));
    expect((await readJson(path, opts)).report?.source).toBe(`File ${JSON.stringify(path)}`);
  });

  it('explains invalid JSON and unexpected shapes', async () => {
    await expect(fromJson('[{"task": "a", "x": NaN, "y": 1}]', opts)).rejects.toThrow(
      /^Invalid JSON: expected a JSON array of records, received .+\. Fix the JSON syntax \(JSON has no NaN, Infinity or trailing commas; use null for a missing value\)$/,
    );
    await expect(fromJson('{"data": {"task": "a"}}', opts)).rejects.toThrow(
      'Unexpected JSON shape: expected an array of records [{ "task": …, "x1": …, "y": … }, …] or an object of column arrays, received an object (Object). Pass the array of records itself (for {"data": [...]}, pass its data field)',
    );
    await expect(fromJson('[1, 2]', opts)).rejects.toThrow(
      'Invalid table row (at row 1): expected an object mapping column names to values, received 1. Pass an array of records such as [{ task: "a", x1: 1, y: 2 }, …]',
    );
  });
});
