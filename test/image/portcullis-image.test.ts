/**
 * The Portcullis container image as CI builds it (scripts/image, no Docker daemon): built twice
 * from the same npm tarball and SOURCE_DATE_EPOCH, it has the same digest; its config runs the
 * service as a non-root user with OCI labels; its SBOM (Portcullis's own) lists exactly the
 * Debian packages dpkg-query sees and the npm packages npm installed; Portcullis evaluates it
 * with the image's own policy bundle against the shared data snapshot and passes; and started
 * with runc from `umoci unpack`, it answers /v1/ready and every HTTP probe path of the
 * Kubernetes manifests, as uid 10001.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, type BuiltImage } from '../../scripts/image/build.js';
import { OVERLAYS, renderOverlay } from '../../src/admission/manifest-render.js';
import { packRepository, REPO_ROOT } from '../../scripts/image/app.js';
import { DATA_DIR, IMAGE_VERSION, PORTCULLIS_IMAGE, USER } from '../../scripts/image/config.js';
import { run } from '../harness/fixtures/exec.js';
import { runCli } from '../support/cli.js';
import { dpkgInstalled } from '../support/dpkg-truth.js';
import { SHARED_DATA } from '../support/shared-data.js';
import { freePort, runImage } from './run-bundle.js';

/** A fixed SOURCE_DATE_EPOCH (2026-01-01T00:00:00Z), so the cached base layer is reused. */
const EPOCH = 1767225600;

let root: string;
let first: BuiltImage;
let second: BuiltImage;

interface ImageConfig {
  created: string;
  config: {
    User: string;
    Entrypoint: string[];
    Cmd: string[];
    Env: string[];
    ExposedPorts: Record<string, object>;
    Labels: Record<string, string>;
  };
  history: { created: string }[];
}

