/**
 * Admission behaviours over real TLS: warn rules, exceptions and their expiry, scale-only
 * updates, dry runs, ephemeral containers, an unreachable or hung store, the deadline, and bad
 * input — each answered with a well-formed AdmissionReview.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAdmissionConfigText } from './config.js';
import {
  admissionReview,
  kubectlJson,
  kubectlWorkloads,
  memoryPorts,
  type MemoryPorts,
  type WorkloadKindName,
  MAIN_IMAGE,
  MAIN_DIGEST,
  INIT_DIGEST,
  CVE_REASON,
} from './test-support.js';
import { startAdmissionServer, type AdmissionTestServer } from './test-support/test-server.js';

const DEBUG_DIGEST = `sha256:${'3'.repeat(64)}`;
const MAIN = MAIN_IMAGE;
const STOP = { ...CVE_REASON, vulnerability: 'CVE-2024-0001' };

const CONFIG = `
cluster: behaviour
deadlineMs: 1500
storeTimeoutMs: 300
excludeNamespaces: [kube-system, portcullis]
rules:
  - {namespaces: [staging], mode: policy, action: warn}
  - {namespaces: [brk*], mode: breakglass}
  - {namespaces: ["*"], mode: policy}
`;

interface Answer {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
}

describe('admission behaviours', () => {
  let server: AdmissionTestServer;
  let ports: MemoryPorts;
  let workloads: Record<WorkloadKindName, Record<string, unknown>>;
  let clock = new Date('2026-06-01T12:00:00Z');

  const ask = async (body: unknown): Promise<Answer> => {
    const { status, json } = await server.post(body);
    expect(status).toBe(200);
    expect(json['kind']).toBe('AdmissionReview');
    return json['response'] as Answer;
  };
  const labelled = (kind: WorkloadKindName, labels: Record<string, string>): Record<string, unknown> => {
    const object = structuredClone(workloads[kind]);
    const metadata = object['metadata'] as Record<string, unknown>;
    metadata['labels'] = { ...((metadata['labels'] as object) ?? {}), ...labels };
    return object;
  };

  beforeAll(async () => {
    ports = memoryPorts(() => clock);
    [server, workloads] = await Promise.all([
      startAdmissionServer(parseAdmissionConfigText(CONFIG), ports),
      kubectlWorkloads(MAIN, 'busybox'),
    ]);
  });
  afterAll(async () => server?.close());
  beforeEach(() => {
    ports.digests.tags.clear();
    ports.digests.tags.set(MAIN, MAIN_DIGEST);
    ports.digests.tags.set('docker.io/library/busybox:latest', INIT_DIGEST);
    ports.digests.hang = false;
    ports.verdicts.down = false;
    ports.verdicts.hang = false;
    ports.verdicts.verdicts.clear();
    ports.verdicts.pass(INIT_DIGEST);
    ports.verdicts.fail(MAIN_DIGEST, [STOP]);
    ports.exceptions.items.length = 0;
  });

  it('warn rules allow a failing image with a warning and audit it as warned', async () => {
    const review = admissionReview(workloads.StatefulSet, { namespace: 'staging' });
    const answer = await ask(review);
    expect(answer.allowed).toBe(true);
    expect(answer.warnings).toEqual([
      expect.stringMatching(
        /^web: registry.example:5000\/team\/app:1.0 fails policy \(1 stop\) \(warn only\)$/,
      ),
    ]);
    for (const w of answer.warnings ?? []) expect(w.length).toBeLessThanOrEqual(120);
    expect(ports.audit.byUid(answer.uid)).toMatchObject({ verdict: 'warned', allowed: true, mode: 'policy' });
  });

  it('lets a release through with an active exception and refuses it once the exception expired', async () => {
    ports.exceptions.items.push({
      id: 'wl-shop',
      release: 'shop',
      namespace: 'prod',
      creator: 'alice',
      reason: 'INC-42: fix shipped Monday',
      expiresAt: new Date('2026-06-02T00:00:00Z'),
    });
    const object = labelled('Deployment', { 'app.kubernetes.io/instance': 'shop' });
    const inTime = await ask(admissionReview(object, { namespace: 'prod' }));
    expect(inTime.allowed).toBe(true);
    expect(inTime.warnings?.[0]).toMatch(/exception wl-shop/);
    expect(ports.audit.byUid(inTime.uid)).toMatchObject({
      release: 'shop',
      exception: { id: 'wl-shop', creator: 'alice' },
    });

    // The Helm 2 label names the release too; other namespaces are not covered.
    const helm2 = await ask(
      admissionReview(labelled('Deployment', { release: 'shop' }), { namespace: 'prod' }),
    );
    expect(helm2.allowed).toBe(true);
    expect((await ask(admissionReview(object, { namespace: 'other' }))).allowed).toBe(false);

    clock = new Date('2026-06-02T00:00:01Z');
    const expired = await ask(admissionReview(object, { namespace: 'prod' }));
    expect(expired.allowed).toBe(false);
    expect(expired.status?.message).toMatch(/CVE-2024-0001/);
    expect(ports.audit.byUid(expired.uid)?.exception).toBeUndefined();
  });

  it('allows a scale-only update of a failing workload, but not an image change', async () => {
    const old = workloads.Deployment;
    const scaled = structuredClone(old);
    (scaled['spec'] as Record<string, unknown>)['replicas'] = 10;
    const answer = await ask(
      admissionReview(scaled, { operation: 'UPDATE', oldObject: old, namespace: 'prod' }),
    );
    expect(answer.allowed).toBe(true);
    expect(ports.audit.byUid(answer.uid)).toMatchObject({ mode: 'scale-only', verdict: 'allowed' });

    const created = await ask(admissionReview(scaled, { namespace: 'prod' }));
    expect(created.allowed).toBe(false);
  });

  it('answers dry runs with the same verdict, no analysis request and an audit row marked dry-run', async () => {
    ports.verdicts.verdicts.delete(MAIN_DIGEST);
    const answer = await ask(admissionReview(workloads.Job, { namespace: 'prod', dryRun: true }));
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toMatch(/not analysed \(dry run: no analysis requested\)/);
    expect(ports.analysis.requests.filter((r) => r.digest === MAIN_DIGEST)).toEqual([]);
    expect(ports.audit.byUid(answer.uid)).toMatchObject({ dryRun: true, verdict: 'denied' });
  });

  it('checks debug containers added through pods/ephemeralcontainers', async () => {
    ports.verdicts.pass(MAIN_DIGEST);
    ports.digests.tags.set('docker.io/nicolaka/netshoot:latest', DEBUG_DIGEST);
    ports.verdicts.fail(DEBUG_DIGEST, [STOP]);
    const old = workloads.Pod;
    const debugged = structuredClone(old);
    (debugged['spec'] as Record<string, unknown>)['ephemeralContainers'] = [
      { name: 'debugger', image: 'nicolaka/netshoot' },
    ];
    const review = admissionReview(debugged, {
      operation: 'UPDATE',
      oldObject: old,
      subResource: 'ephemeralcontainers',
      namespace: 'prod',
    });
    const answer = await ask(review);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toMatch(
      /container "debugger" \(ephemeralContainers\) image "docker.io\/nicolaka\/netshoot:latest"/,
    );
    expect(ports.audit.byUid(answer.uid)?.kind).toBe('Pod/ephemeralcontainers');
  });

  it('keeps answering from cached verdicts while the store is down, flagged stale', async () => {
    ports.verdicts.pass(MAIN_DIGEST);
    const warm = await ask(admissionReview(workloads.DaemonSet, { namespace: 'prod' }));
    expect(warm.allowed).toBe(true);

    // Within the freshness bound the cache answers without the store; past it the store is asked.
    ports.verdicts.down = true;
    const fresh = await ask(admissionReview(workloads.DaemonSet, { namespace: 'prod' }));
    expect(ports.audit.byUid(fresh.uid)).toMatchObject({ stale: false, verdict: 'allowed' });
    const before = clock;
    clock = new Date(clock.getTime() + 1_001);
    const cached = await ask(admissionReview(workloads.DaemonSet, { namespace: 'prod' }));
    expect(cached.allowed).toBe(true);
    expect(ports.audit.byUid(cached.uid)).toMatchObject({ stale: true, verdict: 'allowed' });

    ports.verdicts.down = false;
    ports.verdicts.hang = true;
    const hung = await ask(admissionReview(workloads.DaemonSet, { namespace: 'prod' }));
    expect(hung.allowed).toBe(true);
    expect(ports.audit.byUid(hung.uid)?.stale).toBe(true);

    // A digest never seen before has nothing cached: refused under policy.
    ports.verdicts.hang = false;
    ports.verdicts.down = true;
    ports.digests.tags.set(MAIN, `sha256:${'9'.repeat(64)}`);
    const digestCacheBypass = admissionReview(workloads.Pod, { namespace: 'prod' });
    const pinned = structuredClone(digestCacheBypass);
    const spec = (pinned['request'] as { object: { spec: { containers: Array<{ image: string }> } } }).object
      .spec;
    spec.containers[0]!.image = `${MAIN}@sha256:${'9'.repeat(64)}`;
    const unknown = await ask(pinned);
    expect(unknown.allowed).toBe(false);
    expect(unknown.status?.message).toMatch(/verdict store unavailable and no cached verdict/);
    clock = before;
  });

  it('fails by mode when the deadline passes: refused under policy, allowed under breakglass', async () => {
    // A tag not resolved before (resolved digests are cached), from a registry that never answers.
    ports.digests.hang = true;
    const slow = structuredClone(workloads.ReplicaSet);
    const template = (slow['spec'] as { template: { spec: { containers: Array<{ image: string }> } } })
      .template;
    template.spec.containers[0]!.image = 'registry.example:5000/team/app:never-resolved';
    const policy = await ask(admissionReview(slow, { namespace: 'prod' }));
    expect(policy.allowed).toBe(false);
    expect(policy.status?.message).toMatch(/deadline of 1500 ms exceeded/);
    const breakglass = await ask(admissionReview(slow, { namespace: 'brk-team' }));
    expect(breakglass.allowed).toBe(true);
    expect(breakglass.warnings?.join()).toMatch(/deadline exceeded \(breakglass\)/);
  });

  it('never checks excluded namespaces', async () => {
    const answer = await ask(admissionReview(workloads.Pod, { namespace: 'kube-system' }));
    expect(answer.allowed).toBe(true);
    expect(ports.audit.byUid(answer.uid)?.mode).toBe('excluded');
  });

  describe('bad input gets a well-formed answer', () => {
    it('bodies that are not JSON or not an AdmissionReview', async () => {
      for (const body of [
        'this is not json',
        '{"kind":"Pod"}',
        '[]',
        'null',
        '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x"}}',
      ]) {
        const { status, text } = await server.postRaw(body, 'text/plain');
        expect(status).toBe(200);
        const json = JSON.parse(text) as { apiVersion: string; kind: string; response: Answer };
        expect(json).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
        expect(json.response.allowed).toBe(false);
        expect(json.response.status?.code).toBe(403);
        expect(json.response.status?.message).toMatch(
          /not an admission.k8s.io\/v1 AdmissionReview|malformed AdmissionReview request/,
        );
      }
    });

    it('unknown kinds: refused, or allowed with a warning under breakglass', async () => {
      const secret = await kubectlJson(['create', 'secret', 'generic', 's', '--from-literal=a=b']);
      const refused = await ask(admissionReview(secret, { namespace: 'prod' }));
      expect(refused.status?.message).toMatch(/unsupported kind core\/Secret/);
      const allowed = await ask(admissionReview(secret, { namespace: 'brk-1' }));
      expect(allowed.allowed).toBe(true);
      expect(allowed.warnings?.[0]).toMatch(/breakglass/);
    });

    it('a missing object', async () => {
      const review = admissionReview(workloads.Pod, { namespace: 'prod' });
      delete (review['request'] as Record<string, unknown>)['object'];
      const answer = await ask(review);
      expect(answer.uid).toBe((review['request'] as { uid: string }).uid);
      expect(answer.status?.message).toMatch(/CREATE request without an object/);
    });

    it('hostile image strings', async () => {
      const pod = structuredClone(workloads.Pod);
      const spec = pod['spec'] as { containers: Array<{ name: string; image: string }> };
      spec.containers = [
        { name: 'a', image: `evil\u001b[31m${'x'.repeat(3000)}` },
        { name: 'b', image: 'UPPER/CASE:tag' },
      ];
      const answer = await ask(admissionReview(pod, { namespace: 'prod' }));
      expect(answer.allowed).toBe(false);
      expect(answer.status?.message).toMatch(
        /container "a".*invalid image reference.*container "b".*invalid image reference/,
      );
      expect(answer.status?.message).not.toContain(String.fromCharCode(27));
    });

    it('a 10 MB body is refused with 413 before it is read whole', async () => {
      const huge = Buffer.alloc(10 * 1024 * 1024, 'a');
      const { status, text } = await server.postRaw(huge);
      expect(status).toBe(413);
      expect(JSON.parse(text)).toMatchObject({ statusCode: 413 });
      // The server keeps answering afterwards.
      expect((await ask(admissionReview(workloads.Pod, { namespace: 'kube-system' }))).allowed).toBe(true);
    });

    it('v1beta1 reviews are answered in v1beta1', async () => {
      const review = {
        ...admissionReview(workloads.Pod, { namespace: 'kube-system' }),
        apiVersion: 'admission.k8s.io/v1beta1',
      };
      const { json } = await server.post(review);
      expect(json['apiVersion']).toBe('admission.k8s.io/v1beta1');
    });
  });
});
