/**
 * Issue 14 end to end with the in-cluster reader (ADR 0028): `serve --role admission` on both
 * stores, pointed at a real HTTPS server playing the Kubernetes API (Namespaces and
 * WhiteListItems rendered by kubectl). A rule selecting by namespace labels denies and allows
 * by the watched labels; a WhiteListItem lets a release through and the audit row names it;
 * decisions are mirrored as Audit objects.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopSharedPostgres, STORE_KINDS } from '../../test/harness/databases.js';
import { makeTestPki, type TestPki } from '../../test/harness/registry/certs.js';
import { NAMESPACES_PATH } from '../admission/kubernetes/namespace-labels.js';
import { FakeKubernetesApi } from '../admission/kubernetes/test-support/fake-api-server.js';
import {
  kubectlNamespace,
  kubectlWhiteListItem,
} from '../admission/kubernetes/test-support/kubectl-objects.js';
import { WHITELIST_PATH } from '../admission/kubernetes/whitelist-items.js';
import { admissionReview } from '../admission/test-support.js';
import type { ServiceStore } from '../store/repositories/index.js';
import { resolveAdmission } from './admission.js';
import { kubectlLocal } from './test-support/admission-e2e.js';
import { seedAnalysedImage } from './test-support/admission-seed.js';
import { WebhookUnderTest } from './test-support/admission-webhook.js';

const ACCOUNT = 'k8s';
const DIGEST = `sha256:${'e'.repeat(64)}`;
const IMAGE = `registry.example/team/app@${DIGEST}`;

const seed = (store: ServiceStore) => seedAnalysedImage(store, ACCOUNT, DIGEST, 'fail');

/** The Pod as `kubectl label --local` renders it, with the release label when given. */
function pod(release?: string): Promise<Record<string, unknown>> {
  const object = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web' },
    spec: { containers: [{ name: 'web', image: IMAGE }] },
  };
  return kubectlLocal(
    ['label', 'app=web', ...(release ? [`app.kubernetes.io/instance=${release}`] : [])],
    object,
  );
}

const CONFIG = `
cluster: e2e
account: ${ACCOUNT}
rules:
  - namespaceLabels: { tier: prod }
    mode: policy
  - namespaces: ["*"]
    mode: breakglass
kubernetes:
  auditObjects: true
`;

let pki: TestPki;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-admission-k8s-'));
  pki = await makeTestPki(join(work, 'pki'));
  await writeFile(join(work, 'admission.yaml'), CONFIG);
}, 60_000);
afterAll(async () => {
  await stopSharedPostgres();
  await rm(work, { recursive: true, force: true });
});

describe('namespaceLabels rules', () => {
  it('are refused outside a pod and accepted with the Kubernetes API', async () => {
    const settings = { configFile: join(work, 'admission.yaml'), host: '127.0.0.1', port: 0 };
    await expect(resolveAdmission(settings)).rejects.toThrow(/KUBERNETES_SERVICE_HOST/);
    const kubernetes = { apiUrl: 'https://127.0.0.1:1', tokenFile: 't', caFile: 'c' };
    expect((await resolveAdmission({ ...settings, kubernetes })).account).toBe(ACCOUNT);
  });
});

