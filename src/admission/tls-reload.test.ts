import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../../test/harness/registry/certs.js';
import { watchTlsFiles, type TlsReloader } from './tls-reload.js';

function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

async function fileFingerprint(certFile: string): Promise<string> {
  const { X509Certificate } = await import('node:crypto');
  return new X509Certificate(await readFile(certFile)).fingerprint256;
}

describe('watchTlsFiles', () => {
  let dir: string;
  let first: TestPki;
  let second: TestPki;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-tls-reload-'));
    [first, second] = await Promise.all([makeTestPki(join(dir, 'a')), makeTestPki(join(dir, 'b'))]);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('serves a replaced certificate without a restart and keeps the old one on a broken pair', async () => {
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    await copyFile(first.serverCertFile, certFile);
    await copyFile(first.serverKeyFile, keyFile);
    const app = Fastify({ https: { cert: await readFile(certFile), key: await readFile(keyFile) } });
    app.get('/health', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const errors: string[] = [];
    let reloads = 0;
    const reloader: TlsReloader = watchTlsFiles(
      app.server,
      { certFile, keyFile },
      {
        intervalMs: 50,
        onReload: () => reloads++,
        onError: (err) => errors.push(err.message),
      },
    );
    try {
      expect(await servedFingerprint(port)).toBe(await fileFingerprint(first.serverCertFile));

      // A certificate whose key is not yet replaced: refused, the old pair keeps serving.
      await copyFile(second.serverCertFile, certFile);
      while (errors.length === 0) await sleep(25);
      expect(errors[0]).toMatch(/do not form a usable pair/);
      expect(await servedFingerprint(port)).toBe(await fileFingerprint(first.serverCertFile));

      await copyFile(second.serverKeyFile, keyFile);
      while (reloads === 0) await sleep(25);
      expect(await servedFingerprint(port)).toBe(await fileFingerprint(second.serverCertFile));

      // An explicit reload with unchanged files changes nothing.
      expect(await reloader.reload()).toBe(false);
      await writeFile(keyFile, 'not a key');
      await expect(reloader.reload()).rejects.toThrow(/usable pair/);
      expect(await servedFingerprint(port)).toBe(await fileFingerprint(second.serverCertFile));
    } finally {
      reloader.close();
      await app.close();
    }
  });
});
