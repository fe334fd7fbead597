/**
 * Every workload kind × every mode, POSTed over real TLS: kubectl-made objects wrapped into v1
 * AdmissionReviews, answered from in-memory stored verdicts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAdmissionConfigText } from './config.js';
import {
  admissionReview,
  kubectlWorkloads,
  memoryPorts,
  WORKLOAD_KINDS,
  type MemoryPorts,
  type WorkloadKindName,
  MAIN_IMAGE,
  MAIN_DIGEST,
  INIT_DIGEST,
  CVE_REASON,
} from './test-support.js';
import { startAdmissionServer, type AdmissionTestServer } from './test-support/test-server.js';

const MAIN = MAIN_IMAGE;

const CONFIG = `
cluster: test-cluster
excludeNamespaces: [kube-system, portcullis]
rules:
  - {namespaces: [pol], mode: policy}
  - {namespaces: [ana], mode: analysis}
  - {namespaces: [brk], mode: breakglass}
`;

type State = 'passing' | 'failing' | 'unanalysed';

function setState(ports: MemoryPorts, state: State): void {
  ports.verdicts.verdicts.clear();
  ports.verdicts.pass(INIT_DIGEST);
  if (state === 'passing') ports.verdicts.pass(MAIN_DIGEST);
  if (state === 'failing') ports.verdicts.fail(MAIN_DIGEST, [CVE_REASON]);
}

interface Expectation {
  allowed: boolean;
  message?: RegExp[];
  warning?: RegExp;
  queued?: boolean;
}

const EXPECTED: Record<string, Record<State, Expectation>> = {
  pol: {
    passing: { allowed: true },
    failing: {
      allowed: false,
      message: [
        /container "MAIN" \(containers\)/,
        /CVE-2023-4863/,
        /critical/,
        /vulnerabilities\/package/,
        new RegExp(MAIN_DIGEST),
      ],
    },
    unanalysed: { allowed: false, message: [/analysis requested, retry shortly/], queued: true },
  },
  ana: {
    passing: { allowed: true },
    failing: { allowed: true },
    unanalysed: {
      allowed: false,
      message: [/not analysed: analysis requested, retry shortly/],
      queued: true,
    },
  },
  brk: {
    passing: { allowed: true },
    failing: {
      allowed: true,
      warning: /MAIN: registry.example:5000\/team\/app:1.0 fails policy.*breakglass/,
    },
    unanalysed: { allowed: true, warning: /not analysed \(breakglass\)/, queued: true },
  },
};

describe('POST /admission/validate over TLS: every kind in every mode', () => {
  let server: AdmissionTestServer;
  let ports: MemoryPorts;
  let workloads: Record<WorkloadKindName, Record<string, unknown>>;

  beforeAll(async () => {
    ports = memoryPorts();
    ports.digests.tags.set(MAIN, MAIN_DIGEST);
    ports.digests.tags.set('docker.io/library/busybox:latest', INIT_DIGEST);
    [server, workloads] = await Promise.all([
      startAdmissionServer(parseAdmissionConfigText(CONFIG), ports),
      kubectlWorkloads(MAIN, 'busybox'),
    ]);
  });
  afterAll(async () => server?.close());

  const cases = WORKLOAD_KINDS.flatMap((kind) =>
    Object.keys(EXPECTED).flatMap((namespace) =>
      (['passing', 'failing', 'unanalysed'] as const).map((state) => [kind, namespace, state] as const),
    ),
  );

  it.each(cases)('%s in namespace %s with a %s image', async (kind, namespace, state) => {
    setState(ports, state);
    const queuedBefore = ports.analysis.requests.length;
    const review = admissionReview(workloads[kind], { namespace });
    const uid = (review['request'] as { uid: string }).uid;
    const { status, json } = await server.post(review);
    const expected = EXPECTED[namespace]![state];
    // kubectl names the container after the image for Deployments, after the object otherwise.
    const container =
      JSON.stringify(workloads[kind]).match(/"containers":\[\{[^}]*?"name":"([^"]+)"/)?.[1] ?? '?';
    const named = (pattern: RegExp): RegExp => new RegExp(pattern.source.replace('MAIN', container));

    expect(status).toBe(200);
    expect(json['apiVersion']).toBe('admission.k8s.io/v1');
    expect(json['kind']).toBe('AdmissionReview');
    const response = json['response'] as {
      uid: string;
      allowed: boolean;
      status?: { code: number; message: string };
      warnings?: string[];
    };
    expect(response.uid).toBe(uid);
    expect(response.allowed).toBe(expected.allowed);
    if (!expected.allowed) {
      expect(response.status?.code).toBe(403);
      for (const pattern of expected.message ?? []) expect(response.status?.message).toMatch(named(pattern));
    } else {
      expect(response.status).toBeUndefined();
    }
    if (expected.warning) expect(response.warnings?.join('\n')).toMatch(named(expected.warning));
    else expect(response.warnings).toBeUndefined();
    const queued = ports.analysis.requests.slice(queuedBefore);
    expect(queued.map((q) => q.digest)).toEqual(expected.queued ? [MAIN_DIGEST] : []);

    const row = ports.audit.byUid(uid);
    expect(row).toMatchObject({
      cluster: 'test-cluster',
      namespace,
      kind,
      name: 'web',
      allowed: expected.allowed,
      mode: namespace === 'pol' ? 'policy' : namespace === 'ana' ? 'analysis' : 'breakglass',
      dryRun: false,
      stale: false,
      user: 'kubernetes-admin',
    });
    const main = row?.images.find((i) => i.list === 'containers');
    expect(main).toMatchObject({
      reference: MAIN,
      digest: MAIN_DIGEST,
      outcome: state === 'passing' || (namespace === 'ana' && state === 'failing') ? 'ok' : 'fail',
    });
  });
});
