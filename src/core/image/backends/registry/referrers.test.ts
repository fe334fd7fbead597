/**
 * Referrers when only one side speaks the OCI 1.1 referrers API. The side that does is a real
 * HTTP server on 127.0.0.1 in front of docker-registry answering `/referrers/` from the
 * manifests stored through it (test/harness/registry/referrers-proxy.ts); the side that does
 * not is docker-registry itself (TLS + htpasswd, or plain).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOciLayout } from '../../../../../test/harness/registry/oci-layout.js';
import { inspectRaw, pushImage } from '../../../../../test/harness/registry/push.js';
import {
  startReferrersProxy,
  type ReferrersProxy,
} from '../../../../../test/harness/registry/referrers-proxy.js';
import { startRegistry, type TestRegistry } from '../../../../../test/harness/registry/start-registry.js';
import { MEDIA } from '../../media-types.js';
import type { ImageEnvironment } from '../../options.js';
import { testImageOptions } from '../../test-support/image-options.js';
import { copyImage } from './copy.js';
import { registryClient } from './index.js';
import type { RepositoryTarget } from './push.js';

const MAX = 4 * 1024 * 1024;
const SBOM = 'application/vnd.example.sbom.v1';
const SIGNATURE = 'application/vnd.example.signature.v1';
let work: string;
let b: TestRegistry;
let plain: TestRegistry;
let api: ReferrersProxy;
/** A second API front over the same registry: a destination that speaks the API as well. */
let apiDestination: ReferrersProxy;
let subject: { digest: string; size: number };
const opened: ImageEnvironment[] = [];

const sha = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function options(...registries: TestRegistry[]): ImageEnvironment {
  const credentials = Object.fromEntries(
    registries
      .filter((r) => r.username)
      .map((r) => [r.host, { username: r.username ?? '', password: r.password ?? '' }]),
  );
  const { env } = testImageOptions({
    cacheDir: work,
    registry: {
      extraCaPem: registries.flatMap((r) => (r.caPem ? [r.caPem] : [])),
      insecureHosts: ['*'],
      timeoutMs: 10_000,
      retries: 1,
    },
    credentials,
  });
  opened.push(env);
  return env;
}

const target = (env: ImageEnvironment, host: string, repository: string): RepositoryTarget => ({
  client: registryClient(host, env),
  repository,
});

/** Pushes a blob, then a manifest under `reference`, over plain HTTP without auth. */
async function pushPlain(host: string, repo: string, reference: string, doc: object, blob?: Buffer) {
  for (const data of blob ? [Buffer.from('{}'), blob] : [Buffer.from('{}')]) {
    const started = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    expect(started.status).toBe(202);
    const url = new URL(started.headers.get('location') ?? '', `http://${host}`);
    url.searchParams.set('digest', sha(data));
    expect((await fetch(url, { method: 'PUT', body: data })).status).toBe(201);
  }
  const raw = Buffer.from(JSON.stringify(doc));
  const put = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': (doc as { mediaType: string }).mediaType },
    body: raw,
  });
  expect(put.status).toBe(201);
  return { digest: sha(raw), size: raw.length, raw };
}

/** An artifact manifest (OCI image manifest with artifactType) referring to the subject. */
function artifact(artifactType: string, content: string) {
  const blob = Buffer.from(content);
  const doc = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha('{}'), size: 2 },
    layers: [{ mediaType: 'application/octet-stream', digest: sha(blob), size: blob.length }],
    subject: { mediaType: MEDIA.ociManifest, ...subject },
    annotations: { 'org.opencontainers.image.created': '2026-12-06T00:00:00Z' },
  };
  return { doc, blob };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-referrers-test-'));
  [b, plain] = await Promise.all([startRegistry('tls-basic'), startRegistry('plain')]);
  const image = await buildOciLayout(join(work, 'image'), 'image', [
    { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ 'etc/hello': 'hello\n' }] },
  ]);
  // One image in two repositories of the plain registry; the API proxy fronts the first.
  await pushImage(plain, `oci:${image.dir}:image`, 'api-src/app:1');
  await pushImage(plain, `oci:${image.dir}:image`, 'tag-src/app:1');
  await pushImage(plain, `oci:${image.dir}:image`, 'both-src/app:1');
  const raw = await inspectRaw(plain, 'api-src/app:1');
  subject = { digest: sha(raw), size: raw.length };
  [api, apiDestination] = await Promise.all([
    startReferrersProxy(plain.host),
    startReferrersProxy(plain.host),
  ]);
}, 600_000);

afterAll(async () => {
  for (const env of opened) await env.clients.close();
  await api?.close();
  await apiDestination?.close();
  await Promise.all([b?.stop(), plain?.stop()]);
  await rm(work, { recursive: true, force: true });
});

