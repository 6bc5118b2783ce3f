import { fromLongTable } from '@hetmtl/data';
import { SerializationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import {
  Pipeline,
  PIPELINE_FORMAT,
  pipelineColumns,
  pipelineDocument,
  pipelineIssue,
  pipelinePartsIssue,
} from './pipeline.js';

const ds = fromLongTable(
  [
    { school: 'a', size: 1, kind: 'x', y: 1 },
    { school: 'a', size: 2, kind: 'y', y: 2 },
    { school: 'b', size: 3, kind: 'x', y: 3 },
    { school: 'b', size: 5, kind: 'y', y: 4 },
  ],
  { task: 'school', target: 'y' },
);
const encoding = ds.encoding;
const model = { format: 'hetmtl/fake', taskNames: ['a', 'b'], featureNames: encoding.featureNames };
const fit = {
  source: 'x.csv',
  format: 'csv',
  backend: 'cpu',
  seed: 0,
  test: 0,
  trainRows: 4,
  testRows: 0,
  seconds: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  hetmtlCli: '0.1.0',
};

describe('the pipeline document (the CLI model file)', () => {
  it('writes the file format of hetmtl fit --out, keys in order', () => {
    const doc = pipelineDocument({ encoding, model, fit });
    expect(Object.keys(doc)).toEqual(['format', 'version', 'columns', 'encoding', 'fit', 'model']);
    expect(doc.format).toBe('hetmtl/cli-model');
    expect(PIPELINE_FORMAT).toBe('hetmtl/cli-model');
    expect(doc.version).toBe(1);
    expect(doc.columns).toEqual({
      task: 'school',
      target: 'y',
      features: ['size', 'kind'],
      categorical: ['kind'],
    });
    expect(pipelineColumns(encoding)).toEqual(doc.columns);
    expect(doc.encoding).toEqual(encoding.toJSON());
  });

  it('reads it back, with the estimator built by the injected loader', () => {
    const text = JSON.stringify(pipelineDocument({ encoding, model, fit }));
    let validated = 0;
    const p = Pipeline.fromJSON(text, {
      load: (m) => ({ loaded: m }),
      validate: () => validated++,
    });
    expect(p.encoding.featureNames).toEqual(encoding.featureNames);
    expect(p.estimator()).toEqual({ loaded: model });
    p.validate();
    expect(validated).toBe(1);
    expect(JSON.stringify(p)).toBe(text);
  });

  it('names the first thing wrong', () => {
    const doc = pipelineDocument({ encoding, model, fit });
    expect(pipelineIssue(doc)).toBeNull();
    expect(pipelineIssue({ ...doc, format: 'x' })).toEqual({ kind: 'format', format: 'x' });
    expect(pipelineIssue({ ...doc, version: 2 })).toEqual({ kind: 'version', version: 2 });
    expect(pipelineIssue({ ...doc, model: null })).toEqual({ kind: 'parts' });
    expect(pipelineIssue({ ...doc, encoding: undefined })).toEqual({
      kind: 'encoding',
      encoding: undefined,
    });
    expect(pipelinePartsIssue({ ...doc, model: { ...model, taskNames: ['c'] } }, encoding)).toEqual(
      {
        kind: 'mismatch',
        what: 'the model has tasks the encoding does not know',
        expected: 'tasks among "a", "b"',
        received: '"c"',
      },
    );
    expect(
      pipelinePartsIssue({ ...doc, model: { ...model, featureNames: ['q'] } }, encoding)?.kind,
    ).toBe('mismatch');
    const load = { load: () => null };
    expect(Pipeline.read({ ...doc, version: 2 }, load)).toEqual({ kind: 'version', version: 2 });
    expect(Pipeline.read(doc, load)).toBeInstanceOf(Pipeline);
    expect(Pipeline.read({ ...doc, encoding: { bad: true } }, load)).toMatchObject({
      kind: 'encoding-invalid',
    });
    expect(() => Pipeline.fromJSON('{', load)).toThrow(SerializationError);
    expect(() => Pipeline.fromJSON({ ...doc, version: 3 }, load)).toThrow(
      /Unsupported pipeline document version/,
    );
    expect(() => Pipeline.fromJSON({ ...doc, encoding: { bad: true } }, load)).toThrow(
      /Corrupt pipeline document: encoding/,
    );
    expect(() =>
      Pipeline.fromJSON({ ...doc, columns: { ...doc.columns, task: 'other' } }, load),
    ).toThrow(/name different task or target columns/);
  });
});
