/**
 * In-memory ports and AdmissionReview builders for the admission tests. Workload objects come
 * from the real kubectl (`create … --dry-run=client -o json`, `run`, and `kustomize` for the
 * kinds kubectl cannot create offline), wrapped the way the API server wraps them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { formatReference, type ImageReference } from '../core/image/reference/parse.js';
import { PortcullisError } from '../core/errors.js';
import { StoreChanges } from './change-feed.js';
import type {
  AdmissionException,
  AdmissionPorts,
  AnalysisRequest,
  AuditRecord,
  StoredVerdict,
  VerdictReason,
} from './ports.js';

const run = promisify(execFile);

export async function kubectlJson(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('kubectl', [...args, '--dry-run=client', '-o', 'json'], { timeout: 60_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Objects kubectl cannot create offline, parsed and re-serialized by `kubectl kustomize`. */
export async function kubectlKustomizeObjects(manifestYaml: string): Promise<Array<Record<string, unknown>>> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-kustomize-'));
  try {
    await writeFile(join(dir, 'objects.yaml'), manifestYaml);
    await writeFile(join(dir, 'kustomization.yaml'), 'resources:\n- objects.yaml\n');
    const { stdout } = await run('kubectl', ['kustomize', dir], { timeout: 60_000 });
    return parseAllDocuments(stdout).map((d) => d.toJSON() as Record<string, unknown>);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const GROUPS: Record<string, string> = { Pod: '', ReplicationController: '' };
const PLURALS: Record<string, string> = { Pod: 'pods' };

export interface ReviewOptions {
  namespace?: string;
  operation?: 'CREATE' | 'UPDATE' | 'DELETE';
  oldObject?: unknown;
  dryRun?: boolean;
  subResource?: string;
  uid?: string;
  user?: string;
}

let uidCounter = 0;

/** A full admission.k8s.io/v1 AdmissionReview as the API server sends it. */
export function admissionReview(
  object: Record<string, unknown>,
  options: ReviewOptions = {},
): Record<string, unknown> {
  const [groupVersion = 'v1'] = [object['apiVersion'] as string];
  const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
  const kind = object['kind'] as string;
  const metadata = (object['metadata'] ?? {}) as Record<string, unknown>;
  const namespace = options.namespace ?? 'default';
  const resource = PLURALS[kind] ?? `${kind.toLowerCase()}s`;
  const operation = options.operation ?? 'CREATE';
  const withNamespace = { ...object, metadata: { ...metadata, namespace } };
  const old = options.oldObject as Record<string, unknown> | undefined;
  const oldWithNamespace = old
    ? { ...old, metadata: { ...((old['metadata'] ?? {}) as object), namespace } }
    : null;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? `0000-test-${++uidCounter}`,
      kind: { group: GROUPS[kind] ?? group, version, kind },
      resource: { group: GROUPS[kind] ?? group, version, resource },
      ...(options.subResource ? { subResource: options.subResource } : {}),
      requestKind: { group: GROUPS[kind] ?? group, version, kind },
      requestResource: { group: GROUPS[kind] ?? group, version, resource },
      name: metadata['name'] ?? '',
      namespace,
      operation,
      userInfo: {
        username: options.user ?? 'kubernetes-admin',
        groups: ['system:masters', 'system:authenticated'],
      },
      object: operation === 'DELETE' ? null : withNamespace,
      oldObject: oldWithNamespace,
      dryRun: options.dryRun ?? false,
      options: {
        apiVersion: 'meta.k8s.io/v1',
        kind: operation === 'UPDATE' ? 'UpdateOptions' : 'CreateOptions',
      },
    },
  };
}

