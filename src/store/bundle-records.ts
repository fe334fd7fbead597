/**
 * Validation of bundle payload lines. A bundle is untrusted input (it travels between machines),
 * so every record is checked against the shape the store and the matchers rely on before it is
 * stored; fields the matchers do not read pass through unchanged.
 */
import { z } from 'zod';
import type { FeedRecord } from '../core/advisories/model.js';
import { SCHEME_IDS } from '../core/versioning/types.js';

const str = z.string().max(1_000_000);
const cve = z.string().min(1).max(200);

const rangeEvent = z.union([
  z.object({ introduced: str }).strict(),
  z.object({ fixed: str }).strict(),
  z.object({ last_affected: str }).strict(),
  z.object({ limit: str }).strict(),
]);

const advisorySchema = z.looseObject({
  id: z.string().min(1),
  aliases: z.array(str),
  namespace: z.string().min(1),
  packageName: z.string().min(1),
  versionScheme: z.enum(SCHEME_IDS),
  ranges: z.array(z.object({ type: z.enum(['ECOSYSTEM', 'SEMVER']), events: z.array(rangeEvent) })),
  versions: z.array(str),
  fixedVersions: z.array(str),
  fixState: z.enum(['fixed', 'not-fixed', 'wont-fix', 'unknown']),
  notAffected: z.boolean().optional(),
  severities: z.array(
    z.looseObject({
      source: str,
      scheme: z.enum(['CVSS_V2', 'CVSS_V3', 'CVSS_V4', 'label']),
      score: z.number().optional(),
      vector: str.optional(),
      label: str.optional(),
    }),
  ),
  withdrawn: str.optional(),
  references: z.array(str),
  source: z.object({ driver: str, file: str, recordId: str }),
});

const cpeMatch = z.looseObject({
  vulnerable: z.boolean(),
  criteria: z.string().min(1).max(2000),
  versionStartIncluding: str.optional(),
  versionStartExcluding: str.optional(),
  versionEndIncluding: str.optional(),
  versionEndExcluding: str.optional(),
});

interface CpeNodeShape {
  operator: 'AND' | 'OR';
  negate: boolean;
  cpeMatch: z.infer<typeof cpeMatch>[];
  children: CpeNodeShape[];
}

const cpeNode: z.ZodType<CpeNodeShape> = z.lazy(() =>
  z.object({
    operator: z.enum(['AND', 'OR']),
    negate: z.boolean(),
    cpeMatch: z.array(cpeMatch),
    children: z.array(cpeNode),
  }),
);

const recordSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('cpe-config'),
    cpe: z.object({
      cve,
      configurations: z.array(z.object({ operator: z.enum(['AND', 'OR']), nodes: z.array(cpeNode) })),
    }),
  }),
  z.object({ kind: z.literal('advisory'), advisory: advisorySchema }),
  z.object({
    kind: z.literal('cvss'),
    cvss: z.object({
      cve,
      source: str,
      version: str,
      vector: str,
      baseScore: z.number().min(0).max(10),
      severity: str.optional(),
    }),
  }),
  z.object({
    kind: z.literal('kev'),
    kev: z.looseObject({
      cve,
      dateAdded: str,
      dueDate: str,
      knownRansomware: z.boolean(),
      vendor: str,
      product: str,
    }),
  }),
  z.object({
    kind: z.literal('epss'),
    epss: z.object({ cve, epss: z.number().min(0).max(1), percentile: z.number().min(0).max(1) }),
  }),
  z.object({
    kind: z.literal('ssvc'),
    ssvc: z.looseObject({
      cve,
      exploitation: str.optional(),
      automatable: str.optional(),
      technicalImpact: str.optional(),
    }),
  }),
]);

/** Parses one payload line; returns an error text instead of throwing, for the caller to wrap. */
export function parseBundleRecord(line: string): { record: FeedRecord } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { error: 'not JSON' };
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  // The schema checks what the store and matchers read; the rest of the model is optional text.
  return { record: parsed.data as FeedRecord };
}
