/**
 * A promotion rule: which pushes it takes (source registry, repository glob, tag glob), where
 * a passing image goes (destination registry and repository, tag mapping), which policy
 * bundle decides, and what happens when an image fails (now, or later on a re-check).
 */
import { z } from 'zod';

const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** host[:port], lower case, as image references normalize it. */
const registry = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-z0-9.-]+(:\d{1,5})?$/, 'a registry host[:port] in lower case');
/** Repository globs: path components of [a-z0-9._-], `*` within one component, `**` across. */
const repositoryGlob = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-z0-9._*/-]+$/, 'lower-case repository path with * or ** globs');
/** The destination repository; `{repository}` = the whole source path, `{name}` = its last component. */
const destinationRepository = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^([a-z0-9._/-]|\{repository\}|\{name\})+$/,
    'lower-case repository path, may use {repository} or {name}',
  );

export const promotionRuleInput = z.strictObject({
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
  source: z.strictObject({
    registry,
    repository: repositoryGlob,
    /** Glob over the pushed tag (`*` = any tag). */
    tag: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_.*?-]+$/)
      .default('*'),
  }),
  destination: z.strictObject({ registry, repository: destinationRepository }),
  /** The account's bundle to apply; absent = the account's active bundle at the time. */
  policyId: z.string().min(1).max(200).optional(),
  tags: z
    .strictObject({
      /** The destination carries the pushed tag. */
      same: z.boolean().default(true),
      /** ... and `<tag>-scanned`. */
      scannedSuffix: z.boolean().default(false),
      /** ... and `digest-<hex>` (immutable, names exactly what was scanned). */
      digest: z.boolean().default(false),
    })
    .default({ same: true, scannedSuffix: false, digest: false }),
  /** On a failing verdict: leave it, tag it as quarantined in the source, or notify. */
  onFailure: z.enum(['leave', 'quarantine', 'notify']).default('notify'),
  /** When new vulnerability data makes a promoted image fail: notify, or also tag it quarantined in the destination. */
  onRecheckFailure: z.enum(['notify', 'quarantine']).default('notify'),
  quarantineTag: z.string().regex(TAG_RE).default('quarantined'),
  /** Copy signatures and attestations (referrers) with the image. */
  copyReferrers: z.boolean().default(true),
});

export type PromotionRuleInput = z.input<typeof promotionRuleInput>;
export type PromotionRuleSpec = z.output<typeof promotionRuleInput>;

export interface PromotionRule extends PromotionRuleSpec {
  id: string;
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}
