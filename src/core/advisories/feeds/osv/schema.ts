/** zod schema for OSV records (ossf/osv-schema 1.6), strict where a matcher depends on it. */
import { z } from 'zod';

const version = z.string().min(1).max(256);

/** Exactly one of the four keys, as the OSV schema requires. */
export const osvEvent = z
  .object({
    introduced: version.optional(),
    fixed: version.optional(),
    last_affected: version.optional(),
    limit: version.optional(),
  })
  .refine((e) => Object.values(e).filter((v) => v !== undefined).length === 1, {
    message: 'an event needs exactly one of introduced, fixed, last_affected, limit',
  });

export const osvRange = z.object({
  type: z.enum(['ECOSYSTEM', 'SEMVER', 'GIT']),
  repo: z.string().optional(),
  events: z.array(osvEvent).min(1),
});

const osvSeverity = z.object({ type: z.string(), score: z.string() });

const loose = z.record(z.string(), z.unknown());

export const osvAffected = z.object({
  package: z
    .object({ ecosystem: z.string().min(1), name: z.string().min(1), purl: z.string().optional() })
    .optional(),
  ranges: z.array(osvRange).optional(),
  versions: z.array(z.string()).optional(),
  severity: z.array(osvSeverity).optional(),
  ecosystem_specific: loose.optional(),
  database_specific: loose.optional(),
});

export const osvRecord = z.object({
  schema_version: z.string().optional(),
  id: z.string().min(1).max(256),
  modified: z.string(),
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).nullish(),
  related: z.array(z.string()).nullish(),
  /** OSV 1.7: ids of the upstream vulnerabilities a downstream (distro) advisory fixes. */
  upstream: z.array(z.string()).nullish(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(osvSeverity).nullish(),
  affected: z.array(osvAffected).nullish(),
  references: z.array(z.object({ type: z.string(), url: z.string() })).nullish(),
  database_specific: loose.optional(),
});

export type OsvRecord = z.infer<typeof osvRecord>;
export type OsvAffected = z.infer<typeof osvAffected>;
export type OsvRange = z.infer<typeof osvRange>;
