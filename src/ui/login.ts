/**
 * Login and logout. The login form is protected against login CSRF by a double-submit token (a
 * cookie and a hidden field that must match); the password is checked exactly as the API's basic
 * authentication checks it (scrypt, enabled account).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { html } from '../core/report/html/template.js';
import { barePage, notice } from './layout.js';
import type { UiDeps, UiRouter } from './router.js';
import {
  cookieOptions,
  crossOrigin,
  loginCookieName,
  safeNext,
  sameSecret,
  sessionCookieName,
} from './session.js';

function loginForm(token: string, next: string, error?: string): string {
  return barePage(
    'Log in',
    html`${error ? notice('error', error) : ''}
      <form method="post" action="/login" class="stack">
        <input type="hidden" name="_login" value="${token}" />
        <input type="hidden" name="next" value="${next}" />
        <label for="username">User name</label>
        <input id="username" name="username" autocomplete="username" required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Log in</button>
      </form>`,
  );
}

export function loginRoutes(app: FastifyInstance, router: UiRouter, deps: UiDeps): void {
  const { settings, sessions, store } = deps;
  const show = (reply: FastifyReply, next: string, status = 200, error?: string) => {
    const token = randomBytes(24).toString('base64url');
    reply.setCookie(loginCookieName(settings.secure), token, cookieOptions(settings, 600));
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(loginForm(token, next, error));
  };

  app.get('/login', { config: { public: true }, schema: { hide: true } }, async (request, reply) =>
    show(reply, safeNext((request.query as { next?: unknown }).next)),
  );

  app.post('/login', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    const next = safeNext(form.next);
    const token = request.cookies[loginCookieName(settings.secure)];
    if (crossOrigin(request) || !token || !sameSecret(String(form._login ?? ''), token))
      return show(reply, next, 403, 'The login form expired; please try again.');
    const found = await store.users.authenticate(String(form.username ?? ''), String(form.password ?? ''));
    if (!found || found.account.state !== 'enabled')
      return show(reply, next, 401, 'Wrong user name or password.');
    const { id } = await sessions.create({
      username: found.user.username,
      accountName: found.account.name,
      ttlMs: settings.ttlMs,
    });
    reply.clearCookie(loginCookieName(settings.secure), cookieOptions(settings));
    reply.setCookie(
      sessionCookieName(settings.secure),
      id,
      cookieOptions(settings, Math.floor(settings.ttlMs / 1000)),
    );
    return reply.redirect(next, 303);
  });

  router.post('/logout', async ({ request, reply }) => {
    const id = request.cookies[sessionCookieName(settings.secure)];
    if (id) await sessions.delete(id);
    reply.clearCookie(sessionCookieName(settings.secure), cookieOptions(settings));
    return reply.redirect('/login', 303);
  });
}
