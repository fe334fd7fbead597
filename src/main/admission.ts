/**
 * The validating webhook in the service: its own HTTPS server (the API's authentication does
 * not apply to calls from the Kubernetes API server), store-backed ports, and a certificate
 * that is re-read from disk so cert-manager renewals need no restart.
 */
import Fastify, { LogController } from 'fastify';
import type pino from 'pino';
import {
  DEFAULT_ADMISSION_CONFIG,
  loadAdmissionConfig,
  needsNamespaceLabels,
  type AdmissionConfig,
} from '../admission/config.js';
import { BufferedAuditSink } from '../admission/buffered-audit.js';
import { StoreChanges } from '../admission/change-feed.js';
import { admissionPlugin } from '../admission/plugin.js';
import { probeRoutes } from '../admission/probes.js';
import { createStorePorts } from '../admission/store-ports.js';
import { readTlsFiles, watchTlsFiles } from '../admission/tls-reload.js';
import type { AdmissionServiceConfig, ServiceConfig } from '../config/service.js';
import { PortcullisError } from '../core/errors.js';
import type { FeedStatus } from '../core/policy/input.js';
import type { JobQueue } from '../queue/queue.js';
import type { ResolveImage } from '../server/routes/index.js';
import { namespacesBySource } from '../store/feed-coverage.js';
import type { ServiceStore } from '../store/repositories/index.js';
import { VulnerabilityStore } from '../store/vulnerability-store.js';
import { Registry } from 'prom-client';
import { connectKubernetes } from './admission-kubernetes.js';
import { storedEvaluator } from './stored-policy.js';

/** Feed freshness changes with imports only; the coverage query scans advisories, so it is reused. */
const FEEDS_TTL_MS = 5 * 60_000;
/** Audit rows kept in memory while the database is unreachable, and how often they are retried. */
const AUDIT_BUFFER_ROWS = 50_000;
const AUDIT_RETRY_MS = 5_000;
/**
 * Audit rows share one INSERT: at most this many, waiting at most this long. On the embedded
 * store (PGlite) an insert holds the event loop, about 0.15 ms plus 0.07 ms a row, so 20 rows
 * keep every stretch under ~2 ms (200 held it 15 ms and more, and every request queued behind
 * it). A PostgreSQL server runs the insert elsewhere; there larger batches only save round
 * trips. PGlite's CPU per row falls from ~0.2–0.5 ms alone to ~0.08 ms in a batch of 20, so rows
 * wait up to 25 ms for company (at 500 decisions/s ~12 share an insert; 5 ms gave ~2.5).
 * Nothing waits for an audit row: the answer has gone already.
 */
const AUDIT_BATCH_ROWS = { pglite: 20, postgres: 200 } as const;
const AUDIT_FLUSH_MS = 25;
/** How long the readiness probe waits for the database. */
const READY_DB_TIMEOUT_MS = 2_000;

export interface AdmissionServiceDeps {
  store: ServiceStore;
  queue: JobQueue;
  resolveImage: ResolveImage;
  log: pino.Logger;
  /** Announces this process's committed writes (the store should write through `observe`). */
  changes?: StoreChanges;
  /** PostgreSQL URL: the webhook also LISTENs for other processes' writes. */
  dbUrl?: string;
}

export interface ResolvedAdmission {
  config: Readonly<AdmissionConfig>;
  account: string;
}

/** Reads the rules file and settles the account: flag, else the file's `account`, else admin. */
export async function resolveAdmission(settings: AdmissionServiceConfig): Promise<ResolvedAdmission> {
  const loaded = settings.configFile
    ? await loadAdmissionConfig(settings.configFile)
    : DEFAULT_ADMISSION_CONFIG;
  if (needsNamespaceLabels(loaded) && !settings.kubernetes)
    throw new PortcullisError(
      'CONFIG_INVALID',
      'admission rules with namespaceLabels need the Kubernetes API (KUBERNETES_SERVICE_HOST, set in a pod); select by namespaces instead',
    );
  const account = settings.account ?? loaded.account ?? 'admin';
  return { config: Object.freeze({ ...loaded, account }), account };
}

