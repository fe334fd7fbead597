/**
 * A policy change re-evaluates the account's images: activating a bundle through the API queues
 * one reevaluate-account job; the worker stores the new verdicts and queues `policy_eval` only
 * for tags whose pass/fail changed.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { BUILTIN_BUNDLES } from '../../core/policy/index.js';
import { NotificationEndpoints } from '../../notifications/endpoints.js';
import { newWebhookSecret } from '../../notifications/sign.js';
import { eventually } from '../../notifications/test-support/receiver.js';
import { JOB_KINDS } from '../../queue/kinds.js';
import { evaluateForAccounts } from '../../store/evaluate-analysis.js';
import { syntheticAnalysis } from '../../store/test-support/synthetic-analysis.js';
import { WorkerRunner } from '../runner.js';
import { reevaluateAccountJob } from './reevaluate-account.js';

afterAll(() => stopSharedPostgres());

const RISKY = `sha256:${'5'.repeat(64)}`;
const CLEAN = `sha256:${'6'.repeat(64)}`;
const allowAll = BUILTIN_BUNDLES.find((b) => b.name === 'allow-all')!.document as Record<string, unknown>;

describe.each(STORE_KINDS)('re-evaluation after a policy change on %s', (kind) => {
  let api: ApiHarness;
  let runner: WorkerRunner;

  beforeAll(async () => {
    api = await startApi(kind);
    const images: [string, string, Parameters<typeof syntheticAnalysis>[2]][] = [
      [RISKY, 'risky', [{ id: 'CVE-2099-0002', package: 'libssl3', severity: 'Critical', fixedIn: '9' }]],
      [CLEAN, 'clean', []],
    ];
    for (const [digest, tag, findings] of images) {
      await api.store.images.add({
        accountName: 'team-a',
        imageDigest: digest,
        tag: { registry: 'registry.example', repo: 'team/app', tag },
      });
      await api.store.analyses.save(
        syntheticAnalysis(digest, [{ name: 'libssl3', version: '3.0.1-1', source: 'openssl' }], findings),
      );
      await api.store.images.transition(digest, ['not_analyzed'], 'analyzed');
      const key = `registry.example/team/app:${tag}`;
      await api.store.subscriptions.ensureForTag('team-a', key, true);
      for (const sub of await api.store.subscriptions.list('team-a', { key, type: 'policy_eval' }))
        await api.store.subscriptions.update('team-a', sub.id, { active: true });
      await evaluateForAccounts(api.store, ['team-a'], digest);
    }
    await new NotificationEndpoints(api.store.db, api.store.box).set({
      accountName: 'team-a',
      type: 'policy_eval',
      sink: 'webhook',
      url: 'http://127.0.0.1:9/hook',
      secret: newWebhookSecret(),
    });
    runner = new WorkerRunner(
      api.queue,
      [reevaluateAccountJob({ store: api.store, hostId: 'test-host' })],
      { owner: 'test', concurrency: 1, pollMs: 20, drainTimeoutMs: 2_000 },
      pino({ level: 'silent' }),
    );
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
  });

  it('activating a bundle queues one job that notifies only the tag whose verdict changed', async () => {
    const latest = (tag: string) =>
      api.store.evaluations.latest(
        'team-a',
        tag === 'risky' ? RISKY : CLEAN,
        `registry.example/team/app:${tag}`,
      );
    expect((await latest('risky'))?.status).toBe('fail');
    expect((await latest('clean'))?.status).toBe('pass');

    const added = await api.call('alice', {
      method: 'POST',
      url: '/v1/policies',
      payload: { ...allowAll, id: 'allow' },
    });
    expect(added.statusCode).toBe(200);
    const jobs = async () =>
      (
        await api.store.db.query<{ id: string; state: string }>('SELECT id, state FROM job WHERE kind = $1', [
          JOB_KINDS.reevaluateAccount,
        ])
      ).rows;
    expect(await jobs()).toEqual([]); // a new bundle is inactive: nothing is judged by it yet
    const activated = await api.call('alice', {
      method: 'PUT',
      url: '/v1/policies/allow',
      payload: { policyId: 'allow', active: true },
    });
    expect(activated.statusCode).toBe(200);
    expect((await jobs()).map((j) => j.state)).toEqual(['queued']);
    const policyEvents = await api.store.events.page('team-a', { type: 'user.policy.*' }, 1, 10);
    expect(policyEvents.events.map((e) => [e.type, e.resourceId, e.level])).toEqual([
      ['user.policy.active.updated', 'allow', 'info'],
    ]);

    runner.start();
    await eventually(async () => (await jobs()).every((j) => j.state === 'succeeded'), 'the re-evaluation');
    expect((await latest('risky'))?.status).toBe('pass');
    const { rows } = await api.store.db.query<{ payload: { notification_payload: Record<string, unknown> } }>(
      "SELECT payload FROM notification WHERE account_name = 'team-a' AND notification_type = 'policy_eval'",
    );
    expect(rows.map((r) => r.payload.notification_payload)).toEqual([
      expect.objectContaining({
        subscription_key: 'registry.example/team/app:risky',
        curr_eval: expect.objectContaining({ status: 'pass', policy_id: 'allow' }),
        last_eval: expect.objectContaining({ status: 'fail' }),
      }),
    ]);
    const events = await api.store.events.page(
      'team-a',
      { type: 'user.checks.tag.policy_evaluation.update' },
      1,
      10,
    );
    expect(events.events.map((e) => e.resourceId)).toEqual(['registry.example/team/app:risky']);
  }, 120_000);
});
