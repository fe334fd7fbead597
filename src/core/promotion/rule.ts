/**
 * A promotion rule: which pushes it takes (source registry, repository glob, tag glob), where
 * a passing image goes (destination registry and repository, tag mapping), which policy
 * bundle decides, and what happens when an image fails (now, or later on a re-check).
 */
import { z } from 'zod';
import { destinationRepository as fillDestination, globMatches } from './match.js';

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

/** One path component of a repository name, as the distribution spec's grammar has it. */
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

const ruleShape = z.strictObject({
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

type RuleShape = z.output<typeof ruleShape>;

/**
 * What the field patterns alone cannot say: a destination that is a valid repository name once
 * filled in, at least one tag for the promoted image (an untagged manifest is garbage-collected),
 * and no destination under the rule's own source pattern (every copy would be a push that the
 * rule promotes again: `app-scanned`, `app-scanned-scanned`, ...).
 */
function checkRule(rule: RuleShape, ctx: z.RefinementCtx): void {
  const sample = { ...rule, id: '' };
  const filled = fillDestination(sample, 'source/name');
  if (filled.length > 255 || !filled.split('/').every((c) => COMPONENT_RE.test(c)))
    ctx.addIssue({
      code: 'custom',
      path: ['destination', 'repository'],
      message: `not a repository name once filled in (e.g. ${filled.slice(0, 255)}): lower-case components of letters and digits separated by single / and by . _ __ or dashes`,
    });
  if (!rule.tags.same && !rule.tags.scannedSuffix && !rule.tags.digest)
    ctx.addIssue({
      code: 'custom',
      path: ['tags'],
      message: 'at least one destination tag (same, scanned suffix or digest) is needed',
    });
  // The template filled in with the source pattern itself: if that falls under the pattern, some
  // promoted repository does.
  const underSource = fillDestination(sample, rule.source.repository);
  if (rule.destination.registry === rule.source.registry && globMatches(rule.source.repository, underSource))
    ctx.addIssue({
      code: 'custom',
      path: ['destination', 'repository'],
      message: `the destination (${underSource}) falls under the rule's own source pattern ${rule.source.repository}: every promoted image would be promoted again`,
    });
}

export const promotionRuleInput = ruleShape.superRefine(checkRule);

export type PromotionRuleInput = z.input<typeof promotionRuleInput>;
export type PromotionRuleSpec = z.output<typeof promotionRuleInput>;

export interface PromotionRule extends PromotionRuleSpec {
  id: string;
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}
