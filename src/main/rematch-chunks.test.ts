/**
 * The re-match over more than one chunk (issue 13, ADR 0024/0030/0031): on PostgreSQL the next
 * chunk is read and matched while the previous one is written, on PGlite one after the other.
 * Either way every affected image of a 2½-chunk fleet gets exactly the new findings, their
 * index rows, one `vuln_update` per subscribed tag and one evaluation per tag: nothing is
 * lost or written twice at a chunk boundary.
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
import { NotificationEndpoints } from '../notifications/endpoints.js';
import { Notifier } from '../notifications/notify.js';
import { newWebhookSecret } from '../notifications/sign.js';
import { JobQueue } from '../queue/queue.js';
import { findingsText } from '../store/repositories/findings-text.js';
import { createServiceStore, type ServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import { fleet, storeInBulk, type FleetImage } from '../store/test-support/monitor-fleet.js';
import { loadSyntheticFeed } from '../store/test-support/synthetic-feed.js';
import { vulnerabilityDataOf } from '../store/vulnerability-data.js';
import { VulnerabilityStore } from '../store/vulnerability-store.js';
import { CHUNK, rematchAnalyses, type RematchSummary } from './rematch-analyses.js';

afterAll(() => stopSharedPostgres());

const COUNT = 2 * CHUNK + 37;
const EVERYWHERE = { id: 'CVE-2099-9001', packageName: 'base-pkg-0' }; // every fleet image holds it
const SOMEWHERE = { id: 'CVE-2099-9002', packageName: 'tail-pkg-7' };

const holds = (image: FleetImage, name: string) => image.analysis.sbom.packages.some((p) => p.name === name);

describe.each(STORE_KINDS)('a re-match of %s images over several chunks', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;
  let summary: RematchSummary;
  const images = [...fleet(COUNT, 41)];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    await store.accounts.create({ name: 'fleet', type: 'user' });
    await new NotificationEndpoints(database.db, store.box).set({
      accountName: 'fleet',
      type: 'general',
      sink: 'webhook',
      url: 'http://127.0.0.1:9/hook',
      secret: newWebhookSecret(),
    });
    for (let i = 0; i < images.length; i += 100)
      await storeInBulk(database.db, 'fleet', images.slice(i, i + 100));
    const vulnerabilities = new VulnerabilityStore(database.db);
    const keys = await loadSyntheticFeed(
      vulnerabilities,
      'delta',
      [EVERYWHERE, SOMEWHERE].map((a) => ({
        ...a,
        namespace: 'debian:12',
        fixed: '9.0-1',
        severity: 'CRITICAL' as const,
      })),
    );
    summary = await rematchAnalyses(store, vulnerabilityDataOf(database.db, vulnerabilities), keys, {
      notifier: new Notifier(database.db, new JobQueue(database.db)),
    });
  }, 300_000);
  afterAll(() => database?.stop());

  it('re-matches and changes every image of every chunk', () => {
    expect(images.filter((i) => holds(i, SOMEWHERE.packageName)).length).toBeGreaterThan(0);
    expect(summary).toEqual({ rematched: COUNT, untouched: 0, changed: COUNT });
  });

  it('stores the new findings of each image once, with their index rows', async () => {
    const { rows } = await database.db.query<{ image_digest: string; findings: Finding[] }>(
      'SELECT image_digest, findings FROM analysis',
    );
    expect(rows).toHaveLength(COUNT);
    const byDigest = new Map(rows.map((r) => [r.image_digest, r.findings] as const));
    for (const image of images) {
      const ids = byDigest.get(image.digest)!.map((f) => f.id);
      expect(ids.filter((id) => id === EVERYWHERE.id)).toHaveLength(1);
      expect(ids.filter((id) => id === SOMEWHERE.id)).toHaveLength(
        holds(image, SOMEWHERE.packageName) ? 1 : 0,
      );
      // Findings of packages outside the delta are kept; those of the re-matched packages come
      // from today's data, which has none of the fleet's made-up advisories.
      const rematched = new Set([EVERYWHERE.packageName, SOMEWHERE.packageName]);
      const kept = image.analysis.findings.filter((f) => !rematched.has(f.package.name)).map((f) => f.id);
      expect(ids.filter((id) => id !== EVERYWHERE.id && id !== SOMEWHERE.id).sort()).toEqual(kept.sort());
    }
    // Written one finding per line, kept findings as their stored texts (findings-text.ts).
    const texts = await database.db.query<{ t: string }>('SELECT findings::text AS t FROM analysis');
    for (const { t } of texts.rows) expect(t).toBe(findingsText(JSON.parse(t) as unknown[]));
    const indexed = await database.db.query<{ vulnerability_id: string; n: string | number }>(
      `SELECT vulnerability_id, count(*) AS n FROM image_finding
       WHERE vulnerability_id = ANY($1::text[]) GROUP BY vulnerability_id ORDER BY vulnerability_id`,
      [[EVERYWHERE.id, SOMEWHERE.id]],
    );
    expect(indexed.rows.map((r) => [r.vulnerability_id, Number(r.n)])).toEqual([
      [EVERYWHERE.id, COUNT],
      [SOMEWHERE.id, images.filter((i) => holds(i, SOMEWHERE.packageName)).length],
    ]);
  });

  it('queues one vuln_update per subscribed tag and stores one evaluation per tag', async () => {
    const notified = await database.db.query<{ stream: string }>(
      "SELECT stream FROM notification WHERE notification_type = 'vuln_update'",
    );
    expect(notified.rows.map((r) => r.stream).sort()).toEqual(
      images.map((i) => `vuln_update:${i.fullTag}`).sort(),
    );
    const evaluated = await database.db.query<{ tag: string; status: string }>(
      'SELECT tag, status FROM policy_evaluation',
    );
    expect(evaluated.rows.map((r) => r.tag).sort()).toEqual(images.map((i) => i.fullTag).sort());
    // The default bundle stops on a critical vulnerability.
    expect(new Set(evaluated.rows.map((r) => r.status))).toEqual(new Set(['fail']));
  });
});
