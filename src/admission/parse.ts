/**
 * AdmissionReview bodies (admission.k8s.io/v1, and v1beta1 which has the same shape) → what the
 * decision needs: who asks, in which namespace, for which object, and every image of every
 * container list. Never throws: anything malformed becomes an `InvalidReview` with a reason.
 */
import { z } from 'zod';
import { formatReference, parseReference, type ImageReference } from '../core/image/reference/parse.js';
import { describeError } from '../core/errors.js';
import { atPath, findWorkloadKind, type WorkloadKind } from './kinds.js';
import { isScaleOnlyUpdate } from './scale-only.js';

export const ADMISSION_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

/** Longer image strings are refused before the reference grammar sees them. */
const MAX_IMAGE_LENGTH = 1024;
const MAX_CONTAINERS_PER_LIST = 500;

const EnvelopeSchema = z.object({
  apiVersion: z.enum(ADMISSION_API_VERSIONS),
  kind: z.literal('AdmissionReview'),
  request: z.unknown(),
});

const RequestSchema = z.object({
  uid: z.string().min(1).max(256),
  kind: z.object({
    group: z.string().max(253),
    version: z.string().max(63),
    kind: z.string().min(1).max(63),
  }),
  subResource: z.string().max(63).optional(),
  name: z.string().max(253).optional(),
  namespace: z.string().max(253).optional(),
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
  userInfo: z.object({ username: z.string().max(512).optional() }).optional(),
  object: z.unknown().optional(),
  oldObject: z.unknown().optional(),
  dryRun: z.boolean().optional(),
});

const Labels = z.record(z.string(), z.string()).optional();
const MetadataSchema = z.object({
  name: z.string().max(253).optional(),
  generateName: z.string().max(253).optional(),
  labels: Labels,
});
const ContainerSchema = z.object({ name: z.string().max(253), image: z.string().optional() });
const ContainerListSchema = z.array(ContainerSchema).max(MAX_CONTAINERS_PER_LIST).nullish();
const PodSpecSchema = z.object({
  initContainers: ContainerListSchema,
  containers: ContainerListSchema,
  ephemeralContainers: ContainerListSchema,
});
const TemplateSchema = z.object({ metadata: MetadataSchema.optional(), spec: PodSpecSchema });

export interface ImageUse {
  container: string;
  list: ContainerList;
  /** As written in the spec (may be hostile: display it with `displayImage`). */
  image: string;
  /** Normalized the way the container runtime does; undefined when the string is invalid. */
  reference: ImageReference | undefined;
  normalized: string | undefined;
  /** Why the string is not a valid reference. */
  error: string | undefined;
}

export interface Envelope {
  apiVersion: string;
  uid: string;
}

export interface AdmissionRequest {
  envelope: Envelope;
  namespace: string;
  name: string;
  kind: { group: string; kind: string };
  subResource: string | undefined;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  user: string;
  dryRun: boolean;
  /** Pod template labels overlaid with the object's own labels. */
  labels: Record<string, string>;
  images: ImageUse[];
  /** An UPDATE changing only spec.replicas, or the scale subresource. */
  scaleOnly: boolean;
  /** DELETE/CONNECT: there is no object to check. */
  noObject: boolean;
}

export interface InvalidReview {
  envelope: Envelope;
  reason: string;
  namespace: string;
  name: string;
  kind: string;
  operation: string;
  user: string;
  dryRun: boolean;
}

export type ParsedReview = { ok: true; request: AdmissionRequest } | { ok: false; invalid: InvalidReview };

/** Image strings echoed into messages: printable ASCII only, bounded. */
export function displayImage(image: string): string {
  const printable = image.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 200 ? `${printable.slice(0, 200)}…` : printable;
}

function zodReason(prefix: string, error: z.ZodError): string {
  const first = error.issues[0];
  const path = first?.path.map(String).join('.') ?? '';
  return `${prefix}: ${path === '' ? '' : `${path}: `}${first?.message ?? 'invalid'}`;
}

function imageUse(container: string, list: ContainerList, image: string): ImageUse {
  if (image.length > MAX_IMAGE_LENGTH) {
    const error = `image reference longer than ${MAX_IMAGE_LENGTH} characters`;
    return { container, list, image, reference: undefined, normalized: undefined, error };
  }
  try {
    const reference = parseReference(image);
    return { container, list, image, reference, normalized: formatReference(reference), error: undefined };
  } catch (err) {
    return { container, list, image, reference: undefined, normalized: undefined, error: describeError(err) };
  }
}

type PodSpec = z.infer<typeof PodSpecSchema>;

