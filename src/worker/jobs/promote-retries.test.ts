/**
 * The promote job end to end on both stores when the destination fails: refused uploads, a
 * registry that is down, credentials that stop working. Set-up in test-support/promote-setup.ts.
 */
import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../test/harness/databases.js';
import { requestPromotion } from '../../queue/request-promotion.js';
import { absent, digestAt, usePromoteRegistries, usePromoteWorker } from './test-support/promote-setup.js';

const r = usePromoteRegistries();

describe.each(STORE_KINDS)('promote job against a failing destination on %s', (kind) => {
  const w = usePromoteWorker(kind, r);

  it('retries while the destination refuses uploads or is down, never writing a manifest early', async () => {
    const { a, plain, proxy, appDigest } = r;
    const { slug, store, queue, addRule, recordOf } = w;
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/app' },
      destination: { registry: proxy.host, repository: `retried-${slug}/{name}` },
    });
    let refusals = 0;
    proxy.seen = [];
    proxy.refuse = (req) => {
      if (req.method !== 'PUT' || !req.url?.includes('/blobs/uploads/') || refusals > 0) return undefined;
      refusals++;
      return 403;
    };
    await proxy.stop();
    const image = { registry: a.host, repository: 'unscanned/app', tag: '1', digest: appDigest };
    const { jobId, promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'ci',
    });
    // Down first: wait until an attempt has failed, then bring it back (refusing one upload).
    while (((await queue.get(jobId))?.attempts ?? 0) < 2) await new Promise((r) => setTimeout(r, 100));
    await proxy.start();
    const record = await recordOf(promotionId);
    expect(record.outcome, record.error).toBe('promoted');
    expect(refusals).toBe(1);
    const firstManifest = proxy.seen.findIndex((s) => s.startsWith('PUT') && s.includes('/manifests/'));
    const lastBlob = proxy.seen
      .map((s) => s.startsWith('PUT') && s.includes('/blobs/uploads/'))
      .lastIndexOf(true);
    expect(firstManifest).toBeGreaterThan(lastBlob);
    expect(await digestAt(plain, `retried-${slug}/app:1`)).toBe(appDigest);
    proxy.refuse = undefined;
    await store.promotions.deleteRule('team-a', rule.id);
  });

  it('records the failure when the destination keeps refusing, and leaves no manifest there', async () => {
    const { a, plain, proxy, appDigest } = r;
    const { slug, store, queue, addRule, recordOf } = w;
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/app' },
      destination: { registry: proxy.host, repository: `refused-${slug}/{name}` },
    });
    proxy.refuse = (req) => (req.method === 'PUT' && req.url?.includes('/blobs/uploads/') ? 401 : undefined);
    const image = { registry: a.host, repository: 'unscanned/app', tag: '1', digest: appDigest };
    const { promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'ci',
    });
    const record = await recordOf(promotionId);
    proxy.refuse = undefined;
    expect(record).toMatchObject({ outcome: 'failed', verdict: 'pass' });
    expect(record.error).toMatch(/unauthorized|401/i);
    expect(record.steps.find((s) => s.step === 'started')?.detail).toEqual({
      attempt: 4,
      previousError: expect.stringMatching(/unauthorized|401/i),
    });
    expect(await absent(plain, `refused-${slug}/app@${appDigest}`)).toBe(true);
    expect(await absent(plain, `refused-${slug}/app:1`)).toBe(true);
    await store.promotions.deleteRule('team-a', rule.id);
  });

  it('retries while the destination refuses revoked credentials, and promotes once they are restored', async () => {
    const { a, c, appDigest } = r;
    const { slug, store, queue, addRule, recordOf } = w;
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/app' },
      destination: { registry: c.host, repository: `revoked-${slug}/{name}` },
    });
    const login = {
      accountName: 'team-a',
      registry: c.host,
      registryName: c.host,
      registryUser: c.username,
      registryType: 'docker_v2',
      registryVerify: true,
    } as const;
    // The account's password for the destination no longer works there (rotated, revoked).
    await store.registries.update({ ...login, registryPass: 'revoked' });
    const image = { registry: a.host, repository: 'unscanned/app', tag: '1', digest: appDigest };
    const { jobId, promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'ci',
    });
    while (((await queue.get(jobId))?.attempts ?? 0) < 2) await new Promise((r) => setTimeout(r, 100));
    // Restored at once (two attempts are left); what the refused attempts saw is checked after.
    await store.registries.update({ ...login, registryPass: c.password });
    const record = await recordOf(promotionId);
    expect(record.outcome, record.error).toBe('promoted');
    const started = record.steps.find((s) => s.step === 'started')?.detail;
    expect(started?.attempt).toBeGreaterThan(1);
    expect(started?.previousError).toMatch(/unauthorized|401|denied/i);
    expect(await digestAt(c, `revoked-${slug}/app:1`)).toBe(appDigest);
    await store.promotions.deleteRule('team-a', rule.id);
  });
});
