import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../../test/harness/databases.js';
import { syntheticAnalysis } from '../test-support/synthetic-analysis.js';
import { packageKindsJson } from './package-kinds.js';
import { findingCountsJson } from './finding-counts.js';
import { indexMissing } from './image-index.js';
import { digestsWithLookupKeys, imagesByPackage, imagesByVulnerability } from './image-queries.js';
import { createServiceStore, type ServiceStore } from './index.js';
import { createSecretBox } from './secret-box.js';

afterAll(() => stopSharedPostgres());

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const [D1, D2, D3, D4] = [digest('1'), digest('2'), digest('3'), digest('4')];
const PAGE = { page: 1, limit: 100 };

async function addAnalysed(
  store: ServiceStore,
  account: string,
  analysis: ReturnType<typeof syntheticAnalysis>,
  tag: string,
) {
  await store.images.add({
    accountName: account,
    imageDigest: analysis.imageDigest,
    tag: { registry: 'registry.example', repo: 'team/app', tag },
  });
  await store.analyses.save(analysis);
  await store.images.transition(analysis.imageDigest, ['not_analyzed'], 'analyzed');
}

describe.each(STORE_KINDS)('the search index on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    for (const name of ['team-a', 'team-b']) await store.accounts.create({ name, type: 'user' });
    await addAnalysed(
      store,
      'team-a',
      syntheticAnalysis(
        D1,
        [
          { name: 'openssl', version: '3.0.11-1~deb12u2' },
          { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' },
          { name: 'lodash', version: '4.17.20', type: 'npm', app: true },
        ],
        [
          { id: 'CVE-2024-0001', package: 'libssl3', severity: 'Critical', fixedIn: '3.0.13-1~deb12u1' },
          { id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2021-23337'], package: 'lodash', severity: 'High' },
          { id: 'CVE-2024-0002', package: 'openssl', severity: 'Low', wontFix: true },
          { id: 'CVE-2024-0003', package: 'openssl', suppressed: true },
        ],
      ),
      '1',
    );
    await addAnalysed(
      store,
      'team-a',
      syntheticAnalysis(D2, [{ name: 'lodash', version: '4.17.21', type: 'npm', app: true }], []),
      '2',
    );
    // team-b holds the same vulnerable package: never in team-a's answers.
    await addAnalysed(
      store,
      'team-b',
      syntheticAnalysis(
        D3,
        [{ name: 'libssl3', version: '3.0.9-1', source: 'openssl' }],
        [{ id: 'CVE-2024-0001', package: 'libssl3' }],
      ),
      'b',
    );
  });
  afterAll(() => database.stop());

  it('finds the images of an account by vulnerability id or alias, with tags, layer and base origin', async () => {
    const byCve = await imagesByVulnerability(
      database.db,
      'team-a',
      { vulnerabilityId: 'CVE-2024-0001' },
      PAGE,
    );
    expect(byCve.total).toBe(1);
    expect(byCve.items[0]?.image).toMatchObject({ imageDigest: D1, imageId: '1'.repeat(64) });
    expect(byCve.items[0]?.image.tags.map((t) => t.tag)).toEqual(['1']);
    expect(byCve.items[0]?.packages).toEqual([
      expect.objectContaining({
        name: 'libssl3',
        namespace: 'debian:12',
        severity: 'Critical',
        fix: '3.0.13-1~deb12u1',
        origin: 'base',
      }),
    ]);
    const byAlias = await imagesByVulnerability(
      database.db,
      'team-a',
      { vulnerabilityId: 'CVE-2021-23337' },
      PAGE,
    );
    expect(byAlias.items.map((i) => [i.image.imageDigest, i.packages[0]?.origin])).toEqual([[D1, 'app']]);
    expect(
      (
        await imagesByVulnerability(database.db, 'team-b', { vulnerabilityId: 'CVE-2024-0001' }, PAGE)
      ).items.map((i) => i.image.imageDigest),
    ).toEqual([D3]);
  });

  it('applies the namespace, package, severity and vendor_only filters and leaves suppressed findings out', async () => {
    const q = (filter: Parameters<typeof imagesByVulnerability>[2]) =>
      imagesByVulnerability(database.db, 'team-a', filter, PAGE).then((r) => r.total);
    expect(await q({ vulnerabilityId: 'CVE-2024-0001', namespace: 'debian:12' })).toBe(1);
    expect(await q({ vulnerabilityId: 'CVE-2024-0001', namespace: 'debian:11' })).toBe(0);
    expect(await q({ vulnerabilityId: 'CVE-2024-0001', affectedPackage: 'openssl' })).toBe(0);
    expect(await q({ vulnerabilityId: 'CVE-2024-0001', severity: 'critical' })).toBe(1);
    expect(await q({ vulnerabilityId: 'CVE-2024-0001', severity: 'Low' })).toBe(0);
    expect(await q({ vulnerabilityId: 'CVE-2024-0002' })).toBe(1);
    expect(await q({ vulnerabilityId: 'CVE-2024-0002', vendorOnly: true })).toBe(0);
    expect(await q({ vulnerabilityId: 'CVE-2024-0003' })).toBe(0);
  });

  it('finds images by package name, type, version, PURL and version range, paged per image', async () => {
    const names = async (filter: Parameters<typeof imagesByPackage>[2], page = PAGE) =>
      (await imagesByPackage(database.db, 'team-a', filter, page)).items.map((i) => i.image.imageDigest);
    expect(await names({ name: 'lodash' })).toEqual([D1, D2]);
    expect(await names({ name: 'lodash', version: '4.17.21' })).toEqual([D2]);
    expect(await names({ name: 'lodash', type: 'deb' })).toEqual([]);
    expect(await names({ purl: 'pkg:npm/lodash' })).toEqual([D1, D2]);
    expect(await names({ purl: 'pkg:npm/lodash@4.17.20' })).toEqual([D1]);
    expect(await names({ purl: 'pkg:npm/loda' })).toEqual([]);
    const below = (type: string, version: string) => type === 'npm' && version < '4.17.21';
    expect(await names({ name: 'lodash', versionTest: below })).toEqual([D1]);
    const second = await imagesByPackage(database.db, 'team-a', { name: 'lodash' }, { page: 2, limit: 1 });
    expect([second.total, second.items.map((i) => i.image.imageDigest)]).toEqual([2, [D2]]);
    const [hit] = (await imagesByPackage(database.db, 'team-a', { name: 'libssl3' }, PAGE)).items;
    expect(hit?.packages).toEqual([
      expect.objectContaining({ type: 'deb', fromBase: true, location: '/var/lib/dpkg/status' }),
    ]);
    expect(
      (await imagesByPackage(database.db, 'team-a', { name: 'lodash' }, PAGE)).items[0]?.packages[0]
        ?.fromBase,
    ).toBe(false);
  });

  it('keeps the index in step with re-matched findings and deleted analyses', async () => {
    const before = await imagesByVulnerability(
      database.db,
      'team-a',
      { vulnerabilityId: 'CVE-2024-0001' },
      PAGE,
    );
    expect(before.total).toBe(1);
    const fresh = syntheticAnalysis(
      D1,
      [{ name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' }],
      [{ id: 'CVE-2024-0099', package: 'libssl3' }],
    );
    await store.analyses.replaceFindings(D1, fresh.findings);
    expect(
      (await imagesByVulnerability(database.db, 'team-a', { vulnerabilityId: 'CVE-2024-0001' }, PAGE)).total,
    ).toBe(0);
    expect(
      (await imagesByVulnerability(database.db, 'team-a', { vulnerabilityId: 'CVE-2024-0099' }, PAGE)).total,
    ).toBe(1);
    await store.images.delete('team-b', D3);
    await store.analyses.pruneUnreferenced();
    const { rows } = await database.db.query('SELECT 1 FROM image_package WHERE image_digest = $1', [D3]);
    expect(rows).toEqual([]);
  });

  it('selects re-match candidates by advisory lookup key and indexes analyses stored before the index', async () => {
    expect(
      await digestsWithLookupKeys(database.db, [{ namespace: 'debian:12', packageName: 'openssl' }]),
    ).toEqual([D1]);
    expect(
      await digestsWithLookupKeys(database.db, [{ namespace: 'debian:11', packageName: 'openssl' }]),
    ).toEqual([]);
    // An analysis written without its index (as before migration 13) is indexed on demand.
    const old = syntheticAnalysis(D4, [{ name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib' }], []);
    await database.db.query(
      `INSERT INTO analysis (image_digest, image_id, analyzer_version, metadata, sbom, findings, finding_counts, package_kinds)
       VALUES ($1, $2, 'old', $3, $4, '[]', $5, $6)`,
      [
        D4,
        old.imageId,
        JSON.stringify(old.metadata),
        JSON.stringify(old.sbom),
        findingCountsJson([]),
        packageKindsJson(old.sbom),
      ],
    );
    expect(
      await digestsWithLookupKeys(database.db, [{ namespace: 'debian:12', packageName: 'zlib' }]),
    ).toEqual([]);
    expect(await indexMissing(database.db)).toBe(1);
    expect(
      await digestsWithLookupKeys(database.db, [{ namespace: 'debian:12', packageName: 'zlib' }]),
    ).toEqual([D4]);
    expect(await indexMissing(database.db)).toBe(0);
  });
});
