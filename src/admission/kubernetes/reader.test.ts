/**
 * The in-cluster reader (ADR 0028) against a real HTTPS server playing the Kubernetes API,
 * serving objects rendered by the real kubectl: list + watch into memory, 410 Gone relists,
 * fetch-once of an unknown namespace, WhiteListItems as exceptions, the Audit object mirror.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../../../test/harness/registry/certs.js';
import type { AuditRecord } from '../ports.js';
import { AuditObjectMirror } from './audit-objects.js';
import { KubeClient, type KubeConnection } from './client.js';
import { Informer } from './informer.js';
import {
  namespaceLabelsOf,
  NAMESPACES_PATH,
  WatchedNamespaceLabels,
  type Labels,
} from './namespace-labels.js';
import { FakeKubernetesApi } from './test-support/fake-api-server.js';
import { kubectlNamespace, kubectlWhiteListItem } from './test-support/kubectl-objects.js';
import { CombinedExceptions, exceptionOf, WHITELIST_PATH } from './whitelist-items.js';

let work: string;
let api: FakeKubernetesApi;
let connection: KubeConnection;
let client: KubeClient;
const errors: Error[] = [];
const ctx = { account: undefined, signal: new AbortController().signal };

/** Waits for state the watch delivers asynchronously (bounded; not a timing assertion). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-kube-reader-'));
  api = new FakeKubernetesApi(await makeTestPki(join(work, 'pki')));
  connection = await api.start(work);
  client = new KubeClient(connection);
}, 60_000);
afterAll(async () => {
  await client.close();
  await api.stop();
  await rm(work, { recursive: true, force: true });
});

describe('namespace labels', () => {
  let informer: Informer<Labels>;
  beforeAll(async () => {
    api.put(NAMESPACES_PATH, await kubectlNamespace('shop', { tier: 'prod' }));
    informer = new Informer({
      client,
      path: NAMESPACES_PATH,
      parse: namespaceLabelsOf,
      onError: (err) => errors.push(err),
      initialBackoffMs: 20,
    });
    informer.start();
    await informer.synced;
  });
  afterAll(() => informer.stop());

  it('lists, then follows the watch: added, relabelled and deleted namespaces', async () => {
    expect(informer.items.get('shop')).toEqual({ tier: 'prod' });
    api.put(NAMESPACES_PATH, await kubectlNamespace('dev', { tier: 'dev' }));
    await until(() => informer.items.get('dev')?.['tier'] === 'dev');
    api.put(NAMESPACES_PATH, await kubectlNamespace('dev', { tier: 'prod' }));
    await until(() => informer.items.get('dev')?.['tier'] === 'prod');
    api.remove(NAMESPACES_PATH, 'dev');
    await until(() => !informer.items.has('dev'));
  });

  it('lists again after 410 Gone and sees what changed meanwhile', async () => {
    const lists = api.lists(NAMESPACES_PATH);
    api.compact(NAMESPACES_PATH);
    api.put(NAMESPACES_PATH, await kubectlNamespace('late', { tier: 'prod' }));
    await until(() => api.lists(NAMESPACES_PATH) > lists && informer.items.has('late'));
    api.put(NAMESPACES_PATH, await kubectlNamespace('after-relist', {}));
    await until(() => informer.items.has('after-relist'));
  });

  it('fetches a namespace the watch has not delivered once, and fails a missing one', async () => {
    const source = new WatchedNamespaceLabels(informer, client, 1_000);
    // Known from the watch: answered from memory, no request.
    const before = api.requests.length;
    expect(await source.labels('shop', ctx)).toMatchObject({ tier: 'prod' });
    expect(api.requests.length).toBe(before);
    // Unknown to the map (as if the watch lagged): one GET, then memory.
    informer.items.delete('shop');
    expect(await source.labels('shop', ctx)).toMatchObject({ tier: 'prod' });
    expect(await source.labels('shop', ctx)).toMatchObject({ tier: 'prod' });
    expect(api.requests.filter((r) => r === 'GET /api/v1/namespaces/shop')).toHaveLength(1);
    await expect(source.labels('nowhere', ctx)).rejects.toThrow(/404/);
  });

  it('verifies the API server against the service-account CA', async () => {
    const otherPki = await makeTestPki(join(work, 'other-pki'));
    const stranger = new KubeClient({ ...connection, caFile: otherPki.caCertFile });
    await expect(stranger.get(NAMESPACES_PATH, AbortSignal.timeout(5_000))).rejects.toThrow(/certificate/);
    await stranger.close();
  });
});

describe('WhiteListItems', () => {
  it('become exceptions like the API-managed ones; invalid objects are left out', async () => {
    api.put(
      WHITELIST_PATH,
      await kubectlWhiteListItem('shop-hotfix', {
        release: 'shop',
        creator: 'alice',
        reason: 'INC-42',
        expiresAt: '2030-01-01T00:00:00Z',
      }),
    );
    const invalid: string[] = [];
    const items = new Informer({
      client,
      path: WHITELIST_PATH,
      parse: exceptionOf,
      onError: (err) => errors.push(err),
      onInvalid: (name) => invalid.push(name),
    });
    items.start();
    await items.synced;
    const combined = new CombinedExceptions(
      {
        forRelease: async () => [
          {
            id: 'u-1',
            release: 'shop',
            namespace: 'shop',
            creator: 'bob',
            reason: 'api',
            expiresAt: undefined,
          },
        ],
      },
      items,
    );
    expect(await combined.forRelease('shop', 'shop', ctx)).toEqual([
      {
        id: 'u-1',
        source: 'api',
        release: 'shop',
        namespace: 'shop',
        creator: 'bob',
        reason: 'api',
        expiresAt: undefined,
      },
      {
        id: 'shop-hotfix',
        source: 'crd',
        release: 'shop',
        namespace: undefined,
        creator: 'alice',
        reason: 'INC-42',
        expiresAt: new Date('2030-01-01T00:00:00Z'),
      },
    ]);
    // The store down: the WhiteListItems still apply.
    const storeDown = new CombinedExceptions(
      { forRelease: () => Promise.reject(new Error('db down')) },
      items,
    );
    expect((await storeDown.forRelease('shop', 'x', ctx)).map((e) => e.id)).toEqual(['shop-hotfix']);
    await expect(storeDown.forRelease('other', 'x', ctx)).rejects.toThrow('db down');

    api.put(WHITELIST_PATH, {
      apiVersion: 'security.portcullis.dev/v1alpha1',
      kind: 'WhiteListItem',
      metadata: { name: 'broken' },
      spec: { release: 'x' },
    });
    await until(() => invalid.includes('broken'));
    expect(items.items.has('broken')).toBe(false);
    api.remove(WHITELIST_PATH, 'shop-hotfix');
    await until(() => items.items.size === 0);
    await items.stop();
  });
});

describe('Audit object mirror', () => {
  const row = (verdict: AuditRecord['verdict'], dryRun = false): AuditRecord => ({
    time: new Date('2026-12-06T12:00:00Z'),
    cluster: 'test',
    uid: 'u',
    namespace: 'shop',
    operation: 'CREATE',
    kind: 'Deployment',
    name: 'web',
    release: 'shop',
    user: 'alice',
    images: [],
    allowed: verdict !== 'denied',
    verdict,
    reasons: [],
    mode: 'policy',
    exception:
      verdict === 'warned'
        ? { id: 'shop-hotfix', source: 'crd', release: 'shop', creator: 'a', reason: 'r' }
        : undefined,
    dryRun,
    stale: false,
  });

  it('creates one Audit per workload, updates it with the next decision, skips dry runs, counts drops', async () => {
    let dropped = 0;
    let written = 0;
    const options = {
      batch: 2,
      timeoutMs: 5_000,
      onDropped: (n: number) => (dropped += n),
      onWritten: (n: number) => (written += n),
      onError: () => undefined,
    };
    const mirror = new AuditObjectMirror(client, { ...options, maxQueue: 10 });
    mirror.push([row('warned')]);
    await until(() => written === 1);
    mirror.push([row('denied'), row('allowed', true)]);
    await until(() => written === 2);
    await mirror.close();
    const path = '/apis/security.portcullis.dev/v1alpha1/namespaces/shop/audits/deployment-web';
    expect(api.written.get(path)?.['spec']).toMatchObject({
      verdict: 'denied',
      resource: { kind: 'Deployment', name: 'web' },
    });
    expect(api.written.get(path)?.['spec']).not.toHaveProperty('exception');
    expect(dropped).toBe(0);

    const small = new AuditObjectMirror(client, { ...options, maxQueue: 1 });
    small.push([row('allowed'), row('allowed'), row('allowed')]);
    expect(dropped).toBe(2);
    api.failWrites = 500;
    await small.close();
    api.failWrites = undefined;
    expect(dropped).toBe(3);
  });
});
