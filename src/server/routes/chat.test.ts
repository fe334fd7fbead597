/**
 * Chat commands through the real app on both stores: Slack slash commands signed with Slack's
 * algorithm (answers from the cross-image index, worst first), replayed, stale, tampered and
 * unsigned requests refused, the generic webhook with an API key, and `scan` of an image in the
 * TLS + htpasswd registry analysed by a real worker, its verdict posted to a real 127.0.0.1
 * response_url.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import {
  loadFeeds,
  pushAppFixture,
  serviceOpenOptions,
  type PushedFixture,
} from '../../../test/harness/service-fixture.js';
import { slackSignature } from '../../chat/slack-signature.js';
import { startReceiver, type Receiver } from '../../chat/test-support/receiver.js';
import { createAnalyzeImage } from '../../main/analyze-image.js';
import { syntheticAnalysis } from '../../store/test-support/synthetic-analysis.js';
import { vulnerabilityDataOf } from '../../store/vulnerability-data.js';
import { analyzeImageJob } from '../../worker/jobs/analyze-image.js';
import { WorkerRunner } from '../../worker/runner.js';

const SECRET = 'chat-test-signing-secret';
const TEAM = 'T0PORTCULLIS';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

let pushed: PushedFixture;
let root: string;
let receiver: Receiver;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-chat-'));
  [pushed, receiver] = await Promise.all([pushAppFixture(), startReceiver()]);
}, 600_000);
afterAll(async () => {
  await receiver?.close();
  await pushed?.registry.stop();
  await stopSharedPostgres();
  await rm(root, { recursive: true, force: true });
});

function form(text: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: 'legacy-token-ignored',
    team_id: TEAM,
    team_domain: 'portcullis',
    channel_id: 'C1',
    user_id: 'U1',
    user_name: 'oncall',
    command: '/portcullis',
    text,
    response_url: receiver.url,
    trigger_id: '1.2.3',
    ...extra,
  }).toString();
}

describe.each(STORE_KINDS)('chat commands on %s', (kind) => {
  let api: ApiHarness;
  let runner: WorkerRunner;

  const slack = (body: string, options: { timestamp?: number; signature?: string } = {}) => {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    return api.call(null, {
      method: 'POST',
      url: '/v1/chat/slack',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': options.signature ?? slackSignature(SECRET, timestamp, body),
      },
      payload: body,
    });
  };
  const text = (res: { json(): unknown }) => (res.json() as { text: string }).text;

  beforeAll(async () => {
    const open = serviceOpenOptions(pushed.registry, join(root, kind));
    api = await startApi(kind, open, {
      // Slack's 3 s reply budget is dispatch.test.ts's subject; here a busy machine must not turn
      // the answers these tests read from the reply into follow-up posts.
      chat: {
        slack: [{ teamId: TEAM, signingSecret: SECRET, account: 'team-a' }],
        pollMs: 200,
        budgetMs: 300_000,
      },
    });
    const analyses = [
      syntheticAnalysis(
        D1,
        [{ name: 'lodash', version: '4.17.20', type: 'npm', app: true }],
        [{ id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2021-23337'], package: 'lodash', severity: 'Medium' }],
      ),
      syntheticAnalysis(
        D2,
        [
          { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' },
          { name: 'lodash', version: '4.17.20', type: 'npm', app: true },
        ],
        [
          { id: 'CVE-2024-0001', package: 'libssl3', severity: 'Critical', fixedIn: '3.0.13-1~deb12u1' },
          { id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2021-23337'], package: 'lodash', severity: 'High' },
        ],
      ),
    ];
    for (const [i, analysis] of analyses.entries()) {
      // An image config as every real analysis stores it (the policy gates read it).
      Object.assign(analysis.metadata, {
        config: {
          architecture: 'amd64',
          os: 'linux',
          config: {},
          rootfs: { type: 'layers', diff_ids: [] },
          history: [],
        },
        manifest: '{}',
      });
      await api.store.images.add({
        accountName: 'team-a',
        imageDigest: analysis.imageDigest,
        tag: { registry: 'registry.example', repo: 'team/app', tag: String(i + 1) },
      });
      await api.store.analyses.save(analysis);
      await api.store.images.transition(analysis.imageDigest, ['not_analyzed'], 'analyzed');
    }
    await api.store.registries.create({
      accountName: 'team-a',
      registry: pushed.registry.host,
      registryName: pushed.registry.host,
      registryUser: pushed.registry.username,
      registryPass: pushed.registry.password,
      registryType: 'docker_v2',
      registryVerify: true,
    });
    const vulnerabilities = vulnerabilityDataOf(api.database.db, await loadFeeds(api.database.db));
    runner = new WorkerRunner(
      api.queue,
      [
        analyzeImageJob({
          store: api.store,
          analyze: createAnalyzeImage({ environment: open, tempRoot: root, vulnerabilities }),
        }),
      ],
      { owner: `chat-${kind}`, concurrency: 1, pollMs: 200, drainTimeoutMs: 10_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
  }, 600_000);
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
  });

  it('answers `vuln` by alias, worst image first, seen only by the asker', async () => {
    const res = await slack(form('vuln CVE-2021-23337'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ response_type: 'ephemeral' });
    const answer = text(res);
    expect(answer).toContain('affects 2 images, worst first');
    expect(answer.indexOf('registry.example/team/app:2')).toBeLessThan(
      answer.indexOf('registry.example/team/app:1'),
    );
  });

  it('answers `package NAME [VERSION]` and `image REF` with the verdict and counts', async () => {
    expect(text(await slack(form('package lodash')))).toContain('2 images hold lodash');
    expect(text(await slack(form('package lodash 9.9.9')))).toBe('No image holds lodash 9.9.9.');
    const image = text(await slack(form('image registry.example/team/app:2')));
    expect(image).toMatch(/^`registry\.example\/team\/app:2` \(2{12}\): \*(PASS|FAIL)\*/);
    expect(image).toContain('Findings: 2 (1 fixable): Critical 1, High 1');
    expect(text(await slack(form('image registry.example/team/none:1')))).toContain('No image');
    expect(text(await slack(form('frobnicate')))).toContain('Unknown command');
  });

  it('refuses replayed, stale, tampered, unsigned and unknown-workspace requests', async () => {
    const body = form('vuln CVE-2024-0001');
    const now = Math.floor(Date.now() / 1000);
    const signature = slackSignature(SECRET, String(now), body);
    expect((await slack(body, { timestamp: now, signature })).statusCode).toBe(200);
    const replay = await slack(body, { timestamp: now, signature });
    expect(replay.statusCode).toBe(401);
    expect(replay.body).toContain('replayed');
    const stale = await slack(body, { timestamp: now - 600 });
    expect([stale.statusCode, stale.body.includes('timestamp too far')]).toEqual([401, true]);
    const tampered = await slack(body.replace('vuln', 'scan'), {
      timestamp: now + 1,
      signature: slackSignature(SECRET, String(now + 1), body),
    });
    expect([tampered.statusCode, tampered.body.includes('signature mismatch')]).toEqual([401, true]);
    const wrongKey = await slack(body, {
      timestamp: now + 2,
      signature: slackSignature('not-the-secret', String(now + 2), body),
    });
    expect(wrongKey.statusCode).toBe(401);
    const unsigned = await api.call(null, {
      method: 'POST',
      url: '/v1/chat/slack',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: body,
    });
    expect(unsigned.statusCode).toBe(401);
    expect((await slack(body.replace(TEAM, 'T0OTHER'))).statusCode).toBe(401);
  });

  it('answers the generic webhook format with an API key', async () => {
    const key = await api.store.tokens.create({ username: 'alice', name: 'chatops' });
    const res = await api.call(
      { bearer: key.secret },
      {
        method: 'POST',
        url: '/v1/chat/command',
        payload: { command: 'vuln', text: 'CVE-2024-0001', user: 'oncall' },
      },
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      ok: boolean;
      command: string;
      text: string;
      data: { total: number; images: { digest: string; worst: string }[] };
    };
    expect(body).toMatchObject({ ok: true, command: 'vuln' });
    expect(body.data.total).toBe(1);
    expect(body.data.images[0]).toMatchObject({ digest: D2, worst: 'Critical' });
    const bad = await api.call(
      { bearer: key.secret },
      { method: 'POST', url: '/v1/chat/command', payload: { text: 'vuln' } },
    );
    expect(bad.json()).toMatchObject({ ok: false, command: 'invalid' });
    const meta = await api.call(
      { bearer: key.secret },
      {
        method: 'POST',
        url: '/v1/chat/command',
        payload: { text: 'help', response_url: 'http://169.254.169.254/x' },
      },
    );
    expect(meta.statusCode).toBe(400);
  });

  it('queues `scan REF` at once and posts the verdict to response_url when the worker is done', async () => {
    const before = receiver.bodies.length;
    const res = await slack(form(`scan ${pushed.reference}`));
    expect(res.statusCode, res.body).toBe(200);
    expect(text(res)).toContain(`Queued the analysis of \`${pushed.reference}\` (${pushed.digest})`);
    const posted = (await receiver.received(before + 1)).slice(before);
    const verdict = posted[0] as { text: string; response_type: string };
    expect(verdict.response_type).toBe('ephemeral');
    expect(verdict.text).toMatch(/\*(PASS|FAIL)\* \((GO|WARN|STOP), bundle /);
    expect(verdict.text).toMatch(/Findings: \d+ \(\d+ fixable\)/);
    expect((await api.store.images.get('team-a', pushed.digest))?.analysisStatus).toBe('analyzed');
    // Scanning it again answers with the verdict at once.
    expect(text(await slack(form(`scan ${pushed.reference}`)))).toMatch(/\*(PASS|FAIL)\*/);
  }, 600_000);
});
