/**
 * The admission webhook end to end against a real registry (issue 14): `serve --role admission`
 * with TLS on both stores, Deployments made by the real `kubectl create deployment
 * --dry-run=client -o json` naming `127.0.0.1:PORT/repo:tag` in Debian's docker-registry (TLS +
 * htpasswd). Each tag is resolved to its digest against that registry with the account's
 * registry login (never Docker Hub), and the stored verdict of that digest decides.
 * Regression: the tag resolver once sent only the tag ("registry:1"), read as docker.io.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopSharedPostgres, STORE_KINDS } from '../../test/harness/databases.js';
import { makeTestPki, type TestPki } from '../../test/harness/registry/certs.js';
import { admissionReview, kubectlJson } from '../admission/test-support.js';
import { FAILING_CVE, seedAccount, startE2eRegistry, type E2eImages } from './test-support/admission-e2e.js';
import { WebhookUnderTest } from './test-support/admission-webhook.js';

const ACCOUNT = 'cluster';

let work: string;
let images: E2eImages;
let pki: TestPki;
let caFile: string;
let configFile: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-admission-registry-'));
  images = await startE2eRegistry();
  pki = await makeTestPki(join(work, 'pki'));
  caFile = join(work, 'registry-ca.pem');
  await writeFile(caFile, images.registry.caPem);
  configFile = join(work, 'admission.yaml');
  await writeFile(configFile, 'cluster: e2e\nrules:\n  - {namespaces: ["*"], mode: policy}\n');
}, 600_000);

afterAll(async () => {
  await images?.registry.stop();
  await stopSharedPostgres();
  if (work) await rm(work, { recursive: true, force: true });
});

interface Answer {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
}

describe.each(STORE_KINDS)('admission webhook against a TLS + htpasswd registry, %s', (kind) => {
  let webhook: WebhookUnderTest;

  beforeAll(async () => {
    webhook = new WebhookUnderTest({ kind, work, pki, configFile, account: ACCOUNT, caFiles: [caFile] });
    await webhook.start((store) => seedAccount(store, ACCOUNT, images));
  }, 300_000);

  afterAll(async () => webhook?.stop());

  async function review(image: string, name: string): Promise<Answer> {
    const deployment = await kubectlJson(['create', 'deployment', name, `--image=${image}`]);
    const body = admissionReview(deployment, { namespace: 'apps' });
    const { status, json } = await webhook.post(body);
    expect(status).toBe(200);
    const answer = (json as { response: Answer }).response;
    expect(answer.uid).toBe((body['request'] as { uid: string }).uid);
    return answer;
  }

  it('allows a Deployment whose tag resolves to a digest that passes', async () => {
    const answer = await review(images.passes.ref, 'passes');
    expect(answer.allowed, JSON.stringify(answer)).toBe(true);
  });

  it('denies a Deployment whose tag resolves to a digest that fails, naming image, container and CVE', async () => {
    const answer = await review(images.fails.ref, 'fails');
    expect(answer.allowed).toBe(false);
    expect(answer.status?.code).toBe(403);
    expect(answer.status?.message).toContain(images.fails.ref);
    expect(answer.status?.message).toContain(FAILING_CVE);
  });

  it('denies a tag the registry does not have, saying the registry was asked (not Docker Hub)', async () => {
    const answer = await review(`${images.registry.host}/team/passes:no-such-tag`, 'missing');
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain(images.registry.host);
    expect(answer.status?.message).not.toContain('docker.io');
  });

  it('records the resolved digests in the audit rows', async () => {
    await webhook.stop();
    const rows = await webhook.withStore((store) => store.admission.queryAudit(ACCOUNT, { limit: 50 }));
    const byReference = new Map(rows.flatMap((r) => r.images.map((i) => [i.image, i.digest] as const)));
    expect(byReference.get(images.passes.ref)).toBe(images.passes.digest);
    expect(byReference.get(images.fails.ref)).toBe(images.fails.digest);
  });
});
