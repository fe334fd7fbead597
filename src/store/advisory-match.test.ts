/**
 * advisory_match (migration 6, ADR 0027) holds what matching reads of each advisory: the stored
 * jsonb record without references, withdrawn advisories left out. The writer fills it from the
 * same line as the record; migration 6 fills it from advisories stored before it existed. Both
 * must answer the same advisories, on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../test/harness/postgres.js';
import type { Advisory } from '../core/advisories/model.js';
import { advisoryLines, jsonbOrderedJson } from './feed-writer.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { openPglite, openPostgres, type Sql } from './sql.js';
import { VulnerabilityStore } from './vulnerability-store.js';

const SOURCE = 'match-test';
const KEY = { namespace: 'osv:npm', packageName: 'left\tpad' };

function advisory(id: string, extra: Partial<Advisory> = {}): Advisory {
  return {
    id,
    aliases: [`CVE-2099-${id.length}`],
    namespace: KEY.namespace,
    packageName: KEY.packageName,
    versionScheme: 'semver',
    ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }],
    versions: [],
    fixedVersions: ['1.0.0'],
    fixState: 'fixed',
    severities: [{ source: 'osv:npm', scheme: 'CVSS_V3', score: 9.8, vector: 'CVSS:3.1/AV:N' }],
    summary: 'line one\nline\ttwo "quoted" \\ back',
    references: ['https://example.test/a?b=c\td'],
    source: { driver: SOURCE, file: 'x.json', recordId: id },
    ...extra,
  };
}

const ADVISORIES = [
  advisory('GHSA-one'),
  advisory('GHSA-two', { references: [] }),
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

describe('advisoryLines', () => {
  it('writes one line per advisory: key, withdrawn flag, record without references, references', () => {
    const lines = advisoryLines(ADVISORIES).split('\n');
    expect(lines).toHaveLength(3);
    for (const [i, line] of lines.entries()) {
      const [key, withdrawn, rest, refs, ...more] = line.split('\t');
      expect(more).toEqual([]);
      const { references, ...expected } = ADVISORIES[i] as Advisory;
      expect(JSON.parse(key as string)).toBe(`osv:npm\u001fleft\tpad`);
      expect(withdrawn).toBe(expected.withdrawn ? '1' : '');
      expect(JSON.parse(rest as string)).toEqual(expected);
      expect(JSON.parse(refs as string)).toEqual(references);
    }
  });
});

describe.each(backends)('advisory_match on %s', (_name, open) => {
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

  const matchRead = () => new VulnerabilityStore(db, { remember: false }).advisoriesFor([KEY]);

  it('stores the record whole and answers matching the record without references, withdrawn left out', async () => {
    const { rows } = await db.query<{ record: Advisory }>(
      'SELECT record FROM advisory WHERE source = $1 ORDER BY id',
      [SOURCE],
    );
    expect(rows.map((r) => r.record)).toEqual([...ADVISORIES].sort((a, b) => a.id.localeCompare(b.id)));
    const read = await matchRead();
    expect(read).toEqual(
      ADVISORIES.filter((a) => !a.withdrawn).map(({ references: _references, ...rest }) => rest),
    );
  });

  it('migration 6 fills advisory_match from advisories stored before it, answering the same', async () => {
    const before = await matchRead();
    expect(MIGRATIONS.some((m) => m.id === 6)).toBe(true);
    await db.exec('DROP TABLE advisory_match');
    await db.query('DELETE FROM schema_migration WHERE id = 6');
    expect(await migrate(db)).toEqual([6]);
    expect(await matchRead()).toEqual(before);
  });
});

describe('jsonbOrderedJson', () => {
  it('prints keys in jsonb order (shorter first, then bytes), nested too, as PostgreSQL does', async () => {
    const value = {
      zz: 1,
      a: { ccc: [{ bb: 2, b: null, é: 'x', z: 'y' }], bb: true },
      skip: undefined,
      m: 'n',
    };
    const db = await openPglite();
    try {
      const { rows } = await db.query<{ t: string }>('SELECT $1::jsonb::text AS t', [JSON.stringify(value)]);
      expect(jsonbOrderedJson(value)).toBe((rows[0]?.t ?? '').replace(/": /g, '":').replace(/, /g, ','));
    } finally {
      await db.close();
    }
  });
});
