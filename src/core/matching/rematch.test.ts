import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedDriver } from '../advisories/feed.js';
import { feedDriver } from '../advisories/feeds/registry.js';
import { migrate } from '../../store/migrate.js';
import { openPglite, type Sql } from '../../store/sql.js';
import { updateFeeds } from '../../store/update-feeds.js';
import { VulnerabilityStore } from '../../store/vulnerability-store.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
import { matchSbom } from './match.js';
import { rematchChanged } from './rematch.js';
import { installedMinbase, sbomOf } from './test-support/minbase.js';
import type { AdvisorySource } from './types.js';

describe('incremental re-matching after a feed update', () => {
  let db: Sql;
  let store: VulnerabilityStore;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    store = new VulnerabilityStore(db);
    const [outcome] = await updateFeeds(store, [feedDriver('debian-tracker') as FeedDriver], {
      mode: { mirrorDir: SHARED_DATA },
    });
    expect(outcome?.status).toBe('updated');
  });
  afterAll(async () => db?.close());

  it('looks up only the changed keys and gives the same findings as a full match', async () => {
    const doc = sbomOf(installedMinbase());
    const full = await matchSbom(doc, store);
    const asked: string[] = [];
    const recording: AdvisorySource = {
      advisoriesFor: (keys) => {
        asked.push(...keys.map((k) => `${k.namespace} ${k.packageName}`));
        return store.advisoriesFor(keys);
      },
      enrichment: (cves) => store.enrichment(cves),
    };
    // Pretend the update changed the apt source package's advisories.
    const stale = full.findings.filter((f) => f.package.name !== 'apt' && f.package.name !== 'libapt-pkg6.0');
    const result = await rematchChanged(doc, stale, recording, [
      { namespace: 'debian:12', packageName: 'apt' },
    ]);
    expect(new Set(asked)).toEqual(new Set(['debian:12 apt', 'debian:12 libapt-pkg6.0']));
    expect(result.rematched.sort()).toEqual(['deb-apt', 'deb-libapt-pkg6.0']);
    const key = (f: { id: string; package: { name: string } }) => `${f.package.name} ${f.id}`;
    expect(result.findings.map(key)).toEqual(full.findings.map(key));
  });

  it('matches nothing again when no key changed', async () => {
    const doc = sbomOf(installedMinbase());
    const full = await matchSbom(doc, store);
    const result = await rematchChanged(doc, full.findings, store, []);
    expect(result.rematched).toEqual([]);
    expect(result.findings).toEqual(full.findings);
  });
});
