/**
 * `serve --role admission` over TLS on one of the test stores, for the end-to-end admission
 * tests: the store can be opened (seeded, inspected) while the service is stopped, as PGlite
 * belongs to one process at a time.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { Agent, request } from 'undici';
import { openTestDatabase, type StoreKind } from '../../../test/harness/databases.js';
import type { TestPki } from '../../../test/harness/registry/certs.js';
import type { KubernetesApiConfig } from '../../config/kubernetes.js';
import type { ServiceConfig } from '../../config/service.js';
import { migrate } from '../../store/migrate.js';
import { openLockedDatabase } from '../../store/open-embedded.js';
import { createServiceStore, type ServiceStore } from '../../store/repositories/index.js';
import { createSecretBox } from '../../store/repositories/secret-box.js';
import type { Sql } from '../../store/sql.js';
import { startService, type RunningService } from '../serve.js';

export interface WebhookOptions {
  kind: StoreKind;
  /** Parent of the service's data directory. */
  work: string;
  pki: TestPki;
  /** The --admission-config file and the account it judges by. */
  configFile: string;
  account: string;
  /** CA files for private registries (serve --ca-file). */
  caFiles: string[];
  /** The Kubernetes API the webhook reads, as resolved in a pod (a fake API server in tests). */
  kubernetes?: KubernetesApiConfig;
}

const KEY = Buffer.alloc(32, 7);

export class WebhookUnderTest {
  private service: RunningService | undefined;
  private agent: Agent | undefined;
  private dataDir = '';
  private dbUrl: string | undefined;

  constructor(private readonly options: WebhookOptions) {}

  /** Creates the database (seeded by `seed`), then starts the service. */
  async start(seed: (store: ServiceStore) => Promise<void>): Promise<void> {
    this.dataDir = await mkdtemp(join(this.options.work, 'data-'));
    if (this.options.kind !== 'PGlite') {
      const database = await openTestDatabase(this.options.kind);
      this.dbUrl = database.url;
      await database.stop();
    }
    await this.withStore(seed);
    const { pki } = this.options;
    const config: ServiceConfig = {
      role: 'admission',
      host: '127.0.0.1',
      port: 0,
      listenConfigured: true,
      tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile },
      dataDir: this.dataDir,
      ...(this.dbUrl ? { dbUrl: this.dbUrl } : {}),
      secretKey: KEY,
      concurrency: 1,
      cacheDir: join(this.dataDir, 'cache'),
      feedSyncIntervalMs: 0,
      admission: {
        configFile: this.options.configFile,
        account: this.options.account,
        ...(this.options.kubernetes ? { kubernetes: this.options.kubernetes } : {}),
        host: '127.0.0.1',
        port: 0,
      },
      caFiles: this.options.caFiles,
    };
    this.service = await startService(config, pino({ level: 'silent' }));
    this.agent = new Agent({ connect: { ca: pki.caPem } });
  }

  /** POSTs a body to /admission/validate over TLS. */
  async post(body: unknown): Promise<{ status: number; json: unknown }> {
    const url = this.service?.admissionUrl;
    if (!url || !this.agent) throw new Error('the service serves no admission webhook');
    const res = await request(url, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, json: await res.body.json() };
  }

  /** GETs a path of the webhook server (`/metrics`, `/ready`) as text. */
  async get(path: string): Promise<{ status: number; text: string }> {
    const url = this.service?.admissionUrl;
    if (!url || !this.agent) throw new Error('the service serves no admission webhook');
    const res = await request(url.replace('/admission/validate', path), { dispatcher: this.agent });
    return { status: res.statusCode, text: await res.body.text() };
  }

  /** The PostgreSQL database's URL (undefined on PGlite). */
  get databaseUrl(): string | undefined {
    return this.dbUrl;
  }

  async stop(): Promise<void> {
    await this.agent?.close();
    this.agent = undefined;
    await this.service?.stop();
    this.service = undefined;
  }

  /** The service's store (and raw database), opened while the service is stopped. */
  async withStore<T>(use: (store: ServiceStore, db: Sql) => Promise<T>): Promise<T> {
    const db: Sql = this.dbUrl
      ? await openLockedDatabase({ kind: 'postgres', url: this.dbUrl }, { mode: 'fail' })
      : await openLockedDatabase({ kind: 'pglite', dataDir: join(this.dataDir, 'db') }, { mode: 'fail' });
    try {
      await migrate(db);
      return await use(createServiceStore(db, createSecretBox(KEY)), db);
    } finally {
      await db.close();
    }
  }
}
