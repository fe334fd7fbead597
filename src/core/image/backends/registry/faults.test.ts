/**
 * Registry failures the real docker-registry will not produce on demand, injected by a
 * proxy on 127.0.0.1 in front of it: 429/5xx/403, garbage, schema 1, digest lies, altered
 * blobs, redirects to blob storage, dropped connections, hangs, unreachable hosts.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openImages } from '../../open.js';
import type { RegistryOptions } from '../../options.js';
import { startBlobStore } from '../../../../../test/harness/registry/fault-proxy.js';
import { registryOpenOptions } from '../../../../../test/harness/registry/options.js';
import { useProxiedImage } from '../../../../../test/harness/registry/proxied-image.js';
import { caught, drain } from '../../../../../test/harness/registry/read-all.js';
import { freePort } from '../../../../../test/harness/registry/start-registry.js';
import { pair } from '../../test-support/image-options.js';

const CREDS = { username: 'proxy-user', password: 'proxy-pass' };

const fx = useProxiedImage({
  name: 'faults',
  repository: 'app/single:v1',
  layers: [{ 'a.txt': 'first\n' }, { 'b.txt': 'second\n' }],
  proxyCredentials: CREDS,
});

const manifest = () => fx.built.images[0]?.manifest as { digest: string; bytes: Buffer };
const layer0 = () => fx.built.images[0]?.layers[0] as { digest: string; bytes: Buffer; tar: Buffer };

async function options(over: Partial<RegistryOptions> = {}) {
  const cache = await mkdtemp(join(fx.work, 'cache-'));
  return registryOpenOptions({ host: fx.proxy.host, mode: 'plain', caPem: '', ...CREDS }, cache, {
    timeoutMs: 5_000,
    retries: 2,
    ...over,
  });
}

async function readLayers(ref: string, opts: Awaited<ReturnType<typeof options>>): Promise<Buffer[]> {
  const [img] = await openImages(`${fx.proxy.host}/app/single${ref}`, opts.env, opts.request);
  const out: Buffer[] = [];
  for (const layer of (await img?.layers()) ?? []) out.push(await drain(await layer.uncompressed()));
  return out;
}

const count = (part: string) =>
  fx.proxy.seen.filter((r) => r.method === 'GET' && r.path.includes(part)).length;

describe('registry faults', () => {
  it('waits out 429 + Retry-After twice, then succeeds', async () => {
    fx.proxy.fault = ({ req, res, repeat }) => {
      if (!req.url?.includes('/manifests/') || repeat >= 2) return false;
      res.writeHead(429, { 'retry-after': '1' }).end();
      return true;
    };
    const layers = await readLayers(':v1', await options());
    expect(layers[0]?.equals(layer0().tar)).toBe(true);
    expect(count('/manifests/v1')).toBe(3);
  });

  it('retries a 500 and a dropped connection, then succeeds', async () => {
    fx.proxy.fault = ({ req, res, repeat }) => {
      if (repeat > 0) return false;
      if (req.url?.includes('/manifests/')) res.writeHead(500).end('oops');
      else if (req.url?.includes(`/blobs/${layer0().digest}`)) req.socket.destroy();
      else return false;
      return true;
    };
    const layers = await readLayers(':v1', await options());
    expect(layers[0]?.equals(layer0().tar)).toBe(true);
    expect(count('/manifests/v1')).toBe(2);
    expect(count(`/blobs/${layer0().digest}`)).toBe(2);
  });

  it.each([
    [500, 'REGISTRY_ERROR'],
    [503, 'REGISTRY_ERROR'],
    [429, 'REGISTRY_RATE_LIMITED'],
    [403, 'REGISTRY_DENIED'],
  ])('gives up on a steady %i with %s after the configured retries', async (status, code) => {
    fx.proxy.fault = ({ req, res }) => {
      if (!req.url?.includes('/manifests/')) return false;
      res.writeHead(status, { 'retry-after': '0', 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"TEST","message":"injected"}]}');
      return true;
    };
    const err = await caught(readLayers(':v1', await options({ retries: 2 })));
    expect(err.code).toBe(code);
    expect(err.message).toContain('app/single');
    expect(count('/manifests/v1')).toBe(status === 403 ? 1 : 3);
  });

  it('does not wait out a Retry-After beyond a minute: REGISTRY_RATE_LIMITED at once', async () => {
    fx.proxy.fault = ({ req, res }) => {
      if (!req.url?.includes('/manifests/')) return false;
      res.writeHead(429, { 'retry-after': '3600' }).end();
      return true;
    };
    const err = await caught(readLayers(':v1', await options({ retries: 4 })));
    expect(err.code).toBe('REGISTRY_RATE_LIMITED');
    expect(err.message).toContain('Retry-After 3600');
    expect(count('/manifests/v1')).toBe(1);
  });

  it.each([
    ['not JSON', 'application/vnd.oci.image.manifest.v1+json', '<html>gateway</html>', 'MANIFEST_INVALID'],
    [
      'JSON without layers',
      'application/vnd.oci.image.manifest.v1+json',
      '{"schemaVersion":2}',
      'MANIFEST_INVALID',
    ],
    [
      'schema 1',
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
      '{"schemaVersion":1,"name":"app/single","tag":"v1","fsLayers":[]}',
      'SCHEMA1_MANIFEST',
    ],
  ])('refuses a manifest that is %s', async (_name, type, body, code) => {
    fx.proxy.fault = ({ req, res }) => {
      if (!req.url?.includes('/manifests/')) return false;
      res.writeHead(200, { 'content-type': type }).end(body);
      return true;
    };
    const err = await caught(readLayers(':v1', await options()));
    expect(err.code).toBe(code);
    expect(err.message).toContain('app/single');
  });

  it('checks Docker-Content-Digest, and the body itself for by-digest pulls', async () => {
    fx.proxy.fault = async ({ req, res, upstream }) => {
      if (!req.url?.includes('/manifests/')) return false;
      const up = await upstream();
      const lie = `sha256:${createHash('sha256').update('something else').digest('hex')}`;
      res.writeHead(200, { ...up.headers, 'docker-content-digest': lie }).end(up.body);
      return true;
    };
    expect((await caught(readLayers(':v1', await options()))).code).toBe('DIGEST_MISMATCH');
    fx.proxy.fault = async ({ req, res, upstream }) => {
      if (!req.url?.includes('/manifests/')) return false;
      const up = await upstream();
      delete up.headers['docker-content-digest'];
      res.writeHead(200, up.headers).end(Buffer.concat([up.body, Buffer.from('\n')]));
      return true;
    };
    const err = await caught(readLayers(`@${manifest().digest}`, await options()));
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.message).toContain(manifest().digest);
  });

  it('fails an altered blob with DIGEST_MISMATCH and does not cache it', async () => {
    fx.proxy.fault = async ({ req, res, upstream }) => {
      if (!req.url?.includes(`/blobs/${layer0().digest}`)) return false;
      const up = await upstream();
      const body = Buffer.from(up.body);
      body[body.length - 10] = (body[body.length - 10] as number) ^ 0xff;
      res.writeHead(200, up.headers).end(body);
      return true;
    };
    const opts = await options();
    const [img] = await openImages(`${fx.proxy.host}/app/single:v1`, opts.env, opts.request);
    const [layer] = (await img?.layers()) ?? [];
    // The blob is checked against its digest as it downloads, before any byte is handed out.
    const err = await caught((layer as NonNullable<typeof layer>).compressed().then(drain));
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.message).toContain(layer0().digest);
    const cached = await readdir(join(opts.env.cacheDir, 'blobs', 'sha256')).catch(() => [] as string[]);
    expect(cached).not.toContain(layer0().digest.slice(7));
    expect(cached.filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it.each([
    ['dropped', 'REGISTRY_UNREACHABLE'],
    ['stalled', 'TIMEOUT'],
  ])('fails a blob whose connection is %s mid-body with %s and leaves no cache file', async (how, code) => {
    fx.proxy.fault = async ({ req, res, upstream }) => {
      if (!req.url?.includes(`/blobs/${layer0().digest}`)) return false;
      const up = await upstream();
      res.writeHead(200, { ...up.headers, 'content-length': String(up.body.length) });
      res.write(up.body.subarray(0, Math.floor(up.body.length / 2)));
      if (how === 'dropped') setTimeout(() => req.socket.destroy(), 20);
      return true;
    };
    const opts = await options({ timeoutMs: 400, retries: 0 });
    const [img] = await openImages(`${fx.proxy.host}/app/single:v1`, opts.env, opts.request);
    const [layer] = (await img?.layers()) ?? [];
    const err = await caught((layer as NonNullable<typeof layer>).compressed().then(drain));
    expect(err.code).toBe(code);
    expect(err.message).toContain(layer0().digest);
    const cached = await readdir(join(opts.env.cacheDir, 'blobs', 'sha256')).catch(() => [] as string[]);
    expect(cached.filter((f) => f.startsWith(layer0().digest.slice(7)))).toEqual([]);
  });

  it('follows a redirect to blob storage without sending the fx.registry credentials there', async () => {
    const store = await startBlobStore(new Map([[layer0().digest.slice(7), layer0().bytes]]));
    try {
      fx.proxy.fault = ({ req, res }) => {
        if (!req.url?.includes(`/blobs/${layer0().digest}`)) return false;
        res
          .writeHead(307, { location: `http://${store.host}/${layer0().digest.slice(7)}?signature=x` })
          .end();
        return true;
      };
      const layers = await readLayers(':v1', await options());
      expect(layers[0]?.equals(layer0().tar)).toBe(true);
      expect(fx.proxy.seen.find((r) => r.path.includes(`/blobs/${layer0().digest}`))?.authorization).toMatch(
        /^Basic /,
      );
      expect(store.seen).toHaveLength(1);
      expect(store.seen[0]?.authorization).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('reads blobs from the cache the second time', async () => {
    const opts = await options();
    const first = await readLayers(':v1', opts);
    const blobRequests = count('/blobs/');
    expect(blobRequests).toBe(3); // config + two layers
    const second = await readLayers(':v1', opts);
    expect(count('/blobs/')).toBe(blobRequests);
    expect(second.map((b) => b.toString('hex'))).toEqual(first.map((b) => b.toString('hex')));
  });

  it('refuses a manifest over the size limit with SIZE_LIMIT', async () => {
    const opts = await options();
    const err = await caught(
      openImages(
        `${fx.proxy.host}/app/single:v1`,
        { ...opts.env, limits: { ...opts.env.limits, maxManifestBytes: 100 } },
        opts.request,
      ),
    );
    expect(err.code).toBe('SIZE_LIMIT');
  });

  it('gives TIMEOUT when the fx.registry never answers', async () => {
    fx.proxy.fault = ({ req }) => Boolean(req.url?.includes('/manifests/'));
    const err = await caught(readLayers(':v1', await options({ timeoutMs: 300, retries: 0 })));
    expect(err.code).toBe('TIMEOUT');
  });

  it('gives REGISTRY_PROTOCOL when the token server answers garbage', async () => {
    fx.proxy.fault = ({ req, res }) => {
      if (req.url === '/v2/') {
        res
          .writeHead(401, { 'www-authenticate': `Bearer realm="http://${fx.proxy.host}/token",service="t"` })
          .end();
        return true;
      }
      if (req.url?.startsWith('/token')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"nope":');
        return true;
      }
      return false;
    };
    const err = await caught(readLayers(':v1', await options()));
    expect(err.code).toBe('REGISTRY_PROTOCOL');
    expect(err.message).toContain('/token');
  });

  it('will not send credentials to a plain-HTTP token server on a host not marked insecure', async () => {
    const port = fx.proxy.host.split(':')[1] ?? '';
    fx.proxy.fault = ({ req, res }) => {
      if (req.url !== '/v2/') return false;
      res
        .writeHead(401, { 'www-authenticate': `Bearer realm="http://localhost:${port}/token",service="t"` })
        .end();
      return true;
    };
    const err = await caught(readLayers(':v1', await options({ insecureHosts: [fx.proxy.host] })));
    expect(err.code).toBe('REGISTRY_PROTOCOL');
    expect(err.message).toContain(`plain-HTTP token server http://localhost:${port}`);
    expect(count('/token')).toBe(0);
  });

  it('gives REGISTRY_UNREACHABLE for a closed port', async () => {
    const port = await freePort();
    const err = await caught(openImages(`127.0.0.1:${port}/app/single:v1`, ...pair(await options())));
    expect(err.code).toBe('REGISTRY_UNREACHABLE');
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });
});
