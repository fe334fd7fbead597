/**
 * The apply-archive-rules job on both stores: rules made through the API archive the images a
 * tag has moved past once they are old enough (exclusions kept), delete rules empty the archive,
 * an admin's system_global count rule bounds every account, and each move is in the history.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { ArchivedImageRepository } from '../../store/repositories/archives.js';
import { syntheticAnalysis } from '../../store/test-support/synthetic-analysis.js';
import { archiveRulesJob } from './archive-rules.js';

afterAll(() => stopSharedPostgres());

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const [V1, V2, V3, KEPT, FRESH] = ['a', 'b', 'c', 'd', 'e'].map(digest) as [
  string,
  string,
  string,
  string,
  string,
];
const [B1, B2, B3] = ['5', '6', '7'].map(digest) as [string, string, string];

describe.each(STORE_KINDS)('archive rules job on %s', (kind) => {
  let api: ApiHarness;
  const runPass = () =>
    archiveRulesJob({ store: api.store, hostId: 'test' }).run(
      {},
      {
        jobId: '1',
        attempt: 1,
        maxAttempts: 1,
        signal: new AbortController().signal,
        log: pino({ level: 'silent' }),
      },
    );

  /** An analysed image whose tag was detected `daysAgo` days ago and analysed then. */
  async function image(account: string, d: string, repo: string, tag: string, daysAgo: number) {
    await api.store.images.add({
      accountName: account,
      imageDigest: d,
      tag: { registry: 'registry.example', repo, tag },
    });
    await api.store.analyses.save(syntheticAnalysis(d, [{ name: 'pkg', version: '1' }]));
    await api.store.images.transition(d, ['not_analyzed'], 'analyzed');
    await api.store.db.query(
      `UPDATE image SET analyzed_at = now() - make_interval(days => $2) WHERE image_digest = $1`,
      [d, daysAgo],
    );
    await api.store.db.query(
      `UPDATE image_tag SET tag_detected_at = now() - make_interval(days => $2) WHERE image_digest = $1`,
      [d, daysAgo],
    );
  }

  const archivedOf = async (account: string) =>
    (await new ArchivedImageRepository(api.store.db).list(account)).map((a) => a.imageDigest).sort();
  const workingOf = async (account: string) =>
    (await api.store.images.list(account)).map((i) => i.imageDigest).sort();

  beforeAll(async () => {
    api = await startApi(kind);
    // team/app:v1 named V1, then V2, then V3; team/app:keep is excluded; FRESH is too young.
    await image('team-a', V1, 'team/app', 'v1', 90);
    await image('team-a', V2, 'team/app', 'v1', 60);
    await image('team-a', V3, 'team/app', 'v1', 40);
    await image('team-a', KEPT, 'team/app', 'keep', 90);
    await image('team-a', FRESH, 'team/other', 'v1', 1);
    for (const [d, days] of [
      [B1, 30],
      [B2, 20],
      [B3, 10],
    ] as const)
      await image('team-b', d, 'b/app', d.slice(7, 12), days);
  }, 120_000);
  afterAll(() => api?.close());

  let archiveRule = '';
  it('archives what a tag has moved past, old enough and not excluded, and records it', async () => {
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/archives/rules',
      payload: {
        transition: 'archive',
        analysis_age_days: 30,
        tag_versions_newer: 1,
        system_global: false,
        selector: { registry: '*', repository: 'team/*', tag: '*' },
        exclude: { selector: { registry: '*', repository: '*', tag: 'keep' }, expiration_days: -1 },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    archiveRule = (res.json() as { rule_id: string }).rule_id;
    await runPass();
    expect(await archivedOf('team-a')).toEqual([V1, V2].sort());
    expect(await workingOf('team-a')).toEqual([V3, KEPT, FRESH].sort());
    const history = await api.call('alice', {
      method: 'GET',
      url: `/v1/archives/rules/${archiveRule}/history`,
    });
    expect(history.json()).toEqual(
      expect.arrayContaining(
        [V1, V2].map((d) =>
          expect.objectContaining({
            rule_id: archiveRule,
            imageDigest: d,
            transition: 'archive',
            state: 'archived',
          }),
        ),
      ),
    );
    // A second pass finds nothing more to move.
    await runPass();
    expect(
      (await api.call('alice', { method: 'GET', url: `/v1/archives/rules/${archiveRule}/history` })).json(),
    ).toHaveLength(2);
  });

  it('deletes archived analyses older than a delete rule allows', async () => {
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/archives/rules',
      payload: { transition: 'delete', analysis_age_days: 75, tag_versions_newer: 0 },
    });
    expect(res.statusCode, res.body).toBe(200);
    await runPass();
    expect(await archivedOf('team-a')).toEqual([V2]);
    const rule = (res.json() as { rule_id: string }).rule_id;
    const history = await api.call('alice', { method: 'GET', url: `/v1/archives/rules/${rule}/history` });
    expect(history.json()).toEqual([
      expect.objectContaining({ imageDigest: V1, transition: 'delete', state: 'deleted' }),
    ]);
  });

  it("bounds every account's working set with the admin's system_global count rule", async () => {
    const res = await api.call('admin', {
      method: 'POST',
      url: '/v1/archives/rules',
      payload: { transition: 'archive', system_global: true, max_images_per_account: 1 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const rule = (res.json() as { rule_id: string }).rule_id;
    // Every account sees it; only the admin may delete it.
    expect((await api.call('bob', { method: 'GET', url: '/v1/archives/rules' })).body).toContain(rule);
    expect((await api.call('bob', { method: 'DELETE', url: `/v1/archives/rules/${rule}` })).statusCode).toBe(
      403,
    );
    await runPass();
    expect(await workingOf('team-b')).toEqual([B3]);
    expect(await archivedOf('team-b')).toEqual([B1, B2].sort());
    // bob's history names only bob's images.
    const bobHistory = (
      await api.call('bob', { method: 'GET', url: `/v1/archives/rules/${rule}/history` })
    ).json() as {
      imageDigest: string;
    }[];
    expect(bobHistory.map((h) => h.imageDigest).sort()).toEqual([B1, B2].sort());
    expect(
      (await api.call('admin', { method: 'DELETE', url: `/v1/archives/rules/${rule}` })).statusCode,
    ).toBe(200);
  });

  it('refuses invalid rules with precise messages', async () => {
    const cases: [string, object, number, string][] = [
      ['alice', { transition: 'move' }, 400, "transition must be 'archive' or 'delete'"],
      [
        'alice',
        { transition: 'archive', analysis_age_days: -1 },
        400,
        'analysis_age_days must be at least 0',
      ],
      [
        'alice',
        { transition: 'archive', tag_versions_newer: 1.5 },
        400,
        'tag_versions_newer must be an integer',
      ],
      [
        'alice',
        { transition: 'archive', exclude: { selector: { tag: 'x' }, expiration_days: -2 } },
        400,
        'exclude.expiration_days must be at least -1',
      ],
      [
        'alice',
        { transition: 'archive', system_global: true },
        403,
        'only an admin account may create a system_global archive rule',
      ],
      [
        'admin',
        { transition: 'archive', max_images_per_account: 5 },
        400,
        'max_images_per_account is allowed only on a system_global rule',
      ],
      ['alice', { transition: 'archive', selector: { image: 'x' } }, 400, 'invalid request'],
    ];
    for (const [user, payload, status, message] of cases) {
      const res = await api.call(user as 'alice', { method: 'POST', url: '/v1/archives/rules', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect((res.json() as { message: string }).message).toContain(message);
    }
    const missing = await api.call('alice', { method: 'GET', url: '/v1/archives/rules/no-such-rule' });
    expect(missing.json()).toEqual({
      message: 'archive rule no-such-rule not found',
      httpcode: 404,
      detail: { error_codes: [] },
    });
    const own = await api.call('alice', { method: 'GET', url: `/v1/archives/rules/${archiveRule}` });
    expect(own.json()).toMatchObject({
      rule_id: archiveRule,
      transition: 'archive',
      analysis_age_days: 30,
      tag_versions_newer: 1,
      system_global: false,
      selector: { registry: '*', repository: 'team/*', tag: '*' },
      exclude: { selector: { registry: '*', repository: '*', tag: 'keep' }, expiration_days: -1 },
      max_images_per_account: null,
    });
    expect(
      (await api.call('alice', { method: 'DELETE', url: `/v1/archives/rules/${archiveRule}` })).statusCode,
    ).toBe(200);
    expect(
      (await api.call('alice', { method: 'GET', url: `/v1/archives/rules/${archiveRule}` })).statusCode,
    ).toBe(404);
  });
});
