/**
 * Many JSON documents sent to the database as one bytea, each taken back out by its byte span
 * (ADR 0042). A multi-row statement's big values used to travel inside one JSON array that the
 * server parsed whole with `json_to_recordset`: for a `json` column that parse was the
 * statement's largest cost (about 25 MB/s), spent only to cut the array into its documents.
 * A bytea parameter is sent as binary (by `pg` and PGlite alike) and `substring` on it is a
 * copy; `json_in` then only checks each document's syntax.
 */

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
 * The SQL that takes one document out of the blob parameter `$param` at the span columns `s`
 * and `l` of `alias`, as text (cast it to json or jsonb).
 */
export const sliceOf = (param: number, alias: string): string =>
  `convert_from(substring($${param}::bytea FROM ${alias}.s FOR ${alias}.l), 'UTF8')`;
