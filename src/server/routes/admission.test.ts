import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { parseAdmissionConfigText } from '../../admission/config.js';
import type { AuditRecord } from '../../admission/ports.js';

afterAll(() => stopSharedPostgres());

const DIGEST = `sha256:${'c'.repeat(64)}`;

function auditRow(
  namespace: string,
  verdict: AuditRecord['verdict'],
  time: Date,
  image: string,
): AuditRecord {
  return {
    time,
    cluster: 'prod',
    uid: `uid-${namespace}-${time.getTime()}`,
    namespace,
    operation: 'CREATE',
    kind: 'Deployment',
    name: 'web',
    release: 'web',
    user: 'system:serviceaccount:ci:deployer',
    images: [
      {
        container: 'web',
        list: 'containers',
        image,
        reference: `docker.io/library/${image}`,
        digest: DIGEST,
        mode: 'policy',
        outcome: verdict === 'allowed' ? 'ok' : 'fail',
        reasons: [],
        stale: false,
      },
    ],
    allowed: verdict !== 'denied',
    verdict,
    reasons: verdict === 'allowed' ? [] : ['fails policy'],
    mode: 'policy',
    exception: undefined,
    dryRun: false,
    stale: false,
  };
}

describe.each(STORE_KINDS)('/v1/admission on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(() => api.close());

  it('creates, lists, reads and deletes exceptions, with the caller as creator', async () => {
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const created = await api.call('alice', {
      method: 'POST',
      url: '/v1/admission/exceptions',
      payload: {
        release: 'payments',
        namespace: 'prod',
        reason: 'CVE fix ships Monday',
        expires_at: expires,
      },
    });
    expect(created.statusCode).toBe(200);
    const body = created.json<{ id: string; creator: string; expires_at: string }>();
    expect(body).toMatchObject({ release: 'payments', namespace: 'prod', creator: 'alice' });
    expect(new Date(body.expires_at).getTime()).toBe(Math.floor(new Date(expires).getTime() / 1000) * 1000);

    const list = await api.call('alice', { method: 'GET', url: '/v1/admission/exceptions' });
    expect(list.json<{ id: string }[]>().map((e) => e.id)).toContain(body.id);
    // The webhook's port sees it for the release in its namespace, not in another one.
    expect(await api.store.admission.exceptionsForRelease('team-a', 'payments', 'prod')).toHaveLength(1);
    expect(await api.store.admission.exceptionsForRelease('team-a', 'payments', 'dev')).toHaveLength(0);

    const one = await api.call('alice', { method: 'GET', url: `/v1/admission/exceptions/${body.id}` });
    expect(one.json()).toEqual(body);
    const gone = await api.call('alice', { method: 'DELETE', url: `/v1/admission/exceptions/${body.id}` });
    expect(gone.statusCode).toBe(200);
    expect(
      (await api.call('alice', { method: 'GET', url: `/v1/admission/exceptions/${body.id}` })).statusCode,
    ).toBe(404);
  });

  it('refuses an exception that has already expired, or has no reason', async () => {
    const past = await api.call('alice', {
      method: 'POST',
      url: '/v1/admission/exceptions',
      payload: { release: 'x', reason: 'r', expires_at: '2020-01-01T00:00:00Z' },
    });
    expect(past.statusCode).toBe(400);
    const noReason = await api.call('alice', {
      method: 'POST',
      url: '/v1/admission/exceptions',
      payload: { release: 'x' },
    });
    expect(noReason.statusCode).toBe(400);
  });

  it('filters the audit by namespace, verdict, time window and image, and pages newest first', async () => {
    const base = Date.parse('2026-11-01T00:00:00Z');
    const rows = [
      auditRow('prod', 'denied', new Date(base), 'nginx:1.25'),
      auditRow('prod', 'allowed', new Date(base + 60_000), 'nginx:1.25'),
      auditRow('staging', 'warned', new Date(base + 120_000), 'redis:7'),
      auditRow('prod', 'denied', new Date(base + 180_000), 'redis:7'),
    ];
    for (const row of rows) await api.store.admission.recordAudit('team-a', row);
    const get = async (query: string) => {
      const res = await api.call('alice', { method: 'GET', url: `/v1/admission/audit?${query}` });
      expect(res.statusCode, query).toBe(200);
      return res.json<{ records: { uid: string; time: string }[]; next: string | null }>();
    };
    const uids = (r: { records: { uid: string }[] }) => r.records.map((x) => x.uid);

    expect(uids(await get('namespace=prod&verdict=denied'))).toEqual([rows[3]!.uid, rows[0]!.uid]);
    expect(uids(await get('image=redis:7'))).toEqual([rows[3]!.uid, rows[2]!.uid]);
    expect(uids(await get('image=docker.io/library/nginx:1.25&verdict=allowed'))).toEqual([rows[1]!.uid]);
    const window = `since=${new Date(base + 60_000).toISOString()}&until=${new Date(base + 180_000).toISOString()}`;
    expect(uids(await get(window))).toEqual([rows[2]!.uid, rows[1]!.uid]);

    const first = await get('limit=3');
    expect(uids(first)).toEqual([rows[3]!.uid, rows[2]!.uid, rows[1]!.uid]);
    expect(first.next).not.toBeNull();
    const second = await get(`limit=3&before=${first.next}`);
    expect(uids(second)).toEqual([rows[0]!.uid]);
    expect(second.next).toBeNull();

    expect(
      (await api.call('alice', { method: 'GET', url: '/v1/admission/audit?verdict=maybe' })).statusCode,
    ).toBe(400);
  });

  it('shows no webhook config to an account that no webhook judges by', async () => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/admission/config' });
    expect(res.statusCode).toBe(404);
  });
});

describe.each(STORE_KINDS)('GET /v1/admission/config on %s', (kind) => {
  let api: ApiHarness;
  const config = parseAdmissionConfigText(
    'cluster: prod\nexcludeNamespaces: [kube-system]\nrules:\n  - {namespaces: [staging], mode: policy, action: warn}\n  - {namespaces: ["*"], mode: policy, policy: strict}\n',
  );
  beforeAll(async () => {
    api = await startApi(kind, undefined, { admission: { config, account: 'team-a' } });
  });
  afterAll(() => api.close());

  it('shows the rules, in order and with defaults filled in, to the account the webhook judges by', async () => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/admission/config' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ account: string; config: typeof config }>();
    expect(body.account).toBe('team-a');
    expect(body.config.cluster).toBe('prod');
    expect(body.config.excludeNamespaces).toEqual(['kube-system']);
    expect(body.config.rules).toEqual([
      expect.objectContaining({ namespaces: ['staging'], mode: 'policy', action: 'warn' }),
      expect.objectContaining({ namespaces: ['*'], mode: 'policy', action: 'deny', policy: 'strict' }),
    ]);
    expect(body.config.releaseLabels).toEqual(['app.kubernetes.io/instance', 'release']);
    const other = await api.call('bob', { method: 'GET', url: '/v1/admission/config' });
    expect(other.statusCode).toBe(404);
  });
});