describe.each(STORE_KINDS)('admission with the in-cluster reader on %s', (kind) => {
  let api: FakeKubernetesApi;
  let webhook: WebhookUnderTest;
  const decide = async (namespace: string, release?: string) => {
    const { json } = await webhook.post(admissionReview(await pod(release), { namespace }));
    return (json as { response: { allowed: boolean; warnings?: string[]; status?: { message: string } } })
      .response;
  };
  /** Asks until the webhook's answer is `allowed` (the watch delivers changes asynchronously). */
  const eventually = async (namespace: string, allowed: boolean, release?: string) => {
    let answer = await decide(namespace, release);
    for (let i = 0; i < 100 && answer.allowed !== allowed; i++) {
      await new Promise((r) => setTimeout(r, 50));
      answer = await decide(namespace, release);
    }
    expect(answer.allowed).toBe(allowed);
    return answer;
  };

  beforeAll(async () => {
    const saDir = join(work, `sa-${kind.replace(/\W/g, '')}`);
    await mkdir(saDir, { recursive: true });
    api = new FakeKubernetesApi(pki);
    const connection = await api.start(saDir);
    api.put(NAMESPACES_PATH, await kubectlNamespace('prod', { tier: 'prod' }));
    api.put(NAMESPACES_PATH, await kubectlNamespace('dev', { tier: 'dev' }));
    api.put(
      WHITELIST_PATH,
      await kubectlWhiteListItem('shop-hotfix', {
        release: 'shop',
        creator: 'alice',
        reason: 'INC-42',
        namespace: 'prod',
      }),
    );
    api.put(
      WHITELIST_PATH,
      await kubectlWhiteListItem('old-hotfix', {
        release: 'old',
        creator: 'bob',
        reason: 'INC-7',
        expiresAt: '2020-01-01T00:00:00Z',
      }),
    );
    webhook = new WebhookUnderTest({
      kind,
      work,
      pki,
      configFile: join(work, 'admission.yaml'),
      account: ACCOUNT,
      caFiles: [],
      kubernetes: connection,
    });
    await webhook.start(seed);
  }, 300_000);
  afterAll(async () => {
    await webhook?.stop();
    await api?.stop();
  });

  it('denies in a namespace labelled tier=prod and lets the same pod through elsewhere', async () => {
    const denied = await decide('prod');
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toContain('fails policy bundle "p"');
    const elsewhere = await decide('dev');
    expect(elsewhere.allowed).toBe(true);
    expect(elsewhere.warnings?.join('\n')).toContain('fails policy');
  });

  it('follows a namespace relabelled through the watch', async () => {
    api.put(NAMESPACES_PATH, await kubectlNamespace('dev', { tier: 'prod' }));
    await eventually('dev', false);
    api.put(NAMESPACES_PATH, await kubectlNamespace('dev', { tier: 'dev' }));
    await eventually('dev', true);
  });

  it('applies a WhiteListItem exception; an expired or deleted one stops applying', async () => {
    const excepted = await decide('prod', 'shop');
    expect(excepted.allowed).toBe(true);
    expect(excepted.warnings?.join('\n')).toContain('fails policy');
    expect((await decide('prod', 'old')).allowed).toBe(false);
    api.remove(WHITELIST_PATH, 'shop-hotfix');
    await eventually('prod', false, 'shop');
  });

  it('fails a namespace the API server does not know by the rule, and says so', async () => {
    const answer = await decide('ghost');
    expect(answer.allowed).toBe(false);
  });

  it('writes audit rows naming the exception and mirrors decisions as Audit objects', async () => {
    const metrics = await webhook.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^portcullis_admission_audit_objects_dropped_total 0$/m);
    expect(metrics.text).toMatch(/^portcullis_admission_audit_objects_written_total [1-9]/m);
    await webhook.stop();
    const rows = await webhook.withStore((store) => store.admission.queryAudit(ACCOUNT, { limit: 500 }));
    const excepted = rows.find((r) => r.exception !== undefined);
    expect(excepted?.exception).toEqual({
      id: 'shop-hotfix',
      source: 'crd',
      release: 'shop',
      creator: 'alice',
      reason: 'INC-42',
    });
    expect(rows.find((r) => r.namespace === 'dev' && r.verdict === 'warned')?.mode).toBe('breakglass');
    const ghost = rows.find((r) => r.namespace === 'ghost');
    expect(ghost?.reasons.join('\n')).toMatch(/namespace labels unavailable: .*404/);
    const audit = api.written.get('/apis/security.portcullis.dev/v1alpha1/namespaces/prod/audits/pod-web');
    expect(audit?.['spec']).toMatchObject({ cluster: 'e2e', resource: { kind: 'Pod', name: 'web' } });
    expect(api.written.has('/apis/security.portcullis.dev/v1alpha1/namespaces/dev/audits/pod-web')).toBe(
      true,
    );
  });
});
