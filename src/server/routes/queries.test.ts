import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { syntheticAnalysis } from '../../store/test-support/synthetic-analysis.js';
import { loadSyntheticFeed } from '../../store/test-support/synthetic-feed.js';
import { VulnerabilityStore } from '../../store/vulnerability-store.js';

afterAll(() => stopSharedPostgres());

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe.each(STORE_KINDS)('query routes on %s', (kind) => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi(kind);
    const analyses = [
      syntheticAnalysis(
        D1,
        [
          { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' },
          { name: 'lodash', version: '4.17.20', type: 'npm', app: true },
        ],
        [
          { id: 'CVE-2024-0001', package: 'libssl3', severity: 'Critical', fixedIn: '3.0.13-1~deb12u1' },
          { id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2021-23337'], package: 'lodash' },
        ],
      ),
      syntheticAnalysis(D2, [{ name: 'lodash', version: '4.17.21', type: 'npm', app: true }]),
    ];
    for (const [i, analysis] of analyses.entries()) {
      await api.store.images.add({
        accountName: 'team-a',
        imageDigest: analysis.imageDigest,
        tag: { registry: 'registry.example', repo: 'team/app', tag: String(i + 1) },
      });
      await api.store.analyses.save(analysis);
      await api.store.images.transition(analysis.imageDigest, ['not_analyzed'], 'analyzed');
    }
    await loadSyntheticFeed(new VulnerabilityStore(api.store.db), 'synthetic', [
      { id: 'CVE-2024-0001', namespace: 'debian:12', packageName: 'openssl', fixed: '3.0.13-1~deb12u1' },
      { id: 'CVE-2024-0001', namespace: 'debian:11', packageName: 'openssl', fixed: '1.1.1w-0+deb11u2' },
      {
        id: 'GHSA-aaaa-bbbb-cccc',
        aliases: ['CVE-2021-23337'],
        namespace: 'osv:npm',
        packageName: 'lodash',
        fixed: '4.17.21',
      },
    ]);
    // CVSS as the NVD and a CNA published it, in its own feed as the NVD driver stores it.
    await new VulnerabilityStore(api.store.db).replaceFeed('nvd-synthetic', async (sink) => {
      const cvss = [
        { source: 'nvd@nist.gov', version: '3.1', baseScore: 9.8 },
        { source: 'nvd@nist.gov', version: '2.0', baseScore: 7.5 },
        { source: 'cna@example.org', version: '3.1', baseScore: 8.1 },
      ];
      for (const c of cvss)
        await sink({ kind: 'cvss', cvss: { cve: 'CVE-2024-0001', vector: 'CVSS:3.1/AV:N', ...c } });
      const lastSync = new Date().toISOString();
      return { freshness: { driver: 'nvd', lastSync, records: 3, sourceVersion: 'x', changed: true } };
    });
  });
  afterAll(() => api.close());

  const get = (url: string) => api.call('alice', { method: 'GET', url });

  it('GET /query/images/by_vulnerability answers with the engine envelope and element shape', async () => {
    const res = await get(
      '/v1/query/images/by_vulnerability?vulnerability_id=CVE-2024-0001&vendor_only=True',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      images: [
        {
          image: {
            imageDigest: D1,
            imageId: '1'.repeat(64),
            analyzed_at: expect.stringMatching(/Z$/),
            tag_history: [
              {
                registry: 'registry.example',
                repo: 'team/app',
                tag: '1',
                fulltag: 'registry.example/team/app:1',
                tag_detected_at: expect.stringMatching(/Z$/),
              },
            ],
          },
          vulnerable_packages: [
            {
              name: 'libssl3',
              version: '3.0.11-1~deb12u2',
              type: 'dpkg',
              namespace: 'debian:12',
              severity: 'Critical',
              vulnerability_id: 'CVE-2024-0001',
              fix: '3.0.13-1~deb12u1',
              will_not_fix: false,
              package_path: null,
              origin_layer: expect.stringMatching(/^sha256:/),
              from_base: true,
            },
          ],
        },
      ],
      page: '1',
      returned_count: 1,
      total_count: 1,
    });
    // An alias finds the GHSA finding; bob sees nothing of alice's.
    const alias = await get('/v1/query/images/by_vulnerability?vulnerability_id=CVE-2021-23337');
    expect(
      (alias.json() as { images: { vulnerable_packages: { from_base: boolean }[] }[] }).images[0]
        ?.vulnerable_packages[0]?.from_base,
    ).toBe(false);
    const bob = await api.call('bob', {
      method: 'GET',
      url: '/v1/query/images/by_vulnerability?vulnerability_id=CVE-2024-0001',
    });
    expect(bob.json()).toMatchObject({ images: [], total_count: 0 });
    expect((await get('/v1/query/images/by_vulnerability')).statusCode).toBe(400);
  });

  it("GET /query/images/by_vulnerability narrows by Anchore's namespace, affected_package and severity", async () => {
    const total = async (query: string) =>
      (
        (await get(`/v1/query/images/by_vulnerability?vulnerability_id=CVE-2024-0001&${query}`)).json() as {
          total_count: number;
        }
      ).total_count;
    expect(await total('namespace=debian:12')).toBe(1);
    expect(await total('namespace=debian:11')).toBe(0);
    expect(await total('affected_package=libssl3')).toBe(1);
    expect(await total('affected_package=zlib1g')).toBe(0);
    expect(await total('severity=Critical')).toBe(1);
    expect(await total('severity=Low')).toBe(0);
    expect(await total('vendor_only=False&page=1&limit=1')).toBe(1);
    const version = await get('/v1/query/images/by_package?name=lodash&version=4.17.21');
    expect(
      (version.json() as { images: { image: { imageDigest: string } }[] }).images.map(
        (i) => i.image.imageDigest,
      ),
    ).toEqual([D2]);
  });

  it('GET /query/images/by_package pages per image with next_page as a string, and takes Anchore type names', async () => {
    const first = await get('/v1/query/images/by_package?name=lodash&limit=1');
    expect(first.json()).toMatchObject({ page: '1', returned_count: 1, total_count: 2, next_page: '2' });
    const second = await get('/v1/query/images/by_package?name=lodash&limit=1&page=2');
    const body = second.json() as { images: { image: { imageDigest: string }; packages: unknown[] }[] };
    expect(body).not.toHaveProperty('next_page');
    expect(body.images[0]?.image.imageDigest).toBe(D2);
    expect(body.images[0]?.packages).toEqual([
      {
        name: 'lodash',
        version: '4.17.21',
        type: 'npm',
        purl: 'pkg:npm/lodash@4.17.21',
        location: '/app/node_modules/lodash/package.json',
        origin_layer: expect.stringMatching(/^sha256:/),
        from_base: false,
      },
    ]);
    const dpkg = await get('/v1/query/images/by_package?name=libssl3&package_type=dpkg');
    expect((dpkg.json() as { total_count: number }).total_count).toBe(1);
    expect((await get('/v1/query/images/by_package?name=x&package_type=nonsense')).statusCode).toBe(400);
    expect((await get('/v1/query/images/by_package')).statusCode).toBe(400);
  });

  it('GET /query/images/by_package filters by PURL and by a version range in the package type scheme', async () => {
    const digests = async (url: string) =>
      ((await get(url)).json() as { images: { image: { imageDigest: string } }[] }).images.map(
        (i) => i.image.imageDigest,
      );
    expect(await digests('/v1/query/images/by_package?purl=pkg:npm/lodash')).toEqual([D1, D2]);
    expect(await digests('/v1/query/images/by_package?purl=pkg:npm/lodash@4.17.20')).toEqual([D1]);
    // 4.17.9 < 4.17.20 in semver although not as text.
    expect(await digests('/v1/query/images/by_package?name=lodash&version_range=>=4.17.9,<4.17.21')).toEqual([
      D1,
    ]);
    expect(await digests('/v1/query/images/by_package?name=libssl3&version_range=<3.0.13-1~deb12u1')).toEqual(
      [D1],
    );
    expect((await get('/v1/query/images/by_package?name=lodash&version_range=~1')).statusCode).toBe(400);
  });

  it('GET /query/vulnerabilities lists records per namespace, narrowed by package and affected version', async () => {
    const all = (await get('/v1/query/vulnerabilities?id=CVE-2024-0001')).json() as {
      vulnerabilities: { namespace: string; affected_packages: unknown[] }[];
      total_count: number;
    };
    expect(all.total_count).toBe(2);
    expect(all.vulnerabilities.map((v) => v.namespace)).toEqual(['debian:11', 'debian:12']);
    expect(all.vulnerabilities[1]).toMatchObject({
      id: 'CVE-2024-0001',
      severity: 'High',
      link: 'https://nvd.nist.gov/vuln/detail/CVE-2024-0001',
      affected_packages: [{ name: 'openssl', version: '3.0.13-1~deb12u1', type: 'deb', will_not_fix: false }],
      // NVD's scores in nvd_data, the CNA's in vendor_data; -1.0 where nobody scored.
      nvd_data: [
        {
          id: 'CVE-2024-0001',
          cvss_v2: { base_score: 7.5, exploitability_score: -1.0, impact_score: -1.0 },
          cvss_v3: { base_score: 9.8, exploitability_score: -1.0, impact_score: -1.0 },
        },
      ],
      vendor_data: [
        {
          id: 'CVE-2024-0001',
          cvss_v2: { base_score: -1.0, exploitability_score: -1.0, impact_score: -1.0 },
          cvss_v3: { base_score: 8.1, exploitability_score: -1.0, impact_score: -1.0 },
        },
      ],
    });
    const affected = await get(
      '/v1/query/vulnerabilities?id=CVE-2024-0001&affected_package=openssl&affected_package_version=3.0.11-1~deb12u2&namespace=debian:12',
    );
    expect((affected.json() as { total_count: number }).total_count).toBe(1);
    const fixed = await get(
      '/v1/query/vulnerabilities?id=CVE-2024-0001&affected_package=openssl&affected_package_version=3.0.14-1~deb12u1&namespace=debian:12',
    );
    expect((fixed.json() as { total_count: number }).total_count).toBe(0);
    const byAlias = (await get('/v1/query/vulnerabilities?id=CVE-2021-23337,CVE-0000-0000')).json() as {
      vulnerabilities: { id: string }[];
    };
    expect(byAlias.vulnerabilities.map((v) => v.id)).toEqual(['GHSA-aaaa-bbbb-cccc']);
    // Scored by nobody: the CVE alias is listed with -1.0, and no vendor entry.
    expect(byAlias.vulnerabilities[0]).toMatchObject({
      nvd_data: [{ id: 'CVE-2021-23337', cvss_v3: { base_score: -1.0 } }],
      vendor_data: [],
    });
    expect((await get('/v1/query/vulnerabilities')).statusCode).toBe(400);
  });
});
