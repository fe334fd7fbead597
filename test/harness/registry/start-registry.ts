/**
 * Starts Debian's real `docker-registry` (distribution 2.x) on a free 127.0.0.1 port with
 * its own storage dir, in one of three modes:
 *   - plain:     HTTP, anonymous
 *   - tls-basic: HTTPS with a self-signed test CA + htpasswd (bcrypt) basic auth
 *   - token:     HTTPS + bearer tokens from the harness token issuer
 * Every registry lives in a private temp dir that `stop()` removes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { makeTestPki } from './certs.js';
import { startTokenIssuer, type TokenIssuer } from './token-issuer.js';

const run = promisify(execFile);

export type RegistryMode = 'plain' | 'tls-basic' | 'token';

export interface TestRegistry {
  mode: RegistryMode;
  /** "127.0.0.1:<port>" */
  host: string;
  /** PEM of the CA that signed the registry's certificate ('' in plain mode). */
  caPem: string;
  username: string;
  password: string;
  /** Directory with ca.crt, for `skopeo --dest-cert-dir` (undefined in plain mode). */
  certDir: string | undefined;
  tokenIssuer: TokenIssuer | undefined;
  stop(): Promise<void>;
}

/** Registries still running; killed if the test process exits without calling stop(). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(proc: ChildProcess): void {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of live) p.kill('SIGKILL');
    });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function registryConfig(port: number, storage: string, tls: string, auth: string, extra: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: portcullis-test-secret',
    tls,
    auth,
    extra,
    '',
  ].join('\n');
}

async function waitReady(
  proc: ChildProcess,
  url: string,
  caPem: string,
  stderr: () => string,
): Promise<void> {
  const agent = new Agent(caPem ? { connect: { ca: caPem } } : {});
  try {
    for (let i = 0; i < 150; i++) {
      if (proc.exitCode !== null) throw new Error(`docker-registry exited (${proc.exitCode}): ${stderr()}`);
      try {
        const res = await request(url, { dispatcher: agent });
        await res.body.dump();
        if (res.statusCode === 200 || res.statusCode === 401) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`docker-registry did not come up at ${url}: ${stderr()}`);
  } finally {
    await agent.close();
  }
}

export interface RegistryOptions {
  /** Top-level YAML appended to the registry's config (e.g. a `notifications:` section). */
  extraConfig?: string;
}

export async function startRegistry(
  mode: RegistryMode,
  options: RegistryOptions = {},
): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), `portcullis-registry-${mode}-`));
  const storage = join(dir, 'storage');
  await mkdir(storage);
  const port = await freePort();
  const username = mode === 'plain' ? '' : 'portcullis';
  const password = mode === 'plain' ? '' : `pw-${Math.random().toString(36).slice(2)}`;
  let tls = '';
  let auth = '';
  let caPem = '';
  let certDir: string | undefined;
  let tokenIssuer: TokenIssuer | undefined;
  let proc: ChildProcess | undefined;
  const cleanup = async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc?.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    await tokenIssuer?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (mode !== 'plain') {
      const pki = await makeTestPki(join(dir, 'pki'));
      caPem = pki.caPem;
      certDir = join(dir, 'skopeo-certs');
      await mkdir(certDir);
      await copyFile(pki.caCertFile, join(certDir, 'ca.crt'));
      tls = ['  tls:', `    certificate: ${pki.serverCertFile}`, `    key: ${pki.serverKeyFile}`].join('\n');
      if (mode === 'tls-basic') {
        const { stdout } = await run('htpasswd', ['-Bbn', username, password]);
        await writeFile(join(dir, 'htpasswd'), stdout);
        auth = [
          'auth:',
          '  htpasswd:',
          '    realm: portcullis-test',
          `    path: ${join(dir, 'htpasswd')}`,
        ].join('\n');
      } else {
        tokenIssuer = await startTokenIssuer({
          pki,
          username,
          password,
          service: 'portcullis-test-registry',
          issuer: 'portcullis-test-issuer',
        });
        auth = [
          'auth:',
          '  token:',
          `    realm: ${tokenIssuer.realm}`,
          `    service: ${tokenIssuer.service}`,
          `    issuer: ${tokenIssuer.issuer}`,
          `    rootcertbundle: ${pki.tokenCertFile}`,
        ].join('\n');
      }
    }
    const configFile = join(dir, 'config.yml');
    await writeFile(configFile, registryConfig(port, storage, tls, auth, options.extraConfig ?? ''));
    let stderr = '';
    const started = spawn('/usr/bin/docker-registry', ['serve', configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proc = started;
    track(started);
    started.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const host = `127.0.0.1:${port}`;
    await waitReady(started, `${mode === 'plain' ? 'http' : 'https'}://${host}/v2/`, caPem, () => stderr);
    return { mode, host, caPem, username, password, certDir, tokenIssuer, stop: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
