/**
 * Chat commands (`vuln`, `package`, `image`, `scan`): `POST /chat/slack` answers Slack slash
 * commands (form-encoded, authenticated by Slack's request signature, no API credentials) and
 * `POST /chat/command` is the generic outgoing-webhook format, authenticated with an API key.
 * Both reply within the chat tool's limit and post slow answers to `response_url`.
 */
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { answerBody, slackReply } from '../../chat/bodies.js';
import { parseChatCommand } from '../../chat/command.js';
import { dispatchCommand } from '../../chat/dispatch.js';
import { FollowUps } from '../../chat/follow-up.js';
import type { SlackWorkspace } from '../../chat/ports.js';
import { ReplayGuard, verifySlackSignature } from '../../chat/slack-signature.js';
import { storeChatQueries } from '../../chat/store-queries.js';
import { UrlGuard } from '../../notifications/ssrf.js';
import { ApiError } from '../errors.js';
import type { RouteDeps, V1 } from './index.js';

export interface ChatDeps {
  slack?: readonly SlackWorkspace[];
  /** Reply within this; the rest follows (default 2.5 s, under Slack's 3 s). */
  budgetMs?: number;
  /** How often a `scan` looks whether its analysis ended (default 2 s). */
  pollMs?: number;
}

const FORM_LIMIT = 64 * 1024;

const webhookBody = z.object({
  command: z.string().max(64).default(''),
  text: z.string().max(2048).default(''),
  user: z.string().max(256).optional(),
  channel: z.string().max(256).optional(),
  response_url: z.string().url().max(2048).optional(),
});

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export function chatRoutes(app: V1, deps: RouteDeps): void {
  const queries = storeChatQueries({
    store: deps.store,
    queue: deps.queue,
    resolveImage: deps.resolveImage,
    feeds: async () =>
      (await deps.feeds.status()).map((f) => ({
        name: f.source,
        namespaces: [],
        ...(f.lastSync ? { lastSync: f.lastSync } : {}),
        records: f.records,
      })),
    ...(deps.chat?.pollMs ? { pollMs: deps.chat.pollMs } : {}),
  });
  const followUps = new FollowUps({
    guard: deps.webhookGuard ?? new UrlGuard({ allowCidrs: [], selfOrigins: [deps.baseUrl] }),
    onError: (err, url) => app.log.warn({ err, origin: new URL(url).origin }, 'chat follow-up not delivered'),
  });
  app.addHook('onClose', () => followUps.close());
  const replays = new ReplayGuard();
  const budgetMs = deps.chat?.budgetMs ?? 2_500;
  const workspaces = deps.chat?.slack ?? [];

  /** The response URL if the guard lets it through; without one the caller waits for everything. */
  const usableUrl = async (url: string | null | undefined): Promise<string | undefined> => {
    if (!url) return undefined;
    try {
      await followUps.check(url);
      return url;
    } catch {
      return undefined;
    }
  };

  app.register(async (plugin) => {
    const chat = plugin.withTypeProvider<ZodTypeProvider>();
    chat.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_LIMIT },
      (_request, body, done) => done(null, body),
    );
    chat.post(
      '/chat/slack',
      { config: { public: true }, schema: { body: z.string().max(FORM_LIMIT) } },
      async (request) => {
        const raw = request.body;
        const form = new URLSearchParams(raw);
        const workspace = workspaces.find((w) => w.teamId === form.get('team_id'));
        if (!workspace) throw new ApiError(401, 'Slack request refused');
        const nowSeconds = Math.floor(Date.now() / 1000);
        const signature = header(request.headers['x-slack-signature']);
        const verdict = verifySlackSignature({
          signingSecret: workspace.signingSecret,
          timestamp: header(request.headers['x-slack-request-timestamp']),
          signature,
          rawBody: raw,
          nowSeconds,
        });
        if (!verdict.ok) throw new ApiError(401, `Slack request refused: ${verdict.reason}`);
        if (!replays.firstUse(signature ?? '', nowSeconds))
          throw new ApiError(401, 'Slack request refused: replayed');
        if (form.get('ssl_check') === '1') return {};
        const account = await deps.store.accounts.get(workspace.account);
        if (account?.state !== 'enabled')
          return slackReply({ text: `Account ${workspace.account} is not enabled.` });
        const responseUrl = await usableUrl(form.get('response_url'));
        const answer = await dispatchCommand(
          parseChatCommand('', form.get('text') ?? ''),
          workspace.account,
          {
            queries,
            followUps,
            ...(responseUrl ? { responseUrl } : {}),
            budgetMs,
            render: slackReply,
          },
        );
        return slackReply(answer);
      },
    );
  });

  app.post('/chat/command', { schema: { body: webhookBody } }, async (request) => {
    if (request.principal?.via !== 'token')
      throw new ApiError(401, 'chat commands authenticate with an API key (Authorization: Bearer …)');
    const body = request.body;
    const command = parseChatCommand(body.command, body.text);
    const responseUrl = await usableUrl(body.response_url);
    if (body.response_url && !responseUrl) throw new ApiError(400, 'response_url refused');
    const answer = await dispatchCommand(command, request.accountName, {
      queries,
      followUps,
      ...(responseUrl ? { responseUrl } : {}),
      budgetMs: responseUrl ? budgetMs : Number.MAX_SAFE_INTEGER,
      render: (a) => answerBody(command, a),
    });
    return answerBody(command, answer);
  });
}
