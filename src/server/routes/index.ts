/** Every /v1 route group, in one explicit list; the tenancy test walks the resulting table. */
import type {
  FastifyInstance,
  RawServerDefault,
  FastifyBaseLogger,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ImageReference } from '../../core/image/reference/parse.js';
import type { JobQueue } from '../../queue/queue.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import type { AdmissionConfig } from '../../admission/config.js';
import { admissionRoutes } from './admission.js';
import { imageRoutes } from './images/routes.js';
import { systemRoutes } from './system.js';

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
}

export interface RouteDeps {
  store: ServiceStore;
  queue: JobQueue;
  version: string;
  hostId: string;
  baseUrl: string;
  resolveImage: ResolveImage;
  ready(): Promise<boolean>;
  schemaVersion(): Promise<number>;
  feeds: { status(): Promise<FeedStatus[]> };
  /** The admission webhook's config and the account it judges by, when this process serves it. */
  admission?: { config: Readonly<AdmissionConfig>; account: string };
}

export function registerRoutes(app: V1, deps: RouteDeps): void {
  systemRoutes(app, deps);
  imageRoutes(app, deps);
  admissionRoutes(app, deps);
}
