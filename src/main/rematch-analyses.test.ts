/**
 * A feed delta adds an advisory for a package some stored images hold: exactly those images are
 * re-matched, their subscribed tags get `vuln_update` with the diff and, where the verdict
 * flipped, `policy_eval`, delivered signed to a real receiver on 127.0.0.1; a second sync of the
 * same data notifies nothing.
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
import { eventually, TestReceiver, verifyStandardWebhook } from '../notifications/test-support/receiver.js';
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

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const [D1, D2, D3] = [digest('1'), digest('2'), digest('3')];
const SSL = { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' };
const ZLIB = { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib' };

interface Delivered {
  data: {
    notification_type: string;
    notification_payload: {
      subscription_key: string;
      diff_vulnerability_result?: { added: { vulnerability_id: string; package_name: string }[] };
      curr_eval?: { status: string };
      last_eval?: { status: string };
    };
  };
}

describe.each(STORE_KINDS)(
  're-match after a feed delta notifies exactly the changed images on %s',
  (kind) => {
    let database: TestDatabase;
    let store: ServiceStore;
    let receiver: TestReceiver;
    let runner: WorkerRunner;
    const secrets = new Map<string, string>();

    beforeAll(async () => {
      database = await openTestDatabase(kind);
      store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
      receiver = await TestReceiver.create();
      await receiver.setMode('accept');
      const endpoints = new NotificationEndpoints(database.db, store.box);
      for (const account of ['team-a', 'team-b']) {
        await store.accounts.create({ name: account, type: 'user' });
        const secret = newWebhookSecret();
        secrets.set(account, secret);
        await endpoints.set({
          accountName: account,
          type: 'general',
          sink: 'webhook',
          url: receiver.url,
          secret,
        });
      }
      const images: [string, string, string, (typeof SSL)[]][] = [
        ['team-a', D1, '1', [SSL, ZLIB]],
        ['team-a', D2, '2', [ZLIB]],
        ['team-b', D3, '1', [SSL]],
      ];
      for (const [account, d, tag, packages] of images) {
        await store.images.add({
          accountName: account,
          imageDigest: d,
          tag: { registry: 'registry.example', repo: account, tag },
        });
        await store.analyses.save(syntheticAnalysis(d, packages));
        await store.images.transition(d, ['not_analyzed'], 'analyzed');
        const key = `registry.example/${account}:${tag}`;
        await store.subscriptions.ensureForTag(account, key, true);
        for (const sub of await store.subscriptions.list(account, { key }))
          await store.subscriptions.update(account, sub.id, { active: true });
        await evaluateForAccounts(store, [account], d);
      }
      const queue = new JobQueue(database.db);
      runner = new WorkerRunner(
        queue,
        [
          deliverNotificationJob({
            store,
            notifications: { queue, guard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: [] }) },
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

    it('sends vuln_update with the diff and policy_eval for the verdict change, then nothing on a re-sync', async () => {
      const vulnerabilities = new VulnerabilityStore(database.db);
      const data = vulnerabilityDataOf(database.db, vulnerabilities);
      const notifier = new Notifier(database.db, new JobQueue(database.db));
      const keys = await loadSyntheticFeed(vulnerabilities, 'synthetic', [
        {
          id: 'CVE-2099-0001',
          namespace: 'debian:12',
          packageName: 'openssl',
          fixed: '3.0.13-1~deb12u1',
          severity: 'CRITICAL',
        },
      ]);
      expect(keys).toEqual([{ namespace: 'debian:12', packageName: 'openssl' }]);
      const summary = await rematchAnalyses(store, data, keys, { notifier });
      expect(summary).toEqual({ rematched: 2, untouched: 1, changed: 2 });

      await eventually(() => receiver.accepted.length >= 4, 'four notifications');
      const got = receiver.accepted.map((r) => {
        const body = JSON.parse(r.body) as Delivered & { userId: string };
        expect(verifyStandardWebhook(secrets.get(body.userId)!, r)).toBe(true);
        const p = body.data.notification_payload;
        return [
          body.data.notification_type,
          p.subscription_key,
          p.diff_vulnerability_result?.added.map((a) => `${a.vulnerability_id} ${a.package_name}`).join() ??
            `${p.last_eval?.status}->${p.curr_eval?.status}`,
        ].join(' ');
      });
      expect(got.sort()).toEqual([
        'policy_eval registry.example/team-a:1 pass->fail',
        'policy_eval registry.example/team-b:1 pass->fail',
        'vuln_update registry.example/team-a:1 CVE-2099-0001 libssl3',
        'vuln_update registry.example/team-b:1 CVE-2099-0001 libssl3',
      ]);
      const events = await store.events.page('team-a', { type: 'user.checks.*' }, 1, 100);
      expect(events.events.map((e) => `${e.type} ${e.resourceId}`).sort()).toEqual([
        'user.checks.tag.policy_evaluation.update registry.example/team-a:1',
        'user.checks.tag.vulnerabilities.update registry.example/team-a:1',
      ]);

      // The same advisory again: re-matched, nothing changed, nothing sent.
      const again = await rematchAnalyses(store, data, keys, { notifier });
      expect(again).toEqual({ rematched: 2, untouched: 1, changed: 0 });
      const { rows } = await database.db.query<{ n: string | number }>(
        'SELECT count(*) AS n FROM notification',
      );
      expect(Number(rows[0]?.n)).toBe(4);
    }, 120_000);
  },
);
