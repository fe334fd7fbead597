/**
 * The image state a `vuln/{type}` answer rests on is never older than the last write (on the
 * embedded store it is kept until the next write: store/write-clock.ts). Both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../../test/harness/api.js';
import { STORE_KINDS } from '../../../../test/harness/databases.js';

const DIGEST = `sha256:${'e'.repeat(64)}`;
const URL = `/v1/images/${encodeURIComponent(DIGEST)}/vuln/all`;
const TAG = { registry: 'registry.example', repo: 'a/state', tag: '1' };

describe.each(STORE_KINDS)('vuln answers follow the image state on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind);
    await api.store.images.add({ accountName: 'team-a', imageDigest: DIGEST, tag: TAG });
    await api.store.analyses.save({
      imageDigest: DIGEST,
      imageId: 'f'.repeat(64),
      analyzerVersion: 'test',
      metadata: {},
      sbom: { packages: [], files: [] },
      findings: [],
    });
    await api.store.images.transition(DIGEST, ['not_analyzed'], 'analyzed');
  }, 120_000);
  afterAll(() => api?.close());

  it('says 404 at once after the image is deleted, and answers again once it is added back', async () => {
    const get = () => api.call('alice', { method: 'GET', url: URL });
    expect((await get()).statusCode).toBe(200);
    expect((await get()).json()).toEqual({
      imageDigest: DIGEST,
      vulnerability_type: 'all',
      vulnerabilities: [],
    });
    expect(await api.store.images.delete('team-a', DIGEST)).toBe(true);
    expect((await get()).json()).toMatchObject({ httpcode: 404, message: 'image data not found in DB' });
    await api.store.images.add({ accountName: 'team-a', imageDigest: DIGEST, tag: TAG });
    // The analysis is shared by digest: the image added back is analysed at once.
    expect((await get()).statusCode).toBe(200);
  });
});
