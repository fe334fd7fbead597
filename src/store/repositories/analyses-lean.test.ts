/**
 * The re-match's partial read (ADR 0030) gives the findings the whole SBOM gives, byte for
 * byte, on both stores: Debian, Alpine and distro-less images, source packages, changelog
 * evidence, npm/PyPI/Maven packages (one owned by a deb), an unreadable package database. An
 * analysis indexed before package positions were (migration 19) is read whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../../test/harness/databases.js';
import { rematchUnderKeys } from '../../archive/rematch.js';
import type { PackageKey } from '../../core/matching/rematch.js';
import type { Finding } from '../../core/matching/types.js';
import type { SbomDocument } from '../../core/sbom/document.js';
import { storeVaried, variedAnalyses } from '../test-support/varied-analyses.js';
import { vulnerabilityDataOf } from '../vulnerability-data.js';
import type { AnalysisMetadata } from './analysis-metadata.js';
import { getAnalyses } from './analyses-bulk.js';
import { getRematchAnalyses } from './analyses-lean.js';

afterAll(() => stopSharedPostgres());

const NOW = new Date('2026-06-01T00:00:00Z');
const ANALYSES = variedAnalyses();
const DIGESTS = ANALYSES.map((a) => a.imageDigest);

describe.each(STORE_KINDS)('the re-match read in part on %s', (kind) => {
  let database: TestDatabase;
  let changed: PackageKey[];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    changed = await storeVaried(database.db);
  });
  afterAll(() => database?.stop());

  const rematch = (a: { sbom: unknown; metadata: unknown; findings: unknown }, keys: readonly PackageKey[]) =>
    rematchUnderKeys(
      a.sbom as SbomDocument,
      a.metadata as AnalysisMetadata,
      a.findings as Finding[],
      vulnerabilityDataOf(database.db),
      keys,
      { now: NOW },
    );

  const keySets = (): [string, () => PackageKey[]][] => [
    ['every changed key', () => changed],
    ['one key per ecosystem', () => changed.filter((_, i) => i % 2 === 0)],
    ['the openssl keys', () => changed.filter((k) => k.packageName === 'openssl')],
  ];

  it.each(keySets())('gives the findings of the whole read for %s', async (_, keys) => {
    const whole = await getAnalyses(database.db, DIGESTS);
    const part = await getRematchAnalyses(database.db, DIGESTS, keys());
    expect(part.map((a) => a.imageDigest)).toEqual(DIGESTS);
    let rematched = 0;
    for (const [i, a] of part.entries()) {
      const full = whole[i]!;
      expect(a.partial, a.imageDigest).toBeDefined();
      expect(JSON.stringify(a.findings)).toBe(JSON.stringify(full.findings));
      // Stored one finding per line by analyses.save: each finding's text is read too.
      expect(a.findingTexts).toEqual((full.findings as unknown[]).map((f) => JSON.stringify(f)));
      const [lean, reference] = [await rematch(a, keys()), await rematch(full, keys())];
      expect(JSON.stringify(lean), a.imageDigest).toBe(JSON.stringify(reference));
      if (reference !== undefined) rematched++;
    }
    expect(rematched).toBeGreaterThan(1);
  });

  it('reads only the packages under the keys, and the changelogs of those', async () => {
    const keys = changed.filter((k) => k.packageName === 'openssl' && k.namespace === 'debian:12');
    const [debian] = await getRematchAnalyses(database.db, [DIGESTS[0]!], keys);
    const sbom = debian!.sbom as SbomDocument;
    expect(sbom.packages.map((p) => p.name)).toEqual(['libssl3', 'openssl']);
    expect(sbom.distro).toEqual((ANALYSES[0]!.sbom as SbomDocument).distro);
    expect(Object.keys((debian!.metadata as AnalysisMetadata).changelogs ?? {})).toEqual([
      '/usr/share/doc/libssl3/changelog.Debian.gz',
    ]);
    const findings = (await rematch(debian!, keys))!;
    // The changelog says libssl3's CVE is fixed at the installed version: suppressed as before.
    const ssl = findings.filter((f) => f.id === 'CVE-2099-0001');
    expect(ssl.map((f) => [f.package.name, f.suppressed !== undefined])).toEqual([
      ['libssl3', true],
      ['openssl', false],
    ]);
    expect(debian!.partial?.packageKinds).toEqual([
      { type: 'deb', owned: false, count: 4 },
      { type: 'java', owned: false, count: 1 },
      { type: 'npm', owned: false, count: 2 },
      { type: 'npm', owned: true, count: 1 },
      { type: 'python', owned: false, count: 1 },
    ]);
  });

  it('reads an analysis whole when its index predates package positions', async () => {
    await database.db.query('UPDATE image_lookup_key SET package_ordinals = NULL WHERE image_digest = $1', [
      DIGESTS[2],
    ]);
    const [old, indexed] = await getRematchAnalyses(database.db, [DIGESTS[2]!, DIGESTS[0]!], changed);
    expect(old!.partial).toBeUndefined();
    expect(old!.sbom).toEqual((await getAnalyses(database.db, [DIGESTS[2]!]))[0]!.sbom);
    expect(indexed!.partial).toBeDefined();
    expect(JSON.stringify(await rematch(old!, changed))).toBe(
      JSON.stringify(await rematch((await getAnalyses(database.db, [DIGESTS[2]!]))[0]!, changed)),
    );
  });
});
