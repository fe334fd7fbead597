/**
 * WhiteListItem custom resources (the CRD shipped in deploy/kubernetes) as admission exceptions
 * (ADR 0028): watched into memory and applied exactly like the exceptions managed through the
 * API — release, optional namespace, creator, reason, expiry. Objects that do not match the
 * CRD's schema are left out (and logged), never half-applied.
 */
import { z } from 'zod';
import type { AdmissionException, ExceptionSource, PortContext } from '../ports.js';
import type { Informer } from './informer.js';

export const WHITELIST_GROUP = 'security.portcullis.dev';
export const WHITELIST_VERSION = 'v1alpha1';
export const WHITELIST_PATH = `/apis/${WHITELIST_GROUP}/${WHITELIST_VERSION}/whitelistitems`;

const WhiteListItemSchema = z.object({
  apiVersion: z.literal(`${WHITELIST_GROUP}/${WHITELIST_VERSION}`),
  kind: z.literal('WhiteListItem'),
  metadata: z.object({ name: z.string().min(1).max(253) }).passthrough(),
  spec: z
    .object({
      release: z.string().min(1).max(253),
      namespace: z.string().max(63).optional(),
      creator: z.string().min(1),
      reason: z.string().min(1),
      expiresAt: z.string().datetime({ offset: true }).optional(),
    })
    .passthrough(),
});

export function exceptionOf(
  object: Record<string, unknown>,
): { value: AdmissionException } | { invalid: string } {
  const parsed = WhiteListItemSchema.safeParse(object);
  if (!parsed.success)
    return { invalid: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const { metadata, spec } = parsed.data;
  return {
    value: {
      id: metadata.name,
      source: 'crd',
      release: spec.release,
      namespace: spec.namespace === '' ? undefined : spec.namespace,
      creator: spec.creator,
      reason: spec.reason,
      expiresAt: spec.expiresAt === undefined ? undefined : new Date(spec.expiresAt),
    },
  };
}

/**
 * The store's exceptions and the watched WhiteListItems together. With the store unreachable
 * the WhiteListItems still apply; only when none matches does the store's failure surface.
 */
export class CombinedExceptions implements ExceptionSource {
  constructor(
    private readonly store: ExceptionSource,
    private readonly items: Informer<AdmissionException>,
  ) {}

  async forRelease(release: string, namespace: string, ctx: PortContext): Promise<AdmissionException[]> {
    const fromCrd = [...this.items.items.values()].filter(
      (e) => e.release === release && (e.namespace === undefined || e.namespace === namespace),
    );
    try {
      const fromStore = await this.store.forRelease(release, namespace, ctx);
      return [...fromStore.map((e) => ({ ...e, source: e.source ?? ('api' as const) })), ...fromCrd];
    } catch (err) {
      if (fromCrd.length > 0) return fromCrd;
      throw err;
    }
  }
}
