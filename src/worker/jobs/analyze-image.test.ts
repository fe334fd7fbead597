import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../../test/harness/databases.js';
import {
  loadFeeds,
  pushAppFixture,
  serviceOpenOptions,
  type PushedFixture,
} from '../../../test/harness/service-fixture.js';
import { runCli } from '../../../test/support/cli.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
import { createAnalyzeImage } from '../../main/analyze-image.js';
import { vulnerabilityDataOf } from '../../store/vulnerability-data.js';
import { JobQueue } from '../../queue/queue.js';
import { addImageAndQueue } from '../../queue/request-analysis.js';
import { createServiceStore, type ServiceStore } from '../../store/repositories/index.js';
import { createSecretBox } from '../../store/repositories/secret-box.js';
import type { ScanReport } from '../../core/report/index.js';
import { WorkerRunner } from '../runner.js';
import { ANALYZE_IMAGE, analyzeImageJob } from './analyze-image.js';
import type { AnalyzeImage } from '../analyze.js';
import { DEFAULT_POLICY_ID } from '../../store/repositories/default-policy.js';

let pushed: PushedFixture;
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-analyze-job-'));
  pushed = await pushAppFixture();
}, 600_000);
afterAll(async () => {
  await pushed?.registry.stop();
  await stopSharedPostgres();
  await rm(root, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 100));
}

const findingKeys = (findings: readonly { id: string; package: { name: string; version: string } }[]) =>
  findings.map((f) => `${f.id} ${f.package.name}@${f.package.version}`).sort();

