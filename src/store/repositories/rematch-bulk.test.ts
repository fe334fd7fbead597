/**
 * The bulk store functions of the re-match after a feed sync (issue 13) write and read exactly
 * what their one-at-a-time versions do, on both stores: analyses read many at once, findings
 * replaced for many analyses, the active holders and their tags, policy verdicts, queued
 * notifications, events and jobs.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../../test/harness/databases.js';
import type { Finding } from '../../core/matching/types.js';
import { NotificationEndpoints } from '../../notifications/endpoints.js';
import { diffFindings } from '../../notifications/diff.js';
import { Notifier } from '../../notifications/notify.js';
import { newWebhookSecret } from '../../notifications/sign.js';
import { JobQueue } from '../../queue/queue.js';
import { syntheticAnalysis } from '../test-support/synthetic-analysis.js';
import { getAnalyses, holdersOf, replaceFindingsMany } from './analyses-bulk.js';
import { addEvaluations, latestVerdicts, verdictKey } from './evaluations-bulk.js';
import { createServiceStore, type ServiceStore } from './index.js';
import { createSecretBox } from './secret-box.js';

afterAll(() => stopSharedPostgres());

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const [D1, D2, D3, D4] = [digest('a'), digest('b'), digest('c'), digest('d')];
const SSL = { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' };
const ZLIB = { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib' };
const FINDINGS = [
  { id: 'CVE-2099-0001', package: 'libssl3', severity: 'Critical' as const },
  { id: 'CVE-2099-0002', package: 'zlib1g' },
];
const tagOf = (t: string) => `registry.example/app:${t}`;

describe.each(STORE_KINDS)('bulk store functions of the re-match on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;
  /** The account's general webhook endpoint (set again, as an update, by each test needing it). */
  const generalEndpoint = () =>
    new NotificationEndpoints(database.db, store.box).set({
      accountName: 'team',
      type: 'general',
      sink: 'webhook',
      url: 'http://127.0.0.1:9/hook',
      secret: newWebhookSecret(),
    });
  let findings: Finding[];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    await store.accounts.create({ name: 'team', type: 'user' });
    for (const [d, tags] of [
      [D1, ['1', '1b']],
      [D2, ['2']],
      [D3, ['3']],
      [D4, ['4']],
    ] as const) {
      for (const tag of tags)
        await store.images.add({
          accountName: 'team',
          imageDigest: d,
          tag: { registry: 'registry.example', repo: 'app', tag },
        });
      const analysis = syntheticAnalysis(d, [SSL, ZLIB], d === D1 ? [] : FINDINGS);
      await store.analyses.save(analysis);
      await store.images.transition(d, ['not_analyzed'], 'analyzed');
    }
    findings = (await store.analyses.get(D2))!.findings as Finding[];
    await database.db.query("UPDATE image SET image_status = 'inactive' WHERE image_digest = $1", [D4]);
  });
  afterAll(() => database?.stop());

  it('reads many analyses in the order asked, as get reads one, leaving out unknown digests', async () => {
    const many = await getAnalyses(database.db, [D3, digest('f'), D1]);
    expect(many.map(({ findingsRev: _, ...record }) => record)).toEqual([
      await store.analyses.get(D3),
      await store.analyses.get(D1),
    ]);
    for (const a of many)
      expect((await store.images.findingsState('team', a.imageDigest))?.findingsRev).toBe(a.findingsRev);
  });

  it('replaces the findings of many analyses with the rows replaceFindings writes for one', async () => {
    const rev = async (d: string) =>
      (
        await database.db.query<{ r: string }>(
          'SELECT findings_rev::text AS r FROM analysis WHERE image_digest = $1',
          [d],
        )
      ).rows[0]!.r;
    const indexed = async (d: string) =>
      (
        await database.db.query(
          `SELECT vulnerability_id, ids, namespace, package_name, package_version, package_type, package_path,
             severity, fix, will_not_fix, suppressed, origin, origin_layer
           FROM image_finding WHERE image_digest = $1 ORDER BY vulnerability_id`,
          [d],
        )
      ).rows;
    const before = [await rev(D1), await rev(D2), await rev(D3)];
    await store.analyses.replaceFindings(D3, findings.slice(0, 1));
    await replaceFindingsMany(database.db, [
      { imageDigest: D1, findings: findings.slice(0, 1) },
      { imageDigest: D2, findings: [] },
    ]);
    expect((await store.analyses.get(D1))!.findings).toEqual(findings.slice(0, 1));
    expect((await store.analyses.get(D2))!.findings).toEqual([]);
    expect(await indexed(D1)).toEqual(await indexed(D3));
    expect(await indexed(D1)).toHaveLength(1);
    expect(await indexed(D2)).toEqual([]);
    const after = [await rev(D1), await rev(D2), await rev(D3)];
    after.forEach((r, i) => expect(BigInt(r)).toBeGreaterThan(BigInt(before[i]!)));
    expect(new Set(after).size).toBe(3);
  });

  it('compresses written finding lists with lz4 on the server, keeps the default where there is none (migration 73)', async () => {
    const { rows: columns } = await database.db.query<{ a: string; c: string }>(
      `SELECT attname AS a, attcompression::text AS c FROM pg_attribute
       WHERE attrelid = 'analysis'::regclass AND attname IN ('findings', 'sbom', 'metadata') ORDER BY attname`,
    );
    const expected = kind === 'PGlite' ? '' : 'l';
    expect(columns).toEqual(['findings', 'metadata', 'sbom'].map((a) => ({ a, c: expected })));
    // A list long enough to be compressed (over 2 kB), written by the bulk replace.
    const many = Array.from({ length: 40 }, (_, i) => ({ ...findings[0]!, id: `CVE-2099-${1000 + i}` }));
    await replaceFindingsMany(database.db, [{ imageDigest: D3, findings: many }]);
    const { rows } = await database.db.query<{ m: string | null }>(
      'SELECT pg_column_compression(findings) AS m FROM analysis WHERE image_digest = $1',
      [D3],
    );
    expect(rows[0]!.m).toBe(kind === 'PGlite' ? 'pglz' : 'lz4');
    expect((await store.analyses.get(D3))!.findings).toEqual(many);
  });

  it('rewrites only the index rows of changed findings, and leaves an analysis written since it was read', async () => {
    const [D5, D6, D7] = [digest('5'), digest('6'), digest('7')];
    for (const d of [D5, D6, D7]) await store.analyses.save(syntheticAnalysis(d, [SSL, ZLIB], FINDINGS));
    const rows = async (d: string) =>
      (
        await database.db.query<{ xmin: string; vulnerability_id: string }>(
          `SELECT xmin::text AS xmin, vulnerability_id, ids, namespace, package_name, package_version, package_type,
             package_path, severity, fix, will_not_fix, suppressed, origin, origin_layer
           FROM image_finding WHERE image_digest = $1 ORDER BY vulnerability_id, severity`,
          [d],
        )
      ).rows;
    const [five, six] = await getAnalyses(database.db, [D5, D6]);
    const [kept, bumped] = five!.findings as Finding[];
    const added: Finding = { ...kept!, id: 'CVE-2099-0003', aliases: ['GHSA-test'] };
    const after = [kept!, { ...bumped!, severity: 'Low' as const }, added];
    const untouched = (await rows(D5)).find((r) => r.vulnerability_id === kept!.id)!;
    // D6 is written again (a forced re-analysis) after the re-match read it.
    await store.analyses.replaceFindings(D6, findings.slice(1));
    const written = await replaceFindingsMany(database.db, [
      {
        imageDigest: D5,
        findings: after,
        before: { findings: five!.findings as Finding[], rev: five!.findingsRev },
      },
      {
        imageDigest: D6,
        findings: [],
        before: { findings: six!.findings as Finding[], rev: six!.findingsRev },
      },
    ]);
    expect(written).toEqual([D5]);
    await store.analyses.replaceFindings(D7, after);
    const strip = (r: Record<string, unknown>[]) => r.map(({ xmin: _, ...rest }) => rest);
    expect((await store.analyses.get(D5))!.findings).toEqual(after);
    expect(strip(await rows(D5))).toEqual(strip(await rows(D7)));
    expect(await rows(D5)).toContainEqual(untouched); // the same row version: not deleted and inserted again
    expect((await store.analyses.get(D6))!.findings).toEqual(findings.slice(1));
    expect(strip(await rows(D6)).map((r) => r.vulnerability_id)).toEqual([findings[1]!.id]);
  });

  it('lists the active holders of digests with their tags in the order images.get gives', async () => {
    const holders = await holdersOf(database.db, [D4, D2, D1]);
    expect(holders.map((h) => h.imageDigest)).toEqual([D1, D2]);
    for (const h of holders) {
      const image = (await store.images.get('team', h.imageDigest))!;
      expect(h).toEqual({
        accountName: 'team',
        imageDigest: h.imageDigest,
        analysisStatus: image.analysisStatus,
        tags: image.tags.map((t) => `${t.registry}/${t.repo}:${t.tag}`),
      });
    }
    expect(holders[0]!.tags).toHaveLength(2);
  });

  it('stores many evaluations and gives the newest verdict of each, as latest does', async () => {
    const input = (d: string, tag: string, status: 'pass' | 'fail') => ({
      accountName: 'team',
      imageDigest: d,
      tag: tagOf(tag),
      policyId: 'p1',
      status,
      finalAction: status === 'pass' ? 'go' : 'stop',
      result: { status },
    });
    await store.evaluations.add(input(D1, '1', 'pass'));
    const stored = await addEvaluations(database.db, [input(D1, '1', 'fail'), input(D2, '2', 'pass')]);
    expect(stored.map((s) => [s.imageDigest, s.status])).toEqual([
      [D1, 'fail'],
      [D2, 'pass'],
    ]);
    const keys = [
      { accountName: 'team', imageDigest: D1, tag: tagOf('1') },
      { accountName: 'team', imageDigest: D2, tag: tagOf('2') },
      { accountName: 'team', imageDigest: D3, tag: tagOf('3') },
    ];
    const latest = await latestVerdicts(database.db, keys);
    expect(latest.size).toBe(2);
    for (const k of keys.slice(0, 2)) {
      const { result, ...one } = (await store.evaluations.latest(k.accountName, k.imageDigest, k.tag))!;
      expect(result).toBeDefined();
      expect(latest.get(verdictKey(k))).toEqual(one);
    }
  });

  it('queues notifications, events and jobs in bulk as notify and recordEvent do one by one', async () => {
    await generalEndpoint();
    await new NotificationEndpoints(database.db, store.box).set({
      accountName: 'team',
      type: 'event_log',
      sink: 'webhook',
      url: 'http://127.0.0.1:9/events',
      secret: newWebhookSecret(),
      minLevel: 'info',
    });
    for (const t of ['1', '2']) {
      await store.subscriptions.ensureForTag('team', tagOf(t), true);
      for (const s of await store.subscriptions.list('team', { key: tagOf(t) }))
        await store.subscriptions.update('team', s.id, { active: s.type === 'vuln_update' });
    }
    const notifier = new Notifier(database.db, new JobQueue(database.db));
    const payload = (d: string) => ({
      type: 'vuln_update' as const,
      imageDigest: d,
      diff: { added: [], updated: [], removed: [] },
    });
    const event = (tag: string) => ({
      accountName: 'team',
      type: 'user.checks.tag.vulnerabilities.update' as const,
      level: 'info' as const,
      message: `changed ${tag}`,
      details: { added: 1 },
      resourceType: 'image_tag',
      resourceId: tag,
      sourceService: 'policy_engine',
      sourceHost: 'test',
    });
    const outbox = async () =>
      (
        await database.db.query<{ stream: string; payload: Record<string, unknown> }>(
          `SELECT notification_type, stream, state, payload FROM notification ORDER BY seq`,
        )
      ).rows.map((r) => ({ ...r, payload: JSON.stringify(r.payload).replace(/msg_[0-9a-f-]+/g, 'ID') }));
    const jobs = async () =>
      (await database.db.query(`SELECT kind, payload, state FROM job ORDER BY id`)).rows;
    const events = async () =>
      (await database.db.query(`SELECT type, level, message, details, resource_id FROM event ORDER BY seq`))
        .rows;
    const clear = () => database.db.exec('DELETE FROM notification; DELETE FROM job; DELETE FROM event');

    await clear();
    // Tag 3 is not subscribed: nothing for it either way.
    await notifier.notify('team', tagOf('1'), payload(D1));
    await notifier.notify('team', tagOf('3'), payload(D3));
    await notifier.notify('team', tagOf('2'), payload(D2));
    await notifier.recordEvent(event(tagOf('1')));
    await notifier.recordEvent(event(tagOf('2')));
    const one = { outbox: await outbox(), jobs: await jobs(), events: await events() };
    await clear();
    const queued = await notifier.notifyMany([
      { accountName: 'team', tag: tagOf('1'), payload: payload(D1) },
      { accountName: 'team', tag: tagOf('3'), payload: payload(D3) },
      { accountName: 'team', tag: tagOf('2'), payload: payload(D2) },
    ]);
    const recorded = await notifier.recordEvents([event(tagOf('1')), event(tagOf('2'))]);
    expect(queued).toBe(2);
    expect(recorded.map((e) => e.resourceId)).toEqual([tagOf('1'), tagOf('2')]);
    const many = { outbox: await outbox(), jobs: await jobs(), events: await events() };
    expect(one.outbox).toHaveLength(4);
    // One delivery job per stream (two tags, the event log): a queued job serves later rows.
    expect(one.jobs).toHaveLength(3);
    const withoutTimes = (o: typeof one) => ({
      ...o,
      outbox: o.outbox.map((r) => ({
        ...r,
        payload: r.payload.replace(/"timestamp":"[^"]+"/g, '').replace(/"generated_uuid":"[^"]+"/g, ''),
      })),
    });
    expect(withoutTimes(many)).toEqual(withoutTimes(one));
  });

  it('compresses queued payloads with lz4 on the server, keeps the default where there is none (migration 74)', async () => {
    const { rows: columns } = await database.db.query<{ c: string }>(
      `SELECT attcompression::text AS c FROM pg_attribute
       WHERE attrelid = 'notification'::regclass AND attname = 'payload'`,
    );
    expect(columns).toEqual([{ c: kind === 'PGlite' ? '' : 'l' }]);
    await generalEndpoint();
    await store.subscriptions.ensureForTag('team', tagOf('4'), true);
    for (const s of await store.subscriptions.list('team', { key: tagOf('4') }))
      await store.subscriptions.update('team', s.id, { active: s.type === 'vuln_update' });
    // A diff long enough for its payload to be compressed (over 2 kB).
    const many = Array.from({ length: 40 }, (_, i) => ({ ...findings[0]!, id: `CVE-2099-${2000 + i}` }));
    const notifier = new Notifier(database.db, new JobQueue(database.db));
    const queued = await notifier.notifyMany([
      {
        accountName: 'team',
        tag: tagOf('4'),
        payload: { type: 'vuln_update', imageDigest: D4, diff: diffFindings([], many) },
      },
    ]);
    expect(queued).toBe(1);
    const { rows } = await database.db.query<{ m: string | null; n: number }>(
      `SELECT pg_column_compression(payload) AS m, jsonb_array_length(payload #> '{notification_payload,diff_vulnerability_result,added}') AS n
       FROM notification WHERE stream = $1`,
      [`vuln_update:${tagOf('4')}`],
    );
    expect(rows).toEqual([{ m: kind === 'PGlite' ? 'pglz' : 'lz4', n: 40 }]);
  });
});
