/**
 * Records an image (and its tag) for an account and queues its analysis when it has none yet:
 * the one path shared by `POST /v1/images` and the admission webhook's analysis requests.
 */
import type { AddImageInput, ImageRecord, TagRef } from '../store/repositories/images.js';
import type { ServiceStore } from '../store/repositories/index.js';
import { JOB_KINDS } from './kinds.js';
import type { JobQueue } from './queue.js';

export async function addImageAndQueue(
  store: ServiceStore,
  queue: JobQueue,
  input: AddImageInput & { tag: TagRef; source?: string },
): Promise<ImageRecord> {
  const { image } = await store.images.add(input);
  // force resets the status to not_analyzed; the job then pulls and analyses again.
  if (image.analysisStatus === 'not_analyzed') {
    await queue.enqueue({
      kind: JOB_KINDS.analyzeImage,
      payload: {
        imageDigest: input.imageDigest,
        pullString: `${input.tag.registry}/${input.tag.repo}@${input.imageDigest}`,
        accountName: input.accountName,
        ...(input.source ? { source: input.source } : {}),
        ...(input.force ? { force: true } : {}),
      },
      // One job per digest: a burst of admission requests for a new image queues it once. A
      // forced one has its own key: an unforced job in flight would otherwise swallow it and
      // mark the reset image analysed with the old analysis (seen under load).
      singletonKey: input.force ? `${input.imageDigest}#force` : input.imageDigest,
    });
  }
  return image;
}
