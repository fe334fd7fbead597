/**
 * An analysis written afresh between the re-match's read and its write (a forced re-analysis)
 * keeps its findings, and the re-match tells nobody of it and evaluates none of its tags: on a
 * server the notifications and evaluations are planned while the findings are written (ADR
 * 0034), so the plan's entries of such an image must be dropped at the write.
 */
import { randomBytes } from 'node:crypto';
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
import { JobQueue } from '../queue/queue.js';
import { createServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import type { Sql } from '../store/sql.js';
import { fleet, storeInBulk } from '../store/test-support/monitor-fleet.js';
import { loadSyntheticFeed } from '../store/test-support/synthetic-feed.js';
import { vulnerabilityDataOf } from '../store/vulnerability-data.js';
import { VulnerabilityStore } from '../store/vulnerability-store.js';
import { rematchAnalyses, type RematchSummary } from './rematch-analyses.js';

afterAll(() => stopSharedPostgres());

describe.each(STORE_KINDS)('a re-match on %s racing a re-analysis', (kind) => {
  let database: TestDatabase;
  let summary: RematchSummary;
  const images = [...fleet(4, 5)];
  const raced = images[1]!;
  let findingsBefore: string;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const db = database.db;
    // The re-analysis lands right after the re-match read the analyses (their revisions).
    let raceDone = false;
    const racing: Sql = new Proxy(db, {
      get(target, property, receiver) {
        if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
        return async (text: string, params?: readonly unknown[]) => {
          const result = await db.query(text, params);
          if (!raceDone && text.includes('findings_rev::text AS findings_rev')) {
            raceDone = true;
            await db.query(
              `UPDATE analysis SET findings_rev = nextval('analysis_findings_rev') WHERE image_digest = $1`,
              [raced.digest],
            );
          }
          return result;
        };
      },
    });
    const store = createServiceStore(racing, createSecretBox(randomBytes(32)));
    await store.accounts.create({ name: 'fleet', type: 'user' });
    await new NotificationEndpoints(db, store.box).set({
      accountName: 'fleet',
      type: 'general',
      sink: 'webhook',
      url: 'http://127.0.0.1:9/hook',
      secret: newWebhookSecret(),
    });
    await storeInBulk(db, 'fleet', images);
    findingsBefore = (
      await db.query<{ f: string }>('SELECT findings::text AS f FROM analysis WHERE image_digest = $1', [
        raced.digest,
      ])
    ).rows[0]!.f;
    const vulnerabilities = new VulnerabilityStore(db);
    const keys = await loadSyntheticFeed(vulnerabilities, 'delta', [
      {
        id: 'CVE-2099-9001',
        packageName: 'base-pkg-0',
        namespace: 'debian:12',
        fixed: '9.0-1',
        severity: 'CRITICAL',
      },
    ]);
    summary = await rematchAnalyses(store, vulnerabilityDataOf(db, vulnerabilities), keys, {
      notifier: new Notifier(racing, new JobQueue(racing)),
    });
  }, 300_000);
  afterAll(() => database?.stop());

  it('changes the other images and leaves the raced one as the re-analysis wrote it', async () => {
    expect(summary.changed).toBe(images.length - 1);
    const { rows } = await database.db.query<{ f: string }>(
      'SELECT findings::text AS f FROM analysis WHERE image_digest = $1',
      [raced.digest],
    );
    expect(rows[0]!.f).toBe(findingsBefore);
  });

  it('tells nobody of the raced image and evaluates none of its tags', async () => {
    const notified = await database.db.query<{ tag: string }>(
      `SELECT payload->'notification_payload'->>'subscription_key' AS tag FROM notification
       WHERE notification_type = 'vuln_update'`,
    );
    expect(notified.rows.map((r) => r.tag).sort()).toEqual(
      images
        .filter((i) => i !== raced)
        .map((i) => i.fullTag)
        .sort(),
    );
    const evaluated = await database.db.query<{ d: string }>(
      'SELECT image_digest AS d FROM policy_evaluation',
    );
    expect(evaluated.rows.map((r) => r.d).sort()).toEqual(
      images
        .filter((i) => i !== raced)
        .map((i) => i.digest)
        .sort(),
    );
    const events = await database.db.query<{ r: string }>(
      `SELECT resource_id AS r FROM event WHERE type = 'user.checks.tag.vulnerabilities.update'`,
    );
    expect(events.rows.map((r) => r.r)).not.toContain(raced.fullTag);
    expect(events.rows).toHaveLength(images.length - 1);
  });
});
