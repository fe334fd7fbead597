/** Logging in to the UI through `inject`, as a browser would: login cookie, form, session cookie, CSRF token. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export interface UiLogin {
  /** The Cookie header to send. */
  cookie: string;
  /** The session cookie's value. */
  sessionId: string;
  csrf: string;
  setCookie: string;
}

export const cookiesOf = (res: LightMyRequestResponse): string[] => {
  const header = res.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
};

const pair = (setCookie: string) => setCookie.split(';', 1)[0] ?? '';

export function hiddenField(body: string, name: string): string {
  const found = new RegExp(`name="${name}" value="([^"]*)"`).exec(body);
  if (!found?.[1]) throw new Error(`no ${name} field in the page`);
  return found[1];
}

export async function uiLogin(app: FastifyInstance, username: string, password: string): Promise<UiLogin> {
  const form = await app.inject({ method: 'GET', url: '/login' });
  const loginCookie = pair(cookiesOf(form)[0] ?? '');
  const res = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      _login: hiddenField(form.body, '_login'),
      username,
      password,
      next: '/',
    }).toString(),
  });
  if (res.statusCode !== 303) throw new Error(`login of ${username} answered ${res.statusCode}`);
  const setCookie = cookiesOf(res).find((c) => /pc_session=/.test(c)) ?? '';
  const cookie = pair(setCookie);
  const page = await app.inject({ method: 'GET', url: '/api-keys', headers: { cookie } });
  return { cookie, sessionId: cookie.split('=')[1] ?? '', csrf: hiddenField(page.body, '_csrf'), setCookie };
}

/** A form POST with the session (and, unless told otherwise, its CSRF token). */
export function uiPost(
  app: FastifyInstance,
  login: UiLogin,
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    headers: { cookie: login.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams({ _csrf: login.csrf, ...fields }).toString(),
  });
}