describe('referrers across registries that differ', () => {
  it('source speaks the referrers API, destination does not: referrers listed in the sha256-<hex> index', async () => {
    const sbom = artifact(SBOM, '{"spdxVersion":"SPDX-2.3"}');
    const sig = artifact(SIGNATURE, 'signature bytes');
    const pushed = [];
    for (const a of [sbom, sig]) {
      const d = sha(JSON.stringify(a.doc));
      pushed.push(await pushPlain(api.host, 'api-src/app', d, a.doc, a.blob));
    }
    expect(api.referrers.get(`api-src/app@${subject.digest}`)).toHaveLength(2);

    const o = options(b, plain);
    const request = {
      source: target(o, api.host, 'api-src/app'),
      destination: target(o, b.host, 'promoted/app'),
      digest: subject.digest,
      tags: ['1'],
      maxManifestBytes: MAX,
    };
    const result = await copyImage(request);
    const tag = subject.digest.replace(':', '-');
    expect(result.referrers).toEqual([...pushed.map((p) => p.digest), tag]);
    for (const p of pushed) expect(sha(await inspectRaw(b, `promoted/app@${p.digest}`))).toBe(p.digest);
    const index = JSON.parse((await inspectRaw(b, `promoted/app:${tag}`)).toString('utf8')) as {
      mediaType: string;
      manifests: { digest: string; artifactType?: string; annotations?: Record<string, string> }[];
    };
    expect(index.mediaType).toBe(MEDIA.ociIndex);
    expect(index.manifests.map((m) => [m.digest, m.artifactType])).toEqual([
      [pushed[0]?.digest, SBOM],
      [pushed[1]?.digest, SIGNATURE],
    ]);
    expect(index.manifests[0]?.annotations).toEqual(sbom.doc.annotations);

    // Copied again: no duplicate entries, the index keeps its digest.
    const before = sha(await inspectRaw(b, `promoted/app:${tag}`));
    await copyImage(request);
    expect(sha(await inspectRaw(b, `promoted/app:${tag}`))).toBe(before);
  });

  it('source has only the tag-schema index, destination speaks the API: it lists the referrers', async () => {
    const sbom = artifact(SBOM, '{"spdxVersion":"SPDX-2.3","name":"tag-schema"}');
    const referrer = await pushPlain(
      plain.host,
      'tag-src/app',
      sha(JSON.stringify(sbom.doc)),
      sbom.doc,
      sbom.blob,
    );
    const tag = subject.digest.replace(':', '-');
    const fallback = {
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: [
        {
          mediaType: MEDIA.ociManifest,
          digest: referrer.digest,
          size: referrer.size,
          artifactType: SBOM,
          annotations: sbom.doc.annotations,
        },
      ],
    };
    await pushPlain(plain.host, 'tag-src/app', tag, fallback);

    const o = options(plain);
    const result = await copyImage({
      source: target(o, plain.host, 'tag-src/app'),
      destination: target(o, api.host, 'promoted/app'),
      digest: subject.digest,
      tags: ['1'],
      maxManifestBytes: MAX,
    });
    expect(result.referrers).toEqual([tag]);
    const listed = await fetch(`http://${api.host}/v2/promoted/app/referrers/${subject.digest}`);
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { manifests: { digest: string; artifactType?: string }[] };
    expect(body.manifests.map((m) => [m.digest, m.artifactType])).toEqual([[referrer.digest, SBOM]]);
    expect(sha(await inspectRaw(plain, `promoted/app@${referrer.digest}`))).toBe(referrer.digest);
    expect(sha(await inspectRaw(plain, 'promoted/app:1'))).toBe(subject.digest);
  });

  it('both sides speak the referrers API: each referrer copied by digest and listed by the destination, no fallback tag', async () => {
    const sbom = artifact(SBOM, '{"spdxVersion":"SPDX-2.3","name":"both-sides"}');
    const sig = artifact(SIGNATURE, 'both-sides signature');
    const pushed = [];
    for (const a of [sbom, sig])
      pushed.push(await pushPlain(api.host, 'both-src/app', sha(JSON.stringify(a.doc)), a.doc, a.blob));

    const o = options(plain);
    const result = await copyImage({
      source: target(o, api.host, 'both-src/app'),
      destination: target(o, apiDestination.host, 'both-dst/app'),
      digest: subject.digest,
      tags: ['1'],
      maxManifestBytes: MAX,
    });
    // Only the referrers themselves: the destination lists them, so no `sha256-<hex>` index is written.
    expect(result.referrers).toEqual(pushed.map((p) => p.digest));
    const listed = await fetch(`http://${apiDestination.host}/v2/both-dst/app/referrers/${subject.digest}`);
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { manifests: { digest: string; artifactType?: string }[] };
    expect(body.manifests.map((m) => [m.digest, m.artifactType])).toEqual([
      [pushed[0]?.digest, SBOM],
      [pushed[1]?.digest, SIGNATURE],
    ]);
    for (const p of pushed) expect(sha(await inspectRaw(plain, `both-dst/app@${p.digest}`))).toBe(p.digest);
    expect(
      await inspectRaw(plain, `both-dst/app:${subject.digest.replace(':', '-')}`).catch(() => 'absent'),
    ).toBe('absent');
    expect(sha(await inspectRaw(plain, 'both-dst/app:1'))).toBe(subject.digest);
    // The referrers went through the destination's own API front, after the subject.
    const puts = apiDestination.seen.filter((s) => s.startsWith('PUT') && s.includes('/manifests/'));
    expect(puts.at(0)).toContain(`/manifests/${subject.digest}`);
    expect(puts.at(-1)).toContain('/manifests/1');
  });
});
