/**
 * Issue 14 end to end on both stores: `serve --role admission` over TLS, Debian's docker-registry
 * (TLS + htpasswd), objects made by the real kubectl. Every workload kind with each of its
 * container lists (initContainers, containers, and ephemeralContainers through the
 * pods/ephemeralcontainers subresource), never-analysed images per mode, dry runs, warn rules,
 * exceptions that expire, scale-only updates, and the audit rows all of them leave.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopSharedPostgres, STORE_KINDS } from '../../test/harness/databases.js';
import { makeTestPki, type TestPki } from '../../test/harness/registry/certs.js';
import {
  admissionReview,
  kubectlJson,
  WORKLOAD_KINDS,
  type ReviewOptions,
} from '../admission/test-support.js';
import type { AuditRecord } from '../store/repositories/admission-records.js';
import {
  FAILING_CVE,
  kubectlLocal,
  kubectlRollout,
  podWithDebugContainer,
  seedAccount,
  startE2eRegistry,
  workloadsWithInit,
  type E2eImages,
} from './test-support/admission-e2e.js';
import { WebhookUnderTest } from './test-support/admission-webhook.js';

const ACCOUNT = 'cluster';
const HOUR = 3_600_000;
// Generous budgets: the machine running the tests is shared and slow; speed is in bench/.
const CONFIG = `cluster: e2e
deadlineMs: 20000
storeTimeoutMs: 15000
excludeNamespaces: [kube-system]
customKinds:
  - {group: argoproj.io, kind: Rollout, podTemplatePath: spec.template}
rules:
  - {namespaces: [ana], mode: analysis}
  - {namespaces: [brk], mode: breakglass}
  - {namespaces: [warn], mode: policy, action: warn}
  - {namespaces: ["*"], mode: policy}
`;

interface Answer {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
}

let work: string;
let images: E2eImages;
let pki: TestPki;
let caFile: string;
let configFile: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-admission-workloads-'));
  images = await startE2eRegistry();
  pki = await makeTestPki(join(work, 'pki'));
  caFile = join(work, 'registry-ca.pem');
  await writeFile(caFile, images.registry.caPem);
  configFile = join(work, 'admission.yaml');
  await writeFile(configFile, CONFIG);
}, 600_000);

afterAll(async () => {
  await images?.registry.stop();
  await stopSharedPostgres();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(STORE_KINDS)('admission webhook end to end, every kind and container list, %s', (kind) => {
  let webhook: WebhookUnderTest;
  const expected = new Map<string, Partial<AuditRecord>>();

  beforeAll(async () => {
    webhook = new WebhookUnderTest({ kind, work, pki, configFile, account: ACCOUNT, caFiles: [caFile] });
    await webhook.start(async (store) => {
      await seedAccount(store, ACCOUNT, images);
      const exception = { creator: 'oncall', reason: 'outage fix', namespace: 'apps' };
      const inAnHour = new Date(Date.now() + HOUR);
      await store.admission.addException(ACCOUNT, {
        ...exception,
        release: 'rel-active',
        expiresAt: inAnHour,
      });
      const anHourAgo = new Date(Date.now() - HOUR);
      await store.admission.addException(ACCOUNT, {
        ...exception,
        release: 'rel-expired',
        expiresAt: anHourAgo,
      });
    });
  }, 300_000);

  afterAll(async () => webhook?.stop());

  /** POSTs the kubectl object as a v1 AdmissionReview; `audit` is what its audit row must hold. */
  async function review(
    object: Record<string, unknown>,
    options: ReviewOptions & { namespace: string },
    audit: Partial<AuditRecord> = {},
  ): Promise<Answer> {
    const body = admissionReview(object, options);
    const uid = (body['request'] as { uid: string }).uid;
    const { status, json } = await webhook.post(body);
    expect(status).toBe(200);
    const answer = json as { apiVersion: string; kind: string; response: Answer };
    expect(answer.apiVersion).toBe('admission.k8s.io/v1');
    expect(answer.kind).toBe('AdmissionReview');
    expect(answer.response.uid).toBe(uid);
    if (!answer.response.allowed) expect(answer.response.status?.code).toBe(403);
    expected.set(uid, { namespace: options.namespace, allowed: answer.response.allowed, ...audit });
    return answer.response;
  }

  const deployment = (image: string, name = 'web') =>
    kubectlJson(['create', 'deployment', name, `--image=${image}`]);

  it.each(WORKLOAD_KINDS)('%s: initContainers and containers are each checked', async (workloadKind) => {
    const { passes, fails } = images;
    const [clean, badMain, badInit] = await Promise.all([
      workloadsWithInit(passes.ref, passes.ref),
      workloadsWithInit(fails.ref, passes.ref),
      workloadsWithInit(passes.ref, fails.ref),
    ]);
    const ok = await review(
      clean[workloadKind],
      { namespace: 'apps' },
      { kind: workloadKind, mode: 'policy' },
    );
    expect(ok.allowed, JSON.stringify(ok)).toBe(true);

    const main = await review(badMain[workloadKind], { namespace: 'apps' }, { kind: workloadKind });
    expect(main.allowed).toBe(false);
    expect(main.status?.message).toContain(
      `container "app" (containers) image "${fails.ref}" (${fails.digest})`,
    );
    expect(main.status?.message).toContain(FAILING_CVE);
    expect(main.status?.message).not.toContain('"setup"');

    const init = await review(badInit[workloadKind], { namespace: 'apps' }, { kind: workloadKind });
    expect(init.allowed).toBe(false);
    expect(init.status?.message).toContain(`container "setup" (initContainers) image "${fails.ref}"`);
    expect(init.status?.message).not.toContain('"app"');
  });

  it('a configured custom kind (an Argo Rollout) is checked through its pod template path', async () => {
    const [failing, passing] = await Promise.all([
      kubectlRollout(images.fails.ref, images.passes.ref),
      kubectlRollout(images.passes.ref, images.passes.ref),
    ]);
    const refused = await review(failing, { namespace: 'apps' }, { kind: 'Rollout', name: 'canary' });
    expect(refused.allowed).toBe(false);
    expect(refused.status?.message).toContain(`container "app" (containers) image "${images.fails.ref}"`);
    expect((await review(passing, { namespace: 'apps' }, { kind: 'Rollout' })).allowed).toBe(true);
  });

  it('checks debug containers added through pods/ephemeralcontainers', async () => {
    const bad = await podWithDebugContainer(images.passes.ref, images.fails.ref);
    const refused = await review(
      bad.debugged,
      { namespace: 'apps', operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: bad.pod },
      { kind: 'Pod/ephemeralcontainers', operation: 'UPDATE' },
    );
    expect(refused.allowed).toBe(false);
    expect(refused.status?.message).toContain(
      `container "debugger" (ephemeralContainers) image "${images.fails.ref}"`,
    );

    const good = await podWithDebugContainer(images.fails.ref, images.passes.ref);
    // The running container is not judged again: only the added debug container is.
    const allowed = await review(
      good.debugged,
      { namespace: 'apps', operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: good.pod },
      { kind: 'Pod/ephemeralcontainers' },
    );
    expect(allowed.allowed, JSON.stringify(allowed)).toBe(true);
  });

  it('a never-analysed image: queued and refused under policy and analysis, allowed with a warning under breakglass', async () => {
    const fresh = await deployment(images.fresh.ref, 'fresh');
    const policy = await review(fresh, { namespace: 'apps' }, { mode: 'policy' });
    expect(policy.allowed).toBe(false);
    expect(policy.status?.message).toContain('not analysed: analysis requested, retry shortly');

    // Asked again while no worker has taken the job: refused again, the job is queued once.
    const analysis = await review(fresh, { namespace: 'ana' }, { mode: 'analysis' });
    expect(analysis.allowed).toBe(false);
    expect(analysis.status?.message).toContain('not analysed: analysis requested, retry shortly');

    const breakglass = await review(fresh, { namespace: 'brk' }, { mode: 'breakglass', verdict: 'warned' });
    expect(breakglass.allowed).toBe(true);
    expect(breakglass.warnings?.join('\n')).toContain('(breakglass)');

    const dry = await review(
      await deployment(images.freshDry.ref, 'dry'),
      { namespace: 'apps', dryRun: true },
      { dryRun: true },
    );
    expect(dry.allowed).toBe(false);
    expect(dry.status?.message).toContain('dry run: no analysis requested');
  });

  it('analysis mode admits an analysed failing image; warn rules admit it with a warning', async () => {
    const failing = await deployment(images.fails.ref, 'failing');
    const analysis = await review(failing, { namespace: 'ana' }, { mode: 'analysis', verdict: 'allowed' });
    expect(analysis.allowed).toBe(true);
    expect(analysis.warnings).toBeUndefined();
    const warn = await review(failing, { namespace: 'warn' }, { mode: 'policy', verdict: 'warned' });
    expect(warn.allowed).toBe(true);
    expect(warn.warnings?.join('\n')).toContain(`${images.fails.ref} fails policy`);
    const pinned = await review(
      await deployment(`${images.registry.host}/team/fails@${images.fails.digest}`, 'pinned'),
      {
        namespace: 'apps',
      },
    );
    expect(pinned.allowed).toBe(false);
    expect(pinned.status?.message).toContain(FAILING_CVE);
  });

  it('an active exception lets its release through; an expired one does not', async () => {
    const failing = await deployment(images.fails.ref, 'release');
    const active = await kubectlLocal(['label', 'app.kubernetes.io/instance=rel-active'], failing);
    const expired = await kubectlLocal(['label', 'release=rel-expired'], failing);
    const let_ = await review(active, { namespace: 'apps' }, { release: 'rel-active', verdict: 'warned' });
    expect(let_.allowed, JSON.stringify(let_)).toBe(true);
    expect(let_.warnings?.join('\n')).toContain('(exception');
    const refused = await review(
      expired,
      { namespace: 'apps' },
      { release: 'rel-expired', exception: undefined },
    );
    expect(refused.allowed).toBe(false);
    // The exception names its namespace: elsewhere it does not apply.
    const otherNamespace = await review(active, { namespace: 'other' }, { release: 'rel-active' });
    expect(otherNamespace.allowed).toBe(false);
  });

  it('allows a scale-only update of a failing workload, not an image change', async () => {
    const failing = await deployment(images.fails.ref, 'scaled');
    const scaled = await kubectlLocal(['patch', '--type=merge', '-p', '{"spec":{"replicas":5}}'], failing);
    const scale = await review(
      scaled,
      { namespace: 'apps', operation: 'UPDATE', oldObject: failing },
      { mode: 'scale-only', allowed: true },
    );
    expect(scale.allowed).toBe(true);
    const passing = await deployment(images.passes.ref, 'scaled');
    const changed = await review(failing, { namespace: 'apps', operation: 'UPDATE', oldObject: passing });
    expect(changed.allowed).toBe(false);
  });

  it('left one audit row per decision with kind, release, user, digests, verdict, mode and exception', async () => {
    await webhook.stop();
    const rows = await webhook.withStore((store) => store.admission.queryAudit(ACCOUNT, { limit: 500 }));
    const byUid = new Map(rows.map((r) => [r.uid, r]));
    expect(expected.size).toBeGreaterThan(30);
    for (const [uid, want] of expected) {
      const row = byUid.get(uid);
      expect(row, uid).toBeDefined();
      expect(row, uid).toMatchObject({ cluster: 'e2e', user: 'kubernetes-admin', ...want });
      expect(row?.verdict).toBe(!row?.allowed ? 'denied' : row.verdict);
    }
    const withException = rows.filter((r) => r.exception !== undefined);
    expect(withException.map((r) => [r.release, r.exception?.creator, r.exception?.reason])).toEqual([
      ['rel-active', 'oncall', 'outage fix'],
    ]);
    const digests = new Map(rows.flatMap((r) => r.images.map((i) => [i.image, i.digest] as const)));
    expect(digests.get(images.fails.ref)).toBe(images.fails.digest);
    expect(digests.get(images.fresh.ref)).toBe(images.fresh.digest);
    const [fresh, freshDry, jobs] = await webhook.withStore((store, db) =>
      Promise.all([
        store.images.get(ACCOUNT, images.fresh.digest),
        store.images.get(ACCOUNT, images.freshDry.digest),
        db.query<{ payload: { imageDigest: string; pullString: string } }>(
          `SELECT payload FROM job WHERE kind = 'analyze-image' AND state = 'queued'`,
        ),
      ]),
    );
    // The never-analysed image was added to the account and its analysis queued exactly once
    // (asked about three times); the dry-run image left no trace beyond its audit row.
    expect(fresh?.tags.map((t) => `${t.registry}/${t.repo}:${t.tag}`)).toEqual([images.fresh.ref]);
    expect(freshDry).toBeUndefined();
    expect(jobs.rows.map((j) => j.payload)).toEqual([
      expect.objectContaining({
        imageDigest: images.fresh.digest,
        pullString: `${images.registry.host}/team/fresh@${images.fresh.digest}`,
      }),
    ]);
  });
});