export function feedsForPolicy(store: ServiceStore): () => Promise<FeedStatus[]> {
  const vulnerabilities = new VulnerabilityStore(store.db);
  let cached: { at: number; feeds: FeedStatus[] } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < FEEDS_TTL_MS) return cached.feeds;
    const [status, coverage] = await Promise.all([vulnerabilities.status(), namespacesBySource(store.db)]);
    const feeds = status.map((s) => ({
      name: s.source,
      namespaces: coverage.get(s.source) ?? [],
      lastSync: new Date(s.lastSync),
      records: s.records,
    }));
    cached = { at: Date.now(), feeds };
    return feeds;
  };
}

/** Starts the webhook; returns its URL and how to stop it. */
export async function startAdmissionServer(
  config: ServiceConfig,
  admission: ResolvedAdmission,
  deps: AdmissionServiceDeps,
): Promise<{ url: string; stop(): Promise<void> }> {
  const settings = config.admission;
  if (!settings || !config.tls)
    throw new PortcullisError('CONFIG_INVALID', 'the admission webhook needs --tls-cert and --tls-key');
  const log = deps.log.child({ role: 'admission' });
  const { host, port } = config.role === 'admission' ? config : settings;
  // No access log: the audit row records every decision, and probes need no line each.
  const app = Fastify({
    https: await readTlsFiles(config.tls),
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
  });
  const storePorts = createStorePorts({
    store: deps.store,
    queue: deps.queue,
    resolveImage: deps.resolveImage,
    account: admission.account,
    evaluateStored: storedEvaluator(feedsForPolicy(deps.store)),
  });
  // While the database is unreachable decisions go on (cached verdicts, flagged stale) and
  // their audit rows wait in memory until it answers again.
  const audit = new BufferedAuditSink(storePorts.audit, {
    maxPending: AUDIT_BUFFER_ROWS,
    retryMs: AUDIT_RETRY_MS,
    batchRows: AUDIT_BATCH_ROWS[deps.store.db.kind],
    flushDelayMs: AUDIT_FLUSH_MS,
    onError: (err, pending) => log.warn({ err, pending }, 'admission audit rows kept for a retry'),
  });
  const changes = deps.changes ?? new StoreChanges();
  const listener =
    deps.dbUrl === undefined
      ? undefined
      : await changes.listen(deps.dbUrl, {
          onError: (err, attempt) =>
            log.warn({ err, attempt }, 'admission change listener disconnected; reconnecting'),
          onReconnect: () => log.info('admission change listener reconnected; verdict cache dropped'),
        });
  const metrics = new Registry();
  const kubernetes = connectKubernetes(
    settings.kubernetes,
    admission.config,
    { exceptions: storePorts.exceptions, audit },
    { log, changes, metrics },
  );
  const ports = { ...storePorts, ...kubernetes, changes };
  await app.register(probeRoutes, { db: deps.store.db, timeoutMs: READY_DB_TIMEOUT_MS });
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', metrics.contentType).send(await metrics.metrics()),
  );
  await app.register(admissionPlugin, { config: admission.config, ports });
  await app.listen({ host, port });
  const reloader = watchTlsFiles(app.server, config.tls, {
    onReload: () => log.info('admission TLS certificate reloaded'),
    onError: (err) => log.warn({ err }, 'admission TLS certificate not reloaded; keeping the current one'),
  });
  const address = app.server.address();
  const bound = address !== null && typeof address === 'object' ? address.port : port;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${bound}/admission/validate`,
    async stop() {
      reloader.close();
      await app.close();
      await kubernetes.stop();
      await audit.close();
      await listener?.close();
    },
  };
}
