/**
 * The deploy/kubernetes overlays, rendered by the real kubectl, checked for what the webhook
 * needs: every workload kind and pods/ephemeralcontainers registered, fail-closed with a
 * timeout above the decision deadline, system namespaces excluded, non-root pods with probes,
 * and CRDs that accept the records the service writes.
 */
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditResource } from './audit.js';
import { parseAdmissionConfigText } from './config.js';
import { BUILTIN_WORKLOAD_KINDS } from './kinds.js';
import { OVERLAYS, renderOverlay, type K8sObject } from './manifest-render.js';
import type { AuditRecord } from './ports.js';

/** Resource names the API server uses for the built-in workload kinds. */
const RESOURCES: Record<string, string> = {
  Pod: 'pods',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
  ReplicationController: 'replicationcontrollers',
};

interface Webhook {
  name: string;
  failurePolicy: string;
  sideEffects: string;
  timeoutSeconds: number;
  admissionReviewVersions: string[];
  clientConfig: { service: { name: string; namespace: string; path: string; port: number } };
  namespaceSelector: { matchExpressions: Array<{ key: string; operator: string; values: string[] }> };
  rules: Array<{ apiGroups: string[]; resources: string[]; operations: string[] }>;
}

type PodTemplate = {
  metadata: { labels: Record<string, string> };
  spec: { securityContext: Record<string, unknown>; containers: Array<Record<string, unknown>> };
};

