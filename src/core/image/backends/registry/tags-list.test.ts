/**
 * Tag listing: Debian's real `docker-registry` (TLS + htpasswd) paged with `n=` and `Link`
 * headers, and a hostile registry on 127.0.0.1 (endless or looping `next` links, a link to
 * another host, a huge page) that must end in a clear error, never a loop or unbounded memory.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOciLayout } from '../../../../../test/harness/registry/oci-layout.js';
import { registryOpenOptions } from '../../../../../test/harness/registry/options.js';
import { startPagingProxy, type PagingProxy } from '../../../../../test/harness/registry/paging-proxy.js';
import { pushImage } from '../../../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../../../test/harness/registry/start-registry.js';
import { registryClient } from './index.js';
import { DEFAULT_TAG_LIST_LIMITS, listTags, nextLink } from './tags-list.js';

const TAGS = ['1.0', '1.1', '2.0', 'latest', 'rc-1', 'rc-2', 'z'];

describe('listTags against the real docker-registry (TLS, htpasswd)', () => {
  let registry: TestRegistry;
  let root: string;
  let options: ReturnType<typeof registryOpenOptions>;
  let paging: PagingProxy;
  let pagedOptions: ReturnType<typeof registryOpenOptions>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pc-tags-'));
    registry = await startRegistry('tls-basic');
    const layout = await buildOciLayout(join(root, 'layout'), 'latest', [
      { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ 'etc/hello': 'tags\n' }] },
    ]);
    for (const tag of TAGS) await pushImage(registry, `oci:${layout.dir}:latest`, `paged/app:${tag}`);
    options = registryOpenOptions(registry, join(root, 'cache'));
    paging = await startPagingProxy(registry, 3);
    pagedOptions = registryOpenOptions(paging.registry, join(root, 'cache-paged'));
  }, 300_000);
  afterAll(async () => {
    await options?.env.clients.close();
    await pagedOptions?.env.clients.close();
    await paging?.close();
    await registry?.stop();
    await rm(root, { recursive: true, force: true });
  });

  const target = () => ({ client: registryClient(registry.host, options.env), repository: 'paged/app' });

  const paged = () => ({
    client: registryClient(paging.registry.host, pagedOptions.env),
    repository: 'paged/app',
  });

  it('reads the whole list in one page from docker-registry 2.8, which does not page tags', async () => {
    expect(await listTags(target())).toEqual({ tags: [...TAGS].sort(), pages: 1, invalid: 0 });
  });

  it('follows the Link header through pages when the registry pages (n, last)', async () => {
    const before = paging.pagesServed;
    expect(await listTags(paged())).toEqual({ tags: [...TAGS].sort(), pages: 3, invalid: 0 });
    expect(paging.pagesServed - before).toBe(3);
    const small = await listTags(paged(), { ...DEFAULT_TAG_LIST_LIMITS, pageSize: 2 });
    expect(small).toEqual({ tags: [...TAGS].sort(), pages: 4, invalid: 0 });
  });

  it('refuses more tags than the limit instead of truncating', async () => {
    await expect(
      listTags(paged(), { ...DEFAULT_TAG_LIST_LIMITS, pageSize: 2, maxTags: 5 }),
    ).rejects.toMatchObject({ code: 'SIZE_LIMIT', message: expect.stringContaining('more than 5 tags') });
  });

  it('names an unknown repository', async () => {
    const client = registryClient(registry.host, options.env);
    await expect(listTags({ client, repository: 'nothing/here' })).rejects.toMatchObject({
      code: 'REGISTRY_NOT_FOUND',
    });
  });
});

describe('listTags against a hostile registry', () => {
  let server: Server;
  let host = '';
  let root: string;
  let options: ReturnType<typeof registryOpenOptions>;
  let behaviour: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  let requests = 0;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pc-tags-hostile-'));
    server = createServer((req, res) => {
      requests++;
      if (req.url === '/v2/') return res.writeHead(200).end('{}');
      behaviour(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    host = `127.0.0.1:${address.port}`;
    options = registryOpenOptions(
      { host, mode: 'plain', caPem: '', username: '', password: '' },
      join(root, 'cache'),
      { retries: 0 },
    );
  });
  afterAll(async () => {
    await options?.env.clients.close();
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  const list = (limits = DEFAULT_TAG_LIST_LIMITS) =>
    listTags({ client: registryClient(host, options.env), repository: 'evil/app' }, limits);
  const page = (res: ServerResponse, tags: string[], link?: string) =>
    res
      .writeHead(200, { 'content-type': 'application/json', ...(link ? { link } : {}) })
      .end(JSON.stringify({ name: 'evil/app', tags }));

  it('stops endless next links at the page limit', async () => {
    let n = 0;
    behaviour = (_req, res) => {
      n++;
      page(res, [`t${n}`], `</v2/evil/app/tags/list?n=1&last=t${n}>; rel="next"`);
    };
    requests = 0;
    await expect(list({ ...DEFAULT_TAG_LIST_LIMITS, maxPages: 20 })).rejects.toMatchObject({
      code: 'SIZE_LIMIT',
      message: expect.stringContaining('more than 20 pages'),
    });
    expect(requests).toBeLessThanOrEqual(21);
  });

  it('refuses a next link that loops, leaves the origin or the tag list', async () => {
    behaviour = (_req, res) => page(res, ['a'], '</v2/evil/app/tags/list?n=1000>; rel="next"');
    await expect(list()).rejects.toMatchObject({ code: 'REGISTRY_PROTOCOL', message: /loop/ });
    behaviour = (_req, res) =>
      page(res, ['a'], '<https://elsewhere.example/v2/evil/app/tags/list>; rel="next"');
    await expect(list()).rejects.toMatchObject({ code: 'REGISTRY_PROTOCOL', message: /leaves/ });
    behaviour = (_req, res) => page(res, ['a'], '</v2/other/app/tags/list?last=a>; rel="next"');
    await expect(list()).rejects.toMatchObject({ code: 'REGISTRY_PROTOCOL', message: /leaves/ });
  });

  it('refuses a page larger than the byte limit and drops names that are not tags', async () => {
    behaviour = (_req, res) =>
      page(
        res,
        Array.from({ length: 5000 }, (_, i) => `tag-${i}`),
      );
    await expect(list({ ...DEFAULT_TAG_LIST_LIMITS, maxPageBytes: 10_000 })).rejects.toMatchObject({
      code: 'SIZE_LIMIT',
    });
    behaviour = (_req, res) => page(res, ['ok', '../../etc', 'x'.repeat(200), '-bad', 'fine_2']);
    expect(await list()).toEqual({ tags: ['fine_2', 'ok'], pages: 1, invalid: 3 });
    behaviour = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[1,2');
    await expect(list()).rejects.toMatchObject({ code: 'REGISTRY_PROTOCOL' });
  });

  it('reads the next link among other Link values', () => {
    expect(nextLink('</a>; rel="prev", </v2/x/tags/list?n=2&last=b>; rel="next"')).toBe(
      '/v2/x/tags/list?n=2&last=b',
    );
    expect(nextLink('</a>; rel="prev"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});
