/** syncFeed paths the driver tests do not cover: follow-up rounds and a mirror without the source. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedDriver } from './feed.js';
import { ABSENT_FROM_MIRROR, syncFeed } from './sync.js';
import { tempDir } from './test-support/feed-data.js';

const FILES: Record<string, string> = {
  '/index.txt': 'data-v2.json\n',
  '/data-v2.json': '{"ids":["A-1","A-2"]}',
};

describe('syncFeed', () => {
  const temp = tempDir('sync');
  let server: Server;
  let base = '';
  const requested: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requested.push(req.url ?? '');
      const body = FILES[req.url ?? ''];
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/octet-stream' });
      res.end(body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    temp.cleanup();
  });

  /** A driver whose data file is named by an index, like repomd.xml or archive_latest.txt. */
  const indexed = (): FeedDriver => ({
    id: 'indexed',
    version: 1,
    mirrorSubdir: 'indexed',
    upstream: () => [{ url: `${base}/index.txt`, path: 'index.txt' }],
    followUp: async (dir, round) => {
      if (round > 1) return [];
      const name = readFileSync(join(dir, 'index.txt'), 'utf8').trim();
      return [{ url: `${base}/${name}`, path: 'data.json' }];
    },
    read: async (source, onRecord, report) => {
      const dir = 'dir' in source ? source.dir : '';
      report.file(join(dir, 'data.json'));
      const { ids } = JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8')) as { ids: string[] };
      for (const id of ids) {
        report.entry();
        await onRecord({
          kind: 'kev',
          kev: { cve: id, dateAdded: '', dueDate: '', knownRansomware: false, vendor: '', product: '' },
        });
        report.record();
      }
      return {};
    },
  });

  it('downloads the files a follow-up round names, then reads them', async () => {
    const cacheDir = join(temp.path, 'cache');
    const seen: string[] = [];
    const result = await syncFeed(indexed(), { mode: { cacheDir } }, (r) => {
      if (r.kind === 'kev') seen.push(r.kev.cve);
    });
    expect(requested).toEqual(['/index.txt', '/data-v2.json']);
    expect(seen).toEqual(['A-1', 'A-2']);
    expect(result.freshness).toMatchObject({ driver: 'indexed', records: 2, changed: true });
  });

  it('reads a source the mirror does not carry as empty, never as a failure', async () => {
    const mirrorDir = join(temp.path, 'mirror');
    mkdirSync(mirrorDir, { recursive: true });
    writeFileSync(join(mirrorDir, 'unrelated.txt'), 'x');
    let calls = 0;
    const result = await syncFeed(indexed(), { mode: { mirrorDir } }, () => void calls++);
    expect(calls).toBe(0);
    expect(result.report).toMatchObject({ driver: 'indexed', files: [], entries: 0, records: 0 });
    expect(result.freshness).toMatchObject({ records: 0, sourceVersion: ABSENT_FROM_MIRROR, changed: true });
  });
});