function only(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  let objects: K8sObject[];
  beforeAll(async () => {
    objects = await renderOverlay(overlay);
  });

  it('registers every workload kind and pods/ephemeralcontainers, fail-closed, with system namespaces excluded', () => {
    const [config] = only(objects, 'ValidatingWebhookConfiguration');
    const webhooks = (config?.['webhooks'] ?? []) as Webhook[];
    const registered = new Set(
      webhooks.flatMap((w) => w.rules.flatMap((r) => r.resources.map((res) => `${r.apiGroups[0]}/${res}`))),
    );
    for (const kind of BUILTIN_WORKLOAD_KINDS)
      expect(registered).toContain(`${kind.group}/${RESOURCES[kind.kind]}`);
    expect(registered).toContain('/pods/ephemeralcontainers');

    const configMap = only(objects, 'ConfigMap').find(
      (c) => c.metadata.name === 'portcullis-admission-config',
    );
    const admission = parseAdmissionConfigText(
      (configMap?.['data'] as Record<string, string>)['admission.yaml'] ?? '',
    );
    const service = only(objects, 'Service').find((s) => s.metadata.name === 'portcullis-admission');
    for (const webhook of webhooks) {
      expect(webhook).toMatchObject({
        failurePolicy: 'Fail',
        sideEffects: 'NoneOnDryRun',
        admissionReviewVersions: ['v1'],
      });
      // The decision's own deadline must leave time to answer before the API server gives up.
      expect(admission.deadlineMs).toBeLessThan(webhook.timeoutSeconds * 1000);
      expect(webhook.clientConfig.service).toMatchObject({
        name: service?.metadata.name,
        namespace: 'portcullis',
        path: '/admission/validate',
        port: 443,
      });
      const excluded = webhook.namespaceSelector.matchExpressions.find(
        (e) => e.key === 'kubernetes.io/metadata.name',
      );
      expect(excluded?.operator).toBe('NotIn');
      expect(excluded?.values).toEqual(expect.arrayContaining(['kube-system', 'portcullis']));
      for (const ns of excluded?.values ?? []) expect(admission.excludeNamespaces).toContain(ns);
    }
  });

  it('runs non-root pods with probes and resources, reachable by every Service and covered by a PodDisruptionBudget', () => {
    const templates = only(objects, 'Deployment').map(
      (d) => (d['spec'] as { template: PodTemplate }).template,
    );
    expect(templates.length).toBeGreaterThan(0);
    for (const t of templates) {
      expect(t.spec.securityContext['runAsNonRoot']).toBe(true);
      for (const c of t.spec.containers) {
        expect(c['securityContext']).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
        });
        // The API's routes (test/image/portcullis-image.test.ts asks the running image for them);
        // a webhook-only container is probed on the webhook server's own /ready and /health
        // (src/main/admission-probes.test.ts), over its TLS port.
        const http = (c['ports'] as Array<{ name: string }>).some((p) => p.name === 'http');
        const webhook = (path: string) => ({ httpGet: { path, port: 'webhook', scheme: 'HTTPS' } });
        expect(c['readinessProbe']).toMatchObject(
          http ? { httpGet: { path: '/v1/ready' } } : webhook('/ready'),
        );
        expect(c['livenessProbe']).toMatchObject(
          http ? { httpGet: { path: '/v1/health' } } : webhook('/health'),
        );
        expect(c['resources']).toMatchObject({ requests: expect.any(Object), limits: expect.any(Object) });
        // Every process shares one sealing key and writes only to its own volumes.
        const env = c['env'] as Array<{ name: string; value?: string; valueFrom?: unknown }>;
        expect(env.find((e) => e.name === 'PORTCULLIS_SECRET_KEY')).toMatchObject({
          valueFrom: { secretKeyRef: { name: 'portcullis-secrets', key: 'secret-key' } },
        });
        const dataDir = env.find((e) => e.name === 'PORTCULLIS_DATA_DIR')?.value;
        const mounts = c['volumeMounts'] as Array<{ name: string; mountPath: string }>;
        const dataMount = mounts.find((m) => m.mountPath === dataDir);
        expect(dataMount, `${String(c['name'])}: no volume at its data dir`).toBeDefined();
        const volumes = (t.spec as unknown as { volumes: Array<{ name: string; emptyDir?: object }> })
          .volumes;
        expect(volumes.find((v) => v.name === dataMount?.name)?.emptyDir).toBeDefined();
      }
    }
    for (const service of only(objects, 'Service')) {
      const selector = (service['spec'] as { selector: Record<string, string> }).selector;
      const backends = templates.filter((t) => selects(selector, t.metadata.labels));
      expect(backends.length, `${service.metadata.name} selects no pod`).toBeGreaterThan(0);
      const ports = (service['spec'] as { ports: Array<{ targetPort: string }> }).ports;
      for (const b of backends) {
        const named = b.spec.containers.flatMap((c) =>
          (c['ports'] as Array<{ name: string }>).map((p) => p.name),
        );
        for (const p of ports) expect(named).toContain(p.targetPort);
      }
    }
    for (const t of templates) {
      const covered = only(objects, 'PodDisruptionBudget').some((p) =>
        selects(
          (p['spec'] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
          t.metadata.labels,
        ),
      );
      expect(covered).toBe(true);
    }
  });

  it('ships CRDs that accept the exception and audit records the service writes', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const schemaOf = (kind: string) => {
      const crd = only(objects, 'CustomResourceDefinition').find(
        (c) => (c['spec'] as { names: { kind: string } }).names.kind === kind,
      );
      const versions = (crd?.['spec'] as { versions: Array<{ schema: { openAPIV3Schema: object } }> })
        .versions;
      return ajv.compile(versions[0]!.schema.openAPIV3Schema);
    };
    const row: AuditRecord = {
      time: new Date('2026-06-01T12:00:00Z'),
      cluster: 'prod-eu',
      uid: 'c0ffee',
      namespace: 'shop',
      operation: 'CREATE',
      kind: 'Deployment',
      name: 'Web_App',
      release: 'shop',
      user: 'alice',
      images: [
        {
          container: 'web',
          list: 'containers',
          image: 'nginx',
          reference: 'docker.io/library/nginx:latest',
          digest: `sha256:${'a'.repeat(64)}`,
          mode: 'policy',
          outcome: 'fail',
          reasons: ['fails policy'],
          stale: true,
        },
      ],
      allowed: true,
      verdict: 'warned',
      reasons: ['web: fails policy'],
      mode: 'policy',
      exception: { id: 'wl-1', release: 'shop', creator: 'bob', reason: 'INC-1' },
      dryRun: false,
      stale: true,
    };
    const audit = auditResource(row);
    const validateAudit = schemaOf('Audit');
    expect(validateAudit(audit), JSON.stringify(validateAudit.errors)).toBe(true);
    expect((audit['metadata'] as { name: string }).name).toBe('deployment-web-app');
    expect(validateAudit({ spec: { ...(audit['spec'] as object), verdict: 'maybe' } })).toBe(false);

    const validateItem = schemaOf('WhiteListItem');
    const item = {
      spec: { release: 'shop', creator: 'bob', reason: 'INC-1', expiresAt: '2026-06-02T00:00:00Z' },
    };
    expect(validateItem(item), JSON.stringify(validateItem.errors)).toBe(true);
    expect(validateItem({ spec: { release: 'shop', creator: 'bob' } })).toBe(false);
    expect(validateItem({ spec: { ...item.spec, expiresAt: 'next tuesday' } })).toBe(false);
  });
});
