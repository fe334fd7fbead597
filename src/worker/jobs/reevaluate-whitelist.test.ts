/**
 * Exceptions are whitelist items of the active bundle: adding one re-evaluates the account's
 * images and a tag whose verdict flips gets `policy_eval`, delivered signed to a real receiver
 * on 127.0.0.1; taking the item out flips it back with a second `policy_eval`. An item that
 * expires flips the verdict back by itself: its expiry is queued as another re-evaluation.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { NotificationEndpoints } from '../../notifications/endpoints.js';
import { newWebhookSecret } from '../../notifications/sign.js';
import { UrlGuard } from '../../notifications/ssrf.js';
import {
  eventually,
  TestReceiver,
  verifyStandardWebhook,
} from '../../notifications/test-support/receiver.js';
import { evaluateForAccounts } from '../../store/evaluate-analysis.js';
import { DEFAULT_POLICY_ID, defaultPolicy } from '../../store/repositories/default-policy.js';
import { syntheticAnalysis } from '../../store/test-support/synthetic-analysis.js';
import { WorkerRunner } from '../runner.js';
import { deliverNotificationJob } from './deliver-notification.js';
import { reevaluateAccountJob } from './reevaluate-account.js';

afterAll(() => stopSharedPostgres());

const RISKY = `sha256:${'7'.repeat(64)}`;
const TAG = 'registry.example/team/app:risky';

/** The default bundle with `items` in its (mapped) whitelist. */
function bundleWith(items: Record<string, string>[]): Record<string, unknown> {
  const bundle = structuredClone(defaultPolicy().bundle) as { whitelists: { items: unknown[] }[] };
  bundle.whitelists[0]!.items.push(...items);
  return bundle;
}

describe.each(STORE_KINDS)('re-evaluation after a whitelist change on %s', (kind) => {
  let api: ApiHarness;
  let runner: WorkerRunner;
  let receiver: TestReceiver;
  const secret = newWebhookSecret();

  beforeAll(async () => {
    api = await startApi(kind);
    receiver = await TestReceiver.create();
    await receiver.setMode('accept');
    await api.store.images.add({
      accountName: 'team-a',
      imageDigest: RISKY,
      tag: { registry: 'registry.example', repo: 'team/app', tag: 'risky' },
    });
    await api.store.analyses.save(
      syntheticAnalysis(
        RISKY,
        [{ name: 'libssl3', version: '3.0.1-1', source: 'openssl' }],
        [{ id: 'CVE-2099-0002', package: 'libssl3', severity: 'Critical', fixedIn: '9' }],
      ),
    );
    await api.store.images.transition(RISKY, ['not_analyzed'], 'analyzed');
    await api.store.subscriptions.ensureForTag('team-a', TAG, true);
    for (const sub of await api.store.subscriptions.list('team-a', { key: TAG, type: 'policy_eval' }))
      await api.store.subscriptions.update('team-a', sub.id, { active: true });
    await evaluateForAccounts(api.store, ['team-a'], RISKY);
    await new NotificationEndpoints(api.store.db, api.store.box).set({
      accountName: 'team-a',
      type: 'policy_eval',
      sink: 'webhook',
      url: receiver.url,
      secret,
    });
    runner = new WorkerRunner(
      api.queue,
      [
        reevaluateAccountJob({ store: api.store, hostId: 'test-host' }),
        deliverNotificationJob({
          store: api.store,
          notifications: {
            queue: api.queue,
            guard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: [] }),
          },
        }),
      ],
      { owner: 'test', concurrency: 1, pollMs: 20, drainTimeoutMs: 2_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await receiver?.stopListening();
    await api?.close();
  });

  const putBundle = (bundle: Record<string, unknown>) =>
    api.call('alice', {
      method: 'PUT',
      url: `/v1/policies/${DEFAULT_POLICY_ID}`,
      payload: { policyId: DEFAULT_POLICY_ID, policybundle: bundle },
    });
  const evals = () =>
    receiver.accepted.map((r) => {
      expect(verifyStandardWebhook(secret, r)).toBe(true);
      const body = JSON.parse(r.body) as {
        data: {
          notification_payload: {
            subscription_key: string;
            curr_eval: { status: string };
            last_eval: { status: string };
          };
        };
      };
      const p = body.data.notification_payload;
      return [p.subscription_key, p.last_eval.status, p.curr_eval.status];
    });

  it('adding a whitelist item passes the tag and notifies; removing it fails it again', async () => {
    expect((await api.store.evaluations.latest('team-a', RISKY, TAG))?.status).toBe('fail');

    const added = await putBundle(
      bundleWith([{ id: 'accept-ssl', gate: 'vulnerabilities', trigger_id: 'CVE-2099-0002+*' }]),
    );
    expect(added.statusCode).toBe(200);
    await eventually(() => receiver.accepted.length >= 1, 'policy_eval after the exception was added');
    expect((await api.store.evaluations.latest('team-a', RISKY, TAG))?.status).toBe('pass');
    expect(evals()).toEqual([[TAG, 'fail', 'pass']]);
    const edits = await api.store.events.page('team-a', { type: 'user.policy.active.content_change' }, 1, 10);
    expect(edits.events.length).toBeGreaterThanOrEqual(1);

    expect((await putBundle(bundleWith([]))).statusCode).toBe(200);
    await eventually(() => receiver.accepted.length >= 2, 'policy_eval after the exception was removed');
    expect((await api.store.evaluations.latest('team-a', RISKY, TAG))?.status).toBe('fail');
    expect(evals()).toEqual([
      [TAG, 'fail', 'pass'],
      [TAG, 'pass', 'fail'],
    ]);
  }, 120_000);

  it('an expiring whitelist item passes the tag until it expires, then the queued run fails it', async () => {
    // Far enough ahead that the edit's own run sees the item valid even on a loaded machine.
    const expiresOn = new Date(Date.now() + 15_000).toISOString();
    const edited = await putBundle(
      bundleWith([
        { id: 'until-soon', gate: 'vulnerabilities', trigger_id: 'CVE-2099-0002+*', expires_on: expiresOn },
      ]),
    );
    expect(edited.statusCode).toBe(200);
    await eventually(() => receiver.accepted.length >= 3, 'policy_eval while the item holds');
    const { rows } = await api.store.db.query<{ singleton_key: string }>(
      "SELECT singleton_key FROM job WHERE singleton_key LIKE 'reevaluate-expiry:%'",
    );
    expect(rows.map((r) => r.singleton_key)).toEqual([`reevaluate-expiry:team-a:${expiresOn}`]);
    await eventually(() => receiver.accepted.length >= 4, 'policy_eval after the item expired');
    expect((await api.store.evaluations.latest('team-a', RISKY, TAG))?.status).toBe('fail');
    expect(evals().slice(2)).toEqual([
      [TAG, 'fail', 'pass'],
      [TAG, 'pass', 'fail'],
    ]);
  }, 120_000);
});