describe.each(STORE_KINDS)('analyze-image job on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;
  let queue: JobQueue;
  let runner: WorkerRunner;
  let analyses = 0;
  const observed: { outcome: string; seconds: number }[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const vulnerabilities = vulnerabilityDataOf(database.db, await loadFeeds(database.db));
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    queue = new JobQueue(database.db, { backoffBaseMs: 0 });
    const real = createAnalyzeImage({
      environment: serviceOpenOptions(pushed.registry, join(root, kind)),
      tempRoot: root,
      vulnerabilities,
    });
    const counted: AnalyzeImage = (request) => {
      analyses++;
      return real(request);
    };
    runner = new WorkerRunner(
      queue,
      [
        analyzeImageJob({
          store,
          analyze: counted,
          hostId: 'test',
          observeAnalysis: (outcome, seconds) => observed.push({ outcome, seconds }),
        }),
      ],
      { owner: 'w', concurrency: 2, pollMs: 100, drainTimeoutMs: 10_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
    for (const name of ['team-a', 'team-b', 'team-c']) await store.accounts.create({ name, type: 'user' });
    const login = {
      registry: pushed.registry.host,
      registryName: 'test',
      registryUser: pushed.registry.username,
      registryType: 'docker_v2',
      registryVerify: true,
    };
    await store.registries.create({
      ...login,
      accountName: 'team-a',
      registryPass: pushed.registry.password,
    });
    await store.registries.create({ ...login, accountName: 'team-c', registryPass: 'wrong-password' });
  }, 600_000);
  afterAll(async () => {
    await runner?.stop();
    await database?.stop();
  });

  const add = async (accountName: string, digest = pushed.digest) => {
    const [registry, ...rest] = pushed.reference.split('/');
    const [repo, tag] = rest.join('/').split(':');
    await store.images.add({
      accountName,
      imageDigest: digest,
      tag: { registry: registry!, repo: repo!, tag: tag! },
    });
    await queue.enqueue({
      kind: ANALYZE_IMAGE,
      payload: { imageDigest: digest, pullString: `${registry}/${repo}@${digest}`, accountName },
      singletonKey: digest,
    });
    await until(async () =>
      ['analyzed', 'analysis_failed'].includes((await store.images.get(accountName, digest))!.analysisStatus),
    );
    return (await store.images.get(accountName, digest))!;
  };

  it('pulls with the account credentials and stores the same findings as `portcullis scan`', async () => {
    const image = await add('team-a');
    expect(image.analysisError).toBeNull();
    expect(image.analysisStatus).toBe('analyzed');
    // The analysis duration metric saw the attempt.
    expect(observed).toEqual([{ outcome: 'succeeded', seconds: expect.any(Number) as number }]);
    expect(observed[0]!.seconds).toBeGreaterThan(0);
    expect(image.imageId).toBe(pushed.fixture.manifests[0]!.configDigest.replace('sha256:', ''));
    const analysis = await store.analyses.get(pushed.digest);
    const sbom = analysis!.sbom as { packages: unknown[] };
    expect(sbom.packages.length).toBeGreaterThan(10);
    const cliArgs = [
      'scan',
      `oci-dir:${pushed.fixture.ociLayoutDir}:${pushed.fixture.tag}`,
      '-o',
      'json',
      '--cache-dir',
      join(root, `${kind}-cli`),
    ];
    // The CLI reads the same vulnerability data: the server's database.
    if (database.url) cliArgs.push('--db-url', database.url);
    else await loadCliFeeds(join(root, `${kind}-cli`));
    const cli = await runCli(cliArgs);
    expect(cli.err).toBe('');
    const report = JSON.parse(cli.out) as ScanReport;
    expect(findingKeys(analysis!.findings as ScanReport['findings'])).toEqual(findingKeys(report.findings));
    expect(report.findings.length).toBeGreaterThan(0);
    const events = await store.events.page('team-a', {}, 1, 10);
    expect(events.events.map((e) => e.type)).toEqual(['user.image.analysis.completed']);
    // The tag's first evaluation, against the account's default bundle, follows the analysis.
    const evaluations = () =>
      store.evaluations.list('team-a', pushed.digest, pushed.reference, DEFAULT_POLICY_ID, true);
    await until(async () => (await evaluations()).length > 0);
    const [first] = await evaluations();
    expect(first!.status).toBe(
      report.findings.some((f) => !f.suppressed && ['High', 'Critical'].includes(f.severity))
        ? 'fail'
        : 'pass',
    );
  });

  it('does not analyse a digest again that another account already analysed', async () => {
    const before = analyses;
    const seen = observed.length;
    const image = await add('team-b');
    expect(image.analysisStatus).toBe('analyzed');
    expect(analyses).toBe(before);
    // Shared, not analysed: no analysis duration.
    expect(observed.length).toBe(seen);
  });

  it('analyses a stored digest again with force (pulled again with the adding account credentials), replacing the analysis and its findings revision', async () => {
    const rev = async () =>
      (
        await database.db.query<{ findings_rev: string }>(
          'SELECT findings_rev::text AS findings_rev FROM analysis WHERE image_digest = $1',
          [pushed.digest],
        )
      ).rows[0]?.findings_rev;
    // The previous test's job may still be finishing (its image is marked analysed inside it).
    await until(async () => {
      const counts = await queue.counts();
      return counts.queued + counts.running === 0;
    });
    const before = { analyses, rev: await rev() };
    const [registry, ...rest] = pushed.reference.split('/');
    const [repo, tag] = rest.join('/').split(':');
    const image = await addImageAndQueue(store, queue, {
      accountName: 'team-a',
      imageDigest: pushed.digest,
      tag: { registry: registry!, repo: repo!, tag: tag! },
      force: true,
    });
    expect(image.analysisStatus).toBe('not_analyzed');
    await until(async () =>
      ['analyzed', 'analysis_failed'].includes(
        (await store.images.get('team-a', pushed.digest))!.analysisStatus,
      ),
    );
    expect((await store.images.get('team-a', pushed.digest))!.analysisError).toBeNull();
    expect(analyses).toBe(before.analyses + 1);
    expect(await rev()).not.toBe(before.rev);
    const analysis = await store.analyses.get(pushed.digest);
    expect((analysis!.sbom as { packages: unknown[] }).packages.length).toBeGreaterThan(10);
    // The other account's image stayed analysed throughout.
    expect((await store.images.get('team-b', pushed.digest))!.analysisStatus).toBe('analyzed');
  });

  it('refuses a local source that the operator did not name, whatever the job says', async () => {
    const before = analyses;
    const digest = `sha256:${'d'.repeat(64)}`;
    await store.images.add({ accountName: 'team-a', imageDigest: digest });
    await queue.enqueue({
      kind: ANALYZE_IMAGE,
      payload: {
        imageDigest: digest,
        pullString: `local/x@${digest}`,
        accountName: 'team-a',
        source: 'oci-dir:/etc',
      },
      singletonKey: digest,
    });
    await until(async () => (await store.images.get('team-a', digest))!.analysisStatus === 'analysis_failed');
    expect((await store.images.get('team-a', digest))!.analysisError).toMatch(
      /local image source.*--load-image/,
    );
    expect(analyses).toBe(before);
  });

  it('fails at once with the registry error when the credentials are wrong, shown on the image and as an event', async () => {
    const other = `sha256:${'e'.repeat(64)}`;
    const failedBefore = observed.filter((o) => o.outcome === 'failed').length;
    const image = await add('team-c', other);
    expect(image.analysisStatus).toBe('analysis_failed');
    // One attempt (a permanent error), observed as a failed analysis.
    expect(observed.filter((o) => o.outcome === 'failed').length).toBe(failedBefore + 1);
    expect(image.analysisError).toMatch(/unauthori|denied|401/i);
    const events = await store.events.page('team-c', { level: 'error' }, 1, 10);
    expect(events.events[0]).toMatchObject({ type: 'user.image.analysis.failed', resourceId: other });
  });
});

/** The CLI's own embedded database (PGlite case), loaded from the same mirror. */
async function loadCliFeeds(cacheDir: string): Promise<void> {
  const { code, err } = await runCli(['--cache-dir', cacheDir, 'db', 'update', '--mirror', SHARED_DATA]);
  expect(code, err).toBe(0);
}
