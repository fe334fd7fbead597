/**
 * The service judges a stored analysis's data coverage as the CLI does: with the shared mirror's
 * Debian tracker and its empty amazon-alas feed imported, an Amazon Linux 2023 image fires
 * `vulnerability_data_unavailable` (STOP under reject-critical, a warning under the account's
 * default bundle) and a Debian 12 image does not. On both stores.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { SHARED_DATA } from '../../test/support/shared-data.js';
import { amazonAlasDriver } from '../core/advisories/feeds/amazon-alas/index.js';
import { debianTrackerDriver } from '../core/advisories/feeds/debian-tracker/index.js';
import { BUILTIN_BUNDLES } from '../core/policy/index.js';
import { computeEvaluation, decideStoredAnalysis } from './evaluate-analysis.js';
import { defaultPolicy } from './repositories/default-policy.js';
import { createServiceStore, type ServiceStore } from './repositories/index.js';
import type { PolicyRecord } from './repositories/policies.js';
import { createSecretBox } from './repositories/secret-box.js';
import { syntheticAnalysis } from './test-support/synthetic-analysis.js';
import { updateFeeds } from './update-feeds.js';
import { VulnerabilityStore } from './vulnerability-store.js';

afterAll(() => stopSharedPostgres());

const DEBIAN = `sha256:${'d'.repeat(64)}`;
const AMAZON = `sha256:${'a'.repeat(64)}`;
const TAG = 'registry.example/team/app:1';

function policy(bundle: unknown): PolicyRecord {
  const now = new Date();
  return {
    accountName: 'team-a',
    policyId: 'p',
    name: 'p',
    description: '',
    source: 'local',
    bundle,
    active: true,
    createdAt: now,
    lastUpdated: now,
  };
}
const rejectCritical = policy(BUILTIN_BUNDLES.find((b) => b.name === 'reject-critical')?.document);

describe.each(STORE_KINDS)('data coverage of stored evaluations on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    const outcomes = await updateFeeds(
      new VulnerabilityStore(database.db),
      [debianTrackerDriver, amazonAlasDriver],
      {
        mode: { mirrorDir: SHARED_DATA },
      },
    );
    expect(outcomes.map((o) => o.status)).toEqual(['updated', 'updated']);
    await store.analyses.save(
      syntheticAnalysis(DEBIAN, [{ name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' }]),
    );
    const amazon = syntheticAnalysis(AMAZON, [
      { name: 'openssl-libs', version: '1:3.0.8-1.amzn2023.0.11', type: 'rpm' },
    ]);
    const sbom = amazon.sbom as { distro: unknown };
    sbom.distro = { id: 'amzn', versionId: '2023' };
    await store.analyses.save(amazon);
  }, 120_000);
  afterAll(async () => database?.stop());

  const decide = async (imageDigest: string, p = rejectCritical) => {
    const decided = await decideStoredAnalysis(store, {
      accountName: 'team-a',
      imageDigest,
      tag: TAG,
      policy: p,
    });
    return decided!.decision;
  };

  it('stops an Amazon Linux 2023 image under reject-critical, saying which feed is empty', async () => {
    const decision = await decide(AMAZON);
    expect(decision.finalAction).toBe('STOP');
    const fired = decision.triggers.filter((t) => t.trigger === 'vulnerability_data_unavailable');
    expect(fired.map((t) => t.message)).toEqual([
      'Vulnerability data not available for the image distro: amzn:2023: the amazon-alas feed holds 0 records (run `portcullis db update`); its 1 OS package was not checked',
    ]);
    const computed = await computeEvaluation(store, {
      accountName: 'team-a',
      imageDigest: AMAZON,
      tag: TAG,
      policy: rejectCritical,
    });
    expect(JSON.stringify(computed?.result)).toContain('vulnerability_data_unavailable');
  });

  it("warns under the account's default bundle", async () => {
    const decision = await decide(AMAZON, policy(defaultPolicy().bundle));
    expect(decision.finalAction).toBe('WARN');
    expect(decision.triggers.map((t) => t.trigger)).toContain('vulnerability_data_unavailable');
  });

  it('passes a Debian 12 image the tracker covers', async () => {
    const decision = await decide(DEBIAN);
    expect(decision.triggers.filter((t) => t.trigger === 'vulnerability_data_unavailable')).toEqual([]);
  });
});
