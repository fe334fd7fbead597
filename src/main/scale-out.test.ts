/**
 * Scale-out (issue 12): two `portcullis serve --role api` and two `--role worker` processes on
 * one PostgreSQL server. Twenty distinct images are added through both APIs from a real
 * docker-registry (TLS + basic auth) behind a throttling proxy, so each pull takes seconds; one
 * worker is SIGKILLed while it holds an analysis. Its lease expires, the other worker runs the
 * job again, and every image ends analysed exactly once; both APIs answer the same.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type Sql } from '../store/sql.js';
import { startPostgres, type PostgresServer } from '../../test/harness/postgres.js';
import { buildOciLayout } from '../../test/harness/registry/oci-layout.js';
import { pushImage } from '../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../test/harness/registry/start-registry.js';
import { startThrottleProxy, type ThrottleProxy } from '../../test/harness/registry/throttle-proxy.js';

const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const IMAGES = 20;
const PASSWORD = 'scale-out-admin-password';
// Every process seals and opens registry credentials with the same key, as a deployment must.
const SECRET_KEY = randomBytes(32).toString('hex');
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

interface Proc {
  child: ChildProcess;
  out(): string;
  exited: Promise<number | null>;
}

function serve(args: readonly string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORTCULLIS_ADMIN_PASSWORD: PASSWORD, PORTCULLIS_SECRET_KEY: SECRET_KEY },
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  // Logs (JSON lines) kept for a failure message only.
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out: () => out, exited };
}

async function runCliJson(args: readonly string[]): Promise<unknown> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`portcullis ${args.join(' ')} exited ${String(code)}: ${err}`);
  return JSON.parse(out) as unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 900_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function api(url: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** A small Debian-looking image with its own package and ~1 MiB that does not compress. */
async function buildImage(dir: string, n: number) {
  return buildOciLayout(dir, 'latest', [
    {
      platform: { os: 'linux', architecture: 'amd64' },
      layers: [
        {
          'etc/os-release': 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
          'var/lib/dpkg/status': `Package: app${n}\nStatus: install ok installed\nVersion: 1.${n}-1\nArchitecture: amd64\n\n`,
          [`opt/app${n}/blob`]: randomBytes(768 * 1024).toString('base64'),
        },
      ],
    },
  ]);
}

