/** Every /v1 route group, in one explicit list; the tenancy test walks the resulting table. */
import type {
  FastifyInstance,
  RawServerDefault,
  FastifyBaseLogger,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RegistryLoginCheck } from '../../core/image/backends/registry/login.js';
import type { Advisory } from '../../core/advisories/model.js';
import type { AdvisorySource } from '../../core/matching/types.js';
import type { ImageReference } from '../../core/image/reference/parse.js';
import type { JobQueue } from '../../queue/queue.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import { accountRoutes } from './accounts.js';
import { archiveRuleRoutes } from './archive-rules.js';
import { archiveRoutes } from './archives.js';
import { apiKeyRoutes } from './api-keys.js';
import { checkRoutes } from './check.js';
import type { AdmissionConfig } from '../../admission/config.js';
import { admissionRoutes } from './admission.js';
import { imageRoutes } from './images/routes.js';
import type { UrlGuard } from '../../notifications/ssrf.js';
import type { Notifier } from '../../notifications/notify.js';
import { eventRoutes } from './events.js';
import { subscriptionRoutes } from './subscriptions.js';
import { policyRoutes } from './policies.js';
import { promotionRoutes } from './promotions/routes.js';
import { queryRoutes } from './queries.js';
import { chatRoutes, type ChatDeps } from './chat.js';
import { registryEventRoutes, type RegistryNotificationConfig } from './registry-events.js';
import { repositoryRoutes } from './repositories.js';
import { registryRoutes } from './registries.js';
import { reportRoutes, type ReportDeps } from './reports.js';
import { summaryRoutes } from './summaries.js';
import { systemRoutes } from './system.js';
import { webhookRoutes } from './webhooks.js';

export type V1 = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** The manifest digest a reference names now, read from its registry with the account's credentials. */
export type ResolveImage = (
  reference: ImageReference,
  accountName: string,
) => Promise<{ digest: string; parentDigest: string | null }>;

export interface FeedStatus {
  source: string;
  lastSync: Date | null;
  records: number;
  /** Advisory records per namespace (`debian:12`, `npm`...); empty for enrichment-only sources (NVD, KEV, EPSS). */
  namespaces?: readonly { namespace: string; records: number }[];
}

export interface RouteDeps {
  store: ServiceStore;
  queue: JobQueue;
  version: string;
  hostId: string;
  baseUrl: string;
  resolveImage: ResolveImage;
  /** Logs in to a registry as docker would; throws a coded registry error when refused. */
  checkRegistryLogin(login: RegistryLoginCheck): Promise<void>;
  ready(): Promise<boolean>;
  schemaVersion(): Promise<number>;
  /** `withNamespaces` adds each feed's records per namespace (the groups of /system/feeds). */
  feeds: { status(): Promise<FeedStatus[]>; withNamespaces?(): Promise<FeedStatus[]> };
  /** Advisory records by id, for `vuln/{id}/explain` (absent: that route answers 503). */
  advisories?: {
    advisoriesById(ids: readonly string[]): Promise<Advisory[]>;
    /** CVSS by CVE, for the `nvd_data`/`vendor_data` of `/query/vulnerabilities`. */
    enrichment?: AdvisorySource['enrichment'];
  };
  /** Which webhook URLs may be configured (default: public addresses only, never this service). */
  webhookGuard?: UrlGuard;
  /** Queues notifications with the configured retry deadline (default: 24 h). */
  notifier?: Notifier;
  /** The admission webhook's config and the account it judges by, when this process serves it. */
  admission?: { config: Readonly<AdmissionConfig>; account: string };
  /** Reports for people: team label keys and the PDF printer (absent: PDF answers 503). */
  reports?: ReportDeps;
  /** Chat commands: Slack workspaces and reply budget. */
  chat?: ChatDeps;
  /** Shared tokens of registries allowed to post push notifications (none: every post is refused). */
  registryNotifications?: RegistryNotificationConfig;
}

export function registerRoutes(app: V1, deps: RouteDeps): void {
  systemRoutes(app, deps);
  imageRoutes(app, deps);
  subscriptionRoutes(app, deps);
  webhookRoutes(app, deps);
  eventRoutes(app, deps);
  policyRoutes(app, deps);
  checkRoutes(app, deps);
  reportRoutes(app, deps);
  chatRoutes(app, deps);
  registryRoutes(app, deps);
  accountRoutes(app, deps);
  apiKeyRoutes(app, deps);
  summaryRoutes(app, deps);
  admissionRoutes(app, deps);
  promotionRoutes(app, deps);
  queryRoutes(app, deps);
  registryEventRoutes(app, deps);
  repositoryRoutes(app, deps);
  archiveRoutes(app, deps);
  archiveRuleRoutes(app, deps);
}
