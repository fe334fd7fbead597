/**
 * Documents sent beside a statement's rows come back out whole, on both stores: on a server
 * they travel as one bytea cut by byte spans, so text beyond ASCII (and beyond the BMP) must not
 * shift the documents after it; on PGlite they stay inside the rows' JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { documentParams, documentsSql, rowsWithDocuments, textSlices } from './json-slices.js';

const jsonSlices = (values: readonly unknown[]) => textSlices(values.map((v) => JSON.stringify(v)));

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

// Every document but JSON null, which a row cannot carry (see rowsWithDocuments).
const SENT = DOCUMENTS.filter((d) => d !== null);

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

  it('puts the documents inside the rows on PGlite, and beside them on a server', () => {
    const texts = SENT.map((d) => JSON.stringify(d));
    const rows = SENT.map((_, n) => (n % 2 ? { n } : {}));
    const embedded = rowsWithDocuments('pglite', rows, texts);
    expect(embedded.blob).toBeUndefined();
    expect(JSON.parse(embedded.rows)).toEqual(rows.map((r, i) => ({ ...r, j: SENT[i] })));
    const server = rowsWithDocuments('postgres', rows, texts);
    expect(server.blob).toBeInstanceOf(Buffer);
    expect(JSON.parse(server.rows)).toEqual(rows.map((r, i) => ({ ...r, ...jsonSlices(SENT).spans[i] })));
  });

  it('refuses a JSON null document, which a row would read as SQL NULL', () => {
    expect(() => rowsWithDocuments('postgres', [{}], ['null'])).toThrow(/must not be JSON null/);
    expect(() => rowsWithDocuments('pglite', [{}], ['null'])).toThrow(/must not be JSON null/);
  });
});

describe.each(STORE_KINDS)('documents sent beside the rows on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  }, 120_000);
  afterAll(() => database?.stop());

  it('reads back every document, in order, as jsonb and as json, json byte for byte', async () => {
    const db = database.db;
    const texts = SENT.map((d) => JSON.stringify(d));
    const sent = rowsWithDocuments(
      db.kind,
      SENT.map((_, n) => ({ n })),
      texts,
    );
    const read = async (type: 'json' | 'jsonb') => {
      const documents = documentsSql(db.kind, type, 2);
      const { rows } = await db.query<{ n: number; d: unknown; t: string }>(
        `SELECT y.n, ${documents.value('y')} AS d, ${documents.value('y')}::text AS t
         FROM ROWS FROM (${documents.rows} AS (n int, ${documents.columns}))
           WITH ORDINALITY AS y(n, ${documents.names}, o)
         ORDER BY y.o`,
        documentParams(sent),
      );
      return rows;
    };
    const [rows, binary] = [await read('json'), await read('jsonb')];
    expect(binary.map((r) => r.n)).toEqual(SENT.map((_, n) => n));
    expect(binary.map((r) => r.d)).toEqual(SENT);
    expect(rows.map((r) => r.n)).toEqual(SENT.map((_, n) => n));
    expect(rows.map((r) => r.d)).toEqual(SENT);
    expect(rows.map((r) => r.t)).toEqual(texts);
  });
});
