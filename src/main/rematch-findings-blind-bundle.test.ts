/**
 * A bundle with no rule that reads findings or feeds (here the built-in `block-root`) gives the
 * same verdict whatever a feed sync changes (ADR 0027): the re-match still tells the account
 * of the new findings (`vuln_update`, event), but evaluates and stores nothing for its tags,
 * whose last evaluation stands. An account holding the same image with a bundle that reads
 * findings is evaluated as before, and so is a tag whose last evaluation predates a change of
 * its bundle. Bulk re-match and one-image `findingsChanged` behave alike, on both stores.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import type { Finding } from '../core/matching/types.js';
import { BUILTIN_BUNDLES } from '../core/policy/index.js';
import { NotificationEndpoints } from '../notifications/endpoints.js';
import { Notifier } from '../notifications/notify.js';
import { findingsChanged } from '../notifications/reevaluate.js';
import { newWebhookSecret } from '../notifications/sign.js';
import { JobQueue } from '../queue/queue.js';
import { evaluateForAccounts } from '../store/evaluate-analysis.js';
import { createServiceStore, type ServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import { syntheticAnalysis } from '../store/test-support/synthetic-analysis.js';
import { loadSyntheticFeed } from '../store/test-support/synthetic-feed.js';
import { vulnerabilityDataOf } from '../store/vulnerability-data.js';
import { VulnerabilityStore } from '../store/vulnerability-store.js';
import { rematchAnalyses } from './rematch-analyses.js';

afterAll(() => stopSharedPostgres());

const D1 = `sha256:${'1'.repeat(64)}`;
const SSL = { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' };
const BLIND = 'team-blind'; // block-root: reads the image config only
const READS = 'team-reads'; // the default bundle: reads findings
const tagOf = (account: string) => `registry.example/${account}:1`;
const blockRoot = BUILTIN_BUNDLES.find((b) => b.name === 'block-root')!.document as { id: string };

describe.each(STORE_KINDS)('re-match under a bundle that reads no findings on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;
  let notifier: Notifier;
  let advisories = 0;

  const evaluations = async (account: string) =>
    (
      await store.evaluations.list(
        account,
        D1,
        tagOf(account),
        (await store.policies.active(account))!.policyId,
        true,
      )
    ).length;
  const count = async (sql: string, account: string) =>
    Number((await database.db.query<{ n: string | number }>(sql, [account])).rows[0]?.n);
  const notifications = (account: string, type: string) =>
    count(
      `SELECT count(*) AS n FROM notification WHERE account_name = $1 AND notification_type = '${type}'`,
      account,
    );
  const events = (account: string, type: string) =>
    count(`SELECT count(*) AS n FROM event WHERE account_name = $1 AND type = '${type}'`, account);

  /** A new critical advisory for openssl (a new id each time, so each is a change). */
  const syncDelta = async () => {
    const vulnerabilities = new VulnerabilityStore(database.db);
    advisories++;
    const keys = await loadSyntheticFeed(vulnerabilities, 'synthetic', [
      {
        id: `CVE-2099-000${advisories}`,
        namespace: 'debian:12',
        packageName: 'openssl',
        fixed: '3.0.13-1~deb12u1',
        severity: 'CRITICAL',
      },
    ]);
    return rematchAnalyses(store, vulnerabilityDataOf(database.db, vulnerabilities), keys, { notifier });
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    notifier = new Notifier(database.db, new JobQueue(database.db));
    const endpoints = new NotificationEndpoints(database.db, store.box);
    for (const account of [BLIND, READS]) {
      await store.accounts.create({ name: account, type: 'user' });
      await endpoints.set({
        accountName: account,
        type: 'general',
        sink: 'webhook',
        url: 'http://127.0.0.1:9/hook',
        secret: newWebhookSecret(),
      });
      await store.images.add({
        accountName: account,
        imageDigest: D1,
        tag: { registry: 'registry.example', repo: account, tag: '1' },
      });
      await store.subscriptions.ensureForTag(account, tagOf(account), true);
      for (const sub of await store.subscriptions.list(account, { key: tagOf(account) }))
        await store.subscriptions.update(account, sub.id, { active: true });
    }
    await store.policies.upsert({
      accountName: BLIND,
      policyId: blockRoot.id,
      name: 'block-root',
      bundle: blockRoot,
      active: true,
    });
    await store.analyses.save(syntheticAnalysis(D1, [SSL]));
    await store.images.transition(D1, ['not_analyzed'], 'analyzed');
    await evaluateForAccounts(store, [BLIND, READS], D1);
  });
  afterAll(() => database?.stop());

  it('tells of the new findings but keeps the last evaluation where the bundle reads none', async () => {
    expect([await evaluations(BLIND), await evaluations(READS)]).toEqual([1, 1]);
    expect(await syncDelta()).toEqual({ rematched: 1, untouched: 0, changed: 1 });

    expect(await notifications(BLIND, 'vuln_update')).toBe(1);
    expect(await events(BLIND, 'user.checks.tag.vulnerabilities.update')).toBe(1);
    expect(await evaluations(BLIND)).toBe(1);
    expect(await notifications(BLIND, 'policy_eval')).toBe(0);

    // The other holder's bundle fails on the critical advisory: evaluated, stored, told.
    expect(await notifications(READS, 'vuln_update')).toBe(1);
    expect(await evaluations(READS)).toBe(2);
    expect(await notifications(READS, 'policy_eval')).toBe(1);
    expect(await events(READS, 'user.checks.tag.policy_evaluation.update')).toBe(1);
  });

  it('evaluates again when the bundle changed after the last evaluation', async () => {
    await store.policies.upsert({
      accountName: BLIND,
      policyId: blockRoot.id,
      name: 'block-root, renamed',
      bundle: { ...blockRoot, name: 'block-root, renamed' },
    });
    await syncDelta();
    expect(await evaluations(BLIND)).toBe(2);
    // Now made with the bundle as it is: the next change leaves it standing.
    await syncDelta();
    expect(await evaluations(BLIND)).toBe(2);
    expect(await notifications(BLIND, 'vuln_update')).toBe(3);
    expect(await evaluations(READS)).toBe(4);
  });

  it('does the same one image at a time (findingsChanged)', async () => {
    const before = (await store.analyses.get(D1))!.findings as Finding[];
    const after = [...before, { ...before[0]!, id: 'CVE-2099-0100' }];
    expect(await findingsChanged({ store, notifier }, D1, before, after)).toBe(true);
    expect(await notifications(BLIND, 'vuln_update')).toBe(4);
    expect(await evaluations(BLIND)).toBe(2);
    expect(await evaluations(READS)).toBe(5);
  });
});
