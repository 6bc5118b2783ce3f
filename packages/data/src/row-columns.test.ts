import { ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { fromLongTable } from './long-table.js';

const errorOf = async (f: () => Promise<unknown>) => {
  try {
    await f();
  } catch (e) {
    return e as ValidationError;
  }
  throw new Error('no error');
};

describe('binary targets and row-value columns of the table adapters', () => {
  it('reads a two-level text target as 0/1: the second level in sorted order by default, or `positive`', async () => {
    const csv = 't,use,x\na,Y,1\na,N,2\nb,N,3\nb,Y,4\nb,N,5\n';
    const ds = await parseCsv(csv, { task: 't', target: 'use', binaryTarget: true });
    expect(Array.from(ds.task('a').y)).toEqual([1, 0]);
    expect(Array.from(ds.task('b').y)).toEqual([0, 1, 0]);
    expect(ds.report?.binaryTarget).toEqual({ column: 'use', positive: 'Y', negative: 'N' });
    const neg = await parseCsv(csv, { task: 't', target: 'use', positive: 'N' });
    expect(Array.from(ds.task('b').y, (v) => 1 - v)).toEqual(Array.from(neg.task('b').y));
    expect(neg.report?.binaryTarget?.positive).toBe('N');
    // yes/no, true/false; records with booleans
    const yn = await parseCsv('t,y,x\na,yes,1\na,no,2\n', {
      task: 't',
      target: 'y',
      binaryTarget: true,
    });
    expect(Array.from(yn.task('a').y)).toEqual([1, 0]);
    const rec = fromLongTable(
      [
        { t: 'a', y: true, x: 1 },
        { t: 'a', y: false, x: 2 },
      ],
      { task: 't', target: 'y', binaryTarget: true },
    );
    expect(Array.from(rec.task('a').y)).toEqual([1, 0]);
    expect(rec.report?.binaryTarget?.positive).toBe('true');
  });

  it('refuses a third level (naming row and column), an unknown positive level, one level without positive', async () => {
    const e = await errorOf(() =>
      parseCsv('t,y,x\na,Y,1\na,N,2\na,maybe,3\n', { task: 't', target: 'y', binaryTarget: true }),
    );
    expect(ValidationError.isInstance(e)).toBe(true);
    expect([e.row, e.column]).toEqual([4, 'y']);
    await expect(
      parseCsv('t,y,x\na,Y,1\na,N,2\n', { task: 't', target: 'y', positive: 'yes' }),
    ).rejects.toThrow(/positive level is not a level/);
    await expect(
      parseCsv('t,y,x\na,Y,1\na,Y,2\n', { task: 't', target: 'y', binaryTarget: true }),
    ).rejects.toThrow(/one level only/);
    const one = await parseCsv('t,y,x\na,Y,1\na,Y,2\n', { task: 't', target: 'y', positive: 'Y' });
    expect(Array.from(one.task('a').y)).toEqual([1, 1]);
  });

  it('weights, offset and exposure columns: read into the dataset, not the features; rows follow their task', async () => {
    const csv = 't,y,x,w,e\nb,3,1,2,0.5\na,1,2,1,2\nb,0,3,0.5,4\na,2,4,1,1\n';
    const ds = await parseCsv(csv, { task: 't', target: 'y', weights: 'w', exposure: 'e' });
    expect(ds.featureNames).toEqual(['x']);
    expect(ds.taskNames).toEqual(['b', 'a']);
    expect(Array.from(ds.task('b').weight ?? [])).toEqual([2, 0.5]);
    expect(Array.from(ds.task('a').offset ?? [])).toEqual([Math.log(2), 0]);
    expect(ds.encoding.featureNames).toEqual(['x']);
    const off = await parseCsv('t,y,x,o\na,1,2,0.3\na,0,3,-1\n', {
      task: 't',
      target: 'y',
      offset: 'o',
      features: ['x'],
    });
    expect(Array.from(off.task('a').offset ?? [])).toEqual([0.3, -1]);
    expect(off.featureNames).toEqual(['x']);
  });

  it('one-line errors: a negative or non-finite weight, a non-positive exposure, a missing offset', async () => {
    const w = await errorOf(() =>
      parseCsv('t,y,x,w\na,1,2,1\na,0,3,-1\n', { task: 't', target: 'y', weights: 'w' }),
    );
    expect([w.task, w.row, w.column]).toEqual(['a', 2, 'w']);
    expect(w.message).not.toContain('\n');
    const e = await errorOf(() =>
      parseCsv('t,y,x,e\na,1,2,1\na,0,3,0\n', { task: 't', target: 'y', exposure: 'e' }),
    );
    expect([e.row, e.column]).toEqual([2, 'e']);
    expect(e.message).toMatch(/exposure that is not positive/);
    const o = await errorOf(() =>
      parseCsv('t,y,x,o\na,1,2,1\na,0,3,NaN\n', { task: 't', target: 'y', offset: 'o' }),
    );
    expect(o.column).toBe('o');
    expect(o.row).toBe(3);
    await expect(
      parseCsv('t,y,x,o\na,1,2,1\na,0,3,NA\n', {
        task: 't',
        target: 'y',
        offset: 'o',
        missing: 'mean-impute',
      }),
    ).rejects.toThrow(/missing value in the offset column/);
    await expect(
      parseCsv('t,y,x,o\na,1,2,1\n', { task: 't', target: 'y', offset: 'o', exposure: 'x' }),
    ).rejects.toThrow(/Both an offset and an exposure/);
  });
});

describe('row-value columns with the training encoding', () => {
  it('a test file read with the encoding of a training file gets its exposures and the same features', async () => {
    const train = await parseCsv('t,y,x,g,e\na,3,1,u,0.5\na,1,2,v,2\nb,0,3,u,4\n', {
      task: 't',
      target: 'y',
      exposure: 'e',
    });
    const test = await parseCsv('t,y,e,g,x\nb,2,3,v,5\na,1,1,u,6\n', {
      encoding: train.encoding,
      exposure: 'e',
    });
    expect(test.featureNames).toEqual(train.featureNames);
    expect(test.encoding.toJSON()).toEqual(train.encoding.toJSON());
    expect(Array.from(test.task('b').offset ?? [])).toEqual([Math.log(3)]);
    expect(Array.from(test.task('a').X)).toEqual([6, 1, 0]);
    await expect(
      parseCsv('t,y,e,g,x\nb,2,-3,v,5\n', { encoding: train.encoding, exposure: 'e' }),
    ).rejects.toThrow(/exposure that is not positive/);
    await expect(
      parseCsv('t,y,e,g,x\nb,2,3,v,5\n', { encoding: train.encoding, exposure: 'x' }),
    ).rejects.toThrow(/is a feature of the encoding/);
  });

  it('under mean-impute a missing exposure is refused, with or without the encoding', async () => {
    const train = await parseCsv('t,y,x,e\na,3,1,0.5\na,1,NA,2\nb,0,3,4\n', {
      task: 't',
      target: 'y',
      exposure: 'e',
      missing: 'mean-impute',
    });
    expect(train.featureNames).toEqual(['x']);
    await expect(
      parseCsv('t,y,x,e\na,3,1,NA\n', { encoding: train.encoding, exposure: 'e' }),
    ).rejects.toThrow(/missing value in the exposure column/);
    const t = await parseCsv('t,y,x,e\na,3,NA,1\n', { encoding: train.encoding, exposure: 'e' });
    expect(Array.from(t.task('a').X)).toEqual([2]);
  });
});
