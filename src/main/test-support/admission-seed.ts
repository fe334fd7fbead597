/**
 * The store state admission tests start from: an account with an active bundle and one analysed
 * image under `registry.example/team/app:1`, judged `status` by that bundle.
 */
import type { ServiceStore } from '../../store/repositories/index.js';

export const SEEDED_TAG = 'registry.example/team/app:1';

/** A stored evaluation of the seeded image, as the worker stores one after an analysis or a sync. */
export async function seedVerdict(
  store: ServiceStore,
  accountName: string,
  imageDigest: string,
  status: 'pass' | 'fail',
): Promise<void> {
  await store.evaluations.add({
    accountName,
    imageDigest,
    tag: SEEDED_TAG,
    policyId: 'p',
    status,
    finalAction: status === 'pass' ? 'GO' : 'STOP',
    result: {
      triggers:
        status === 'pass'
          ? []
          : [
              {
                gate: 'vulnerabilities',
                trigger: 'package',
                action: 'STOP',
                message: 'CVE-2024-0001 critical',
              },
            ],
      matchedBlacklistedImage: null,
      failClosed: [],
    },
  });
}

export async function seedAnalysedImage(
  store: ServiceStore,
  accountName: string,
  imageDigest: string,
  status: 'pass' | 'fail',
): Promise<void> {
  await store.accounts.create({ name: accountName, type: 'user' });
  await store.policies.upsert({ accountName, policyId: 'p', name: 'p', bundle: { id: 'p' }, active: true });
  await store.images.add({
    accountName,
    imageDigest,
    tag: { registry: 'registry.example', repo: 'team/app', tag: '1' },
  });
  await store.analyses.save({
    imageDigest,
    imageId: imageDigest.slice(7),
    analyzerVersion: 'test',
    metadata: {},
    sbom: {},
    findings: [],
  });
  await store.images.transition(imageDigest, ['not_analyzed'], 'analyzed');
  await seedVerdict(store, accountName, imageDigest, status);
}
