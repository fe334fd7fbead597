/**
 * How a UI page is registered: the session is required (else the login page), a POST must carry
 * the session's CSRF token and come from this origin, and the handler gets a context with the
 * viewer, an API client acting as the viewer and the portfolio read model.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceStore } from '../store/repositories/index.js';
import type { PortfolioRepository } from '../store/repositories/portfolio.js';
import type { UiSessionRepository } from '../store/repositories/ui-sessions.js';
import { ApiClient, type InternalHeaders } from './api-client.js';
import { barePage, page, type Viewer } from './layout.js';
import { crossOrigin, currentSession, sameSecret, toLogin, type SessionSettings } from './session.js';
import { html } from '../core/report/html/template.js';

export interface UiContext {
  viewer: Viewer;
  api: ApiClient;
  store: ServiceStore;
  portfolio: PortfolioRepository;
  /** The request's URL (path and query), for links that keep the page's state. */
  url: URL;
  query: Record<string, string>;
  form: Record<string, string>;
  params: Record<string, string>;
  request: FastifyRequest;
  reply: FastifyReply;
  /** Renders a full page for the viewer. */
  render(title: string, body: Parameters<typeof page>[3]): FastifyReply;
}

export interface UiDeps {
  /** The UI's own (encapsulated) instance, where its routes and hooks live. */
  app: FastifyInstance;
  /** The whole service, which the UI's API calls are injected into. */
  root: FastifyInstance;
  store: ServiceStore;
  sessions: UiSessionRepository;
  portfolio: PortfolioRepository;
  settings: SessionSettings;
  internalHeaders: InternalHeaders;
}

type Handler = (ctx: UiContext) => Promise<FastifyReply | string | void>;

const flat = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = Array.isArray(v) ? String(v[0] ?? '') : typeof v === 'string' ? v : '';
  return out;
};

export function refusal(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .send(
      barePage(
        status === 404 ? 'Not found' : 'Refused',
        html`<p>${message}</p>
          <p><a href="/">Back to the overview</a></p>`,
      ),
    );
}

export class UiRouter {
  constructor(private readonly deps: UiDeps) {}

  get(path: string, handler: Handler): void {
    this.add('GET', path, handler);
  }

  post(path: string, handler: Handler): void {
    this.add('POST', path, handler);
  }

  private add(method: 'GET' | 'POST', path: string, handler: Handler): void {
    const { deps } = this;
    deps.app.route({
      method,
      url: path,
      config: { public: true },
      schema: { hide: true },
      handler: async (request, reply) => {
        const live = await currentSession(request, deps.sessions, deps.settings);
        if (!live) return toLogin(request, reply);
        const form = flat(request.body);
        if (method === 'POST' && (crossOrigin(request) || !sameSecret(form._csrf, live.session.csrfToken)))
          return refusal(
            reply,
            403,
            'This form was not sent from this session (missing or wrong CSRF token).',
          );
        const url = new URL(request.url, 'http://ui.local');
        const ctx: UiContext = {
          viewer: live.viewer,
          api: new ApiClient(deps.root, deps.internalHeaders(live.viewer.accountName, live.viewer.username)),
          store: deps.store,
          portfolio: deps.portfolio,
          url,
          query: flat(request.query),
          form,
          params: flat(request.params),
          request,
          reply,
          render: (title, body) =>
            reply.type('text/html; charset=utf-8').send(page(live.viewer, url.pathname, title, body)),
        };
        const out = await handler(ctx);
        if (typeof out === 'string') return reply.type('text/html; charset=utf-8').send(out);
        return out ?? reply;
      },
    });
  }
}

/** Sends rows as a CSV download. */
export function sendCsv(reply: FastifyReply, name: string, csv: string): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(csv);
}
