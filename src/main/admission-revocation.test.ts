/**
 * Issue 14, revocation bound with the verdict cache (ADR 0009): a verdict read from the store
 * answers for at most `verdictCache.freshMilliseconds`, and a change to it is pushed at once —
 * in-process for a write through the same store (both stores), by NOTIFY for a write from
 * another process (PostgreSQL). Each decision's audit row reaches the database (batched
 * inserts, flushed at stop), and the webhook-only server answers /health and /ready.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { makeTestPki, type TestPki } from '../../test/harness/registry/certs.js';
import { StoreChanges } from '../admission/change-feed.js';
import { LISTENER_APPLICATION_NAME } from '../admission/change-listener.js';
import { parseAdmissionConfig } from '../admission/config.js';
import { admissionReview } from '../admission/test-support.js';
import { JobQueue } from '../queue/queue.js';
import { createServiceStore, type ServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import { openPostgres } from '../store/sql.js';
import { startAdmissionServer } from './admission.js';
import { seedAnalysedImage, seedVerdict } from './test-support/admission-seed.js';

const ACCOUNT = 'revoke';
const DIGEST = `sha256:${'d'.repeat(64)}`;
const box = createSecretBox(randomBytes(32));

const seed = (store: ServiceStore) => seedAnalysedImage(store, ACCOUNT, DIGEST, 'pass');
/** A new evaluation of the image, as the worker stores one after a feed sync or re-analysis. */
const verdict = (store: ServiceStore, status: 'pass' | 'fail') => seedVerdict(store, ACCOUNT, DIGEST, status);

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'web', image: `registry.example/team/app@${DIGEST}` }] },
};

let pki: TestPki;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-admission-revoke-'));
  pki = await makeTestPki(work);
});
afterAll(async () => {
  await stopSharedPostgres();
  await rm(work, { recursive: true, force: true });
});

describe.each(STORE_KINDS)('admission verdict cache on %s', (kind) => {
  let database: TestDatabase;
  let changes: StoreChanges;
  let store: ServiceStore;
  let webhook: Awaited<ReturnType<typeof startAdmissionServer>>;
  let agent: Agent;
  let asked = 0;

  const call = async (path: string, body?: unknown) => {
    const url = webhook.url.replace('/admission/validate', path);
    const res = await request(url, {
      method: body === undefined ? 'GET' : 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
  };
  const allowed = async (): Promise<boolean> => {
    asked++;
    const { json } = await call('/admission/validate', admissionReview(pod, { namespace: 'apps' }));
    return (json['response'] as { allowed: boolean }).allowed;
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    changes = new StoreChanges();
    store = createServiceStore(changes.observe(database.db), box);
    await seed(store);
    webhook = await startAdmissionServer(
      {
        role: 'admission',
        host: '127.0.0.1',
        port: 0,
        listenConfigured: true,
        tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile },
        dataDir: work,
        concurrency: 1,
        feedSyncIntervalMs: 0,
        cacheDir: join(work, 'cache'),
        admission: { account: ACCOUNT, host: '127.0.0.1', port: 0 },
        caFiles: [],
      },
      {
        config: parseAdmissionConfig(
          {
            account: ACCOUNT,
            rules: [{ namespaces: ['*'], mode: 'policy' }],
            // Only pushed invalidation (or a reconnect) may change an answer within a minute.
            verdictCache: { freshMilliseconds: 60_000 },
          },
          'test',
        ),
        account: ACCOUNT,
      },
      {
        store,
        queue: new JobQueue(database.db),
        log: pino({ level: 'silent' }),
        resolveImage: () => Promise.reject(new Error('the test pod names digests only')),
        changes,
        ...(database.url ? { dbUrl: database.url } : {}),
      },
    );
    agent = new Agent({ connect: { ca: pki.caPem } });
  }, 300_000);
  afterAll(async () => {
    await agent?.close();
    await webhook?.stop();
    await database?.stop();
  });

  it('answers /health and /ready on the webhook server', async () => {
    expect(await call('/health')).toEqual({ status: 200, json: { healthy: true } });
    expect(await call('/ready')).toEqual({ status: 200, json: { ready: true } });
  });

  it('denies a revoked image on the next request after a write through this process', async () => {
    expect(await allowed()).toBe(true);
    expect(await allowed()).toBe(true); // answered from the cache
    await verdict(store, 'fail');
    expect(await allowed()).toBe(false);
    await verdict(store, 'pass');
    expect(await allowed()).toBe(true);
  });

  it.runIf(kind === 'PostgreSQL 15')(
    'denies a revoked image once the NOTIFY of a write from another process arrives',
    async () => {
      expect(await allowed()).toBe(true);
      // Another process (an API or worker replica): its own pool and its own change announcer.
      const other = await openPostgres(database.url ?? '');
      try {
        const notified = new Promise<void>((resolve) => {
          const off = changes.subscribe(() => {
            off();
            resolve();
          });
        });
        await verdict(createServiceStore(new StoreChanges().observe(other), box), 'fail');
        // The webhook subscribed before this listener, so it has dropped its cache by now.
        await notified;
        expect(await allowed()).toBe(false);
      } finally {
        await other.close();
      }
    },
  );

  it.runIf(kind === 'PostgreSQL 15')(
    'reconnects the LISTEN after pg_terminate_backend and drops the whole cache (missed NOTIFYs)',
    async () => {
      await verdict(store, 'pass');
      expect(await allowed()).toBe(true);
      const reconnected = new Promise<void>((resolve) => {
        const off = changes.subscribe(() => {
          off();
          resolve();
        });
      });
      const other = await openPostgres(database.url ?? '');
      try {
        const { rows } = await other.query<{ ok: boolean }>(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
            WHERE application_name = $1 AND datname = current_database()`,
          [LISTENER_APPLICATION_NAME],
        );
        expect(rows).toEqual([{ ok: true }]);
        // Written by another process while the listener is away: its NOTIFY reaches no one. The
        // verdict cache's freshness bound is a minute here, so only the reconnect can drop it.
        await verdict(createServiceStore(new StoreChanges().observe(other), box), 'fail');
        await reconnected;
        expect(await allowed()).toBe(false);
        // And NOTIFYs flow again on the new connection.
        const notified = new Promise<void>((resolve) => {
          const off = changes.subscribe(() => {
            off();
            resolve();
          });
        });
        await verdict(createServiceStore(new StoreChanges().observe(other), box), 'pass');
        await notified;
        expect(await allowed()).toBe(true);
      } finally {
        await other.close();
      }
    },
  );

  it('writes one audit row per decision (batched inserts flushed at stop)', async () => {
    await webhook.stop();
    const { rows } = await database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM admission_audit WHERE account_name = $1',
      [ACCOUNT],
    );
    expect(rows[0]?.n).toBe(asked);
  });
});