export class MemoryDigests {
  readonly tags = new Map<string, string>();
  down = false;
  /** When set, resolutions never settle (a registry that accepts and never answers). */
  hang = false;
  async resolve(ref: ImageReference): Promise<string> {
    if (this.down) throw new PortcullisError('REGISTRY_UNREACHABLE', 'registry unreachable');
    if (this.hang) return new Promise<never>(() => undefined);
    const digest = this.tags.get(formatReference(ref));
    if (!digest) throw new PortcullisError('REGISTRY_NOT_FOUND', `manifest unknown: ${formatReference(ref)}`);
    return digest;
  }
}

/** A map that announces every change, as the store's writes do through `StoreChanges`. */
class AnnouncingMap<K, V> extends Map<K, V> {
  constructor(private readonly changes: StoreChanges) {
    super();
  }
  override set(key: K, value: V): this {
    super.set(key, value);
    this.changes.emit();
    return this;
  }
  override delete(key: K): boolean {
    const deleted = super.delete(key);
    this.changes.emit();
    return deleted;
  }
  override clear(): void {
    super.clear();
    this.changes.emit();
  }
}

export class MemoryVerdicts {
  readonly verdicts: Map<string, StoredVerdict>;
  constructor(changes = new StoreChanges()) {
    this.verdicts = new AnnouncingMap(changes);
  }
  /** When set, lookups throw as an unreachable database would. */
  down = false;
  /** When set, lookups never settle (a hung database). */
  hang = false;
  lookups = 0;
  async lookup(digest: string, bundleId: string | undefined): Promise<StoredVerdict | undefined> {
    this.lookups++;
    if (this.down) throw new PortcullisError('IO', 'connect ECONNREFUSED 127.0.0.1:5432');
    if (this.hang) return new Promise<never>(() => undefined);
    const verdict = this.verdicts.get(digest);
    if (!verdict?.policy || bundleId === undefined || verdict.policy.bundleId === bundleId) return verdict;
    return { digest, analysisStatus: verdict.analysisStatus };
  }
  pass(digest: string, bundleId = 'active'): void {
    this.verdicts.set(digest, {
      digest,
      analysisStatus: 'analyzed',
      policy: { bundleId, status: 'pass', reasons: [], evaluatedAt: new Date() },
    });
  }
  fail(digest: string, reasons: VerdictReason[], bundleId = 'active'): void {
    this.verdicts.set(digest, {
      digest,
      analysisStatus: 'analyzed',
      policy: { bundleId, status: 'fail', reasons, evaluatedAt: new Date() },
    });
  }
}

export class MemoryAnalysisQueue {
  readonly requests: AnalysisRequest[] = [];
  async request(req: AnalysisRequest): Promise<void> {
    this.requests.push(req);
  }
}

export class MemoryExceptions {
  /** Every change to the list is announced (a proxy sees pushes, splices and length = 0). */
  readonly items: AdmissionException[];
  constructor(changes = new StoreChanges()) {
    this.items = new Proxy<AdmissionException[]>([], {
      set(target, property, value) {
        const done = Reflect.set(target, property, value);
        changes.emit();
        return done;
      },
    });
  }
  async forRelease(release: string): Promise<AdmissionException[]> {
    return this.items.filter((e) => e.release === release);
  }
}

export class MemoryAudit {
  readonly rows: AuditRecord[] = [];
  async record(row: AuditRecord): Promise<void> {
    this.rows.push(row);
  }
  byUid(uid: string): AuditRecord | undefined {
    return this.rows.find((r) => r.uid === uid);
  }
}

export interface MemoryPorts extends AdmissionPorts {
  digests: MemoryDigests;
  verdicts: MemoryVerdicts;
  analysis: MemoryAnalysisQueue;
  exceptions: MemoryExceptions;
  audit: MemoryAudit;
  changes: StoreChanges;
}

export function memoryPorts(now?: () => Date): MemoryPorts {
  const changes = new StoreChanges();
  const ports: MemoryPorts = {
    digests: new MemoryDigests(),
    verdicts: new MemoryVerdicts(changes),
    analysis: new MemoryAnalysisQueue(),
    exceptions: new MemoryExceptions(changes),
    audit: new MemoryAudit(),
    changes,
  };
  if (now) ports.now = now;
  return ports;
}

