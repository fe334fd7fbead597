/**
 * A Harbor scan request: the image is recorded for the adapter's account (so it shows under
 * /v1/images and gets its first evaluation), then analysed by the analyze-image job with the
 * credential Harbor sent. An image analysed before is answered from its analysis at once and
 * the credential is never stored.
 */
import type { HarborScan, HarborScanInput } from '../store/repositories/harbor-scans.js';
import type { ServiceStore } from '../store/repositories/index.js';
import { JOB_KINDS } from './kinds.js';
import type { JobQueue } from './queue.js';

export interface HarborScanRequest extends HarborScanInput {
  /** host[:port] of `registryUrl`: where the image is pulled from, and the only host the credential goes to. */
  registryHost: string;
}

export async function requestHarborScan(
  store: ServiceStore,
  queue: JobQueue,
  input: HarborScanRequest,
): Promise<HarborScan> {
  const { registryHost, ...scan } = input;
  await store.images.add({
    accountName: input.accountName,
    imageDigest: input.digest,
    tag: { registry: registryHost, repo: input.repository, tag: input.tag ?? 'latest' },
  });
  if (await store.analyses.exists(input.digest)) {
    const created = await store.harborScans.create({ ...scan, authorization: '' });
    await store.harborScans.finish(created.id, null);
    return { ...created, status: 'done' };
  }
  return store.db.transaction(async (tx) => {
    const created = await store.harborScans.create(scan, tx);
    await queue.enqueue(
      {
        kind: JOB_KINDS.analyzeImage,
        payload: {
          imageDigest: input.digest,
          pullString: `${registryHost}/${input.repository}@${input.digest}`,
          accountName: input.accountName,
          harborScanId: created.id,
        },
        // One job per scan: Harbor's credential must be used by its own scan's job.
        singletonKey: `harbor:${created.id}`,
      },
      tx,
    );
    return created;
  });
}
