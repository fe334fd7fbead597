/**
 * The `serve` options, declared once: flags > environment > config file (`service:` section,
 * YAML or JSON) > defaults, resolved into a frozen ServiceConfig.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PortcullisError } from '../core/errors.js';
import type { Env } from './index.js';
import { resolveKubernetesApi, type KubernetesApiConfig } from './kubernetes.js';
import {
  reportsFileSchema,
  resolveReports,
  resolveSlack,
  type ReportsConfig,
  type SlackWorkspaceConfig,
} from './reports-chat.js';
import {
  notificationsFileSchema,
  resolveNotifications,
  type NotificationsConfig,
  type NotificationsFlags,
} from './notifications.js';

export type ServiceRole = 'api' | 'worker' | 'admission' | 'all';

export interface ServeFlags extends NotificationsFlags {
  config?: string;
  dataDir?: string;
  dbUrl?: string;
  listen?: string;
  tlsCert?: string;
  tlsKey?: string;
  role?: string;
  concurrency?: string;
  feedSyncInterval?: string;
  dataMirror?: string;
  tagWatchInterval?: string;
  admissionConfig?: string;
  admissionAccount?: string;
  admissionListen?: string;
  harborTokenFile?: string;
  harborAccount?: string;
  /** Extra CA certificates (PEM files) trusted for registries, repeatable. */
  caFile?: string[];
  loadImage?: string;
}

export interface ServiceConfig {
  role: ServiceRole;
  host: string;
  port: number;
  /**
   * Whether --listen (or PORTCULLIS_LISTEN / the file) was given. A worker serves its probes
   * only then: two workers on one host would otherwise fight over the default port.
   */
  listenConfigured: boolean;
  tls?: { certFile: string; keyFile: string };
  dataDir: string;
  /** PostgreSQL server; absent = embedded PGlite under dataDir. */
  dbUrl?: string;
  /** 32-byte key for secrets at rest; absent = a key file under dataDir. */
  secretKey?: Buffer;
  adminPassword?: string;
  concurrency: number;
  cacheDir: string;
  /** How often the worker syncs the vulnerability feeds; 0 = only when asked (POST /v1/system/feeds). */
  feedSyncIntervalMs: number;
  /** Read feeds from this offline mirror directory instead of their upstreams. */
  dataMirror?: string;
  /** The validating webhook (role admission, or all with an admission config). */
  admission?: AdmissionServiceConfig;
  /** Reports for people: team label keys, the Chromium that prints PDFs. */
  reports?: ReportsConfig;
  /** Slack workspaces whose slash commands the service answers. */
  slack?: readonly SlackWorkspaceConfig[];
  /** Harbor's pluggable scanner adapter under /api/v1, when a token is configured. */
  harbor?: HarborAdapterConfig;
  /** PEM files of CAs trusted for registries besides the system's (--ca-file, NODE_EXTRA_CA_CERTS). */
  caFiles: readonly string[];
  /**
   * A local image the operator has analysed at start, in the admin account under `tag`
   * (`--load-image SOURCE=TAG`). The only way a local path reaches the service: API requests
   * name registry images alone.
   */
  loadImage?: LocalImage;
  /** How often watched tags are polled in each registry (default 10 min); 0 = only on pushes. */
  tagWatchIntervalMs?: number;
  /** Bearer token registries send with push notifications; absent = the endpoint refuses all. */
  registryNotificationToken?: string;
  /** Webhook allow-list, public URL (self-check, Slack links), retry deadline. */
  notifications?: NotificationsConfig;
}

export interface HarborAdapterConfig {
  /** The bearer token Harbor is configured to send (compared in constant time). */
  token: string;
  /** The Portcullis account Harbor's scans belong to. */
  account: string;
}

export interface LocalImage {
  /** `oci-dir:<dir>[:<tag>]`, `oci-archive:<file>` or `docker-archive:<file>`. */
  source: string;
  /** registry/repo:tag it is recorded under. */
  tag: string;
}

const LOCAL_SCHEMES = ['oci-dir:', 'oci-archive:', 'docker-archive:'] as const;

/** `SOURCE=TAG`; the tag defaults to `local/image:latest`. */
export function parseLocalImage(text: string): LocalImage {
  const at = text.lastIndexOf('=');
  const [source, tag] = at < 0 ? [text, 'local/image:latest'] : [text.slice(0, at), text.slice(at + 1)];
  if (!LOCAL_SCHEMES.some((s) => source.startsWith(s)) || tag === '')
    throw new PortcullisError(
      'CONFIG_INVALID',
      `--load-image must be SOURCE[=TAG] with an ${LOCAL_SCHEMES.join(', ')} source, got "${text}"`,
    );
  return { source, tag };
}

