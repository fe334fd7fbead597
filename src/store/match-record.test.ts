/**
 * The match record (migration 6, ADR 0026): what matching reads of each advisory, stored as text
 * at import. It must answer exactly the stored jsonb record without references and modified,
 * keys in the order the jsonb record prints them (reports carry evidence objects read from it,
 * golden files compare their bytes), withdrawn advisories left out; stored in ASCII (migration
 * 31, ADR 0032) with the same value; and migrations 6 and 31 must bring a store written before
 * them to the same answers. On both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../test/harness/postgres.js';
import type { Advisory } from '../core/advisories/model.js';
import { migrate } from './migrate.js';
import { openPglite, openPostgres, type Sql } from './sql.js';
import { VulnerabilityStore } from './vulnerability-store.js';

const SOURCE = 'match-record-test';
const KEY = { namespace: 'osv:npm', packageName: 'left\tpad' };

function advisory(id: string, extra: Partial<Advisory> = {}): Advisory {
  return {
    // Keys deliberately not in jsonb's order (shorter first, then by bytes).
    source: { recordId: id, file: 'x.json', driver: SOURCE },
    summary: 'line one\nline\ttwo "quoted" \\ back, ünïcödé \u{1F512} \\u00e9',
    id,
    aliases: [`CVE-2099-${id.length}`],
    namespace: KEY.namespace,
    packageName: KEY.packageName,
    versionScheme: 'semver',
    ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }],
    versions: ['0.9.0'],
    fixedVersions: ['1.0.0'],
    fixState: 'fixed',
    severities: [{ vector: 'CVSS:3.1/AV:N', score: 9.8, scheme: 'CVSS_V3', source: 'osv:npm' }],
    modified: '2024-02-02T00:00:00Z',
    references: ['https://example.test/a?b=c\td'],
    ...extra,
  };
}

const ADVISORIES = [
  advisory('GHSA-one'),
  advisory('GHSA-two', { references: [], modified: undefined, published: '2023-01-01T00:00:00Z' }),
  advisory('GHSA-gone', { withdrawn: '2024-01-01T00:00:00Z' }),
];

const backends: [string, () => Promise<{ db: Sql; stop: () => Promise<void> }>][] = [
  [
    'PGlite',
    async () => {
      const db = await openPglite();
      return { db, stop: () => db.close() };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const server = await startPostgres();
      const db = await openPostgres(server.url);
      return { db, stop: async () => (await db.close(), await server.stop()) };
    },
  ],
];

describe.each(backends)('the match record on %s', (_name, open) => {
  let db: Sql;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ db, stop } = await open());
    await migrate(db);
    await new VulnerabilityStore(db).replaceFeed(SOURCE, async (sink) => {
      for (const advisory of ADVISORIES) await sink({ kind: 'advisory', advisory });
      return {
        freshness: {
          driver: SOURCE,
          lastSync: new Date().toISOString(),
          records: 3,
          sourceVersion: 't',
          changed: true,
        },
      };
    });
  });
  afterAll(async () => stop?.());

  /** What a one-off match reads, as JSON text: key order shows. */
  const matchRead = async () =>
    JSON.stringify(await new VulnerabilityStore(db, { remember: false }).advisoriesFor([KEY]));

  /** The stored jsonb records, as the jsonb text prints them, without what matching does not read. */
  const expected = async () => {
    const { rows } = await db.query<{ r: string }>(
      'SELECT record::text AS r FROM advisory WHERE source = $1 AND NOT withdrawn ORDER BY id',
      [SOURCE],
    );
    const records = rows.map((row) => {
      const { references: _references, modified: _modified, ...rest } = JSON.parse(row.r) as Advisory;
      return rest;
    });
    return JSON.stringify(records);
  };

  it('answers each record without references and modified, keys in jsonb order, withdrawn left out', async () => {
    const read = await matchRead();
    expect(read).toBe(await expected());
    const parsed = JSON.parse(read) as Advisory[];
    expect(parsed.map((a) => a.id).sort()).toEqual(['GHSA-one', 'GHSA-two']);
    const { references: _references, modified: _modified, ...one } = ADVISORIES[0] as Advisory;
    expect(parsed.find((a) => a.id === 'GHSA-one')).toEqual(one);
    // jsonb's order: shorter keys first (`id` before `source`), not the order written.
    expect(Object.keys(parsed[0] as object).slice(0, 2)).toEqual(['id', 'ranges']);
  });

  it('stores the match record in ASCII: characters above U+007F as JSON escapes, surrogate pairs above U+FFFF', async () => {
    const { rows } = await db.query<{ m: string }>(
      "SELECT match_record AS m FROM advisory WHERE source = $1 AND id = 'GHSA-one'",
      [SOURCE],
    );
    const stored = rows[0]?.m ?? '';
    expect([...stored].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
    expect(stored).toContain('\\u00fcn\\u00efc\\u00f6d\\u00e9 \\ud83d\\udd12 \\\\u00e9');
    expect((JSON.parse(stored) as Advisory).summary).toBe(ADVISORIES[0]?.summary);
  });

  it('migration 31 rewrites a match record stored with other characters, answering the same bytes', async () => {
    const before = await matchRead();
    await db.query(
      "UPDATE advisory SET match_record = (record - '{references,modified}'::text[])::text WHERE source = $1",
      [SOURCE],
    );
    await db.exec('DROP FUNCTION json_ascii(text)');
    await db.query('DELETE FROM schema_migration WHERE id = 31');
    expect(await migrate(db)).toEqual([31]);
    expect(await matchRead()).toBe(before);
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM advisory WHERE source = $1 AND match_record ~ '[^\\x01-\\x7f]'",
      [SOURCE],
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('migration 6 fills the match record of advisories stored before it, answering the same bytes', async () => {
    const before = await matchRead();
    await db.exec('ALTER TABLE advisory DROP COLUMN match_record');
    await db.query('DELETE FROM schema_migration WHERE id = 6');
    expect(await matchRead().catch((err: Error) => err.message)).toMatch(/match_record/);
    expect(await migrate(db)).toEqual([6]);
    expect(await matchRead()).toBe(before);
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM advisory WHERE source = $1 AND match_record IS NULL',
      [SOURCE],
    );
    expect(rows[0]?.n).toBe(0);
  });
});
