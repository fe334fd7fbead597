/**
 * Many JSON documents sent with a multi-row statement, each taken back out by the row it
 * belongs to (ADR 0042). A statement's big values used to travel inside one JSON array that the
 * server parsed whole with `json_to_recordset`: for a `json` column that parse was the
 * statement's largest cost (about 25 MB/s), spent only to cut the array into its documents.
 *
 * On a PostgreSQL server the documents go as one bytea parameter (sent as binary by `pg`),
 * one after the other, and each row takes its own by its byte span with `substring`, a copy;
 * `json_in` then only checks the document's syntax. PGlite's JavaScript turns a bytea
 * parameter into text byte by byte (about 600 ms for 1.5 MB), so there each document stays
 * inside the rows' JSON array as before.
 */
import type { Sql } from './sql.js';

/** Where one document lies in the blob: its 1-based first byte and its length in bytes. */
export interface JsonSpan {
  s: number;
  l: number;
}

export interface JsonSlices {
  blob: Buffer;
  spans: JsonSpan[];
}

/** JSON texts rendered beforehand (off the write path), one after the other, with their spans. */
export function textSlices(texts: readonly string[]): JsonSlices {
  const spans: JsonSpan[] = [];
  let at = 1;
  for (const text of texts) {
    const l = Buffer.byteLength(text);
    spans.push({ s: at, l });
    at += l;
  }
  // Encoded straight into the buffer: joining the texts first made a string of the whole chunk.
  const blob = Buffer.allocUnsafe(at - 1);
  texts.forEach((text, i) => blob.write(text, spans[i]!.s - 1, spans[i]!.l, 'utf8'));
  return { blob, spans };
}

/** What `rowsWithDocuments` sends: the rows' JSON array and, on a server, the blob. */
export interface SentDocuments {
  rows: string;
  blob?: Buffer;
}

/** A statement's parameters: the rows' JSON first, then `others`, then the blob on a server. */
export const documentParams = (sent: SentDocuments, ...others: unknown[]): unknown[] =>
  sent.blob ? [sent.rows, ...others, sent.blob] : [sent.rows, ...others];

/**
 * The parameters of a multi-row statement whose rows (small columns, `rows`) each carry one
 * JSON document (`texts`, rendered): the rows' JSON array, then, on a server, the blob. The
 * blob is the statement's last parameter, and absent on PGlite. A document is never JSON
 * `null`: inside a row's JSON, `json_to_recordset` would read it as SQL NULL.
 */
export function rowsWithDocuments(
  kind: Sql['kind'],
  rows: readonly Record<string, unknown>[],
  texts: readonly string[],
): SentDocuments {
  if (texts.includes('null')) throw new TypeError('a document sent beside its row must not be JSON null');
  if (kind === 'postgres') {
    const { blob, spans } = textSlices(texts);
    return { rows: JSON.stringify(rows.map((r, i) => ({ ...r, ...spans[i] }))), blob };
  }
  // The document is spliced into its row's JSON as it was rendered (`j`), not rendered again.
  const parts = rows.map((r, i) => {
    const head = JSON.stringify(r);
    return `${head.length > 2 ? `${head.slice(0, -1)},` : '{'}"j":${texts[i]}}`;
  });
  return { rows: `[${parts.join(',')}]` };
}

/** The type a row's document is stored as: it decides how PGlite reads the rows' JSON. */
export type DocumentType = 'json' | 'jsonb';

/** The SQL that reads the rows of `rowsWithDocuments` and each row's document. */
export interface DocumentsSql {
  /** The set-returning call over the rows' JSON (parameter 1). */
  rows: string;
  /** The column definitions the documents add to each row of that recordset. */
  columns: string;
  /** The names of those columns, for an alias list (`WITH ORDINALITY AS x(..., names, n)`). */
  names: string;
  /** A row's document as its type, `alias` being the recordset's alias. */
  value: (alias: string) => string;
}

/**
 * The SQL of documents stored as `type`, the blob being parameter `blobParam` (on a server). On
 * PGlite the rows' JSON is read as `type`, so a jsonb document is parsed once, with its row.
 */
export function documentsSql(kind: Sql['kind'], type: DocumentType, blobParam: number): DocumentsSql {
  if (kind === 'postgres')
    return {
      rows: 'json_to_recordset($1::json)',
      columns: 's int, l int',
      names: 's, l',
      value: (alias) =>
        `convert_from(substring($${blobParam}::bytea FROM ${alias}.s FOR ${alias}.l), 'UTF8')::${type}`,
    };
  return {
    rows: `${type}_to_recordset($1::${type})`,
    columns: `j ${type}`,
    names: 'j',
    value: (alias) => `${alias}.j`,
  };
}
