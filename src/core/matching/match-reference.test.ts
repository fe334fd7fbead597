/**
 * The fast paths of matching give exactly what the plain ones give, on the benchmark's real
 * 1,000-package SBOM (bookworm minbase plus npm and PyPI names that have advisories) against the
 * whole shared mirror. The reference reads every advisory's full record with its own query per
 * package, the CVSS and KEV facts one row per fact, and EPSS straight from the feed file; its
 * decisions come from the plain `decide`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Advisory, CvssRecord, EpssRecord, KevRecord, MatchedAdvisory } from '../advisories/model.js';
import { epssDriver } from '../advisories/feeds/epss/index.js';
import { syncFeed } from '../advisories/sync.js';
import type { SbomDocument } from '../sbom/document.js';
import { benchSbom, importMirror } from '../../../bench/vulndb-data.js';
import { openPglite, type Sql } from '../../store/sql.js';
import { VulnerabilityStore } from '../../store/vulnerability-store.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
import { decide, memoizedDecide } from './affected.js';
import { matchSbom } from './match.js';
import { lookupsFor } from './namespaces.js';
import type { AdvisorySource } from './types.js';

type Facts = Awaited<ReturnType<AdvisorySource['enrichment']>>;

/** The matcher's data read the plain way: one query per package key and per fact table. */
function referenceSource(db: Sql, epss: ReadonlyMap<string, EpssRecord>): AdvisorySource {
  return {
    async advisoriesFor(keys) {
      const out: Advisory[] = [];
      for (const k of keys) {
        const { rows } = await db.query<{ record: Advisory }>(
          'SELECT record FROM advisory WHERE namespace = $1 AND package_name = $2 AND NOT withdrawn',
          [k.namespace, k.packageName],
        );
        out.push(...rows.map((r) => r.record));
      }
      return out;
    },
    async enrichment(cves) {
      const out: Facts = new Map();
      const get = (cve: string) => {
        let e = out.get(cve);
        if (!e) out.set(cve, (e = { cvss: [] }));
        return e;
      };
      const ids = [...new Set(cves)];
      const cvss = await db.query<{
        cve: string;
        scorer: string;
        version: string;
        vector: string;
        base_score: number;
        severity: string | null;
      }>('SELECT cve, scorer, version, vector, base_score, severity FROM cvss WHERE cve = ANY($1::text[])', [
        ids,
      ]);
      for (const r of cvss.rows) {
        const record: CvssRecord = {
          cve: r.cve,
          source: r.scorer,
          version: r.version,
          vector: r.vector,
          baseScore: Math.round(Number(r.base_score) * 10) / 10,
          ...(r.severity ? { severity: r.severity } : {}),
        };
        get(r.cve).cvss.push(record);
      }
      for (const id of ids) {
        const score = epss.get(id);
        if (score) get(id).epss = score;
      }
      const kev = await db.query<{ cve: string; record: KevRecord }>(
        'SELECT cve, record FROM kev WHERE cve = ANY($1::text[])',
        [ids],
      );
      for (const r of kev.rows) get(r.cve).kev = r.record;
      return out;
    },
  };
}

describe('matching fast paths against the plain reference, on the 1,000-package bench SBOM', () => {
  let db: Sql;
  let doc: SbomDocument;
  let epss: Map<string, EpssRecord>;

  beforeAll(async () => {
    db = await openPglite();
    await importMirror(db);
    doc = await benchSbom(db);
    epss = new Map();
    await syncFeed(epssDriver, { mode: { mirrorDir: SHARED_DATA } }, (record) => {
      if (record.kind === 'epss') epss.set(record.epss.cve, record.epss);
    });
  });
  afterAll(async () => db?.close());

  it('remembered decisions equal fresh ones for every package and advisory', async () => {
    const lookups = doc.packages.flatMap((pkg) => lookupsFor(pkg, doc.distro));
    // One fetch, so the binaries of a source package share advisory objects as in a match.
    const byKey = new Map<string, MatchedAdvisory[]>();
    for (const a of await new VulnerabilityStore(db).advisoriesFor(lookups)) {
      const key = `${a.namespace} ${a.packageName}`;
      byKey.set(key, [...(byKey.get(key) ?? []), a]);
    }
    const remembered = memoizedDecide();
    let decided = 0;
    let affected = 0;
    for (let round = 0; round < 2; round++) {
      for (const lookup of lookups) {
        for (const advisory of byKey.get(`${lookup.namespace} ${lookup.packageName}`) ?? []) {
          const fresh = decide(advisory, lookup.version);
          expect(remembered(advisory, lookup.version)).toEqual(fresh);
          decided++;
          if (fresh.affected) affected++;
        }
      }
    }
    expect(decided).toBeGreaterThan(4_000);
    expect(affected).toBeGreaterThan(500);
  });

  it('the full match output equals the reference output', async () => {
    const store = new VulnerabilityStore(db);
    const fast = await matchSbom(doc, store);
    // The second match of the same store answers from its memory of the feed generation.
    const remembered = await matchSbom(doc, store);
    const reference = await matchSbom(doc, referenceSource(db, epss));
    expect(remembered).toEqual(reference);
    expect(fast.findings.length).toBeGreaterThan(1_000);
    expect(fast.findings.filter((f) => f.epss).length).toBeGreaterThan(100);
    expect(fast.findings.filter((f) => f.cvss.length).length).toBeGreaterThan(100);
    expect(fast).toEqual(reference);
  });
});