export interface AdmissionServiceConfig {
  /** The Kubernetes API seen from the pod (namespace labels, WhiteListItems, Audit objects). */
  kubernetes?: KubernetesApiConfig;
  /** The rules file (`--admission-config`); absent = only kube-system excluded, no rules. */
  configFile?: string;
  /** Account whose images, policies and credentials the cluster is judged by. */
  account?: string;
  /** Where the webhook listens when it shares the process with the API (role all). */
  host: string;
  port: number;
}

const fileSchema = z
  .object({
    service: z
      .object({
        data_dir: z.string(),
        db_url: z.string(),
        listen: z.string(),
        tls_cert: z.string(),
        tls_key: z.string(),
        role: z.enum(['api', 'worker', 'admission', 'all']),
        admission_config: z.string(),
        admission_account: z.string(),
        admission_listen: z.string(),
        concurrency: z.number().int().min(1).max(64),
        feed_sync_interval: z.string(),
        data_mirror: z.string(),
        harbor_token_file: z.string(),
        harbor_account: z.string(),
        ca_files: z.array(z.string()),
        ...reportsFileSchema,
        load_image: z.string(),
        tag_watch_interval: z.string(),
        registry_notification_token: z.string().min(16),
        ...notificationsFileSchema,
      })
      .partial()
      .strict(),
  })
  .partial();

function readConfigFile(path: string | undefined): z.infer<typeof fileSchema>['service'] {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new PortcullisError('CONFIG_INVALID', `cannot read the config file ${path}`, { cause });
  }
  const parsed = fileSchema.safeParse(parseYaml(text));
  if (!parsed.success)
    throw new PortcullisError('CONFIG_INVALID', `invalid config file ${path}: ${parsed.error.message}`);
  return parsed.data.service ?? {};
}

export function parseListen(text: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65535)
    throw new PortcullisError('CONFIG_INVALID', `--listen must be HOST:PORT, got "${text}"`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

function parseSecretKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32)
    throw new PortcullisError(
      'CONFIG_INVALID',
      'PORTCULLIS_SECRET_KEY must be 32 bytes, as 64 hex digits or base64',
    );
  return key;
}

const DURATION_UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `6h`, `30m`, `90s`, `1d`, or `0`/`off` (no periodic sync). */
export function parseInterval(text: string, option = '--feed-sync-interval'): number {
  if (text === '0' || text === 'off') return 0;
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2]!]! : NaN;
  if (!Number.isFinite(ms) || ms < 60_000)
    throw new PortcullisError(
      'CONFIG_INVALID',
      `${option} must be a duration of at least 1m such as 6h, 30m or 1d, or 0/off, got "${text}"`,
    );
  return Math.round(ms);
}

