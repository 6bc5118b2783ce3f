import { describe, expect, test } from 'vitest';
import { fromCsv } from './train.js';

// The web app reads a CSV with @hetmtl/data's defaults: text columns are categories, common NA
// tokens are missing values, ID-like columns are left out, constant and one-row tasks are read
// (a one-row task trains only).
describe('the CSV path of the web app', () => {
  test('a real-looking file fits the defaults with no options', async () => {
    const csv = [
      'id,school,sex,hours,score',
      '1,a,M,2.5,10',
      '2,a,F,NA,12',
      '3,a,F,3,11',
      '4,b,M,1,7',
      '5,b,F,2,7',
      '6,b,M,4,7',
      '7,c,F,5,9',
      '8,d,M,2,8',
      '9,d,F,3,9',
      '10,d,M,.,10',
      '11,d,F,1,12',
    ].join('\n');
    const missing = await fromCsv(csv, 'clinic.csv', {
      task: 'school',
      target: 'score',
      delimiter: ',',
      test: 0.25,
      seed: 1,
    }).catch((e: Error) => e);
    // NA and "." are missing values: an error under the default policy, naming the first one.
    expect(String(missing)).toMatch(/Missing value \(at task "a", row 3, column "hours"\)/);
    const d = await fromCsv(csv.replace(',NA,', ',2,').replace(',.,', ',2,'), 'clinic.csv', {
      task: 'school',
      target: 'score',
      delimiter: ',',
      test: 0.25,
      seed: 1,
    });
    expect(d.encoding.featureNames).toEqual(['sex=F', 'sex=M', 'hours']);
    expect(d.train.taskNames).toEqual(['a', 'b', 'c', 'd']);
    expect(d.test.taskNames).toEqual(['a', 'b', 'd']);
    expect(d.train.totalRows + d.test.totalRows).toBe(11);
  });
});
