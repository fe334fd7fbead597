/**
 * Issue 14, failure behaviour: the PostgreSQL database of `serve --role admission` becomes
 * unreachable (connections refused, open ones terminated). The webhook keeps answering from
 * the verdicts it has seen, refuses what it cannot judge under policy (fail closed) and admits
 * it with a warning under breakglass; audit rows wait in memory, flagged stale, and reach the
 * database once it is back. PostgreSQL only: the embedded PGlite store lives in the process
 * and cannot become unreachable.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopSharedPostgres } from '../../test/harness/databases.js';
import { makeTestPki, type TestPki } from '../../test/harness/registry/certs.js';
import { admissionReview, kubectlJson } from '../admission/test-support.js';
import { openPostgres } from '../store/sql.js';
import { FAILING_CVE, seedAccount, startE2eRegistry, type E2eImages } from './test-support/admission-e2e.js';
import { WebhookUnderTest } from './test-support/admission-webhook.js';

const ACCOUNT = 'cluster';
const CONFIG = `cluster: e2e
deadlineMs: 20000
storeTimeoutMs: 15000
# Every decision reads the store, so answers given during the outage come from the stale
# fallback (within the default 1 s freshness bound they would be fresh, and rightly unflagged).
verdictCache: {freshMilliseconds: 0}
rules:
  - {namespaces: [brk], mode: breakglass}
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
let webhook: WebhookUnderTest;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-admission-db-down-'));
  images = await startE2eRegistry();
  pki = await makeTestPki(join(work, 'pki'));
  const caFile = join(work, 'registry-ca.pem');
  await writeFile(caFile, images.registry.caPem);
  const configFile = join(work, 'admission.yaml');
  await writeFile(configFile, CONFIG);
  webhook = new WebhookUnderTest({
    kind: 'PostgreSQL 15',
    work,
    pki,
    configFile,
    account: ACCOUNT,
    caFiles: [caFile],
  });
  await webhook.start((store) => seedAccount(store, ACCOUNT, images));
}, 600_000);

afterAll(async () => {
  await webhook?.stop();
  await images?.registry.stop();
  await stopSharedPostgres();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Refuses (or again allows) every connection to the service's database, as an outage would. */
async function setDatabaseReachable(reachable: boolean): Promise<void> {
  const url = new URL(webhook.databaseUrl ?? '');
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = await openPostgres(url.toString());
  try {
    await admin.exec(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS ${reachable ? 'true' : 'false'}`);
    if (!reachable)
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
  } finally {
    await admin.close();
  }
}

describe('admission webhook while its PostgreSQL database is unreachable', () => {
  const uids: Record<string, string> = {};

  async function review(label: string, image: string, namespace: string): Promise<Answer> {
    const body = admissionReview(await kubectlJson(['create', 'deployment', label, `--image=${image}`]), {
      namespace,
    });
    const { status, json } = await webhook.post(body);
    expect(status).toBe(200);
    const answer = (json as { response: Answer }).response;
    expect(answer.uid).toBe((body['request'] as { uid: string }).uid);
    uids[label] = answer.uid;
    return answer;
  }

  it('answers from cached verdicts, fails closed on unseen images under policy, open under breakglass', async () => {
    expect((await review('warm-pass', images.passes.ref, 'apps')).allowed).toBe(true);
    expect((await review('warm-fail', images.fails.ref, 'apps')).allowed).toBe(false);

    await setDatabaseReachable(false);
    try {
      const cachedPass = await review('down-pass', images.passes.ref, 'apps');
      expect(cachedPass.allowed, JSON.stringify(cachedPass)).toBe(true);
      const cachedFail = await review('down-fail', images.fails.ref, 'apps');
      expect(cachedFail.allowed).toBe(false);
      expect(cachedFail.status?.message).toContain(FAILING_CVE);
      const pinned = `${images.registry.host}/team/fresh@${images.fresh.digest}`;
      const unseen = await review('down-unseen', pinned, 'apps');
      expect(unseen.allowed).toBe(false);
      expect(unseen.status?.message).toContain('verdict store unavailable and no cached verdict');
      const breakglass = await review('down-breakglass', pinned, 'brk');
      expect(breakglass.allowed).toBe(true);
      // Warnings are clipped to 120 characters: the long pinned reference leaves no room for more.
      expect(breakglass.warnings?.join('\n')).toContain(`fresh: ${pinned}`);
    } finally {
      await setDatabaseReachable(true);
    }
    // The next decision writes the rows kept while the database was unreachable.
    expect((await review('back', images.passes.ref, 'apps')).allowed).toBe(true);
  });

  it('wrote every audit row once the database was back, the ones decided from cache flagged stale', async () => {
    await webhook.stop();
    const rows = await webhook.withStore((store) => store.admission.queryAudit(ACCOUNT, { limit: 100 }));
    const byUid = new Map(rows.map((r) => [r.uid, r]));
    const stale = (label: string) => byUid.get(uids[label] ?? '')?.stale;
    expect(Object.keys(uids)).toHaveLength(7);
    expect(stale('warm-pass')).toBe(false);
    expect(stale('down-pass')).toBe(true);
    expect(stale('down-fail')).toBe(true);
    expect(byUid.get(uids['down-fail'] ?? '')).toMatchObject({
      allowed: false,
      verdict: 'denied',
      mode: 'policy',
    });
    expect(byUid.get(uids['down-unseen'] ?? '')).toMatchObject({ allowed: false, verdict: 'denied' });
    expect(byUid.get(uids['down-breakglass'] ?? '')).toMatchObject({ allowed: true, mode: 'breakglass' });
    expect(stale('back')).toBe(false);
  });
});
