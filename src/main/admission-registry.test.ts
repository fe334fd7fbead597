/**
 * The admission webhook end to end against a real registry (issue 14): `serve --role admission`
 * with TLS on both stores, Deployments made by the real `kubectl create deployment
 * --dry-run=client -o json` naming `127.0.0.1:PORT/repo:tag` in Debian's docker-registry (TLS +
 * htpasswd). Each tag is resolved to its digest against that registry with the account's
 * registry login (never Docker Hub), and the stored verdict of that digest decides.
 * Regression: the tag resolver once sent only the tag ("registry:1"), read as docker.io.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, stopSharedPostgres, STORE_KINDS } from '../../test/harness/databases.js';
import { getFixtureImage } from '../../test/harness/fixtures/index.js';
import { makeTestPki, type TestPki } from '../../test/harness/registry/certs.js';
import { inspectRaw, pushImage } from '../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../test/harness/registry/start-registry.js';
import { admissionReview, kubectlJson } from '../admission/test-support.js';
import type { ServiceConfig } from '../config/service.js';
import { migrate } from '../store/migrate.js';
import { openLockedDatabase } from '../store/open-embedded.js';
import { createServiceStore, type ServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import type { Sql } from '../store/sql.js';
import { startService, type RunningService } from './serve.js';

const ACCOUNT = 'cluster';
const KEY = randomBytes(32);
const FAILING_CVE = 'CVE-2024-0001';

let work: string;
let registry: TestRegistry;
let pki: TestPki;
let caFile: string;
let configFile: string;
const digests = { pass: '', fail: '' };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-admission-registry-'));
  const [reg, app, base] = await Promise.all([
    startRegistry('tls-basic'),
    getFixtureImage('app'),
    getFixtureImage('base'),
  ]);
  registry = reg;
  await pushImage(registry, `oci:${app.ociLayoutDir}:${app.tag}`, 'team/passes:1');
  await pushImage(registry, `oci:${base.ociLayoutDir}:${base.tag}`, 'team/fails:1');
  const digestOf = async (ref: string) =>
    `sha256:${createHash('sha256')
      .update(await inspectRaw(registry, ref))
      .digest('hex')}`;
  digests.pass = await digestOf('team/passes:1');
  digests.fail = await digestOf('team/fails:1');
  pki = await makeTestPki(join(work, 'pki'));
  caFile = join(work, 'registry-ca.pem');
  await writeFile(caFile, registry.caPem);
  configFile = join(work, 'admission.yaml');
  await writeFile(configFile, 'cluster: e2e\nrules:\n  - {namespaces: ["*"], mode: policy}\n');
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  await stopSharedPostgres();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The account as the API would leave it: a registry login, an active bundle, two evaluated images. */
async function seed(store: ServiceStore): Promise<void> {
  await store.accounts.create({ name: ACCOUNT, type: 'user' });
  await store.registries.create({
    accountName: ACCOUNT,
    registry: registry.host,
    registryName: registry.host,
    registryUser: registry.username,
    registryPass: registry.password,
    registryType: 'docker_v2',
    registryVerify: true,
  });
  await store.policies.upsert({
    accountName: ACCOUNT,
    policyId: 'p',
    name: 'p',
    bundle: { id: 'p' },
    active: true,
  });
  for (const [repo, digest, status] of [
    ['team/passes', digests.pass, 'pass'],
    ['team/fails', digests.fail, 'fail'],
  ] as const) {
    await store.images.add({
      accountName: ACCOUNT,
      imageDigest: digest,
      tag: { registry: registry.host, repo, tag: '1' },
    });
    await store.analyses.save({
      imageDigest: digest,
      imageId: digest.slice(7),
      analyzerVersion: 'test',
      metadata: {},
      sbom: {},
      findings: [],
    });
    await store.images.transition(digest, ['not_analyzed'], 'analyzed');
    const triggers =
      status === 'fail'
        ? [
            {
              gate: 'vulnerabilities',
              trigger: 'package',
              triggerId: `${FAILING_CVE}+libssl3`,
              message: `HIGH Vulnerability found in os package type (dpkg) - libssl3 (fixed in: 3.0.14) - ${FAILING_CVE}`,
              action: 'STOP',
              effectiveAction: 'STOP',
              policyId: 'p',
              ruleId: 'r1',
              whitelisted: null,
            },
          ]
        : [];
    await store.evaluations.add({
      accountName: ACCOUNT,
      imageDigest: digest,
      tag: `${registry.host}/${repo}:1`,
      policyId: 'p',
      status,
      finalAction: status === 'pass' ? 'GO' : 'STOP',
      result: { triggers, matchedBlacklistedImage: null, failClosed: [] },
    });
  }
}

