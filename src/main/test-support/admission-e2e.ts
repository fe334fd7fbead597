/**
 * The pieces of the admission end-to-end tests: Debian's docker-registry (TLS + htpasswd) with
 * a passing, a failing and two never-analysed images; an account seeded the way the API would
 * leave it; and workload objects of every kind made by the real kubectl (`kubectl kustomize`
 * renders the kinds with init containers, `kubectl label/patch --local` changes them).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getFixtureImage } from '../../../test/harness/fixtures/index.js';
import { inspectRaw, pushImage } from '../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../test/harness/registry/start-registry.js';
import {
  kubectlKustomizeObjects,
  WORKLOAD_KINDS,
  type WorkloadKindName,
} from '../../admission/test-support.js';
import type { ServiceStore } from '../../store/repositories/index.js';

const run = promisify(execFile);

export const FAILING_CVE = 'CVE-2024-0001';

export interface E2eImages {
  registry: TestRegistry;
  /** Analysed, passes the active bundle. */
  passes: { ref: string; digest: string };
  /** Analysed, fails the active bundle with FAILING_CVE. */
  fails: { ref: string; digest: string };
  /** Pushed but never analysed (the same files as a Docker v2.2 manifest: another digest). */
  fresh: { ref: string; digest: string };
  /** Never analysed, only ever asked about in dry runs. */
  freshDry: { ref: string; digest: string };
}

export async function startE2eRegistry(): Promise<E2eImages> {
  const [registry, app, base] = await Promise.all([
    startRegistry('tls-basic'),
    getFixtureImage('app'),
    getFixtureImage('base'),
  ]);
  const pushes: Array<[string, string]> = [
    [`oci:${app.ociLayoutDir}:${app.tag}`, 'team/passes:1'],
    [`oci:${base.ociLayoutDir}:${base.tag}`, 'team/fails:1'],
    [`docker-archive:${app.dockerArchive}`, 'team/fresh:1'],
    [`docker-archive:${base.dockerArchive}`, 'team/fresh-dry:1'],
  ];
  for (const [source, destination] of pushes) await pushImage(registry, source, destination);
  const image = async (repoTag: string) => ({
    ref: `${registry.host}/${repoTag}`,
    digest: `sha256:${createHash('sha256')
      .update(await inspectRaw(registry, repoTag))
      .digest('hex')}`,
  });
  return {
    registry,
    passes: await image('team/passes:1'),
    fails: await image('team/fails:1'),
    fresh: await image('team/fresh:1'),
    freshDry: await image('team/fresh-dry:1'),
  };
}