export const WORKLOAD_KINDS = [
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicationController',
] as const;
export type WorkloadKindName = (typeof WORKLOAD_KINDS)[number];

/** A pod spec with one init container and one container, indented for its place in YAML. */
function podSpecYaml(main: string, init: string, indent: string): string {
  return [
    'initContainers:',
    `- {name: setup, image: "${init}"}`,
    'containers:',
    `- {name: web, image: "${main}"}`,
  ]
    .map((line) => `${indent}${line}\n`)
    .join('');
}

function podYaml(main: string, init: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec:\n${podSpecYaml(main, init, '  ')}`;
}

function controllerYaml(
  kind: string,
  apiVersion: string,
  extraSpec: string,
  main: string,
  init: string,
): string {
  const selector = kind === 'ReplicationController' ? '{app: web}' : '{matchLabels: {app: web}}';
  return `apiVersion: ${apiVersion}
kind: ${kind}
metadata: {name: web, labels: {app: web}}
spec:
${extraSpec}  selector: ${selector}
  template:
    metadata: {labels: {app: web}}
    spec:
${podSpecYaml(main, init, '      ')}`;
}

/**
 * One object of every workload kind running `main` (and `init` as an init container where the
 * kind is written as a manifest: kubectl's offline generators make single-container objects), each produced by the real kubectl.
 */
export async function kubectlWorkloads(
  main: string,
  init: string,
): Promise<Record<WorkloadKindName, Record<string, unknown>>> {
  const [deployment, job, cronJob, rendered] = await Promise.all([
    kubectlJson(['create', 'deployment', 'web', `--image=${main}`]),
    kubectlJson(['create', 'job', 'web', `--image=${main}`]),
    kubectlJson(['create', 'cronjob', 'web', `--image=${main}`, '--schedule=*/5 * * * *']),
    kubectlKustomizeObjects(
      [
        podYaml(main, init),
        controllerYaml('ReplicaSet', 'apps/v1', '  replicas: 2\n', main, init),
        controllerYaml('StatefulSet', 'apps/v1', '  serviceName: web\n', main, init),
        controllerYaml('DaemonSet', 'apps/v1', '', main, init),
        controllerYaml('ReplicationController', 'v1', '  replicas: 2\n', main, init),
      ].join('---\n'),
    ),
  ]);
  const byKind = new Map(rendered.map((o) => [o['kind'] as string, o]));
  const pick = (kind: string): Record<string, unknown> => {
    const object = byKind.get(kind);
    if (!object) throw new Error(`kubectl kustomize did not render a ${kind}`);
    return object;
  };
  return {
    Pod: pick('Pod'),
    Deployment: deployment,
    ReplicaSet: pick('ReplicaSet'),
    StatefulSet: pick('StatefulSet'),
    DaemonSet: pick('DaemonSet'),
    Job: job,
    CronJob: cronJob,
    ReplicationController: pick('ReplicationController'),
  };
}

/** The images the admission tests run: a tag-only image on a private registry, and busybox. */
export const MAIN_IMAGE = 'registry.example:5000/team/app:1.0';
export const MAIN_DIGEST = `sha256:${'1'.repeat(64)}`;
export const INIT_DIGEST = `sha256:${'2'.repeat(64)}`;
/** A stored reason as the policy engine reports a vulnerability trigger. */
export const CVE_REASON: VerdictReason = {
  gate: 'vulnerabilities',
  trigger: 'package',
  message: 'HIGH Vulnerability found in os package type (dpkg) - libwebp7 (fixed in: 1.2.4-0.2+deb12u1)',
  action: 'STOP',
  vulnerability: 'CVE-2023-4863',
  severity: 'Critical',
  package: 'libwebp7-1.2.4-0.2',
};
