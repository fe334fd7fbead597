import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { kevDriver } from '../feeds/kev/index.js';
import { epssDriver } from '../feeds/epss/index.js';
import { osvDriver } from '../feeds/osv/index.js';
import type { FeedDriver } from '../feed.js';
import { FETCH_STATE_SUFFIX, syncFeed } from '../sync.js';
import { dataPath, tempDir } from '../test-support/feed-data.js';
import { conditionalDownload, loadFetchState } from './conditional-download.js';

const KEV_FILE = dataPath('kev', 'known_exploited_vulnerabilities.json');
const EPSS_FILE = dataPath('epss', 'epss_scores-2026-08-16.csv.gz');
const ETAG = '"kev-2025.08.25"';
const LAST_MODIFIED = 'Mon, 25 Aug 2025 17:04:19 GMT';

type Mode = 'normal' | 'cut-connection' | 'error' | 'truncated-gzip';

/** A real HTTP server on 127.0.0.1 that serves files from the shared data with validators. */
class FeedServer {
  mode: Mode = 'normal';
  requests: IncomingHttpHeaders[] = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests.push(req.headers);
      const body = readFileSync(req.url?.startsWith('/epss') ? EPSS_FILE : KEV_FILE);
      if (this.mode === 'error') {
        res.writeHead(503).end('maintenance');
        return;
      }
      if (this.mode === 'normal' && req.headers['if-none-match'] === ETAG) {
        res.writeHead(304, { etag: ETAG }).end();
        return;
      }
      const headers = { etag: ETAG, 'last-modified': LAST_MODIFIED, 'content-length': String(body.length) };
      if (this.mode === 'cut-connection') {
        // Promise the whole body, send half, then drop the connection.
        res.writeHead(200, headers);
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
        return;
      }
      if (this.mode === 'truncated-gzip') {
        const half = body.subarray(0, Math.floor(body.length / 2));
        res.writeHead(200, { ...headers, 'content-length': String(half.length) }).end(half);
        return;
      }
      res.writeHead(200, headers).end(body);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server?.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const http = { timeoutMs: 30_000, maxBytes: 64 * 1024 * 1024, userAgent: 'portcullis-test' };

describe('conditional download and live sync against a 127.0.0.1 server', () => {
  const server = new FeedServer();
  const tmp = tempDir('feed-fetch');
  let kev: FeedDriver;
  let epss: FeedDriver;

  beforeAll(async () => {
    await server.start();
    kev = {
      ...kevDriver,
      upstream: () => [{ url: server.url('/kev.json'), path: 'known_exploited_vulnerabilities.json' }],
    };
    epss = {
      ...epssDriver,
      upstream: () => [{ url: server.url('/epss.csv.gz'), path: 'epss_scores-current.csv.gz' }],
    };
  });
  afterAll(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('downloads, remembers ETag and Last-Modified, then gets a 304 and reads nothing', async () => {
    server.mode = 'normal';
    server.requests = [];
    const cacheDir = join(tmp.path, 'cache-a');
    let now = new Date('2026-01-01T00:00:00Z');
    const options = { mode: { cacheDir, http }, now: () => now };
    let count = 0;
    const first = await syncFeed(kev, options, () => void count++);
    const dest = join(cacheDir, 'feeds', 'kev', 'known_exploited_vulnerabilities.json');
    expect(readFileSync(dest).equals(readFileSync(KEV_FILE))).toBe(true);
    expect(count).toBe(1404);
    expect(first.freshness).toEqual({
      driver: 'kev',
      lastSync: '2026-01-01T00:00:00.000Z',
      records: 1404,
      sourceVersion: '2025.08.25',
      changed: true,
    });
    const state = await loadFetchState(join(cacheDir, 'feeds', `kev${FETCH_STATE_SUFFIX}`));
    expect(state.files['known_exploited_vulnerabilities.json']).toMatchObject({
      etag: ETAG,
      lastModified: LAST_MODIFIED,
      bytes: readFileSync(KEV_FILE).length,
    });
    expect(server.requests[0]?.['if-none-match']).toBeUndefined();

    now = new Date('2026-01-02T00:00:00Z');
    count = 0;
    const second = await syncFeed(kev, options, () => void count++);
    expect(server.requests[1]?.['if-none-match']).toBe(ETAG);
    expect(server.requests[1]?.['if-modified-since']).toBe(LAST_MODIFIED);
    expect(count).toBe(0);
    expect(second.report).toBeUndefined();
    // Freshness of the last real read is kept: nothing new arrived.
    expect(second.freshness).toEqual({ ...first.freshness, changed: false });
  });

  it('sends no conditional headers when the local copy is gone', async () => {
    server.mode = 'normal';
    server.requests = [];
    const dest = join(tmp.path, 'gone', 'kev.json');
    const previous = {
      url: server.url('/kev.json'),
      etag: ETAG,
      fetchedAt: '2026-01-01T00:00:00Z',
      bytes: 1,
    };
    const result = await conditionalDownload(server.url('/kev.json'), dest, previous, http);
    expect(result.status).toBe('downloaded');
    expect(server.requests[0]?.['if-none-match']).toBeUndefined();
  });

  it('keeps the previous file and state when the connection drops mid-body', async () => {
    const cacheDir = join(tmp.path, 'cache-b');
    server.mode = 'normal';
    await syncFeed(kev, { mode: { cacheDir, http } }, () => undefined);
    const dest = join(cacheDir, 'feeds', 'kev', 'known_exploited_vulnerabilities.json');
    const statePath = join(cacheDir, 'feeds', `kev${FETCH_STATE_SUFFIX}`);
    // Make the local copy look stale, so the server sends a (broken) full response.
    const before = await loadFetchState(statePath);
    writeFileSync(statePath, JSON.stringify({ files: {} }));
    const previousBytes = readFileSync(dest);
    server.mode = 'cut-connection';
    const error = await syncFeed(kev, { mode: { cacheDir, http }, force: true }, () => undefined).catch(
      (e: unknown) => e,
    );
    expect(isPortcullisError(error, 'FEED_FETCH')).toBe(true);
    expect((error as Error).message).toContain('/kev.json');
    expect(readFileSync(dest).equals(previousBytes)).toBe(true);
    expect(readdirSync(join(cacheDir, 'feeds', 'kev'))).toEqual(['known_exploited_vulnerabilities.json']);
    expect(before.files['known_exploited_vulnerabilities.json']?.etag).toBe(ETAG);
  });

  it('keeps the previous file when a complete response is a corrupt gzip', async () => {
    const cacheDir = join(tmp.path, 'cache-c');
    server.mode = 'normal';
    const first = await syncFeed(epss, { mode: { cacheDir, http } }, () => undefined);
    expect(first.freshness.records).toBe(360_142);
    const dest = join(cacheDir, 'feeds', 'epss', 'epss_scores-current.csv.gz');
    writeFileSync(join(cacheDir, 'feeds', `epss${FETCH_STATE_SUFFIX}`), JSON.stringify({ files: {} }));
    server.mode = 'truncated-gzip';
    const error = await syncFeed(epss, { mode: { cacheDir, http } }, () => undefined).catch(
      (e: unknown) => e,
    );
    expect(isPortcullisError(error, 'FEED_CORRUPT')).toBe(true);
    expect(readFileSync(dest).equals(readFileSync(EPSS_FILE))).toBe(true);
    expect(readdirSync(join(cacheDir, 'feeds', 'epss'))).toEqual(['epss_scores-current.csv.gz']);
  });

  it('turns an HTTP error into FEED_FETCH and writes nothing', async () => {
    server.mode = 'error';
    const dest = join(tmp.path, 'error', 'kev.json');
    const error = await conditionalDownload(server.url('/kev.json'), dest, undefined, http).catch(
      (e: unknown) => e,
    );
    expect(isPortcullisError(error, 'FEED_FETCH')).toBe(true);
    expect((error as Error).message).toContain('503');
    expect(existsSync(dest)).toBe(false);
  });

  it('refuses upstream paths that leave the cache directory', async () => {
    const cacheDir = join(tmp.path, 'cache-d');
    const error = await syncFeed(
      osvDriver,
      { mode: { cacheDir, http }, upstream: { osvEcosystems: ['../../escape'], alpineReleases: [] } },
      () => undefined,
    ).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'UNSAFE_PATH')).toBe(true);
    expect(existsSync(join(cacheDir, 'escape'))).toBe(false);
  });

  it('refuses a live sync for a mirror-only feed', async () => {
    const error = await syncFeed(
      { ...kevDriver, id: 'mirror-only', upstream: () => [] },
      { mode: { cacheDir: tmp.path } },
      () => undefined,
    ).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});