/** The account as the API would leave it: a registry login, an active bundle `p`, two evaluated images. */
export async function seedAccount(store: ServiceStore, account: string, images: E2eImages): Promise<void> {
  const { registry } = images;
  await store.accounts.create({ name: account, type: 'user' });
  await store.registries.create({
    accountName: account,
    registry: registry.host,
    registryName: registry.host,
    registryUser: registry.username,
    registryPass: registry.password,
    registryType: 'docker_v2',
    registryVerify: true,
  });
  await store.policies.upsert({
    accountName: account,
    policyId: 'p',
    name: 'p',
    bundle: { id: 'p' },
    active: true,
  });
  for (const [repo, digest, status] of [
    ['team/passes', images.passes.digest, 'pass'],
    ['team/fails', images.fails.digest, 'fail'],
  ] as const) {
    await store.images.add({
      accountName: account,
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
    const trigger = {
      gate: 'vulnerabilities',
      trigger: 'package',
      triggerId: `${FAILING_CVE}+libssl3`,
      message: `HIGH Vulnerability found in os package type (dpkg) - libssl3 (fixed in: 3.0.14) - ${FAILING_CVE}`,
      action: 'STOP',
      effectiveAction: 'STOP',
      policyId: 'p',
      ruleId: 'r1',
      whitelisted: null,
    };
    await store.evaluations.add({
      accountName: account,
      imageDigest: digest,
      tag: `${registry.host}/${repo}:1`,
      policyId: 'p',
      status,
      finalAction: status === 'pass' ? 'GO' : 'STOP',
      result: { triggers: status === 'fail' ? [trigger] : [], matchedBlacklistedImage: null, failClosed: [] },
    });
  }
}

function podSpec(main: string, init: string, indent: string): string {
  return [
    'initContainers:',
    `- {name: setup, image: "${init}"}`,
    'containers:',
    `- {name: app, image: "${main}"}`,
  ]
    .map((line) => `${indent}${line}\n`)
    .join('');
}

const TEMPLATE_AT: Record<WorkloadKindName, { apiVersion: string; spec: string; depth: number }> = {
  Pod: { apiVersion: 'v1', spec: '', depth: 0 },
  Deployment: { apiVersion: 'apps/v1', spec: '  selector: {matchLabels: {app: web}}\n', depth: 1 },
  ReplicaSet: { apiVersion: 'apps/v1', spec: '  selector: {matchLabels: {app: web}}\n', depth: 1 },
  StatefulSet: {
    apiVersion: 'apps/v1',
    spec: '  serviceName: web\n  selector: {matchLabels: {app: web}}\n',
    depth: 1,
  },
  DaemonSet: { apiVersion: 'apps/v1', spec: '  selector: {matchLabels: {app: web}}\n', depth: 1 },
  Job: { apiVersion: 'batch/v1', spec: '', depth: 1 },
  CronJob: {
    apiVersion: 'batch/v1',
    spec: '  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n',
    depth: 3,
  },
  ReplicationController: { apiVersion: 'v1', spec: '  selector: {app: web}\n', depth: 1 },
};

function manifest(kind: WorkloadKindName, main: string, init: string): string {
  const t = TEMPLATE_AT[kind];
  const head = `apiVersion: ${t.apiVersion}\nkind: ${kind}\nmetadata: {name: web, labels: {app: web}}\n`;
  if (t.depth === 0) return `${head}spec:\n${podSpec(main, init, '  ')}`;
  const pad = '  '.repeat(t.depth);
  const restart = kind === 'Job' || kind === 'CronJob' ? `${pad}    restartPolicy: Never\n` : '';
  return (
    `${head}spec:\n${t.spec}${pad}template:\n${pad}  metadata: {labels: {app: web}}\n${pad}  spec:\n` +
    restart +
    podSpec(main, init, `${pad}    `)
  );
}

/** Every workload kind with init container `setup` running `init` and container `app` running `main`. */
export async function workloadsWithInit(
  main: string,
  init: string,
): Promise<Record<WorkloadKindName, Record<string, unknown>>> {
  const objects = await kubectlKustomizeObjects(
    WORKLOAD_KINDS.map((k) => manifest(k, main, init)).join('---\n'),
  );
  const byKind = new Map(objects.map((o) => [o['kind'] as string, o]));
  const out = {} as Record<WorkloadKindName, Record<string, unknown>>;
  for (const kind of WORKLOAD_KINDS) {
    const object = byKind.get(kind);
    if (!object) throw new Error(`kubectl kustomize rendered no ${kind}`);
    out[kind] = object;
  }
  return out;
}

/** `kubectl <args> --local -f object.json -o json`: the real kubectl changing an object offline. */
export async function kubectlLocal(
  args: string[],
  object: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-kubectl-'));
  try {
    const file = join(dir, 'object.json');
    await writeFile(file, JSON.stringify(object));
    const { stdout } = await run('kubectl', [...args, '--local', '-f', file, '-o', 'json'], {
      timeout: 60_000,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A Pod running `main`, and the same Pod with debug container `debugger` running `debug`, via kubectl. */
export async function podWithDebugContainer(
  main: string,
  debug: string,
): Promise<{ pod: Record<string, unknown>; debugged: Record<string, unknown> }> {
  const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: dbg, labels: {app: dbg}}\nspec:\n  containers:\n  - {name: app, image: "${main}"}\n`;
  const [before] = await kubectlKustomizeObjects(pod);
  const [after] = await kubectlKustomizeObjects(
    `${pod}  ephemeralContainers:\n  - {name: debugger, image: "${debug}", stdin: true, tty: true}\n`,
  );
  if (!before || !after) throw new Error('kubectl kustomize rendered no Pod');
  return { pod: before, debugged: after };
}

/** An Argo Rollout (a custom kind with its pod template at spec.template), via kubectl kustomize. */
export async function kubectlRollout(main: string, init: string): Promise<Record<string, unknown>> {
  const [rollout] = await kubectlKustomizeObjects(
    `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: canary}\nspec:\n  template:\n    spec:\n${podSpec(main, init, '      ')}`,
  );
  if (!rollout) throw new Error('kubectl kustomize rendered no Rollout');
  return rollout;
}
