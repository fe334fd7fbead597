/**
 * The running images of a namespace, from a pod list as `kubectl get pods -o json` prints it:
 * every container kind (containers, initContainers, ephemeralContainers) of the pods that are
 * running, pinned to the digest the kubelet reports (`status.*ContainerStatuses[].imageID`)
 * when it reports one, and the pods that run each.
 */
import { z } from 'zod';
import { PortcullisError } from '../errors.js';
import { formatReference, parseReference, referenceName } from '../image/reference/parse.js';

const container = z.looseObject({ name: z.string(), image: z.string().min(1) });
const status = z.looseObject({
  name: z.string(),
  image: z.string().optional(),
  imageID: z.string().optional(),
});

const pod = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional(), uid: z.string().optional() }),
  spec: z.looseObject({
    containers: z.array(container).default([]),
    initContainers: z.array(container).default([]),
    ephemeralContainers: z.array(container).default([]),
  }),
  status: z
    .looseObject({
      phase: z.string().optional(),
      containerStatuses: z.array(status).default([]),
      initContainerStatuses: z.array(status).default([]),
      ephemeralContainerStatuses: z.array(status).default([]),
    })
    .optional(),
});

/** A PodList / List of pods, or a single Pod. */
const podDocument = z.union([z.object({ items: z.array(pod) }), pod]);
export type Pod = z.infer<typeof pod>;

export interface PodRef {
  apiVersion: 'v1';
  kind: 'Pod';
  name: string;
  namespace: string;
  uid?: string;
}

export interface RunningImage {
  /** The image as the pod spec names it. */
  image: string;
  /** registry/repo@sha256:… when the kubelet reported the digest, else the normalized reference. */
  reference: string;
  digest?: string;
  pods: PodRef[];
}

const DIGEST = /@(sha256:[0-9a-f]{64})$/;

/** The digest of a kubelet imageID (`docker-pullable://repo@sha256:…`, `repo@sha256:…`). */
export function digestOfImageId(imageId: string | undefined): string | undefined {
  return imageId ? DIGEST.exec(imageId.replace(/^[a-z-]+:\/\//, ''))?.[1] : undefined;
}

export function parsePodList(json: unknown, what: string): Pod[] {
  const parsed = podDocument.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `${what} is not a pod list (kubectl get pods -o json): ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}`,
    );
  }
  const data = parsed.data;
  return 'metadata' in data ? [data as Pod] : (data as { items: Pod[] }).items;
}

/** The images of the running pods of `namespace`, one entry per reference, in first-seen order. */
export function runningImages(pods: readonly Pod[], namespace: string): RunningImage[] {
  const byReference = new Map<string, RunningImage>();
  for (const p of pods) {
    const podNamespace = p.metadata.namespace ?? namespace;
    if (podNamespace !== namespace || p.status?.phase !== 'Running') continue;
    const statuses = [
      ...(p.status?.containerStatuses ?? []),
      ...(p.status?.initContainerStatuses ?? []),
      ...(p.status?.ephemeralContainerStatuses ?? []),
    ];
    const ref: PodRef = {
      apiVersion: 'v1',
      kind: 'Pod',
      name: p.metadata.name,
      namespace: podNamespace,
      ...(p.metadata.uid ? { uid: p.metadata.uid } : {}),
    };
    for (const c of [...p.spec.containers, ...p.spec.initContainers, ...p.spec.ephemeralContainers]) {
      const parsed = parseReference(c.image);
      const digest = digestOfImageId(statuses.find((s) => s.name === c.name)?.imageID) ?? parsed.digest;
      const reference = digest ? `${referenceName(parsed)}@${digest}` : formatReference(parsed);
      const entry = byReference.get(reference) ?? {
        image: c.image,
        reference,
        ...(digest ? { digest } : {}),
        pods: [],
      };
      if (!entry.pods.some((x) => x.name === ref.name)) entry.pods.push(ref);
      byReference.set(reference, entry);
    }
  }
  return [...byReference.values()];
}