interface Answer {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
}

describe.each(STORE_KINDS)('admission webhook against a TLS + htpasswd registry, %s', (kind) => {
  let service: RunningService;
  let dataDir: string;
  let dbUrl: string | undefined;
  let agent: Agent;

  /** The store the service uses, opened while the service is stopped (PGlite is one process's). */
  async function withStore<T>(use: (store: ServiceStore) => Promise<T>): Promise<T> {
    let db: Sql;
    if (dbUrl) db = await openLockedDatabase({ kind: 'postgres', url: dbUrl }, { mode: 'fail' });
    else db = await openLockedDatabase({ kind: 'pglite', dataDir: join(dataDir, 'db') }, { mode: 'fail' });
    try {
      await migrate(db);
      return await use(createServiceStore(db, createSecretBox(KEY)));
    } finally {
      await db.close();
    }
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(work, 'data-'));
    if (kind !== 'PGlite') {
      const database = await openTestDatabase(kind);
      dbUrl = database.url;
      await database.stop();
    }
    await withStore(seed);
    const config: ServiceConfig = {
      role: 'admission',
      host: '127.0.0.1',
      port: 0,
      tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile },
      dataDir,
      ...(dbUrl ? { dbUrl } : {}),
      secretKey: KEY,
      concurrency: 1,
      cacheDir: join(dataDir, 'cache'),
      feedSyncIntervalMs: 0,
      admission: { configFile, account: ACCOUNT, host: '127.0.0.1', port: 0 },
      caFiles: [caFile],
    };
    service = await startService(config, pino({ level: 'silent' }));
    agent = new Agent({ connect: { ca: pki.caPem } });
  }, 300_000);

  afterAll(async () => {
    await agent?.close();
    await service?.stop();
  });

  async function review(image: string, name: string): Promise<Answer> {
    const deployment = await kubectlJson(['create', 'deployment', name, `--image=${image}`]);
    const body = admissionReview(deployment, { namespace: 'apps' });
    const url = service.admissionUrl;
    if (!url) throw new Error('the service serves no admission webhook');
    const res = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(200);
    const json = (await res.body.json()) as { response: Answer };
    expect(json.response.uid).toBe((body['request'] as { uid: string }).uid);
    return json.response;
  }

  it('allows a Deployment whose tag resolves to a digest that passes', async () => {
    const answer = await review(`${registry.host}/team/passes:1`, 'passes');
    expect(answer.allowed, JSON.stringify(answer)).toBe(true);
  });

  it('denies a Deployment whose tag resolves to a digest that fails, naming image, container and CVE', async () => {
    const answer = await review(`${registry.host}/team/fails:1`, 'fails');
    expect(answer.allowed).toBe(false);
    expect(answer.status?.code).toBe(403);
    expect(answer.status?.message).toContain(`${registry.host}/team/fails:1`);
    expect(answer.status?.message).toContain(FAILING_CVE);
  });

  it('denies a tag the registry does not have, saying the registry was asked (not Docker Hub)', async () => {
    const answer = await review(`${registry.host}/team/passes:no-such-tag`, 'missing');
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain(registry.host);
    expect(answer.status?.message).not.toContain('docker.io');
  });

  it('records the resolved digests in the audit rows', async () => {
    await service.stop();
    const rows = await withStore((store) => store.admission.queryAudit(ACCOUNT, { limit: 50 }));
    const byReference = new Map(rows.flatMap((r) => r.images.map((i) => [i.image, i.digest] as const)));
    expect(byReference.get(`${registry.host}/team/passes:1`)).toBe(digests.pass);
    expect(byReference.get(`${registry.host}/team/fails:1`)).toBe(digests.fail);
    service = { ...service, stop: async () => undefined };
  });
});
