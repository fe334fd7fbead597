/**
 * Response shapes of the image vulnerability, content, metadata and check routes, written from
 * ../shared/reference/anchore-api-v1.md (§4 Images, §5 Policy evaluation). Where the reference
 * lists a record's fields exhaustively the schema is `.strict()`, extended only by the native
 * extras issue 12 adds on purpose (layer of origin `origin_layer`, base/app `origin`, `purl`):
 * any other field, missing or of another JSON type, is a divergence from the reference.
 */
import { z } from 'zod';

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
/** "ISO-8601 UTC with Z" (§1 Timestamps). */
const isoUtc = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
/** Layer of origin: a layer diffID, or null when unknown (native extra). */
const originLayer = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/)
  .nullable();

const cvss = z
  .object({ base_score: z.number(), exploitability_score: z.number(), impact_score: z.number() })
  .strict();
/** An `nvd_data` or `vendor_data` element: the CVSS of one vulnerability id. */
const scored = z.object({ id: z.string().min(1), cvss_v2: cvss, cvss_v3: cvss }).strict();

/** §4 "Vulnerability": every field of the reference's record, with its JSON type. */
export const vulnerability = z
  .object({
    vuln: z.string().min(1),
    severity: z.enum(['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical']),
    package: z.string().min(1),
    package_name: z.string().min(1),
    package_version: z.string().min(1),
    package_type: z.string().min(1),
    package_path: z.string().min(1),
    package_cpe: z.string(),
    package_cpe23: z.string(),
    fix: z.string().min(1),
    will_not_fix: z.boolean(),
    url: z.string().min(1),
    feed: z.string().min(1),
    feed_group: z.string().min(1),
    nvd_data: z.array(scored),
    vendor_data: z.array(scored),
    origin_layer: originLayer,
    origin: z.enum(['base', 'app', 'unknown']),
  })
  .strict()
  .refine((v) => v.package === `${v.package_name}-${v.package_version}`, 'package = name-version')
  .refine((v) => !v.feed_group.includes('nvd') || v.vendor_data.length === 0, 'NVD matches: no vendor_data');

export const vulnerabilityResponse = (type: string) =>
  z
    .object({
      imageDigest: digest,
      vulnerability_type: z.literal(type),
      vulnerabilities: z.array(vulnerability),
    })
    .strict();

const licensed = {
  package: z.string().min(1),
  version: z.string(),
  type: z.string().min(1),
  origin: z.string(),
  license: z.string(),
  licenses: z.array(z.string()),
  cpes: z.array(z.string()),
  purl: z.string().optional(),
  origin_layer: originLayer,
};

/** §4 "Content elements", per content type. */
export const contentElement: Readonly<Record<string, z.ZodType>> = {
  os: z.object({ ...licensed, size: z.number().int().nonnegative(), sourcepkg: z.string().min(1) }).strict(),
  files: z
    .object({
      filename: z.string().min(1),
      size: z.number().int().nonnegative(),
      mode: z.string().regex(/^0[0-7]{4,}$/),
      sha256: hex64.nullable(),
      type: z.string().min(1),
      uid: z.number().int(),
      gid: z.number().int(),
      linkdest: z.string().nullable(),
      origin_layer: originLayer,
    })
    .strict(),
  npm: z.object({ ...licensed, type: z.literal('NPM'), location: z.string() }).strict(),
  gem: z.object({ ...licensed, type: z.literal('GEM'), location: z.string() }).strict(),
  python: z.object({ ...licensed, type: z.literal('PYTHON'), location: z.string() }).strict(),
  java: z
    .object({
      ...licensed,
      'specification-version': z.string(),
      'implementation-version': z.string(),
      'maven-version': z.string(),
      location: z.string(),
      metadata: z.record(z.string(), z.unknown()),
    })
    .strict(),
  // "Others (binary, go): Package Version Location if the first element has those keys."
  other: z.object({ package: z.string().min(1), version: z.string(), location: z.string() }),
};

export const contentResponse = (type: string) =>
  z
    .object({
      imageDigest: digest,
      content_type: z.literal(type),
      content: z.array(contentElement[type] ?? contentElement.other!),
    })
    .strict();

export const METADATA_TYPES = ['manifest', 'docker_history', 'dockerfile'] as const;

export const metadataResponse = (type: string) =>
  z
    .object({
      imageDigest: digest,
      metadata_type: z.literal(type),
      metadata: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 text'),
    })
    .strict();

const whitelisted = z.union([
  z.literal(false),
  z
    .object({ whitelist_name: z.string(), whitelist_id: z.string(), matched_rule_id: z.string() })
    .passthrough(),
]);

/** §5 positional rows: id, tag, trigger id, gate, trigger, output, action, whitelisted, policy id. */
const row = z.tuple([
  z.string(),
  z.string(),
  z.string().min(1),
  z.string().min(1),
  z.string().min(1),
  z.string(),
  z.enum(['go', 'warn', 'stop']),
  whitelisted,
  z.string().min(1),
]);

export const checkDetail = z.object({
  policy: z.record(z.string(), z.unknown()),
  result: z.object({
    image_id: hex64,
    tag: z.string().min(1),
    user_id: z.string().min(1),
    final_action: z.enum(['go', 'warn', 'stop']),
    final_action_reason: z.enum(['policy_evaluation', 'whitelisted', 'blacklisted']),
    created_at: z.number().int(),
    matched_mapping_rule: z.record(z.string(), z.unknown()),
    matched_whitelisted_images_rule: z.union([z.literal(false), z.record(z.string(), z.unknown())]),
    result: z
      .object({
        policy_data: z.array(z.unknown()),
        whitelist_data: z.array(z.unknown()),
        policy_name: z.string(),
        whitelist_names: z.array(z.unknown()),
      })
      .catchall(
        z.object({
          result: z.object({
            header: z.tuple([
              z.literal('Image_Id'),
              z.literal('Repo_Tag'),
              z.literal('Trigger_Id'),
              z.literal('Gate'),
              z.literal('Trigger'),
              z.literal('Check_Output'),
              z.literal('Gate_Action'),
              z.literal('Whitelisted'),
              z.literal('Policy_Id'),
            ]),
            row_count: z.number().int().nonnegative(),
            final_action: z.enum(['go', 'warn', 'stop']),
            rows: z.array(row),
          }),
        }),
      ),
  }),
});

/** `[{<digest>: {<full tag>: [evaluation]}}]`, detail `{}` unless `detail=true`. */
export const checkResponse = (withDetail: boolean) =>
  z
    .array(
      z.record(
        digest,
        z.record(
          z.string().min(1),
          z.array(
            z
              .object({
                policyId: z.string().min(1),
                status: z.enum(['pass', 'fail']),
                last_evaluation: isoUtc,
                detail: withDetail ? checkDetail : z.object({}).strict(),
              })
              .strict(),
          ),
        ),
      ),
    )
    .length(1);

/** §1 "Error body": `{message, httpcode, detail: {error_codes: []}}`; `image vuln` reads `message`. */
export const errorResponse = (httpcode: number) =>
  z
    .object({
      message: z.string().min(1),
      httpcode: z.literal(httpcode),
      detail: z.object({ error_codes: z.array(z.unknown()) }).passthrough(),
    })
    .strict();
