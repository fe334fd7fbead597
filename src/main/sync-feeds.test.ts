/**
 * Feed freshness end to end, on both stores, with the real data mirror: an image analysed
 * against a reduced mirror gets new findings when the full data is synced, from its stored SBOM
 * (the analysis stage is not run again), and they are the findings a fresh scan gives.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import {
  pushAppFixture,
  serviceOpenOptions,
  type PushedFixture,
} from '../../test/harness/service-fixture.js';
import { SHARED_DATA } from '../../test/support/shared-data.js';
import type { Finding } from '../core/matching/types.js';
import { findVulnerabilities } from '../core/pipeline/index.js';
import { createServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import { vulnerabilityDataOf } from '../store/vulnerability-data.js';
import { VulnerabilityStore } from '../store/vulnerability-store.js';
import { accountRequest, createAnalyzeImage } from './analyze-image.js';
import { catalogInChildProcess } from './catalog-process.js';
import { createSyncFeeds } from './sync-feeds.js';

/** The language-ecosystem and Debian feeds are left out of the first sync. */
const LEFT_OUT = new Set(['osv', 'debian']);

let pushed: PushedFixture;
let root: string;
let reducedMirror: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-sync-feeds-'));
  reducedMirror = join(root, 'reduced-mirror');
  await mkdir(reducedMirror);
  for (const entry of await readdir(SHARED_DATA))
    if (!LEFT_OUT.has(entry)) await symlink(join(SHARED_DATA, entry), join(reducedMirror, entry));
  pushed = await pushAppFixture();
}, 600_000);
afterAll(async () => {
  await pushed?.registry.stop();
  await stopSharedPostgres();
  await rm(root, { recursive: true, force: true });
});

const keys = (findings: readonly Finding[]) =>
  findings
    .map((f) => `${f.id} ${f.package.name}@${f.package.version}${f.suppressed ? ' suppressed' : ''}`)
    .sort();

describe.each(STORE_KINDS)('feed sync and re-match on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  }, 120_000);
  afterAll(async () => database?.stop());

  it('re-matches a stored analysis when its packages change, without analysing the image again', async () => {
    const store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    // Feed syncs are the system's: their events go to the admin accounts, not to users.
    await store.accounts.create({ name: 'sync-admin', type: 'admin' });
    await store.accounts.create({ name: 'sync-user', type: 'user' });
    const vulnerabilities = new VulnerabilityStore(database.db);
    const data = vulnerabilityDataOf(database.db, vulnerabilities);
    const cacheDir = join(root, kind);
    const sync = (mirrorDir: string) =>
      createSyncFeeds({ store, vulnerabilities, data, cacheDir, mirrorDir })({
        signal: new AbortController().signal,
      });

    const first = await sync(reducedMirror);
    expect(first.feeds.filter((f) => f.status === 'updated').length).toBeGreaterThan(0);

    let catalogRuns = 0;
    const open = serviceOpenOptions(pushed.registry, cacheDir);
    const analyze = createAnalyzeImage({
      environment: open,
      tempRoot: root,
      vulnerabilities: data,
      catalog: (request, signal) => {
        catalogRuns++;
        return catalogInChildProcess(request, signal);
      },
    });
    const credentials = [
      {
        registry: pushed.registry.host,
        username: pushed.registry.username,
        password: pushed.registry.password,
        verifyTls: true,
      },
    ];
    const source = `registry:${pushed.reference.replace(/:1$/, '')}@${pushed.digest}`;
    const result = await analyze({ source, credentials, signal: new AbortController().signal });
    await store.analyses.save({
      imageDigest: result.imageDigest,
      imageId: result.imageId,
      analyzerVersion: result.analyzerVersion,
      metadata: result.metadata,
      sbom: result.sbom,
      findings: result.findings,
    });
    const before = keys(result.findings);

    const full = await sync(SHARED_DATA);
    expect(full.feeds.filter((f) => f.status === 'updated').map((f) => f.driver)).toEqual(
      expect.arrayContaining(['debian-tracker', 'osv']),
    );
    expect(full.changedKeys).toBeGreaterThan(0);
    expect(full.rematched).toBe(1);
    const after = keys((await store.analyses.get(pushed.digest))!.findings as Finding[]);
    expect(after).not.toEqual(before);
    expect(after.length).toBeGreaterThan(before.length);
    expect(catalogRuns).toBe(1);

    // A fresh scan of the same image against the synced data finds exactly the same.
    const tempDir = await mkdtemp(join(root, 'scan-'));
    const fresh = await findVulnerabilities({
      subject: { kind: 'image', source },
      environment: open,
      image: accountRequest(credentials, tempDir),
      data,
    });
    expect(after).toEqual(keys(fresh.findings));

    // A second sync of unchanged data re-matches nothing.
    const again = await sync(SHARED_DATA);
    expect(again.changedKeys).toBe(0);
    expect(again.rematched).toBe(0);

    const { events } = await store.events.page('sync-admin', { type: 'system.feeds.sync.*' }, 1, 100);
    const ofType = (type: string) => events.filter((e) => e.type === type);
    expect(ofType('system.feeds.sync.started')).toHaveLength(3);
    expect(ofType('system.feeds.sync.completed')).toHaveLength(3);
    expect(events.every((e) => e.category === 'system' && e.resourceType === 'feeds')).toBe(true);
    // Newest first: the last sync's summary, then the full one's.
    expect(ofType('system.feeds.sync.completed').map((e) => e.details.rematched)).toEqual([0, 1, 0]);
    expect(ofType('system.feeds.sync.completed')[1]?.details).toMatchObject({
      changedKeys: full.changedKeys,
      changed: full.changed,
    });
    expect((await store.events.page('sync-user', {}, 1, 10)).events).toEqual([]);
  }, 900_000);
});
