/**
 * The `--admission-config FILE` document: excluded namespaces, ordered rules (first match wins)
 * choosing a mode per namespace, labels and image, custom workload kinds and the deadline.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PortcullisError } from '../core/errors.js';

const LabelMap = z.record(z.string().min(1).max(317), z.string().max(63));

const RuleSchema = z
  .object({
    /** Namespace names; `*` and `?` globs ("team-*"). Omitted = every namespace. */
    namespaces: z.array(z.string().min(1).max(253)).min(1).optional(),
    /** Labels the namespace must carry (looked up through the NamespaceLabelSource port). */
    namespaceLabels: LabelMap.optional(),
    /** Labels the object or its pod template must carry. */
    objectLabels: LabelMap.optional(),
    /** Globs over the normalized reference: `*` stops at "/", `**` crosses it. */
    images: z.array(z.string().min(1).max(512)).min(1).optional(),
    mode: z.enum(['policy', 'analysis', 'breakglass']),
    action: z.enum(['deny', 'warn']).default('deny'),
    /** Policy bundle id; omitted = the account's active bundle. */
    policy: z.string().min(1).max(256).optional(),
  })
  .strict();

const CustomKindSchema = z
  .object({
    group: z.string().max(253),
    kind: z.string().min(1).max(63),
    /** Dotted path to the PodTemplateSpec (an object with `metadata` and `spec`), e.g. spec.template. */
    podTemplatePath: z
      .string()
      .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'a dotted path like spec.template'),
  })
  .strict();

export const AdmissionConfigSchema = z
  .object({
    /** Cluster name written into every audit row. */
    cluster: z.string().min(1).max(253).default('default'),
    /** Account whose credentials, verdicts and bundles apply; omitted = the default account. */
    account: z.string().min(1).max(256).optional(),
    excludeNamespaces: z.array(z.string().min(1).max(253)).default(['kube-system']),
    rules: z.array(RuleSchema).default([]),
    customKinds: z.array(CustomKindSchema).default([]),
    /** Labels naming the Helm release, first present wins. */
    releaseLabels: z.array(z.string().min(1)).min(1).default(['app.kubernetes.io/instance', 'release']),
    /** Budget for one decision; keep it well under the webhook's timeoutSeconds. */
    deadlineMs: z.number().int().min(50).max(25_000).default(2_500),
    /** Budget for one store lookup before the cached verdict answers instead (flagged stale). */
    storeTimeoutMs: z.number().int().min(10).max(25_000).default(1_000),
    /** How long a resolved tag → digest is reused before the registry is asked again. */
    digestCacheSeconds: z.number().int().min(0).max(86_400).default(60),
    /** What the webhook reads from and writes to the Kubernetes API when it runs in a pod. */
    kubernetes: z
      .object({
        /** Apply WhiteListItem custom resources as exceptions, next to the API's. */
        whiteListItems: z.boolean().default(true),
        /** Mirror every decision as an Audit custom resource (bounded queue, never blocking). */
        auditObjects: z.boolean().default(false),
        /** Deadline of the one GET for a namespace the watch has not delivered yet. */
        namespaceLookupMs: z.number().int().min(10).max(5_000).default(250),
        /** Audit objects waiting to be written; more are dropped and counted. */
        auditQueue: z.number().int().min(1).max(100_000).default(5_000),
      })
      .strict()
      .default({ whiteListItems: true, auditObjects: false, namespaceLookupMs: 250, auditQueue: 5_000 }),
    verdictCache: z
      .object({
        /**
         * How long a verdict or exception read from the store answers without reading it again,
         * unless the store announces a change first: the bound on admitting a revoked image when
         * the change notification is lost. 0 reads the store on every request.
         */
        freshMilliseconds: z.number().int().min(0).max(60_000).default(1_000),
        /** How long a cached verdict may answer while the store is unreachable. */
        maxStaleSeconds: z.number().int().min(0).default(3_600),
        maxEntries: z.number().int().min(1).default(50_000),
      })
      .strict()
      .default({ freshMilliseconds: 1_000, maxStaleSeconds: 3_600, maxEntries: 50_000 }),
  })
  .strict();

export type AdmissionConfig = z.infer<typeof AdmissionConfigSchema>;

/** The default document: only kube-system excluded, no rules (every request allowed, audited). */
export const DEFAULT_ADMISSION_CONFIG: Readonly<AdmissionConfig> = Object.freeze(
  AdmissionConfigSchema.parse({}),
);
export type AdmissionRule = AdmissionConfig['rules'][number];
export type CustomKind = AdmissionConfig['customKinds'][number];

function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0
    ? '(root)'
    : path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** Validates an already-parsed document; errors name the offending path ("rules[1].mode"). */
export function parseAdmissionConfig(
  document: unknown,
  source = 'admission config',
): Readonly<AdmissionConfig> {
  const result = AdmissionConfigSchema.safeParse(document ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${issuePath(i.path).replace(/^\./, '')}: ${i.message}`);
    throw new PortcullisError('CONFIG_INVALID', `${source} is invalid: ${problems.join('; ')}`, {
      details: { source, problems },
    });
  }
  return Object.freeze(result.data);
}

/** Parses YAML (or JSON, a subset) text. */
export function parseAdmissionConfigText(
  text: string,
  source = 'admission config',
): Readonly<AdmissionConfig> {
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new PortcullisError('CONFIG_INVALID', `${source} is not valid YAML: ${(err as Error).message}`, {
      cause: err,
      details: { source },
    });
  }
  return parseAdmissionConfig(document, source);
}

const MAX_CONFIG_BYTES = 1024 * 1024;

export async function loadAdmissionConfig(file: string): Promise<Readonly<AdmissionConfig>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PortcullisError('IO', `cannot read admission config ${file}: ${(err as Error).message}`, {
      cause: err,
      details: { file },
    });
  }
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) {
    throw new PortcullisError('SIZE_LIMIT', `admission config ${file} is larger than 1 MiB`, {
      details: { file },
    });
  }
  return parseAdmissionConfigText(text, file);
}

/** True when some rule needs namespace labels (and so the NamespaceLabelSource port). */
export function needsNamespaceLabels(config: AdmissionConfig): boolean {
  return config.rules.some((r) => r.namespaceLabels !== undefined);
}
