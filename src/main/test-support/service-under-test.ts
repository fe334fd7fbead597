/**
 * `serve --role all` in this process on one of the test stores, started from flags as the CLI
 * resolves them, with the admin's basic auth for API calls. The store can be opened while the
 * service is stopped (PGlite belongs to one process at a time).
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { openTestDatabase, type StoreKind } from '../../../test/harness/databases.js';
import { resolveServiceConfig, type ServeFlags } from '../../config/service.js';
import { openLockedDatabase } from '../../store/open-embedded.js';
import { createServiceStore, type ServiceStore } from '../../store/repositories/index.js';
import { createSecretBox } from '../../store/repositories/secret-box.js';
import type { Sql } from '../../store/sql.js';
import { startService, type RunningService } from '../serve.js';

const KEY = Buffer.alloc(32, 9);
const PASSWORD = 'admin-password-for-tests';

export class ServiceUnderTest {
  private service: RunningService | undefined;
  private dataDir = '';
  private dbUrl: string | undefined;

  constructor(
    private readonly kind: StoreKind,
    private readonly work: string,
  ) {}

  async start(flags: ServeFlags): Promise<void> {
    this.dataDir ||= await mkdtemp(join(this.work, 'data-'));
    if (this.kind !== 'PGlite' && !this.dbUrl) {
      const database = await openTestDatabase(this.kind);
      this.dbUrl = database.url;
      await database.stop();
    }
    const config = resolveServiceConfig(
      {
        dataDir: this.dataDir,
        listen: '127.0.0.1:0',
        feedSyncInterval: 'off',
        tagWatchInterval: 'off',
        ...(this.dbUrl ? { dbUrl: this.dbUrl } : {}),
        ...flags,
      },
      { HOME: this.work, PORTCULLIS_ADMIN_PASSWORD: PASSWORD, PORTCULLIS_SECRET_KEY: KEY.toString('hex') },
    );
    this.service = await startService(config, pino({ level: 'silent' }));
  }

  get url(): string {
    if (!this.service?.url) throw new Error('the service is not running');
    return this.service.url;
  }

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  }

  async stop(): Promise<void> {
    await this.service?.stop();
    this.service = undefined;
  }

  /** The service's store, opened while the service is stopped. */
  async withStore<T>(use: (store: ServiceStore, db: Sql) => Promise<T>): Promise<T> {
    const db: Sql = this.dbUrl
      ? await openLockedDatabase({ kind: 'postgres', url: this.dbUrl }, { mode: 'fail' })
      : await openLockedDatabase({ kind: 'pglite', dataDir: join(this.dataDir, 'db') }, { mode: 'fail' });
    try {
      return await use(createServiceStore(db, createSecretBox(KEY)), db);
    } finally {
      await db.close();
    }
  }
}