/** The httpGet paths of every probe in the rendered overlays. */
async function probePaths(): Promise<Set<string>> {
  const paths = new Set<string>();
  for (const overlay of OVERLAYS) {
    const text = JSON.stringify(await renderOverlay(overlay));
    // The API's and worker's probes (port `http`); the webhook-only container's HTTPS
    // `/ready` and `/health` are asked in src/main/admission-revocation.test.ts.
    for (const m of text.matchAll(/"httpGet":\{"path":"([^"]+)","port":"http"/g)) paths.add(m[1] ?? '');
  }
  return paths;
}

async function blob(layout: string, digest: string): Promise<string> {
  return readFile(join(layout, 'blobs', 'sha256', digest.replace('sha256:', '')), 'utf8');
}

async function imageConfig(image: BuiltImage): Promise<ImageConfig> {
  const manifest = JSON.parse(await blob(image.layout, image.digest)) as { config: { digest: string } };
  return JSON.parse(await blob(image.layout, manifest.config.digest)) as ImageConfig;
}

beforeAll(async () => {
  delete process.env.PORTCULLIS_DB_URL;
  root = await mkdtemp(join(tmpdir(), 'pc-image-'));
  const tarball = await packRepository(join(root, 'pack'));
  first = await buildImage({ layout: join(root, 'first'), epoch: EPOCH, tarball, revision: 'test' });
  second = await buildImage({ layout: join(root, 'second'), epoch: EPOCH, tarball, revision: 'test' });
}, 1_800_000);
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('the Portcullis image', () => {
  it('is reproducible: two builds from the same inputs have the same digest and blobs', async () => {
    expect(second.digest).toBe(first.digest);
    const blobs = async (layout: string) => (await readdir(join(layout, 'blobs', 'sha256'))).sort();
    expect(await blobs(second.layout)).toEqual(await blobs(first.layout));
  });

  it('runs `portcullis serve` as a non-root user, with OCI labels and every time SOURCE_DATE_EPOCH', async () => {
    const config = await imageConfig(first);
    const when = new Date(EPOCH * 1000).toISOString().replace('.000Z', 'Z');
    expect(config.config.User).toBe(`${USER.uid}:${USER.gid}`);
    expect(config.config.Entrypoint).toEqual(['/usr/local/bin/portcullis']);
    expect(config.config.Cmd).toEqual(['serve']);
    expect(config.config.Env).toContain(`PORTCULLIS_DATA_DIR=${DATA_DIR}`);
    expect(Object.keys(config.config.ExposedPorts).sort()).toEqual(['8080/tcp', '8443/tcp']);
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.version': IMAGE_VERSION,
      'org.opencontainers.image.ref.name': PORTCULLIS_IMAGE,
      'org.opencontainers.image.revision': 'test',
      'org.opencontainers.image.created': when,
      'org.opencontainers.image.licenses': 'Apache-2.0',
    });
    expect([config.created, ...config.history.map((h) => h.created)]).toEqual([when, when, when]);
  });

  it('has an SBOM listing exactly the Debian packages and the npm packages that went in', async () => {
    const bundle = join(root, 'sbom-bundle');
    await run('umoci', ['unpack', '--image', `${first.layout}:${first.tag}`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    const { code, out, err } = await runCli(['sbom', `oci-dir:${first.layout}:${first.tag}`, '-o', 'native']);
    expect(code, err).toBe(0);
    const sbom = JSON.parse(out) as {
      distro?: { id: string; versionId?: string };
      packages: { type: string; name: string; version: string; locations: { path: string }[] }[];
    };
    expect(sbom.distro).toMatchObject({ id: 'debian', versionId: '13' });
    const debs = new Set(sbom.packages.filter((p) => p.type === 'deb').map((p) => `${p.name}@${p.version}`));
    expect(debs).toEqual(dpkgInstalled(rootfs));
    expect([...debs].some((d) => d.startsWith('nodejs@20.'))).toBe(true);
    // npm's own record of what it installed: node_modules/.package-lock.json.
    const hidden = JSON.parse(
      await readFile(join(rootfs, 'opt/portcullis/node_modules/.package-lock.json'), 'utf8'),
    ) as { packages: Record<string, { version?: string; name?: string }> };
    const installed = new Set(
      Object.entries(hidden.packages).map(
        ([path, p]) => `${p.name ?? path.split('node_modules/').pop()}@${p.version}`,
      ),
    );
    const npm = new Set(
      sbom.packages
        .filter(
          (p) =>
            p.type === 'npm' && p.locations.some((l) => l.path.startsWith('/opt/portcullis/node_modules/')),
        )
        .map((p) => `${p.name}@${p.version}`),
    );
    expect(npm).toEqual(installed);
  });

  it('passes its own policy bundle, evaluated by Portcullis against the data snapshot', async () => {
    const cache = join(root, 'cache');
    const update = await runCli(['--cache-dir', cache, 'db', 'update', '--mirror', SHARED_DATA]);
    expect(update.code, update.err).toBe(0);
    const evaluate = (...extra: string[]) =>
      runCli([
        '--cache-dir',
        cache,
        'evaluate',
        `oci-dir:${first.layout}:${first.tag}`,
        '--policy',
        join(REPO_ROOT, 'scripts/image/policy-bundle.json'),
        '--tag',
        PORTCULLIS_IMAGE,
        '-o',
        'json',
        ...extra,
      ]);
    // The image is Debian 13 and the snapshot's Debian data is Debian 12's alone: the gate fails
    // closed (exit 1) and says so, as it must for any image whose distro has no data.
    const closed = await evaluate();
    expect(closed.code, `${closed.out}\n${closed.err}`).toBe(1);
    expect(closed.err).toMatch(/NO_VULNERABILITY_DATA.*debian:13/);
    // Judged by everything else (the flag a user passes knowingly), the image passes its bundle.
    const { code, out, err } = await evaluate('--allow-no-vuln-data');
    expect(code, `${out}\n${err}`).toBe(0);
    const decision = JSON.parse(out) as { status: string; fail_closed?: unknown[] };
    expect(decision.status).toBe('pass');
  });

  it("starts from `umoci unpack` with runc and answers /v1/ready and the manifests' probes, as uid 10001", async () => {
    const port = await freePort();
    const container = await runImage(first.layout, first.tag, join(root, 'run-bundle'), [
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--feed-sync-interval',
      'off',
    ]);
    try {
      expect(container.config.process.user).toMatchObject({ uid: USER.uid, gid: USER.gid });
      let status = 0;
      while (status !== 200) {
        const code = await Promise.race([
          container.exited,
          new Promise<'wait'>((r) => setTimeout(() => r('wait'), 500)),
        ]);
        if (code !== 'wait') throw new Error(`the container exited (${String(code)}): ${container.output()}`);
        status = await fetch(`http://127.0.0.1:${port}/v1/ready`).then(
          (r) => r.status,
          () => 0,
        );
      }
      // Every HTTP probe path of the Kubernetes manifests is a route the image answers.
      const paths = await probePaths();
      expect([...paths].sort()).toEqual(['/v1/health', '/v1/ready']);
      for (const path of paths) {
        expect((await fetch(`http://127.0.0.1:${port}${path}`)).status, path).toBe(200);
      }
      const procStatus = await readFile(`/proc/${await container.pid()}/status`, 'utf8');
      expect(/^Uid:\s+(\d+)/m.exec(procStatus)?.[1]).toBe(String(USER.uid));
    } finally {
      expect(await container.stop()).toBe(0);
    }
    expect(container.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
  });
});
