/**
 * Inserts a batch of advisories into an advisory table (a staging table during an import), in
 * one statement that also renders each content hash and match record (ADR 0037).
 */
import type { Advisory } from '../core/advisories/model.js';
import type { Sql } from './sql.js';

/** A character `json_ascii` (migration 31) rewrites. */
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * One line of JSON per advisory, each parsed into jsonb on its own (the `OFFSET 0` keeps the
 * planner from parsing it once per reference): cheaper than parsing one array of the batch and
 * taking it apart again. JSON text holds no raw newline.
 *
 * The content hash leaves out `source` (which file it came from): the same advisory read from
 * another directory or a bundle hashes alike; jsonb text output is canonical. The match record
 * (migration 6) is rendered from the jsonb value, so its keys print in jsonb's order as the
 * record's do: reports carry evidence objects read from it. It is stored in ASCII (migration 31,
 * ADR 0032): the advisories whose JSON holds a character above U+007F (158 of 30,669 on the
 * mirror), found here by a regular expression over text already in hand, go through `json_ascii`;
 * a scan and update of the whole staged table afterwards cost more.
 */
const INSERT = (table: string): string =>
  `INSERT INTO "${table}" (source, id, namespace, package_name, version_scheme, aliases, fix_state, withdrawn, record, content_hash, match_record)
   SELECT $1, e->>'id', e->>'namespace', e->>'packageName', e->>'versionScheme',
          ARRAY(SELECT jsonb_array_elements_text(e->'aliases')), e->>'fixState', e ? 'withdrawn',
          e, md5((e - 'source')::text),
          CASE WHEN r.n = ANY($3::int[]) THEN json_ascii((e - '{references,modified}'::text[])::text)
               ELSE (e - '{references,modified}'::text[])::text END
   FROM string_to_table($2, E'\\n') WITH ORDINALITY AS r(line, n),
        LATERAL (SELECT r.line::jsonb AS e OFFSET 0) AS j`;

export async function insertAdvisories(
  db: Sql,
  table: string,
  source: string,
  advisories: readonly Advisory[],
): Promise<void> {
  const lines: string[] = [];
  const wide: number[] = [];
  for (const advisory of advisories) {
    const line = JSON.stringify(advisory);
    lines.push(line);
    if (NON_ASCII.test(line)) wide.push(lines.length); // 1-based, as ORDINALITY counts
  }
  await db.query(INSERT(table), [source, lines.join('\n'), wide]);
}
