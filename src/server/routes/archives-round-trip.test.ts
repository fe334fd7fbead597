/**
 * The archive round trip on both stores with a really analysed image (the `app` fixture pulled
 * from the TLS + htpasswd registry, matched against the shared feeds): archive → listed →
 * restored without a pull → matched again against today's data → the same vulnerability report
 * and package content as before, from an archive much smaller than the analysis.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import {
  analysePushedFixture,
  loadFeeds,
  pushAppFixture,
  type PushedFixture,
} from '../../../test/harness/service-fixture.js';
import { vulnerabilityDataOf } from '../../store/vulnerability-data.js';

let pushed: PushedFixture;
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-archive-'));
  pushed = await pushAppFixture();
}, 600_000);
afterAll(async () => {
  await pushed?.registry.stop();
  await stopSharedPostgres();
  await rm(root, { recursive: true, force: true });
});

describe.each(STORE_KINDS)('archive round trip on %s', (kind) => {
  let api: ApiHarness;
  const enc = () => encodeURIComponent(pushed.digest);

  beforeAll(async () => {
    api = await startApi(kind);
    const vulnerabilities = vulnerabilityDataOf(api.database.db, await loadFeeds(api.database.db));
    const { result, registry, repo, tagName } = await analysePushedFixture(pushed, vulnerabilities, {
      cacheDir: join(root, kind),
      tempRoot: root,
    });
    await api.store.images.add({
      accountName: 'team-a',
      imageDigest: pushed.digest,
      tag: { registry, repo, tag: tagName },
      annotations: { team: 'payments' },
    });
    await api.store.analyses.save({ ...result });
    await api.store.images.transition(pushed.digest, ['not_analyzed'], 'analyzed');
  }, 600_000);
  afterAll(() => api?.close());

  it('archives, lists, restores and reports the same findings as before', async () => {
    const read = async (path: string) => {
      const res = await api.call('alice', { method: 'GET', url: `/v1/images/${enc()}${path}` });
      expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
      return res.json() as Record<string, unknown>;
    };
    const vulnBefore = await read('/vuln/all');
    const contentBefore = await read('/content/os');
    expect((vulnBefore.vulnerabilities as unknown[]).length).toBeGreaterThan(0);
    const analysisJson = JSON.stringify(await api.store.analyses.get(pushed.digest)).length;

    const archived = await api.call('alice', {
      method: 'POST',
      url: '/v1/archives/images',
      payload: [pushed.digest],
    });
    expect(archived.json()).toEqual([
      { digest: pushed.digest, status: 'archived', detail: 'Completed successfully' },
    ]);
    expect((await api.call('alice', { method: 'GET', url: `/v1/images/${enc()}/vuln/all` })).statusCode).toBe(
      404,
    );
    expect(await api.store.analyses.exists(pushed.digest)).toBe(false);

    const list = (await api.call('alice', { method: 'GET', url: '/v1/archives/images' })).json() as {
      imageDigest: string;
      archive_size_bytes: number;
      image_detail: { pullstring: string }[];
    }[];
    expect(list).toHaveLength(1);
    expect(list[0]?.imageDigest).toBe(pushed.digest);
    expect(list[0]?.image_detail[0]?.pullstring).toBe(pushed.reference);
    // Size bounded by compression: a fraction of the analysis it replaces.
    expect(list[0]!.archive_size_bytes * 4).toBeLessThan(analysisJson);

    const restored = await api.call('alice', {
      method: 'POST',
      url: '/v1/images',
      payload: { source: { archive: { digest: pushed.digest } } },
    });
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.json()).toMatchObject([
      { analysis_status: 'analyzed', annotations: { team: 'payments' } },
    ]);
    expect(await read('/vuln/all')).toEqual(vulnBefore);
    expect(await read('/content/os')).toEqual(contentBefore);
  });

  it('matches a restored SBOM against the data of today, not of the archive day', async () => {
    const vulnIds = async () =>
      (
        (await api.call('alice', { method: 'GET', url: `/v1/images/${enc()}/vuln/all` })).json() as {
          vulnerabilities: { vuln: string }[];
        }
      ).vulnerabilities.map((v) => v.vuln);
    const before = await vulnIds();
    const gone = before[0]!;
    expect(
      (
        await api.call('alice', { method: 'POST', url: '/v1/archives/images', payload: [pushed.digest] })
      ).json(),
    ).toMatchObject([{ status: 'archived' }]);
    // The advisory is withdrawn from the data while the analysis sits in the archive.
    await api.database.db.query('DELETE FROM advisory WHERE id = $1 OR $1 = ANY(aliases)', [gone]);
    const restored = await api.call('alice', {
      method: 'POST',
      url: '/v1/images',
      payload: { source: { archive: { digest: pushed.digest } } },
    });
    expect(restored.statusCode, restored.body).toBe(200);
    const after = await vulnIds();
    expect(after).not.toContain(gone);
    expect(after.length).toBeLessThan(before.length);
  });
});
