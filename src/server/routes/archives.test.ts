/**
 * The analysis archive routes on both stores with stored (synthetic) analyses: archiving takes
 * the image out of the working set and the queries, the archive record shows Anchore's fields,
 * restore brings tags, annotations and evaluations back, and bad input gets precise errors.
 * The round trip with a really analysed image is in archives-round-trip.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { evaluateForAccounts } from '../../store/evaluate-analysis.js';
import { evaluationsOf } from '../../store/repositories/archive-moves.js';
import { syntheticAnalysis } from '../../store/test-support/synthetic-analysis.js';

afterAll(() => stopSharedPostgres());

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const OLD = digest('c');
const SHARED = digest('d');
const PENDING = digest('3');
const BIG = digest('4');
const WATCHED = digest('5');
const UNKNOWN = digest('9');
const enc = encodeURIComponent;

describe.each(STORE_KINDS)('analysis archive routes on %s', (kind) => {
  let api: ApiHarness;

  async function analysed(account: string, d: string, repo: string, packages = 3): Promise<void> {
    await api.store.images.add({
      accountName: account,
      imageDigest: d,
      tag: { registry: 'registry.example', repo, tag: 'v1' },
      annotations: { team: 'payments' },
    });
    const pkgs = Array.from({ length: packages }, (_, i) => ({ name: `pkg${i}`, version: `1.${i}` }));
    await api.store.analyses.save(syntheticAnalysis(d, pkgs, [{ id: 'CVE-2099-0101', package: 'pkg0' }]));
    await api.store.images.transition(d, ['not_analyzed'], 'analyzed');
  }

  beforeAll(async () => {
    api = await startApi(kind);
    await analysed('team-a', OLD, 'team/old');
    await evaluateForAccounts(api.store, ['team-a'], OLD);
    await analysed('team-a', SHARED, 'team/shared');
    await analysed('team-b', SHARED, 'b/shared');
    await api.store.images.add({
      accountName: 'team-a',
      imageDigest: PENDING,
      tag: { registry: 'registry.example', repo: 'team/pending', tag: 'v1' },
    });
  }, 120_000);
  afterAll(() => api?.close());

  const archive = (digests: unknown) =>
    api.call('alice', { method: 'POST', url: '/v1/archives/images', payload: digests as object });

  it('archives an analysed image: out of the working set, the queries and the analysis table', async () => {
    const before = await evaluationsOf(api.store.db, 'team-a', OLD);
    expect(before.length).toBeGreaterThan(0);
    const res = await archive([OLD]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual([{ digest: OLD, status: 'archived', detail: 'Completed successfully' }]);
    expect((await api.call('alice', { method: 'GET', url: `/v1/images/${enc(OLD)}` })).statusCode).toBe(404);
    expect((await api.call('alice', { method: 'GET', url: '/v1/images' })).body).not.toContain(OLD);
    const byPackage = await api.call('alice', {
      method: 'GET',
      url: '/v1/query/images/by_package?name=pkg0',
    });
    expect(byPackage.body).not.toContain(OLD);
    expect(byPackage.body).toContain(SHARED);
    expect(await api.store.analyses.exists(OLD)).toBe(false);
    expect(await evaluationsOf(api.store.db, 'team-a', OLD)).toEqual([]);
  });

  it('shows the archived record with the fields anchore-cli reads', async () => {
    const res = await api.call('alice', { method: 'GET', url: `/v1/archives/images/${enc(OLD)}` });
    expect(res.statusCode, res.body).toBe(200);
    const record = res.json() as Record<string, unknown>;
    expect(record).toMatchObject({
      imageDigest: OLD,
      parentDigest: null,
      annotations: { team: 'payments' },
      status: 'archived',
      image_detail: [
        {
          pullstring: 'registry.example/team/old:v1',
          registry: 'registry.example',
          repository: 'team/old',
          tag: 'v1',
        },
      ],
    });
    for (const field of ['created_at', 'last_updated', 'analyzed_at'])
      expect(record[field]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(record.archive_size_bytes).toBeGreaterThan(0);
    const list = await api.call('alice', { method: 'GET', url: '/v1/archives/images' });
    expect((list.json() as { imageDigest: string }[]).map((a) => a.imageDigest)).toEqual([OLD]);
    const summary = await api.call('alice', { method: 'GET', url: '/v1/archives' });
    expect(summary.json()).toMatchObject({
      images: { total_image_count: 1, total_tag_count: 1, total_data_bytes: record.archive_size_bytes },
      rules: { count: 0 },
    });
    // An admin acting in team-a sees team-a's archive.
    const asAdmin = await api.call('admin', {
      method: 'GET',
      url: '/v1/archives/images',
      headers: { 'x-anchore-account': 'team-a' },
    });
    expect(asAdmin.body).toContain(OLD);
  });

  it('answers each digest it cannot archive with a precise reason', async () => {
    const res = await archive([OLD, UNKNOWN, PENDING, 'latest']);
    expect(res.json()).toEqual([
      { digest: OLD, status: 'archived', detail: 'already archived' },
      { digest: UNKNOWN, status: 'error', detail: `image ${UNKNOWN} not found in account team-a` },
      {
        digest: PENDING,
        status: 'error',
        detail: `image ${PENDING} cannot be archived: analysis_status is not_analyzed, only analyzed images can be archived`,
      },
      { digest: 'latest', status: 'error', detail: 'not an image digest: latest' },
    ]);
    for (const [body, message] of [
      [[], 'the body must name at least one image digest'],
      [{ digest: OLD }, 'the body must be a JSON list of image digests'],
    ] as const) {
      const bad = await archive(body);
      expect(bad.statusCode).toBe(400);
      expect((bad.json() as { message: string }).message).toContain(message);
    }
    expect(
      (await api.call('alice', { method: 'GET', url: `/v1/archives/images/${enc(UNKNOWN)}` })).json(),
    ).toEqual({
      message: `archived image ${UNKNOWN} not found`,
      httpcode: 404,
      detail: { error_codes: [] },
    });
  });

  it('keeps an analysis another account still uses', async () => {
    expect((await archive([SHARED])).json()).toMatchObject([{ status: 'archived' }]);
    expect(await api.store.analyses.exists(SHARED)).toBe(true);
    const bob = await api.call('bob', { method: 'GET', url: `/v1/images/${enc(SHARED)}/vuln/all` });
    expect(bob.statusCode).toBe(200);
    expect(bob.body).toContain('CVE-2099-0101');
  });

  it('restores tags, annotations and evaluations without pulling, once', async () => {
    const restore = () =>
      api.call('alice', {
        method: 'POST',
        url: '/v1/images',
        payload: { source: { archive: { digest: OLD } } },
      });
    const res = await restore();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject([
      {
        imageDigest: OLD,
        analysis_status: 'analyzed',
        annotations: { team: 'payments' },
        image_detail: [{ fulltag: 'registry.example/team/old:v1' }],
      },
    ]);
    // Nothing to pull: no analysis job was queued.
    const jobs = await api.store.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM job WHERE kind = 'analyze-image'",
    );
    expect(jobs.rows[0]?.n).toBe(0);
    expect((await evaluationsOf(api.store.db, 'team-a', OLD)).length).toBeGreaterThan(1);
    const vuln = await api.call('alice', { method: 'GET', url: `/v1/images/${enc(OLD)}/vuln/all` });
    expect(vuln.body).toContain('CVE-2099-0101');
    const again = await restore();
    expect(again.statusCode).toBe(409);
    expect((again.json() as { message: string }).message).toBe(
      `image ${OLD} is already in the working set of account team-a`,
    );
    const missing = await api.call('alice', {
      method: 'POST',
      url: '/v1/images',
      payload: { source: { archive: { digest: UNKNOWN } } },
    });
    expect(missing.statusCode).toBe(404);
    expect((missing.json() as { message: string }).message).toBe(`archived image ${UNKNOWN} not found`);
  });

  it('deletes an archived analysis; a restored one only with force', async () => {
    const url = `/v1/archives/images/${enc(OLD)}`;
    const refused = await api.call('alice', { method: 'DELETE', url });
    expect(refused.statusCode).toBe(409);
    expect((await api.call('alice', { method: 'DELETE', url: `${url}?force=True` })).statusCode).toBe(200);
    expect((await api.call('alice', { method: 'GET', url })).statusCode).toBe(404);
    expect((await api.call('alice', { method: 'DELETE', url })).statusCode).toBe(404);
    const shared = `/v1/archives/images/${enc(SHARED)}`;
    expect((await api.call('alice', { method: 'DELETE', url: shared })).statusCode).toBe(200);
  });

  it('stops the tag watcher that would add an archived latest image again', async () => {
    await analysed('team-a', WATCHED, 'team/watched');
    const key = 'registry.example/team/watched:v1';
    await api.store.subscriptions.ensureForTag('team-a', key, true);
    expect((await archive([WATCHED])).json()).toEqual([
      {
        digest: WATCHED,
        status: 'archived',
        detail: `Completed successfully (tag_update deactivated for ${key})`,
      },
    ]);
    const subs = await api.store.subscriptions.list('team-a', { key });
    expect(Object.fromEntries(subs.map((s) => [s.type, s.active]))).toMatchObject({
      tag_update: false,
      analysis_update: true,
    });
  });

  it('stores the archive compressed: far smaller than the analysis it holds', async () => {
    await analysed('team-a', BIG, 'team/big', 2000);
    const json = JSON.stringify(await api.store.analyses.get(BIG)).length;
    expect((await archive([BIG])).json()).toMatchObject([{ status: 'archived' }]);
    const res = await api.call('alice', { method: 'GET', url: `/v1/archives/images/${enc(BIG)}` });
    const size = (res.json() as { archive_size_bytes: number }).archive_size_bytes;
    expect(size).toBeGreaterThan(0);
    expect(size * 10).toBeLessThan(json);
  });
});
