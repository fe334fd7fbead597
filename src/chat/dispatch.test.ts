/**
 * The reply budget and follow-ups, with a real HTTP receiver on 127.0.0.1 as the response_url
 * and the real SSRF guard: an answer ready in time is the reply; a slow one is announced and
 * posted later; a scan replies "queued" and posts the verdict when the analysis ends; refused
 * URLs are never called; closing aborts what is pending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UrlGuard } from '../notifications/ssrf.js';
import { slackReply } from './bodies.js';
import { parseChatCommand } from './command.js';
import { dispatchCommand } from './dispatch.js';
import { FollowUps } from './follow-up.js';
import type { ChatAnalysisStatus, ChatQueries } from './ports.js';
import { startReceiver, type Receiver } from './test-support/receiver.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** An in-memory query port (the store-backed one is tested through the routes). */
function memoryQueries(delayMs: number, analysis: Promise<ChatAnalysisStatus>): ChatQueries {
  const later = <T>(value: T) => new Promise<T>((r) => setTimeout(() => r(value), delayMs));
  return {
    imagesByVulnerability: () =>
      later({
        total: 2,
        images: [
          {
            reference: 'r/low:1',
            digest: DIGEST,
            worst: 'Low',
            packages: [{ name: 'zlib', version: '1', severity: 'Low', fix: '' }],
          },
          {
            reference: 'r/crit:1',
            digest: DIGEST,
            worst: 'Critical',
            packages: [{ name: 'ssl', version: '3', severity: 'Critical', fix: '4' }],
          },
        ],
      }),
    imagesByPackage: () => later({ total: 0, images: [] }),
    imageVerdict: async (_account, reference) => ({
      reference: reference === DIGEST ? 'r/app:1' : reference,
      digest: DIGEST,
      status: (await Promise.race([analysis, Promise.resolve('analyzing' as const)])) as ChatAnalysisStatus,
      verdict: { status: 'fail', finalAction: 'STOP', bundle: 'default' },
      counts: { total: 3, fixable: 1, bySeverity: [{ severity: 'High', total: 3, fixable: 1 }] },
    }),
    requestScan: async () => ({ reference: 'r/app:1', digest: DIGEST, status: 'analysis_queued' }),
    // As the port says: rejects when the signal aborts.
    waitForAnalysis: (_account, _digest, signal) =>
      Promise.race([
        analysis,
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
        ),
      ]),
  };
}

describe('dispatchCommand', { timeout: 60_000 }, () => {
  let receiver: Receiver;
  let followUps: FollowUps;
  beforeAll(async () => {
    receiver = await startReceiver();
    followUps = new FollowUps({ guard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: [] }) });
  });
  afterAll(async () => {
    await followUps.close();
    await receiver.close();
  });

  const options = (queries: ChatQueries, budgetMs: number) => ({
    queries,
    followUps,
    responseUrl: receiver.url,
    budgetMs,
    render: slackReply,
  });

  it('replies with an answer ready within the budget, worst image first', async () => {
    const before = receiver.bodies.length;
    const answer = await dispatchCommand(
      parseChatCommand('', 'vuln CVE-2024-0001'),
      'team-a',
      options(memoryQueries(0, new Promise(() => undefined)), 60_000),
    );
    expect(answer.text.indexOf('r/crit:1')).toBeLessThan(answer.text.indexOf('r/low:1'));
    expect(answer.text).toContain('affects 2 images');
    expect(receiver.bodies.length).toBe(before);
  });

  it('announces a slow answer and posts it to the response URL', async () => {
    const before = receiver.bodies.length;
    const answer = await dispatchCommand(
      parseChatCommand('', 'vuln CVE-2024-0001'),
      'team-a',
      options(memoryQueries(300, new Promise(() => undefined)), 10),
    );
    expect(answer.text).toContain('Working on it');
    const [posted] = (await receiver.received(before + 1)).slice(before);
    expect(posted).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect((posted as { text: string }).text).toContain('affects 2 images');
  });

  it('queues a scan and posts the verdict when the analysis ends', async () => {
    const before = receiver.bodies.length;
    let finish: (s: ChatAnalysisStatus) => void = () => undefined;
    const analysis = new Promise<ChatAnalysisStatus>((r) => (finish = r));
    const answer = await dispatchCommand(
      parseChatCommand('', 'scan r/app:1'),
      'team-a',
      options(memoryQueries(0, analysis), 60_000),
    );
    expect(answer.text).toContain('Queued the analysis of `r/app:1`');
    expect(answer.data).toEqual({ status: 'queued', reference: 'r/app:1', digest: DIGEST });
    expect(receiver.bodies.length).toBe(before);
    finish('analyzed');
    const [posted] = (await receiver.received(before + 1)).slice(before);
    expect((posted as { text: string }).text).toMatch(
      /`r\/app:1` \(a{12}\): \*FAIL\* \(STOP, bundle default\)/,
    );
  });

  it('never calls a URL the guard refuses, and waits for the whole answer without a URL', async () => {
    const strict = new FollowUps({ guard: new UrlGuard({ allowCidrs: [], selfOrigins: [] }) });
    await expect(strict.check(receiver.url)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(strict.check('http://169.254.169.254/latest/meta-data')).rejects.toThrow(/refused/);
    const answer = await dispatchCommand(parseChatCommand('', 'vuln CVE-2024-0001'), 'team-a', {
      ...options(memoryQueries(50, new Promise(() => undefined)), 0),
      responseUrl: undefined,
      followUps: strict,
    });
    expect(answer.text).toContain('affects 2 images');
    await strict.close();
  });

  it('stops waiting for a scan when closed', async () => {
    const closing = new FollowUps({ guard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: [] }) });
    const before = receiver.bodies.length;
    await dispatchCommand(parseChatCommand('', 'scan r/app:1'), 'team-a', {
      ...options(memoryQueries(0, new Promise(() => undefined)), 60_000),
      followUps: closing,
    });
    expect(closing.size).toBe(1);
    await closing.close();
    expect(closing.size).toBe(0);
    expect(receiver.bodies.length).toBe(before);
  });
});
