import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../core/matching/types.js';
import { startApi, type ApiHarness } from '../../../../test/harness/api.js';
import { STORE_KINDS } from '../../../../test/harness/databases.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const METADATA = {
  manifest: '{}',
  config: { history: [] },
  arch: 'amd64',
  distro: 'debian',
  distroVersion: '12',
  imageSize: 1234,
  layerCount: 2,
  retrieved: {},
};
const URL = `/v1/images/${encodeURIComponent(DIGEST)}/vuln/all?vendor_only=True`;

function finding(id: string, name: string, version: string): Finding {
  return {
    id,
    aliases: [],
    package: { id: `pkg-${name}`, name, version, type: 'deb', purl: `pkg:deb/debian/${name}@${version}` },
    fixState: 'fixed',
    fixedVersions: [`${version}+fix1`],
    severity: 'High',
    severities: [],
    cvss: [],
    origin: 'base',
    confidence: 1,
    evidence: [
      {
        advisoryId: id,
        namespace: 'debian:12',
        lookupName: name,
        comparedVersion: version,
        scheme: 'deb',
        strategy: 'distro-source-package',
        source: { driver: 'debian-tracker', file: 'tracker.json', recordId: `${name}/${id}/bookworm` },
      },
    ],
  };
}

describe.each(STORE_KINDS)('vuln routes on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind);
    await api.store.images.add({
      accountName: 'team-a',
      imageDigest: DIGEST,
      tag: { registry: 'registry.example', repo: 'a/app', tag: '1' },
    });
    await api.store.analyses.save({
      imageDigest: DIGEST,
      imageId: 'd'.repeat(64),
      analyzerVersion: 'test',
      metadata: METADATA,
      sbom: { packages: [], files: [] },
      findings: [finding('CVE-2024-0001', 'openssl', '3.0.11-1')],
    });
    await api.store.images.transition(DIGEST, ['not_analyzed'], 'analyzed');
  }, 120_000);
  afterAll(() => api?.close());

  const vulnIds = async () => {
    const res = await api.call('alice', { method: 'GET', url: URL });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as { imageDigest: string; vulnerabilities: { vuln: string; package: string }[] };
    expect(body.imageDigest).toBe(DIGEST);
    return body.vulnerabilities.map((v) => `${v.vuln} ${v.package}`);
  };

  it('answers the same rendered body again, and the new findings after a re-match replaced them', async () => {
    expect(await vulnIds()).toEqual(['CVE-2024-0001 openssl-3.0.11-1']);
    expect(await vulnIds()).toEqual(['CVE-2024-0001 openssl-3.0.11-1']);
    await api.store.analyses.replaceFindings(DIGEST, [
      finding('CVE-2024-0002', 'zlib', '1.2.13.dfsg-1'),
      finding('CVE-2024-0001', 'openssl', '3.0.11-1'),
    ]);
    expect(await vulnIds()).toEqual(['CVE-2024-0002 zlib-1.2.13.dfsg-1', 'CVE-2024-0001 openssl-3.0.11-1']);
  });

  it('answers a forced re-analysis stored over the old one, never the old body', async () => {
    await vulnIds();
    const saved = await api.store.analyses.save(
      {
        imageDigest: DIGEST,
        imageId: 'd'.repeat(64),
        analyzerVersion: 'test',
        metadata: METADATA,
        sbom: { packages: [], files: [] },
        findings: [finding('CVE-2024-0003', 'curl', '7.88.1-10')],
      },
      undefined,
      { replace: true },
    );
    expect(saved).toBe(true);
    expect(await vulnIds()).toEqual(['CVE-2024-0003 curl-7.88.1-10']);
  });

  it('explains a finding from the stored analysis: package, layer, evidence; unknown and malformed ids', async () => {
    const explain = (id: string, user: 'alice' | 'bob' = 'alice') =>
      api.call(user, { method: 'GET', url: `/v1/images/${encodeURIComponent(DIGEST)}/vuln/${id}/explain` });
    const affected = await explain('cve-2024-0003');
    expect(affected.statusCode).toBe(200);
    expect(affected.json()).toMatchObject({
      imageDigest: DIGEST,
      vuln: 'CVE-2024-0003',
      status: 'affected',
      findings: [
        {
          package_name: 'curl',
          package_version: '7.88.1-10',
          fixed_versions: ['7.88.1-10+fix1'],
          evidence: [
            {
              advisory_id: 'CVE-2024-0003',
              namespace: 'debian:12',
              compared_version: '7.88.1-10',
              strategy: 'distro-source-package',
            },
          ],
        },
      ],
    });
    expect((await explain('CVE-2099-99999')).json()).toEqual({
      imageDigest: DIGEST,
      vuln: 'CVE-2099-99999',
      status: 'unknown',
    });
    const malformed = await explain('CVE-12');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ httpcode: 400 });
    expect((await explain('CVE-2024-0003', 'bob')).statusCode).toBe(404);
  });

  it('keeps another account out and says 404 for an image not analysed', async () => {
    expect((await api.call('bob', { method: 'GET', url: URL })).statusCode).toBe(404);
    const other = `sha256:${'e'.repeat(64)}`;
    await api.store.images.add({ accountName: 'team-a', imageDigest: other });
    const res = await api.call('alice', {
      method: 'GET',
      url: `/v1/images/${encodeURIComponent(other)}/vuln/os`,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ message: 'image is not analyzed - analysis_status: not_analyzed' });
  });

  it('lists images with the analysis facts read in the same query as the records', async () => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/images' });
    expect(res.statusCode).toBe(200);
    const images = res.json() as {
      imageDigest: string;
      image_content: { metadata: Record<string, unknown> };
    }[];
    const analysed = images.find((i) => i.imageDigest === DIGEST);
    expect(analysed?.image_content.metadata).toMatchObject({
      arch: 'amd64',
      distro: 'debian',
      distro_version: '12',
    });
    expect(images.find((i) => i.imageDigest !== DIGEST)?.image_content.metadata).toEqual({});
  });
});
