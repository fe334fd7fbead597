/**
 * Documents sent as one bytea come back out of it whole, on both stores: spans are in bytes, so
 * text beyond ASCII (and beyond the BMP) must not shift the documents after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { jsonSlices, sliceOf } from './json-slices.js';

afterAll(() => stopSharedPostgres());

const DOCUMENTS: unknown[] = [
  { id: 'CVE-2024-0001', summary: 'plain ASCII' },
  [],
  { summary: 'éàü — “quoted” \\ backslash "double" \n newline', nested: { a: [1, 2.5, null, true] } },
  'a string on its own',
  { emoji: '🐧 penguin, 𝔘 outside the BMP', cjk: '漏洞' },
  null,
  {},
  42,
];

describe('jsonSlices', () => {
  it('gives byte spans that cut the blob back into each JSON text', () => {
    const { blob, spans } = jsonSlices(DOCUMENTS);
    expect(spans).toHaveLength(DOCUMENTS.length);
    expect(spans[0]!.s).toBe(1);
    spans.forEach((span, i) => {
      const text = blob.subarray(span.s - 1, span.s - 1 + span.l).toString('utf8');
      expect(JSON.parse(text)).toEqual(DOCUMENTS[i]);
    });
    expect(spans.reduce((n, span) => n + span.l, 0)).toBe(blob.length);
  });

  it('sends nothing for no documents', () => {
    expect(jsonSlices([])).toEqual({ blob: Buffer.alloc(0), spans: [] });
  });
});

describe.each(STORE_KINDS)('documents taken out of one bytea on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  }, 120_000);
  afterAll(() => database?.stop());

  it('reads back every document, in order, as json and as jsonb', async () => {
    const { blob, spans } = jsonSlices(DOCUMENTS);
    const { rows } = await database.db.query<{ n: number; j: unknown; b: unknown; t: string }>(
      `SELECT y.n, ${sliceOf(2, 'y')}::json AS j, ${sliceOf(2, 'y')}::jsonb AS b, ${sliceOf(2, 'y')} AS t
       FROM json_to_recordset($1::json) AS y(s int, l int, n int) ORDER BY y.n`,
      [JSON.stringify(spans.map((span, n) => ({ ...span, n }))), blob],
    );
    expect(rows.map((r) => r.j)).toEqual(DOCUMENTS);
    expect(rows.map((r) => r.b)).toEqual(DOCUMENTS);
    // json keeps the text as sent, byte for byte.
    expect(rows.map((r) => r.t)).toEqual(DOCUMENTS.map((d) => JSON.stringify(d)));
  });
});
