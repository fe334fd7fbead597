/**
 * Runs a chat command within the chat tool's reply limit: what is ready within the budget is
 * the reply; what is not (a slow query, a scan waiting for its analysis) follows to the
 * `response_url`. Without a `response_url` the caller waits for the whole answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { answerCommand, plain, verdictText, type ChatAnswer } from './answers.js';
import type { ChatCommand } from './command.js';
import type { FollowUps } from './follow-up.js';
import type { ChatQueries } from './ports.js';

export interface DispatchOptions {
  queries: ChatQueries;
  followUps: FollowUps;
  responseUrl?: string;
  /** Reply within this (Slack allows 3 s; we keep a margin). */
  budgetMs: number;
  /** A scan's result is awaited this long at most (default 1 h). */
  maxScanWaitMs?: number;
  /** The body posted to the response URL for a later answer. */
  render(answer: ChatAnswer): unknown;
}

interface Steps {
  first: ChatAnswer;
  later?: Promise<ChatAnswer>;
}

async function scanSteps(reference: string, account: string, options: DispatchOptions): Promise<Steps> {
  const { queries } = options;
  const queued = await queries.requestScan(account, reference);
  const verdict = async (): Promise<ChatAnswer> => {
    const v = await queries.imageVerdict(account, queued.digest);
    return v ? { text: verdictText(v), data: v } : { text: `\`${plain(queued.reference)}\` is gone.` };
  };
  if (queued.status === 'analyzed') return { first: await verdict() };
  const data = { status: 'queued', reference: queued.reference, digest: queued.digest };
  if (!options.responseUrl)
    return {
      first: { text: `Queued the analysis of \`${plain(queued.reference)}\` (${queued.digest}).`, data },
    };
  const signal = AbortSignal.any([
    options.followUps.signal,
    AbortSignal.timeout(options.maxScanWaitMs ?? 3_600_000),
  ]);
  return {
    first: {
      text: `Queued the analysis of \`${plain(queued.reference)}\` (${queued.digest}); the result follows here.`,
      data,
    },
    later: queries.waitForAnalysis(account, queued.digest, signal).then(verdict),
  };
}

export async function dispatchCommand(
  command: ChatCommand,
  account: string,
  options: DispatchOptions,
): Promise<ChatAnswer> {
  const steps: Promise<Steps> =
    command.kind === 'scan'
      ? scanSteps(command.reference, account, options)
      : answerCommand(command, account, options.queries).then((first) => ({ first }));
  const { responseUrl, followUps } = options;
  const renderError = (text: string) => options.render({ text });
  if (!responseUrl) return (await steps).first;
  const budget = new AbortController();
  const ready = await Promise.race([
    steps,
    sleep(options.budgetMs, undefined, { signal: budget.signal }).then(
      () => undefined,
      () => undefined,
    ),
  ]);
  budget.abort();
  if (ready === undefined) {
    followUps.deliver(
      responseUrl,
      steps.then((s) => s.first),
      options.render,
      renderError,
    );
    steps.then(
      (s) => s.later && followUps.deliver(responseUrl, s.later, options.render, renderError),
      () => undefined,
    );
    return { text: 'Working on it: the answer follows here.' };
  }
  if (ready.later) followUps.deliver(responseUrl, ready.later, options.render, renderError);
  return ready.first;
}
