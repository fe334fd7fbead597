/** A real HTTPS fastify server with the admission plugin, and a client trusting the test CA. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Agent, request } from 'undici';
import { makeTestPki, type TestPki } from '../../../test/harness/registry/certs.js';
import type { AdmissionConfig } from '../config.js';
import { ADMISSION_PATH, admissionPlugin } from '../plugin.js';
import type { AdmissionPorts } from '../ports.js';

export interface AdmissionTestServer {
  app: FastifyInstance;
  pki: TestPki;
  url: string;
  post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  postRaw(body: string | Buffer, contentType?: string): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export async function startAdmissionServer(
  config: Readonly<AdmissionConfig>,
  ports: AdmissionPorts,
): Promise<AdmissionTestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-admission-'));
  const pki = await makeTestPki(dir);
  const app = Fastify({
    https: { cert: await readFile(pki.serverCertFile), key: await readFile(pki.serverKeyFile) },
    logger: false,
  });
  await app.register(admissionPlugin, { config, ports });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  const url = `https://127.0.0.1:${address.port}`;
  // A fresh connection per request, so a reloaded certificate is seen by the next request.
  const agent = new Agent({ connect: { ca: pki.caPem }, pipelining: 0 });

  const postRaw = async (body: string | Buffer, contentType = 'application/json') => {
    const res = await request(`${url}${ADMISSION_PATH}`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
      dispatcher: agent,
    });
    return { status: res.statusCode, text: await res.body.text() };
  };
  return {
    app,
    pki,
    url,
    postRaw,
    async post(body: unknown) {
      const { status, text } = await postRaw(JSON.stringify(body));
      return { status, json: JSON.parse(text) as Record<string, unknown> };
    },
    async close() {
      await agent.close();
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
