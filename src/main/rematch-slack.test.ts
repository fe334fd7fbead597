/**
 * Floods are summarised on the Slack sink too (issue 13): a feed delta adds many advisories to
 * one stored image, and the account's Slack endpoint (a real HTTP server on 127.0.0.1 standing in
 * for hooks.slack.com) receives exactly one message for that image: valid Block Kit (checked
 * below against Slack's documented structure, written from the docs, not from slack.ts), listing
 * the changed CVEs with a cap and "and N more", the worst severity and a link back through
 * `--public-url`, plus the `text` fallback.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { NotificationEndpoints } from '../notifications/endpoints.js';
import { Notifier } from '../notifications/notify.js';
import { newWebhookSecret } from '../notifications/sign.js';
import { UrlGuard } from '../notifications/ssrf.js';
import { eventually, TestReceiver } from '../notifications/test-support/receiver.js';
import { JobQueue } from '../queue/queue.js';
import { evaluateForAccounts } from '../store/evaluate-analysis.js';
import { createServiceStore, type ServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import { syntheticAnalysis } from '../store/test-support/synthetic-analysis.js';
import { loadSyntheticFeed } from '../store/test-support/synthetic-feed.js';
import { vulnerabilityDataOf } from '../store/vulnerability-data.js';
import { VulnerabilityStore } from '../store/vulnerability-store.js';
import { deliverNotificationJob } from '../worker/jobs/deliver-notification.js';
import { WorkerRunner } from '../worker/runner.js';
import { rematchAnalyses } from './rematch-analyses.js';

afterAll(() => stopSharedPostgres());

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const SSL = { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' };
const ZLIB = { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib' };
const TAG = 'registry.example/team-a:1';
const PUBLIC_URL = 'https://portcullis.example.org';
const ADVISORIES = 14;

type Json = Record<string, unknown>;

/**
 * Slack's Block Kit rules for an incoming-webhook message (api.slack.com/reference/block-kit):
 * at most 50 blocks; `header` has a plain_text text of at most 150 characters; `section` has a
 * text (at most 3000) and/or at most 10 fields (each at most 2000); `context` has 1-10 text or
 * image elements; `divider` has nothing else. Text objects are `plain_text` or `mrkdwn`.
 */
function blockKitProblems(message: Json): string[] {
  const problems: string[] = [];
  const textObject = (t: unknown, where: string, max: number, types = ['plain_text', 'mrkdwn']) => {
    const o = t as Json | undefined;
    if (!o || typeof o !== 'object') return problems.push(`${where}: missing text object`);
    if (!types.includes(String(o.type))) problems.push(`${where}: text type ${String(o.type)}`);
    if (typeof o.text !== 'string' || o.text.length === 0) problems.push(`${where}: empty text`);
    else if (o.text.length > max) problems.push(`${where}: ${o.text.length} > ${max} characters`);
    return 0;
  };
  if (typeof message.text !== 'string' || !message.text) problems.push('no text fallback');
  const blocks = message.blocks as Json[] | undefined;
  if (!Array.isArray(blocks) || blocks.length === 0) return [...problems, 'no blocks'];
  if (blocks.length > 50) problems.push(`${blocks.length} blocks > 50`);
  blocks.forEach((b, i) => {
    const where = `blocks[${i}] ${String(b.type)}`;
    const allowed: Record<string, string[]> = {
      header: ['type', 'text', 'block_id'],
      section: ['type', 'text', 'fields', 'accessory', 'block_id'],
      context: ['type', 'elements', 'block_id'],
      divider: ['type', 'block_id'],
    };
    const keys = allowed[String(b.type)];
    if (!keys) return problems.push(`${where}: unknown block type`);
    for (const k of Object.keys(b)) if (!keys.includes(k)) problems.push(`${where}: unexpected ${k}`);
    if (b.type === 'header') textObject(b.text, where, 150, ['plain_text']);
    if (b.type === 'section') {
      if (b.text === undefined && b.fields === undefined) problems.push(`${where}: neither text nor fields`);
      if (b.text !== undefined) textObject(b.text, where, 3000);
      if (b.fields !== undefined) {
        const fields = b.fields as unknown[];
        if (!Array.isArray(fields) || fields.length === 0 || fields.length > 10)
          problems.push(`${where}: ${String((fields as unknown[] | undefined)?.length)} fields`);
        else fields.forEach((f, j) => textObject(f, `${where}.fields[${j}]`, 2000));
      }
    }
    if (b.type === 'context') {
      const elements = b.elements as unknown[];
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10)
        problems.push(`${where}: elements`);
      else elements.forEach((e, j) => textObject(e, `${where}.elements[${j}]`, 3000));
    }
    return 0;
  });
  return problems;
}