describe('scale-out: 2 API and 2 worker processes on one PostgreSQL server', () => {
  let postgres: PostgresServer;
  let registry: TestRegistry;
  let proxy: ThrottleProxy;
  let root: string;
  let db: Sql;
  const procs: Proc[] = [];
  const layouts: string[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pc-scale-'));
    [postgres, registry] = await Promise.all([startPostgres(), startRegistry('tls-basic')]);
    for (let n = 0; n < IMAGES; n++) {
      const layout = await buildImage(join(root, `image-${n}`), n);
      layouts.push(layout.dir);
      await pushImage(registry, `oci:${layout.dir}:latest`, `scale/app${n}:1`);
    }
    // About 1 MiB per image at 512 KiB/s: every analysis holds its lease for seconds.
    proxy = await startThrottleProxy(registry.host, 512 * 1024);
    db = await openPostgres(postgres.url, 2);
  }, 900_000);
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await db?.close();
    await proxy?.close();
    await registry?.stop();
    await postgres?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('analyses every image exactly once although a worker is SIGKILLed mid-analysis', async () => {
    const common = [
      '--data-dir',
      join(root, 'data'),
      '--db-url',
      postgres.url,
      '--feed-sync-interval',
      'off',
    ];
    const apis = [0, 1].map(() => serve([...common, '--role', 'api', '--listen', '127.0.0.1:0']));
    procs.push(...apis);
    const urls = await Promise.all(
      apis.map((p) => until('the API URL', async () => /listening on (\S+\/v1)/.exec(p.out())?.[1])),
    );
    const workers = [0, 1].map(() => serve([...common, '--role', 'worker']));
    procs.push(...workers);

    const registryBody = {
      registry: proxy.host,
      registry_user: registry.username,
      registry_pass: registry.password,
      registry_verify: false,
    };
    expect((await api(urls[0]!, 'POST', '/registries?validate=false', registryBody)).status).toBe(200);

    const digests: string[] = [];
    for (let n = 0; n < IMAGES; n++) {
      const res = await api(urls[n % 2]!, 'POST', '/images', { tag: `${proxy.host}/scale/app${n}:1` });
      expect(res.status, await res.clone().text()).toBe(200);
      const [image] = (await res.json()) as { imageDigest: string }[];
      digests.push(image!.imageDigest);
    }
    expect(new Set(digests).size).toBe(IMAGES);

    // The first worker to hold an analysis lease dies with it.
    const victim = await until('a worker holding an analysis', async () => {
      const { rows } = await db.query<{ lease_owner: string }>(
        `SELECT lease_owner FROM job WHERE kind = 'analyze-image' AND state = 'running'`,
      );
      return workers.find((w) => rows.some((r) => r.lease_owner.split(':').includes(String(w.child.pid))));
    });
    victim.child.kill('SIGKILL');
    await victim.exited;

    const statuses = await until('every image analysed', async () => {
      const res = await api(urls[1]!, 'GET', '/images?image_status=all');
      const images = (await res.json()) as { imageDigest: string; analysis_status: string }[];
      const pending = images.filter((i) => i.analysis_status !== 'analyzed');
      if (pending.some((i) => i.analysis_status === 'analysis_failed'))
        throw new Error(`an analysis failed: ${JSON.stringify(pending)}`);
      return images.length === IMAGES && pending.length === 0 ? images : undefined;
    });
    expect(statuses.map((i) => i.imageDigest).sort()).toEqual([...digests].sort());

    // Exactly once: one analysis row and one completion event per image; the killed job ran again.
    const { rows: analyses } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM analysis');
    expect(Number(analyses[0]!.n)).toBe(IMAGES);
    const { rows: events } = await db.query<{ resource_id: string; n: string }>(
      `SELECT resource_id, count(*)::text AS n FROM event WHERE type = 'user.image.analysis.completed'
       GROUP BY resource_id`,
    );
    expect(events).toHaveLength(IMAGES);
    expect(events.every((e) => e.n === '1')).toBe(true);
    const { rows: retried } = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM job WHERE kind = 'analyze-image' AND state = 'succeeded' AND attempts > 1`,
    );
    expect(Number(retried[0]!.n)).toBeGreaterThanOrEqual(1);

    // Both APIs answer the same for every image: record, packages and vulnerabilities.
    for (const digest of digests) {
      const path = `/images/${encodeURIComponent(digest)}`;
      const [a, b] = await Promise.all(
        urls.map(async (u) => (await api(u!, 'GET', `${path}/content/os`)).json()),
      );
      expect(a).toEqual(b);
      const n = digests.indexOf(digest);
      expect((a as { content: { package: string; version: string }[] }).content).toEqual([
        expect.objectContaining({ package: `app${n}`, version: `1.${n}-1` }),
      ]);
      const [va, vb] = await Promise.all(
        urls.map(async (u) => (await api(u!, 'GET', `${path}/vuln/all`)).json()),
      );
      expect(va).toEqual(vb);
    }

    // Identical to the CLI's: the native SBOM the service stored equals `portcullis sbom` of the
    // same image read from its local layout (packages, versions, locations, layers).
    for (const n of [0, IMAGES - 1]) {
      const served = (await (
        await api(urls[n % 2]!, 'GET', `/images/${encodeURIComponent(digests[n]!)}/sbom`)
      ).json()) as { packages: unknown[] };
      const cli = await runCliJson([
        'sbom',
        `oci-dir:${layouts[n]!}:latest`,
        '-o',
        'native',
        '--cache-dir',
        join(root, 'cli-cache'),
      ]);
      expect(served.packages).toEqual((cli as { packages: unknown[] }).packages);
      expect(served.packages).toHaveLength(1);
    }

    for (const p of [...apis, ...workers.filter((w) => w !== victim)]) p.child.kill('SIGTERM');
    for (const p of [...apis, ...workers.filter((w) => w !== victim)]) expect(await p.exited).toBe(0);
  }, 1_800_000);
});
