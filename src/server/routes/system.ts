/** System routes: the reachability probe, version, health/readiness, services, feeds, spec. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { policySpec } from '../../core/policy/index.js';
import { JOB_KINDS, SYNC_FEEDS_SINGLETON_KEY } from '../../queue/kinds.js';
import { isoTime } from '../schemas.js';
import type { RouteDeps, V1 } from './index.js';

/** The services anchore-cli's `system wait` waits for; this process provides all of them. */
const SERVICE_NAMES = ['apiext', 'catalog', 'policy_engine', 'simplequeue', 'analyzer'] as const;

const ERROR_CODES = [
  { name: 'UNAUTHORIZED', description: 'missing or wrong credentials' },
  { name: 'FORBIDDEN', description: 'the account may not do this' },
  { name: 'NOT_FOUND', description: 'no such resource in this account' },
  { name: 'INVALID_REQUEST', description: 'the request failed validation' },
  { name: 'REGISTRY_LOGIN_FAILED', description: 'the registry refused the credentials' },
  { name: 'POLICY_BUNDLE_INVALID', description: 'the policy bundle failed validation' },
];

/** Liveness and readiness, also served alone by a worker (see probe-app.ts). */
export function probeRoutes(app: Pick<FastifyInstance, 'get'>, ready: () => Promise<boolean>): void {
  app.get('/health', { config: { public: true } }, async (_request, reply) => reply.status(200).send());
  app.get('/ready', { config: { public: true } }, async (_request, reply) =>
    (await ready()) ? reply.status(200).send({ ready: true }) : reply.status(503).send({ ready: false }),
  );
}

export function systemRoutes(app: V1, deps: RouteDeps): void {
  // Anchore answers the JSON string "v1"; fastify would send a bare string as text.
  app.get('/', { config: { public: true } }, async (_request, reply) =>
    reply.type('application/json').send('"v1"'),
  );
  probeRoutes(app, deps.ready);
  app.get('/version', async () => ({
    service: { version: deps.version },
    api: { version: '1' },
    db: { schema_version: String(await deps.schemaVersion()) },
  }));
  app.get('/status', async () => ({
    busy: false,
    up: true,
    message: 'all good',
    detail: {},
    version: deps.version,
  }));

  // db_version is the store's schema version, the same figure /version reports.
  const services = async () => {
    const dbVersion = String(await deps.schemaVersion());
    return SERVICE_NAMES.map((servicename) => ({
      servicename,
      hostid: deps.hostId,
      base_url: deps.baseUrl,
      status: true,
      status_message: 'available',
      version: 'v1',
      service_detail: {
        up: true,
        available: true,
        busy: false,
        message: '',
        version: deps.version,
        db_version: dbVersion,
        detail: {},
      },
    }));
  };
  app.get('/system', async () => ({ service_states: await services() }));
  app.get('/system/services', async () => services());
  app.get(
    '/system/services/:servicename',
    { schema: { params: z.object({ servicename: z.string() }) } },
    async (request) => (await services()).filter((s) => s.servicename === request.params.servicename),
  );

  app.get('/system/feeds', async () => {
    const feeds = deps.feeds.withNamespaces ? await deps.feeds.withNamespaces() : await deps.feeds.status();
    // As Grype-based Anchore Engine: one `vulnerabilities` feed, a group per advisory namespace
    // (several sources may fill one namespace: their counts add up, the oldest sync shows), and
    // a group per enrichment-only source (NVD, KEV, EPSS) named by the source.
    const byGroup = new Map<string, { lastSync: Date | null; records: number }>();
    for (const f of feeds) {
      const parts = f.namespaces?.length ? f.namespaces : [{ namespace: f.source, records: f.records }];
      for (const part of parts) {
        const seen = byGroup.get(part.namespace);
        const lastSync =
          seen && (seen.lastSync === null || (f.lastSync !== null && seen.lastSync < f.lastSync))
            ? seen.lastSync
            : f.lastSync;
        byGroup.set(part.namespace, { lastSync, records: (seen?.records ?? 0) + part.records });
      }
    }
    const groups = [...byGroup]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, g]) => ({
        name,
        created_at: isoTime(g.lastSync),
        updated_at: isoTime(g.lastSync),
        last_sync: isoTime(g.lastSync),
        record_count: g.records,
        enabled: true,
      }));
    const last = feeds
      .map((f) => f.lastSync)
      .filter((d): d is Date => d !== null)
      .sort((a, b) => b.getTime() - a.getTime())[0];
    return [
      {
        name: 'vulnerabilities',
        created_at: isoTime(last),
        updated_at: isoTime(last),
        last_full_sync: isoTime(last),
        enabled: true,
        groups,
      },
    ];
  });
  // A sync runs on a worker; this queues one (or joins the one queued or running) and says which.
  app.post('/system/feeds', { config: { admin: true } }, async (_request, reply) => {
    const job = await deps.queue.enqueue({
      kind: JOB_KINDS.syncFeeds,
      payload: {},
      singletonKey: SYNC_FEEDS_SINGLETON_KEY,
    });
    return reply.status(202).send({ job_id: job.id, queued: job.created });
  });
  app.get('/system/policy_spec', async () => policySpec());
  app.get('/system/error_codes', async () => ERROR_CODES);
}
