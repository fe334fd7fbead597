/**
 * The promote job end to end on both stores, with real registries, the real analysis, real
 * policy evaluation and the real copy engine: what a push, a failure policy, a multi-platform
 * index and a later re-check lead to. The retries are in promote-retries.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../test/harness/databases.js';
import { inspectRaw } from '../../../test/harness/registry/push.js';
import { enqueuePromotionsForPush, requestPromotion } from '../../queue/request-promotion.js';
import { onPromotedImageVerdictChanged } from './promote-recheck.js';
import {
  absent,
  bundle,
  digestAt,
  usePromoteRegistries,
  usePromoteWorker,
} from './test-support/promote-setup.js';

const r = usePromoteRegistries();

describe.each(STORE_KINDS)('promote job on %s', (kind) => {
  const w = usePromoteWorker(kind, r);

  it('a push that passes appears at the destination with the same digest, and the record says how', async () => {
    const { a, appDigest } = r;
    const { slug, store, queue, addRule } = w;
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/app' },
      tags: { same: true, scannedSuffix: true, digest: false },
    });
    const event = {
      registry: a.host,
      repository: 'unscanned/app',
      tag: '1',
      digest: appDigest,
      receivedFrom: '127.0.0.1',
    };
    expect(
      await enqueuePromotionsForPush({ store, queue }, { ...event, mediaType: 'application/octet-stream' }),
    ).toBe(0);
    expect(await enqueuePromotionsForPush({ store, queue }, { ...event, tag: undefined })).toBe(0);
    expect(await enqueuePromotionsForPush({ store, queue }, event)).toBe(1);
    const records = async () =>
      await store.promotions.listRecords('team-a', { repository: 'unscanned/app', limit: 10 });
    while ((await records()).length === 0) await new Promise((r) => setTimeout(r, 200));
    const [record] = await records();
    expect(record).toMatchObject({
      outcome: 'promoted',
      verdict: 'pass',
      trigger: { kind: 'push', by: '127.0.0.1' },
      source: { digest: appDigest, tag: '1' },
      destination: { repository: `scanned-${slug}/app`, digest: appDigest, tags: ['1-scanned', '1'] },
      policy: { id: 'allow' },
    });
    expect(record?.rule.id).toBe(rule.id);
    expect(record?.steps.map((s) => s.step)).toEqual(['started', 'analysed', 'evaluated', 'copied']);
    expect(await digestAt(a, `scanned-${slug}/app:1`)).toBe(appDigest);
    expect(await digestAt(a, `scanned-${slug}/app:1-scanned`)).toBe(appDigest);
    await store.promotions.deleteRule('team-a', rule.id);
  });

  it('a failing image never reaches the destination; it is tagged quarantined and the record says why', async () => {
    const { a, appDigest } = r;
    const { slug, store, queue, addRule, recordOf } = w;
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/bad' },
      policyId: 'deny',
      onFailure: 'quarantine',
    });
    const image = { registry: a.host, repository: 'unscanned/bad', tag: '1', digest: appDigest };
    const { promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'alice',
    });
    const record = await recordOf(promotionId);
    expect(record).toMatchObject({
      outcome: 'quarantined',
      verdict: 'fail',
      trigger: { kind: 'manual', by: 'alice' },
    });
    expect(record.reasons.length).toBeGreaterThan(0);
    expect(record.reasons.join('\n')).toMatch(/always|stop|deny/i);
    expect(await absent(a, `scanned-${slug}/bad:1`)).toBe(true);
    expect(await digestAt(a, 'unscanned/bad:quarantined')).toBe(appDigest);
    expect((await store.events.page('team-a', {}, 1, 10)).events.map((e) => e.type)).toContain(
      'user.image.promotion.rejected',
    );
    await store.promotions.deleteRule('team-a', rule.id);
  });

  it('on failure, "leave" only records the rejection and "notify" also raises the rejection event', async () => {
    const { a, appDigest } = r;
    const { slug, store, queue, addRule, recordOf } = w;
    const rejections = async () =>
      (await store.events.page('team-a', {}, 1, 100)).events.filter(
        (e) => e.type === 'user.image.promotion.rejected',
      ).length;
    for (const onFailure of ['leave', 'notify'] as const) {
      const rule = await addRule({
        source: { registry: a.host, repository: 'unscanned/bad' },
        policyId: 'deny',
        onFailure,
      });
      const before = await rejections();
      const image = { registry: a.host, repository: 'unscanned/bad', tag: '1', digest: appDigest };
      const { promotionId } = await requestPromotion({ store, queue }, rule, image, {
        kind: 'manual',
        by: 'alice',
      });
      const record = await recordOf(promotionId);
      expect(record, onFailure).toMatchObject({ outcome: 'rejected', verdict: 'fail' });
      expect(record.reasons.length).toBeGreaterThan(0);
      const steps = ['started', 'analysed', 'evaluated', ...(onFailure === 'notify' ? ['notified'] : [])];
      expect(record.steps.map((s) => s.step)).toEqual(steps);
      expect(await rejections()).toBe(before + (onFailure === 'notify' ? 1 : 0));
      expect(await absent(a, `scanned-${slug}/bad:1`)).toBe(true);
      await store.promotions.deleteRule('team-a', rule.id);
    }
  });

  it('promotes a multi-platform index whole', async () => {
    const { a, multiDigest } = r;
    const { slug, store, queue, addRule, recordOf } = w;
    const rule = await addRule({ source: { registry: a.host, repository: 'unscanned/multi' } });
    const image = { registry: a.host, repository: 'unscanned/multi', tag: '1', digest: multiDigest };
    const { promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'alice',
    });
    const record = await recordOf(promotionId);
    expect(record.outcome, record.error).toBe('promoted');
    expect(await digestAt(a, `scanned-${slug}/multi:1`)).toBe(multiDigest);
    const index = JSON.parse((await inspectRaw(a, `scanned-${slug}/multi:1`)).toString()) as {
      manifests: { digest: string }[];
    };
    expect(index.manifests.length).toBe(2);
    for (const child of index.manifests)
      expect(await digestAt(a, `scanned-${slug}/multi@${child.digest}`)).toBe(child.digest);
    await store.promotions.deleteRule('team-a', rule.id);
  });

  it('a promoted image that fails after a change is notified and quarantined at the destination', async () => {
    const { a, appDigest } = r;
    const { slug, store, queue, registryWriter, addRule, recordOf } = w;
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/app' },
      destination: { registry: a.host, repository: `recheck-${slug}/{name}` },
      policyId: 'changing',
      onRecheckFailure: 'quarantine',
    });
    await store.policies.upsert({
      accountName: 'team-a',
      policyId: 'changing',
      name: 'changing',
      bundle: bundle('allow-all'),
    });
    const image = { registry: a.host, repository: 'unscanned/app', tag: '1', digest: appDigest };
    const { promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'ci',
    });
    expect((await recordOf(promotionId)).outcome).toBe('promoted');
    const deps = {
      store,
      registryWriter,
      hostId: 'test',
    };
    expect(
      await onPromotedImageVerdictChanged(deps, { imageDigest: appDigest, accountName: 'team-a' }),
    ).toEqual([]);
    await store.policies.upsert({
      accountName: 'team-a',
      policyId: 'changing',
      name: 'changing',
      bundle: bundle('deny-all'),
    });
    const results = await onPromotedImageVerdictChanged(deps, {
      imageDigest: appDigest,
      accountName: 'team-a',
    });
    expect(results.filter((r) => r.action === 'quarantine')).toHaveLength(1);
    expect(await digestAt(a, `recheck-${slug}/app:quarantined`)).toBe(appDigest);
    const rechecked = await store.promotions.listRecords('team-a', { outcome: 'recheck_failed', limit: 10 });
    expect(rechecked[0]).toMatchObject({ trigger: { kind: 'recheck' }, verdict: 'fail' });
    // Still failing: nothing new happens.
    expect(
      await onPromotedImageVerdictChanged(deps, { imageDigest: appDigest, accountName: 'team-a' }),
    ).toEqual([]);
    expect(await store.promotions.listRecords('team-b', { limit: 10 })).toEqual([]);
  });
});
