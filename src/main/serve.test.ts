/**
 * `portcullis serve` as a user runs it: a real child process on a temp data dir (the embedded
 * store), then API and worker roles as separate processes on one PostgreSQL server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:https';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../test/harness/postgres.js';
import { makeTestPki } from '../../test/harness/registry/certs.js';

const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

interface ServeProcess {
  child: ChildProcess;
  out(): string;
  err(): string;
  exited: Promise<number | null>;
}

function serve(args: readonly string[]): ServeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORTCULLIS_ADMIN_PASSWORD: '' },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** Resolves once `text` matches what the process printed; rejects if it exits first. */
async function printed(p: ServeProcess, pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const match = pattern.exec(p.out());
    if (match) return match;
    const code = await Promise.race([p.exited, new Promise((r) => setTimeout(() => r('wait'), 100))]);
    if (code !== 'wait') throw new Error(`serve exited (${String(code)}): ${p.err()}`);
  }
}

/** A port free now on 127.0.0.1 (the worker prints no URL to read one from). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-serve-'));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('portcullis serve on the embedded store', () => {
  it('prints where it listens, the credentials file and commands; answers /ready; owns its data dir; drains on SIGTERM', async () => {
    const dataDir = join(root, 'embedded');
    const first = serve(['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--feed-sync-interval', 'off']);
    try {
      const [, url] = await printed(first, /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/);
      const [, file] = await printed(first, /admin password was written to (\S+)/);
      expect(first.out()).toMatch(/Try:\n {2}curl /);
      expect((await stat(file!)).mode & 0o777).toBe(0o600);
      const password = (await readFile(file!, 'utf8')).trim();
      const ready = await fetch(`${url!}/ready`);
      expect(ready.status).toBe(200);
      const auth = { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` };
      expect((await fetch(`${url!}/system/feeds`, { headers: auth })).status).toBe(200);

      const second = serve(['--data-dir', dataDir, '--listen', '127.0.0.1:0']);
      expect(await second.exited).toBe(1);
      expect(second.err()).toMatch(/DATABASE_LOCKED.*another Portcullis process.*data directory/s);
    } finally {
      first.child.kill('SIGTERM');
    }
    expect(await first.exited).toBe(0);
    expect(first.out()).toMatch(/Stopping/);

    // A later start on the same store says where the (existing) credentials are.
    const again = serve(['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--feed-sync-interval', 'off']);
    try {
      await printed(again, /admin password was written to/);
    } finally {
      again.child.kill('SIGTERM');
    }
    expect(await again.exited).toBe(0);
  }, 180_000);
});

/** GET over TLS, trusting only `ca`: the status code. */
function httpsStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('portcullis serve --tls-cert/--tls-key', () => {
  it('serves the API over HTTPS only', async () => {
    const pki = await makeTestPki(join(root, 'pki'));
    const p = serve([
      ...['--data-dir', join(root, 'tls'), '--listen', '127.0.0.1:0', '--feed-sync-interval', 'off'],
      ...['--tls-cert', pki.serverCertFile, '--tls-key', pki.serverKeyFile],
    ]);
    try {
      const [, url] = await printed(p, /listening on (https:\/\/127\.0\.0\.1:\d+\/v1)/);
      expect(await httpsStatus(`${url!}/health`, pki.caPem)).toBe(200);
      // Plain HTTP on the same port gets no HTTP answer.
      await expect(fetch(`${url!.replace(/^https:/, 'http:')}/health`)).rejects.toThrow();
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  }, 180_000);
});

describe('portcullis serve --role api and --role worker on PostgreSQL', () => {
  let postgres: PostgresServer;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 120_000);
  afterAll(async () => postgres?.stop());

  it('runs the API and a worker as separate processes on one database', async () => {
    const dataDir = join(root, 'pg');
    const common = ['--data-dir', dataDir, '--db-url', postgres.url, '--feed-sync-interval', 'off'];
    const harborToken = 'harbor-token-for-the-serve-test';
    await writeFile(join(root, 'harbor-token'), `${harborToken}\n`);
    const api = serve([
      ...common,
      '--role',
      'api',
      '--listen',
      '127.0.0.1:0',
      '--harbor-token-file',
      join(root, 'harbor-token'),
    ]);
    const workerPort = await freePort();
    const worker = serve([...common, '--role', 'worker', '--listen', `127.0.0.1:${workerPort}`]);
    try {
      const [, url] = await printed(api, /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/);
      expect((await fetch(`${url!}/ready`)).status).toBe(200);
      // Harbor's adapter is mounted beside /v1, behind its own token.
      const metadata = `${url!.replace(/\/v1$/, '')}/api/v1/metadata`;
      expect((await fetch(metadata, { headers: { authorization: `Bearer ${harborToken}` } })).status).toBe(
        200,
      );
      expect((await fetch(metadata)).status).toBe(401);
      // The worker has no API, only probes and metrics: it prints no URL and keeps running.
      const probe = `http://127.0.0.1:${workerPort}`;
      for (
        let i = 0;
        i < 600 && (await fetch(`${probe}/v1/ready`).catch(() => undefined))?.status !== 200;
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
      expect((await fetch(`${probe}/v1/ready`)).status).toBe(200);
      expect((await fetch(`${probe}/v1/health`)).status).toBe(200);
      expect(await (await fetch(`${probe}/metrics`)).text()).toMatch(/portcullis_jobs\{state=/);
      expect((await fetch(`${probe}/v1/images`)).status).toBe(404);
      expect(worker.child.exitCode).toBeNull();
      expect(worker.out()).not.toMatch(/listening on/);
    } finally {
      api.child.kill('SIGTERM');
      worker.child.kill('SIGTERM');
    }
    expect(await api.exited).toBe(0);
    expect(await worker.exited).toBe(0);
  }, 180_000);
});
