/** The bench's seed: one account, an active bundle, three analysed images that pass it. */
import type { ServiceStore } from '../src/store/repositories/index.js';

export const BENCH_ACCOUNT = 'bench';
export const BENCH_DIGESTS = ['a', 'b', 'c'].map((c) => `sha256:${c.repeat(64)}`);

/** Three images, analysed and evaluated (pass) against the active bundle, as the worker leaves them. */
export async function seed(store: ServiceStore): Promise<void> {
  await store.accounts.create({ name: BENCH_ACCOUNT, type: 'user' });
  await store.policies.upsert({
    accountName: BENCH_ACCOUNT,
    policyId: 'p',
    name: 'p',
    bundle: { id: 'p' },
    active: true,
  });
  for (const [i, digest] of BENCH_DIGESTS.entries()) {
    await store.images.add({
      accountName: BENCH_ACCOUNT,
      imageDigest: digest,
      tag: { registry: 'registry.example', repo: `team/app${i}`, tag: '1' },
    });
    await store.analyses.save({
      imageDigest: digest,
      imageId: digest.slice(7),
      analyzerVersion: 'bench',
      metadata: {},
      sbom: {},
      findings: [],
    });
    await store.images.transition(digest, ['not_analyzed'], 'analyzed');
    await store.evaluations.add({
      accountName: BENCH_ACCOUNT,
      imageDigest: digest,
      tag: `registry.example/team/app${i}:1`,
      policyId: 'p',
      status: 'pass',
      finalAction: 'GO',
      result: { triggers: [], matchedBlacklistedImage: null, failClosed: [] },
    });
  }
}