describe.each(STORE_KINDS)('a flood of advisories reaches Slack as one message per image on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;
  let receiver: TestReceiver;
  let runner: WorkerRunner;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    receiver = await TestReceiver.create();
    await receiver.setMode('accept');
    await store.accounts.create({ name: 'team-a', type: 'user' });
    // Slack's incoming-webhook path shape, on the local stand-in (hooks.slack.com is unreachable).
    await new NotificationEndpoints(database.db, store.box).set({
      accountName: 'team-a',
      type: 'vuln_update',
      sink: 'slack',
      url: `http://127.0.0.1:${receiver.port}/services/T000/B000/XXXX`,
      secret: newWebhookSecret(),
    });
    for (const [d, tag, packages] of [
      [D1, '1', [SSL, ZLIB]],
      [D2, '2', [ZLIB]],
    ] as const) {
      await store.images.add({
        accountName: 'team-a',
        imageDigest: d,
        tag: { registry: 'registry.example', repo: 'team-a', tag },
      });
      await store.analyses.save(syntheticAnalysis(d, [...packages]));
      await store.images.transition(d, ['not_analyzed'], 'analyzed');
      const key = `registry.example/team-a:${tag}`;
      await store.subscriptions.ensureForTag('team-a', key, true);
      for (const sub of await store.subscriptions.list('team-a', { key }))
        await store.subscriptions.update('team-a', sub.id, { active: true });
      await evaluateForAccounts(store, ['team-a'], d);
    }
    const queue = new JobQueue(database.db);
    runner = new WorkerRunner(
      queue,
      [
        deliverNotificationJob({
          store,
          notifications: {
            queue,
            guard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: [] }),
            options: { linkBase: PUBLIC_URL },
          },
        }),
      ],
      { owner: 'test', concurrency: 2, pollMs: 20, drainTimeoutMs: 2_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await receiver?.stopListening();
    await database?.stop();
  });

  it('posts exactly one valid Block Kit message listing the changes, capped, with the worst severity and a link', async () => {
    const vulnerabilities = new VulnerabilityStore(database.db);
    const data = vulnerabilityDataOf(database.db, vulnerabilities);
    const notifier = new Notifier(database.db, new JobQueue(database.db));
    const severities = ['LOW', 'MEDIUM', 'HIGH'] as const;
    const keys = await loadSyntheticFeed(
      vulnerabilities,
      'synthetic',
      Array.from({ length: ADVISORIES }, (_, i) => ({
        id: `CVE-2099-${String(100 + i)}`,
        namespace: 'debian:12',
        packageName: 'openssl',
        fixed: '3.0.13-1~deb12u1',
        // One Critical among them, not the first: the worst severity is computed, not copied.
        severity: i === 7 ? 'CRITICAL' : severities[i % 3]!,
      })),
    );
    const summary = await rematchAnalyses(store, data, keys, { notifier });
    expect(summary).toMatchObject({ rematched: 1, changed: 1 });

    await eventually(() => receiver.accepted.length >= 1, 'the Slack message');
    // Every queued notification is delivered before counting: exactly one for the flood.
    await eventually(async () => {
      const { rows } = await database.db.query<{ n: string | number }>(
        "SELECT count(*) AS n FROM notification WHERE state IN ('pending', 'sending')",
      );
      return Number(rows[0]?.n) === 0;
    }, 'an empty outbox');
    expect(receiver.accepted).toHaveLength(1);
    const [post] = receiver.accepted;
    expect(post!.headers['content-type']).toBe('application/json');
    // Slack's sink is not signed the Standard Webhooks way (the URL is the credential).
    expect(post!.headers['webhook-signature']).toBeUndefined();
    const message = JSON.parse(post!.body) as Json;
    expect(blockKitProblems(message)).toEqual([]);
    expect(message.text).toBe(`Vulnerabilities changed: ${TAG} (worst: Critical)`);
    const blocks = message.blocks as Json[];
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: `Vulnerabilities changed: ${TAG}` },
    });
    const all = JSON.stringify(blocks);
    expect(all).toContain(`*Added (${ADVISORIES})*`);
    const listed = all.match(/CVE-2099-1\d\d/g) ?? [];
    expect(new Set(listed).size).toBe(10);
    expect(all).toContain(`and ${ADVISORIES - 10} more`);
    expect(all).toContain('*Worst new severity*\\nCritical');
    expect(all).toContain(`<${PUBLIC_URL}/v1/images/${D1}|Open in Portcullis>`);
    expect(all).toContain(D1);
    expect(all).not.toContain(D2);
  }, 120_000);
});
