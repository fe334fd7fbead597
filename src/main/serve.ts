/**
 * `portcullis serve`: the composition root of the service. Config → data dir lock → store →
 * migrations → queue → API and/or worker, and a graceful stop on SIGTERM/SIGINT.
 */
import { readFile, mkdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DEFAULT_TEAM_LABEL_KEYS } from '../core/report/html/team.js';
import { DEFAULT_CHROMIUM, pdfPrinter } from './pdf.js';
import { resolveServiceConfig, type ServeFlags, type ServiceConfig } from '../config/service.js';
import { PORTCULLIS_VERSION } from '../core/catalog/catalog-image.js';
import { isPortcullisError, PortcullisError } from '../core/errors.js';
import { RegistryClients } from '../core/image/backends/registry/clients.js';
import { Keychain } from '../core/image/backends/registry/keychain.js';
import { DEFAULT_BLOB_CONCURRENCY, DEFAULT_LIMITS, type ImageEnvironment } from '../core/image/options.js';
import { listenForJobs } from '../queue/listen.js';
import { JobQueue } from '../queue/queue.js';
import { buildApp } from '../server/app.js';
import { buildProbeApp } from '../server/probe-app.js';
import { processMetrics } from './process-metrics.js';
import { databaseReady, SCHEMA_VERSION } from './readiness.js';
import { startWorkerSchedules } from './worker-schedules.js';
import { NotificationEndpoints } from '../notifications/endpoints.js';
import { notificationWiring } from './notification-wiring.js';
import { migrate } from '../store/migrate.js';
import { createServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import { openLockedDatabase } from '../store/open-embedded.js';
import type { Sql } from '../store/sql.js';
import { VulnerabilityStore } from '../store/vulnerability-store.js';
import { workerJobs } from '../worker/jobs/index.js';
import { enqueueFeedSync } from '../worker/jobs/sync-feeds.js';
import { createRegistryWriter } from './registry-writer.js';
import { recheckPromotionsOnChange } from '../worker/jobs/promote-recheck.js';
import { DEFAULT_WATCH_OPTIONS } from '../worker/jobs/watch-registry.js';
import { WorkerRunner } from '../worker/runner.js';
import { StoreChanges } from '../admission/change-feed.js';
import { resolveAdmission, startAdmissionServer } from './admission.js';
import { createAnalyzeImage } from './analyze-image.js';
import { ensureAdmin, loadSecretKey } from './bootstrap.js';
import { checkRegistryLogin } from '../core/image/backends/registry/login.js';
import { loadLocalImage } from './load-image.js';
import { serviceLogger } from './log.js';
import { createRegistryReader } from './registry-reader.js';
import { createResolveImage } from './resolve-image.js';
import { createSyncFeeds, newestSync } from './sync-feeds.js';
import { vulnerabilityDataOf } from '../store/vulnerability-data.js';

export interface RunningService {
  url: string | undefined;
  /** The validating webhook's URL, when this process serves it. */
  admissionUrl?: string;
  adminPasswordFile: string | undefined;
  /** The image `--load-image` recorded (analysed by the workers). */
  loadedImage?: { digest: string; tag: string };
  stop(): Promise<void>;
}

/** The store: PostgreSQL, or the embedded one held by this process alone (fails at once if taken). */
async function openStore(config: ServiceConfig): Promise<Sql> {
  try {
    return await openLockedDatabase(
      config.dbUrl
        ? { kind: 'postgres', url: config.dbUrl }
        : { kind: 'pglite', dataDir: join(config.dataDir, 'db') },
      { mode: 'fail' },
    );
  } catch (cause) {
    if (!isPortcullisError(cause) || cause.code !== 'DATABASE_LOCKED') throw cause;
    throw new PortcullisError(
      'DATABASE_LOCKED',
      `another Portcullis process (a serve, or a CLI scan) is using the data directory ${config.dataDir}: the embedded store is one process's alone. Stop it, choose another --data-dir, or use a PostgreSQL server (--db-url) to run several processes`,
      { cause },
    );
  }
}

/**
 * The process's image environment: one registry client pool (closed on stop) and no
 * credentials of its own: each request brings its account's logins.
 */
async function imageEnvironment(config: ServiceConfig): Promise<ImageEnvironment> {
  const registry = {
    insecureHosts: [],
    extraCaPem: await Promise.all(config.caFiles.map((file) => readFile(file, 'utf8'))),
    timeoutMs: 60_000,
    retries: 4,
    blobConcurrency: DEFAULT_BLOB_CONCURRENCY,
  };
  return {
    cacheDir: config.cacheDir,
    registry,
    clients: new RegistryClients(registry),
    keychain: Keychain.empty,
    dockerHost: 'unix:///nonexistent.sock',
    limits: { ...DEFAULT_LIMITS },
  };
}

export async function startService(config: ServiceConfig, log = serviceLogger()): Promise<RunningService> {
  const tls = config.tls && {
    cert: await readFile(config.tls.certFile),
    key: await readFile(config.tls.keyFile),
  };
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const db = await openStore(config);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  // Writes to what admission decisions read are announced (NOTIFY, in-process event), so the
  // webhook's verdict cache, here or in another process, drops stale answers at once.
  const changes = new StoreChanges();
  const store = createServiceStore(
    changes.observe(db),
    createSecretBox(await loadSecretKey(config.dataDir, config.secretKey)),
  );
  // Endpoints stored in clear by a version before migration 21 are sealed once.
  const sealed = await new NotificationEndpoints(db, store.box).sealPlaintext();
  if (sealed > 0) log.info({ endpoints: sealed }, 'notification endpoints sealed at rest');
  const adminPasswordFile = await ensureAdmin(store, config.dataDir, config.adminPassword);
  const queue = new JobQueue(db);
  const environment = await imageEnvironment(config);
  const tempRoot = tmpdir();
  const hostId = hostname();
  const stops: (() => Promise<void>)[] = [];
  let url: string | undefined;
  const admission = config.admission && (await resolveAdmission(config.admission));
  // One SSRF guard (allow-list, self addresses) and retry deadline for the API and the worker.
  const notifications = notificationWiring(config, db, queue);
  const { registry: metrics, feeds, analysisDuration } = processMetrics(db);

  if (config.role === 'worker' || config.role === 'all') {
    const vulnerabilities = new VulnerabilityStore(db);
    const data = vulnerabilityDataOf(db, vulnerabilities);
    const analyze = createAnalyzeImage({ environment, tempRoot, vulnerabilities: data });
    const registryWriter = createRegistryWriter(environment);
    const syncFeeds = createSyncFeeds({
      store,
      vulnerabilities,
      data,
      // A promoted image that now fails its rule's policy is notified (or quarantined).
      onFindingsChanged: recheckPromotionsOnChange(
        { store, registryWriter, hostId, notifier: notifications.notifier },
        (err, imageDigest) => log.warn({ err, imageDigest }, 're-check of promoted images failed'),
      ),
      cacheDir: config.cacheDir,
      ...(config.dataMirror ? { mirrorDir: config.dataMirror } : {}),
      notifier: notifications.notifier,
    });
    const runner = new WorkerRunner(
      queue,
      workerJobs({
        store,
        analyze,
        hostId,
        syncFeeds,
        localSources: new Set(config.loadImage ? [config.loadImage.source] : []),
        observeAnalysis: analysisDuration(),
        resolveTag: createResolveImage(store, environment, tempRoot),
        registryReader: createRegistryReader(store, environment),
        registryWriter,
        watch: { intervalMs: config.tagWatchIntervalMs || DEFAULT_WATCH_OPTIONS.intervalMs },
        notifier: notifications.notifier,
        notifications: { queue, guard: notifications.guard, options: notifications.delivery },
      }),
      {
        owner: `${hostId}:${process.pid}`,
        concurrency: config.concurrency,
        pollMs: 1_000,
        drainTimeoutMs: 30_000,
      },
      log.child({ role: 'worker' }),
    );
    if (config.dbUrl) {
      const listener = await listenForJobs(
        config.dbUrl,
        (kind) => queue.notify(kind),
        (err) => log.warn({ err }, 'job notifications lost; polling'),
      );
      stops.push(() => listener.close());
    }
    runner.start();
    stops.push(() => runner.stop());
    stops.push(() => registryWriter.close());
    stops.unshift(
      ...startWorkerSchedules({
        db,
        queue,
        vulnerabilities,
        feedSyncIntervalMs: config.feedSyncIntervalMs,
        tagWatchIntervalMs: config.tagWatchIntervalMs,
        log,
      }),
    );
    if (config.role === 'worker' && config.listenConfigured) {
      // Probes and metrics only: orchestrators check a worker's /v1/ready like the API's.
      const probes = await buildProbeApp({
        ready: databaseReady(db),
        queue,
        metrics,
        logger: log.child({ role: 'worker' }),
        ...(tls ? { https: tls } : {}),
      });
      await probes.listen({ host: config.host, port: config.port });
      stops.unshift(() => probes.close());
    }
  }
  if (config.role === 'api' || config.role === 'all') {
    const scheme = config.tls ? 'https' : 'http';
    url = `${scheme}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}/v1`;
    const vulnerabilities = new VulnerabilityStore(db);
    const app = await buildApp({
      store,
      queue,
      logger: log.child({ role: 'api' }),
      version: PORTCULLIS_VERSION,
      hostId,
      baseUrl: url.replace(/\/v1$/, ''),
      resolveImage: createResolveImage(store, environment, tempRoot),
      checkRegistryLogin: (login) => checkRegistryLogin(environment.clients, login),
      ready: databaseReady(db),
      schemaVersion: async () => SCHEMA_VERSION,
      feeds,
      metrics,
      advisories: vulnerabilityDataOf(db, vulnerabilities),
      ...(admission ? { admission } : {}),
      ...(config.harbor ? { harbor: config.harbor } : {}),
      ...(tls ? { https: tls } : {}),
      reports: {
        teamLabelKeys: config.reports?.teamLabelKeys ?? DEFAULT_TEAM_LABEL_KEYS,
        printPdf: pdfPrinter({
          executablePath: config.reports?.chromium ?? DEFAULT_CHROMIUM,
          tempDir: tempRoot,
        }),
      },
      webhookGuard: notifications.guard,
      notifier: notifications.notifier,
      ...(config.registryNotificationToken
        ? { registryNotifications: { tokens: [{ token: config.registryNotificationToken }] } }
        : {}),
    });
    await app.listen({ host: config.host, port: config.port });
    // The port actually bound (--listen HOST:0 picks a free one).
    const address = app.server.address();
    if (address && typeof address === 'object') {
      url = url.replace(/:\d+\/v1$/, `:${address.port}/v1`);
      notifications.listening(address.port);
    }
    stops.unshift(() => app.close());
  }
  const webhook =
    admission &&
    (await startAdmissionServer(config, admission, {
      store,
      queue,
      log,
      resolveImage: createResolveImage(store, environment, tempRoot),
      changes,
      ...(config.dbUrl ? { dbUrl: config.dbUrl } : {}),
    }));
  if (webhook) stops.unshift(() => webhook.stop());
  if (config.loadImage && !newestSync(await new VulnerabilityStore(db).status()))
    // Queued before the image, so a worker syncs the data first and the first analysis has findings.
    await enqueueFeedSync(queue);
  const loaded =
    config.loadImage && (await loadLocalImage({ store, queue, environment, tempRoot }, config.loadImage));
  return {
    url,
    ...(loaded && config.loadImage
      ? { loadedImage: { digest: loaded.imageDigest, tag: config.loadImage.tag } }
      : {}),
    ...(webhook ? { admissionUrl: webhook.url } : {}),
    adminPasswordFile,
    async stop() {
      for (const stop of stops) await stop();
      // Last: nothing uses the registry pool once the API, webhook and worker have stopped.
      await environment.clients.close();
      await db.close();
    },
  };
}

/** The CLI hands `serve` over here: flags in, the service running until SIGTERM/SIGINT. */
export async function serveFromCli(
  args: readonly string[],
  print: (line: string) => void,
  stopSignal: AbortSignal,
): Promise<void> {
  const command = new Command('serve')
    .description('start the REST API (Anchore v1 compatible) and a worker')
    .option('--config <file>', 'config file (YAML/JSON, `service:` section); env PORTCULLIS_CONFIG')
    .option('--data-dir <dir>', 'embedded store, key file, caches (default $XDG_DATA_HOME/portcullis)')
    .option('--db-url <url>', 'PostgreSQL server instead of the embedded store (env PORTCULLIS_DB_URL)')
    .option(
      '--listen <host:port>',
      'where the API listens (default 127.0.0.1:8228); a worker serves its probes here only when given',
    )
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
    .option('--role <role>', 'api, worker, admission or all (default all)')
    .option(
      '--admission-config <file>',
      'admission webhook rules (YAML); with role all, also serves the webhook',
    )
    .option(
      '--admission-account <name>',
      'account whose images and policies the cluster is judged by (default admin)',
    )
    .option(
      '--admission-listen <host:port>',
      'where the webhook listens with role all (default 127.0.0.1:8443)',
    )
    .option('--concurrency <n>', 'analyses run at once by the worker (default 1)')
    .option(
      '--ca-file <pem>',
      'extra CA certificate trusted for registries (repeatable; also NODE_EXTRA_CA_CERTS)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--feed-sync-interval <duration>',
      'how often the worker syncs the vulnerability feeds, e.g. 6h, 30m, or off (default 6h)',
    )
    .option(
      '--tag-watch-interval <duration>',
      'how often watched tags are polled per registry, e.g. 10m, or off for push notifications only (default 10m)',
    )
    .option(
      '--webhook-allow-cidrs <cidrs>',
      'private networks webhook receivers may live on, e.g. 10.0.0.0/8 (repeatable, comma-separated; link-local stays refused)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--public-url <url>',
      'the URL users reach the service at: never a webhook target, and Slack messages link to it',
    )
    .option(
      '--notification-deadline <duration>',
      'how long a notification is retried before it is given up, e.g. 24h, 90m (default 24h)',
    )
    .option(
      '--data-mirror <dir>',
      'sync feeds from this offline mirror directory (env PORTCULLIS_DATA_MIRROR)',
    )
    .option(
      '--harbor-token-file <file>',
      "serve Harbor's scanner adapter API under /api/v1 for the bearer token in this file (env PORTCULLIS_HARBOR_TOKEN)",
    )
    .option('--harbor-account <name>', "account Harbor's scans belong to (default admin)")
    .option(
      '--load-image <source=tag>',
      'analyse this local image (oci-dir:, oci-archive:, docker-archive:) at start, in the admin account under tag',
    )
    .exitOverride();
  command.parse([...args], { from: 'user' });
  const config = resolveServiceConfig(command.opts<ServeFlags>());
  const service = await startService(config);
  if (service.url) print(`Portcullis is listening on ${service.url}`);
  if (service.admissionUrl) print(`The admission webhook is listening on ${service.admissionUrl}`);
  if (service.adminPasswordFile)
    print(`The admin password was written to ${service.adminPasswordFile} (user: admin)`);
  if (service.url) printTryNext(service, print);
  // The CLI turns SIGTERM/SIGINT into this abort: stop taking work, drain, close, exit 0.
  await new Promise<void>((resolve) => {
    if (stopSignal.aborted) resolve();
    else stopSignal.addEventListener('abort', () => resolve(), { once: true });
  });
  print('Stopping: draining running jobs');
  await service.stop();
}

function printTryNext(service: RunningService, print: (line: string) => void): void {
  const url = service.url ?? '';
  const auth = service.adminPasswordFile
    ? `-u "admin:$(cat ${service.adminPasswordFile})"`
    : '-u admin:$PORTCULLIS_ADMIN_PASSWORD';
  print('Try:');
  print(`  curl ${auth} ${url}/system/feeds`);
  if (service.loadedImage) {
    const digest = encodeURIComponent(service.loadedImage.digest);
    print(`  curl ${auth} ${url}/images/${digest}`);
    print(`  curl ${auth} ${url}/images/${digest}/vuln/all`);
    print(`  curl ${auth} '${url}/images/${digest}/check?tag=${service.loadedImage.tag}&detail=true'`);
  } else {
    print(
      `  curl ${auth} -X POST -H 'Content-Type: application/json' -d '{"tag":"debian:12"}' ${url}/images`,
    );
    print(`  curl ${auth} ${url}/images/DIGEST/vuln/all`);
  }
}
