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

/** Each value as JSON text, one after the other in one buffer, with its span. */
export function jsonSlices(values: readonly unknown[]): JsonSlices {
  return textSlices(values.map((v) => JSON.stringify(v) ?? 'null'));
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
): { rows: string; blob?: Buffer } {
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

/**
 * The set-returning call that reads the rows' JSON (parameter 1): on PGlite as `type`, so a
 * jsonb document is parsed once, with the rows, as before this change.
 */
export const documentRows = (kind: Sql['kind'], type: DocumentType): string =>
  kind === 'postgres' ? 'json_to_recordset($1::json)' : `${type}_to_recordset($1::${type})`;

/** The column definitions `rowsWithDocuments` adds to each row of the recordset. */
export const documentColumns = (kind: Sql['kind'], type: DocumentType): string =>
  kind === 'postgres' ? 's int, l int' : `j ${type}`;

/** The names of those columns, for an alias list (`WITH ORDINALITY AS x(..., names, n)`). */
export const documentNames = (kind: Sql['kind']): string => (kind === 'postgres' ? 's, l' : 'j');

/**
 * The SQL of a row's document as `type`: `alias` is the recordset's alias, `param` the number
 * of the blob parameter (used on a server only).
 */
export const documentOf = (kind: Sql['kind'], type: DocumentType, param: number, alias: string): string =>
  kind === 'postgres'
    ? `convert_from(substring($${param}::bytea FROM ${alias}.s FOR ${alias}.l), 'UTF8')::${type}`
    : `${alias}.j`;