export function defaultDataDir(env: Env): string {
  return join(env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share'), 'portcullis');
}

export function resolveServiceConfig(flags: ServeFlags, env: Env = process.env): Readonly<ServiceConfig> {
  const file = readConfigFile(flags.config ?? env.PORTCULLIS_CONFIG);
  const role = flags.role ?? env.PORTCULLIS_ROLE ?? file?.role ?? 'all';
  if (role !== 'api' && role !== 'worker' && role !== 'admission' && role !== 'all')
    throw new PortcullisError(
      'CONFIG_INVALID',
      `--role must be api, worker, admission or all, got "${role}"`,
    );
  const listenText = flags.listen ?? env.PORTCULLIS_LISTEN ?? file?.listen;
  const listen = parseListen(listenText ?? '127.0.0.1:8228');
  const certFile = flags.tlsCert ?? env.PORTCULLIS_TLS_CERT ?? file?.tls_cert;
  const keyFile = flags.tlsKey ?? env.PORTCULLIS_TLS_KEY ?? file?.tls_key;
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new PortcullisError('CONFIG_INVALID', '--tls-cert and --tls-key go together');
  const concurrency = Number(
    flags.concurrency ?? env.PORTCULLIS_WORKER_CONCURRENCY ?? file?.concurrency ?? 1,
  );
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new PortcullisError('CONFIG_INVALID', '--concurrency must be an integer from 1 to 64');
  const dbUrl = flags.dbUrl ?? env.PORTCULLIS_DB_URL ?? file?.db_url;
  const dataDir = flags.dataDir ?? env.PORTCULLIS_DATA_DIR ?? file?.data_dir ?? defaultDataDir(env);
  const feedSyncIntervalMs = parseInterval(
    flags.feedSyncInterval ?? env.PORTCULLIS_FEED_SYNC_INTERVAL ?? file?.feed_sync_interval ?? '6h',
  );
  const dataMirror = flags.dataMirror ?? env.PORTCULLIS_DATA_MIRROR ?? file?.data_mirror;
  const admission = resolveAdmission(role, flags, env, file, Boolean(certFile));
  const harbor = resolveHarbor(flags, env, file);
  const caFiles = [...(flags.caFile?.length ? flags.caFile : (file?.ca_files ?? []))];
  if (env.NODE_EXTRA_CA_CERTS) caFiles.push(env.NODE_EXTRA_CA_CERTS);
  const loadImage = flags.loadImage ?? env.PORTCULLIS_LOAD_IMAGE ?? file?.load_image;
  const tagWatchIntervalMs = parseInterval(
    flags.tagWatchInterval ?? env.PORTCULLIS_TAG_WATCH_INTERVAL ?? file?.tag_watch_interval ?? '10m',
    '--tag-watch-interval',
  );
  const registryNotificationToken =
    env.PORTCULLIS_REGISTRY_NOTIFICATION_TOKEN ?? file?.registry_notification_token;
  return Object.freeze({
    role,
    ...listen,
    listenConfigured: listenText !== undefined,
    ...(certFile && keyFile ? { tls: { certFile, keyFile } } : {}),
    dataDir,
    ...(dbUrl ? { dbUrl } : {}),
    ...(env.PORTCULLIS_SECRET_KEY ? { secretKey: parseSecretKey(env.PORTCULLIS_SECRET_KEY) } : {}),
    ...(env.PORTCULLIS_ADMIN_PASSWORD ? { adminPassword: env.PORTCULLIS_ADMIN_PASSWORD } : {}),
    concurrency,
    cacheDir: join(dataDir, 'cache'),
    feedSyncIntervalMs,
    ...(dataMirror ? { dataMirror } : {}),
    ...(admission ? { admission } : {}),
    ...(harbor ? { harbor } : {}),
    caFiles: Object.freeze(caFiles),
    reports: resolveReports(env, file),
    slack: resolveSlack(env, file),
    ...(loadImage ? { loadImage: parseLocalImage(loadImage) } : {}),
    tagWatchIntervalMs,
    ...(registryNotificationToken ? { registryNotificationToken } : {}),
    notifications: resolveNotifications(flags, env, file),
  });
}

/** The adapter is served when a token is configured: from env or a file, never a flag (ps shows flags). */
function resolveHarbor(
  flags: ServeFlags,
  env: Env,
  file: z.infer<typeof fileSchema>['service'],
): HarborAdapterConfig | undefined {
  const tokenFile = flags.harborTokenFile ?? env.PORTCULLIS_HARBOR_TOKEN_FILE ?? file?.harbor_token_file;
  let token = env.PORTCULLIS_HARBOR_TOKEN;
  if (tokenFile !== undefined) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (cause) {
      throw new PortcullisError('CONFIG_INVALID', `cannot read the Harbor token file ${tokenFile}`, {
        cause,
      });
    }
  }
  const account = flags.harborAccount ?? env.PORTCULLIS_HARBOR_ACCOUNT ?? file?.harbor_account;
  if (token === undefined || token === '') {
    if (account !== undefined)
      throw new PortcullisError(
        'CONFIG_INVALID',
        '--harbor-account needs a Harbor token (PORTCULLIS_HARBOR_TOKEN or --harbor-token-file)',
      );
    return undefined;
  }
  if (token.length < 16 || /\s/.test(token))
    throw new PortcullisError(
      'CONFIG_INVALID',
      'the Harbor token must be at least 16 characters without white space',
    );
  return { token, account: account ?? 'admin' };
}

/** The webhook runs for role admission, and for role all when an admission config is given. */
function resolveAdmission(
  role: ServiceRole,
  flags: ServeFlags,
  env: Env,
  file: z.infer<typeof fileSchema>['service'],
  tls: boolean,
): AdmissionServiceConfig | undefined {
  const configFile = flags.admissionConfig ?? env.PORTCULLIS_ADMISSION_CONFIG ?? file?.admission_config;
  const account = flags.admissionAccount ?? env.PORTCULLIS_ADMISSION_ACCOUNT ?? file?.admission_account;
  if (role !== 'admission' && !(role === 'all' && configFile)) return undefined;
  // The Kubernetes API server calls webhooks over HTTPS only.
  if (!tls)
    throw new PortcullisError('CONFIG_INVALID', 'the admission webhook needs --tls-cert and --tls-key');
  const listen = parseListen(
    flags.admissionListen ?? env.PORTCULLIS_ADMISSION_LISTEN ?? file?.admission_listen ?? '127.0.0.1:8443',
  );
  const kubernetes = resolveKubernetesApi(env);
  return {
    ...(configFile ? { configFile } : {}),
    ...(account ? { account } : {}),
    ...(kubernetes ? { kubernetes } : {}),
    ...listen,
  };
}