/** With `existingEphemeral` (the ephemeralcontainers subresource) only added debug containers count. */
function collectImages(spec: PodSpec, existingEphemeral: ReadonlySet<string> | undefined): ImageUse[] {
  const uses: ImageUse[] = [];
  for (const list of CONTAINER_LISTS) {
    if (existingEphemeral && list !== 'ephemeralContainers') continue;
    for (const c of spec[list] ?? []) {
      if (existingEphemeral?.has(c.name)) continue;
      // The API server rejects containers without an image before validating webhooks run.
      if (c.image !== undefined) uses.push(imageUse(c.name, list, c.image));
    }
  }
  return uses;
}

function oldEphemeralNames(oldObject: unknown): Set<string> {
  const parsed = PodSpecSchema.safeParse(atPath(oldObject, ['spec']));
  return new Set(parsed.success ? (parsed.data.ephemeralContainers ?? []).map((c) => c.name) : []);
}

export function invalidReview(
  envelope: Envelope,
  reason: string,
  partial: Partial<InvalidReview> = {},
): InvalidReview {
  return {
    envelope,
    reason,
    namespace: '',
    name: '',
    kind: '',
    operation: '',
    user: '',
    dryRun: false,
    ...partial,
  };
}

/** Parses a body already decoded from JSON; `kinds` = built-in plus configured custom kinds. */
export function parseAdmissionReview(body: unknown, kinds: readonly WorkloadKind[]): ParsedReview {
  const rawRequest = (body as { request?: { uid?: unknown } } | null)?.request;
  const uid = typeof rawRequest?.uid === 'string' ? rawRequest.uid.slice(0, 256) : '';
  const invalid = (
    reason: string,
    partial: Partial<InvalidReview> = {},
    apiVersion: string = ADMISSION_API_VERSIONS[0],
  ) => ({
    ok: false as const,
    invalid: invalidReview({ apiVersion, uid }, reason, partial),
  });

  const envelope = EnvelopeSchema.safeParse(body);
  if (!envelope.success)
    return invalid(zodReason('not an admission.k8s.io/v1 AdmissionReview', envelope.error));
  const apiVersion = envelope.data.apiVersion;
  const request = RequestSchema.safeParse(envelope.data.request);
  if (!request.success)
    return invalid(zodReason('malformed AdmissionReview request', request.error), {}, apiVersion);

  const r = request.data;
  const base = {
    namespace: r.namespace ?? '',
    name: r.name ?? '',
    kind: r.kind.kind,
    operation: r.operation,
    user: r.userInfo?.username ?? '',
    dryRun: r.dryRun ?? false,
  };
  const common = {
    envelope: { apiVersion, uid: r.uid },
    namespace: base.namespace,
    kind: { group: r.kind.group, kind: r.kind.kind },
    subResource: r.subResource,
    operation: r.operation,
    user: base.user,
    dryRun: base.dryRun,
  };
  if (r.operation === 'DELETE' || r.operation === 'CONNECT') {
    const request = { ...common, name: base.name, labels: {}, images: [], scaleOnly: false, noObject: true };
    return { ok: true, request };
  }
  if (r.subResource === 'scale') {
    return {
      ok: true,
      request: { ...common, name: base.name, labels: {}, images: [], scaleOnly: true, noObject: false },
    };
  }
  const workload = findWorkloadKind(kinds, r.kind.group, r.kind.kind);
  if (!workload) {
    const group = r.kind.group === '' ? 'core' : r.kind.group;
    return invalid(
      `unsupported kind ${group}/${r.kind.kind}: no pod template is known for it`,
      base,
      apiVersion,
    );
  }
  if (r.object === undefined || r.object === null) {
    return invalid(`${r.operation} request without an object`, base, apiVersion);
  }
  const metadata = MetadataSchema.safeParse(atPath(r.object, ['metadata']) ?? {});
  if (!metadata.success)
    return invalid(zodReason('malformed object metadata', metadata.error), base, apiVersion);
  const templateValue =
    workload.templatePath.length === 0 ? r.object : atPath(r.object, workload.templatePath);
  const template = TemplateSchema.safeParse(templateValue);
  if (!template.success) {
    const where = workload.templatePath.length === 0 ? 'pod' : workload.templatePath.join('.');
    return invalid(zodReason(`malformed ${where}`, template.error), base, apiVersion);
  }
  const ephemeralOnly = r.subResource === 'ephemeralcontainers' ? oldEphemeralNames(r.oldObject) : undefined;
  const name = r.name || metadata.data.name || metadata.data.generateName || '';
  return {
    ok: true,
    request: {
      ...common,
      name,
      labels: { ...(template.data.metadata?.labels ?? {}), ...(metadata.data.labels ?? {}) },
      images: collectImages(template.data.spec, ephemeralOnly),
      scaleOnly: r.operation === 'UPDATE' && isScaleOnlyUpdate(r.object, r.oldObject),
      noObject: false,
    },
  };
}
