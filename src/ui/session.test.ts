/**
 * Sessions, CSRF and account isolation of the UI on both stores, through `inject`: cookie flags,
 * login refusals, logout, expiry, forms refused without the session's token or from another
 * origin, and account A unable to open account B's image pages by URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORDS, startApi, type ApiHarness } from '../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../test/harness/databases.js';
import { UiSessionRepository } from '../store/repositories/ui-sessions.js';
import { B_PROMOTION, B_PROMOTION_SECRETS, bobPromotion } from './test-support/ui-promotions.js';
import { cookiesOf, hiddenField, uiLogin, uiPost } from './test-support/ui-session.js';

afterAll(() => stopSharedPostgres());

const B_DIGEST = `sha256:${'b'.repeat(64)}`;

describe.each(STORE_KINDS)('UI sessions and CSRF on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind);
    await api.store.images.add({
      accountName: 'team-b',
      imageDigest: B_DIGEST,
      tag: { registry: 'registry.example', repo: 'b/secret-app', tag: 'latest' },
    });
  });
  afterAll(() => api?.close());

  it('sends an anonymous visitor to the login page, keeping where they were going', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/images?q=x' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent('/images?q=x')}`);
    const login = await api.app.inject({ method: 'GET', url: '/login' });
    expect(login.headers['content-security-policy']).toContain("default-src 'self'");
    expect(login.headers['content-security-policy']).toContain("script-src 'self'");
    expect(login.body).not.toMatch(/<script>|style=/);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie on login (not Secure over plain HTTP)', async () => {
    const login = await uiLogin(api.app, 'alice', PASSWORDS.alice);
    expect(login.setCookie).toMatch(/^pc_session=/);
    expect(login.setCookie).toMatch(/HttpOnly/);
    expect(login.setCookie).toMatch(/SameSite=Lax/);
    expect(login.setCookie).toMatch(/Path=\//);
    expect(login.setCookie).not.toMatch(/Secure/);
    const overview = await api.app.inject({ method: 'GET', url: '/', headers: { cookie: login.cookie } });
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('alice (team-a)');
  });

  it('refuses a wrong password and a login form without its token', async () => {
    const form = await api.app.inject({ method: 'GET', url: '/login' });
    const cookie = (cookiesOf(form)[0] ?? '').split(';')[0]!;
    const fields = {
      _login: hiddenField(form.body, '_login'),
      username: 'alice',
      password: 'wrong-password',
    };
    const wrong = await api.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
    expect(wrong.statusCode).toBe(401);
    expect(cookiesOf(wrong).some((c) => c.startsWith('pc_session='))).toBe(false);
    const noToken = await api.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...fields, password: PASSWORDS.alice }).toString(),
    });
    expect(noToken.statusCode).toBe(403);
  });

  it('refuses a form without the CSRF token, with a wrong one, or from another origin', async () => {
    const login = await uiLogin(api.app, 'alice', PASSWORDS.alice);
    const missing = await api.app.inject({
      method: 'POST',
      url: '/api-keys',
      headers: { cookie: login.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=no-token',
    });
    expect(missing.statusCode).toBe(403);
    const other = await uiLogin(api.app, 'bob', PASSWORDS.bob);
    const wrong = await uiPost(api.app, { ...login, csrf: other.csrf }, '/api-keys', { name: 'wrong-token' });
    expect(wrong.statusCode).toBe(403);
    const cross = await uiPost(
      api.app,
      login,
      '/api-keys',
      { name: 'cross' },
      { origin: 'https://evil.example' },
    );
    expect(cross.statusCode).toBe(403);
    expect((await api.store.tokens.list('alice')).map((t) => t.name)).toEqual([]);
    const ok = await uiPost(api.app, login, '/api-keys', { name: 'from-the-ui' });
    expect(ok.statusCode).toBe(200);
    expect((await api.store.tokens.list('alice')).map((t) => t.name)).toEqual(['from-the-ui']);
  });

  it('ends the session on logout: the old cookie no longer opens a page', async () => {
    const login = await uiLogin(api.app, 'alice', PASSWORDS.alice);
    const out = await uiPost(api.app, login, '/logout', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login');
    expect(cookiesOf(out).some((c) => /^pc_session=;/.test(c))).toBe(true);
    const after = await api.app.inject({ method: 'GET', url: '/', headers: { cookie: login.cookie } });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
  });

  it('sends an expired session to the login page', async () => {
    const login = await uiLogin(api.app, 'alice', PASSWORDS.alice);
    await new UiSessionRepository(api.store.db).expireAt(
      decodeURIComponent(login.sessionId),
      new Date(Date.now() - 1000),
    );
    const res = await api.app.inject({ method: 'GET', url: '/images', headers: { cookie: login.cookie } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/login\?next=/);
  });

  it("keeps account B's image pages out of reach of account A by URL", async () => {
    const alice = await uiLogin(api.app, 'alice', PASSWORDS.alice);
    const enc = encodeURIComponent(B_DIGEST);
    for (const url of [
      `/images/${enc}`,
      `/images/${enc}/sbom?format=native`,
      `/images/${enc}/report?format=html`,
    ]) {
      const res = await api.app.inject({ method: 'GET', url, headers: { cookie: alice.cookie } });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('secret-app');
    }
    const list = await api.app.inject({
      method: 'GET',
      url: '/images?format=csv',
      headers: { cookie: alice.cookie },
    });
    expect(list.body).not.toContain('b'.repeat(64));
    const bob = await uiLogin(api.app, 'bob', PASSWORDS.bob);
    const own = await api.app.inject({
      method: 'GET',
      url: `/images/${enc}`,
      headers: { cookie: bob.cookie },
    });
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('secret-app');
  });

  it("keeps account B's promotion records and rules out of reach of account A by URL", async () => {
    const { ruleId, recordId } = await bobPromotion(api);
    const alice = await uiLogin(api.app, 'alice', PASSWORDS.alice);
    const get = (url: string, cookie: string) => api.app.inject({ method: 'GET', url, headers: { cookie } });
    const detail = await get(`/promotions/${recordId}`, alice.cookie);
    expect(detail.statusCode).toBe(404);
    for (const url of [
      '/promotions',
      '/promotions?format=csv',
      '/promotions/rules',
      '/promotions/rules?format=csv',
    ]) {
      const res = await get(url, alice.cookie);
      expect(res.statusCode, url).toBe(200);
      for (const secret of B_PROMOTION_SECRETS) expect(res.body, url).not.toContain(secret);
    }
    // The filter names bob's repository (the form echoes it), but no record of his answers it.
    const named = await get(
      `/promotions?repository=${encodeURIComponent(B_PROMOTION.repository)}`,
      alice.cookie,
    );
    expect(named.body).toContain('No promotion matches these filters.');
    expect(named.body).not.toContain(B_PROMOTION.ruleName);
    expect(named.body).not.toContain(recordId);
    const deleted = await uiPost(api.app, alice, `/promotions/rules/${ruleId}/delete`, {});
    expect(deleted.statusCode).toBe(404);
    expect((await api.store.promotions.getRule('team-b', ruleId))?.name).toBe(B_PROMOTION.ruleName);
    const bob = await uiLogin(api.app, 'bob', PASSWORDS.bob);
    const own = await get(`/promotions/${recordId}`, bob.cookie);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain(B_PROMOTION.ruleName);
    expect(own.body).toContain(B_PROMOTION.digest);
    expect(own.body).toContain('bob-ui-hidden reason');
    const filtered = await get(
      `/promotions?verdict=fail&repository=${encodeURIComponent(B_PROMOTION.repository)}`,
      bob.cookie,
    );
    expect(filtered.body).toContain(`/promotions/${recordId}`);
    expect(filtered.body).toMatch(/<option value="fail"\s+selected/);
    const passing = await get('/promotions?verdict=pass&format=csv', bob.cookie);
    expect(passing.body).not.toContain(B_PROMOTION.repository);
    const rules = await get('/promotions/rules?format=csv', bob.cookie);
    expect(rules.body).toContain(B_PROMOTION.ruleName);
  });

  it('creates a promotion rule from the form (CSRF required) and deletes it', async () => {
    const alice = await uiLogin(api.app, 'alice', PASSWORDS.alice);
    const fields = {
      name: 'alice-form-rule',
      source_registry: 'registry.example:5000',
      source_repository: 'a/*',
      source_tag: '*',
      destination_registry: 'registry.example:5000',
      destination_repository: 'a-scanned/app',
      on_failure: 'quarantine',
      tag_same: 'on',
      tag_digest: 'on',
    };
    const noToken = await api.app.inject({
      method: 'POST',
      url: '/promotions/rules',
      headers: { cookie: alice.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
    expect(noToken.statusCode).toBe(403);
    const invalid = await uiPost(api.app, alice, '/promotions/rules', { ...fields, source_registry: '' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('role="alert"');
    expect(await api.store.promotions.listRules('team-a')).toEqual([]);
    const created = await uiPost(api.app, alice, '/promotions/rules', fields);
    expect(created.statusCode).toBe(200);
    const [rule] = await api.store.promotions.listRules('team-a');
    expect(rule?.name).toBe('alice-form-rule');
    expect(rule?.onFailure).toBe('quarantine');
    expect(rule?.tags).toEqual({ same: true, scannedSuffix: false, digest: true });
    expect(created.body).toContain(`Delete alice-form-rule`);
    const removed = await uiPost(api.app, alice, `/promotions/rules/${rule!.id}/delete`, {});
    expect(removed.statusCode).toBe(200);
    expect(await api.store.promotions.listRules('team-a')).toEqual([]);
  });

  it("refuses the UI's in-process identity headers from outside without the process key", async () => {
    const res = await api.app.inject({
      method: 'GET',
      url: '/v1/images',
      headers: { 'x-portcullis-internal': 'guessed', 'x-portcullis-user': 'team-b/bob' },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('UI cookies under TLS', () => {
  it('marks the session cookie Secure with the __Host- prefix', async () => {
    const api = await startApi('PGlite', undefined, { ui: { secureCookies: true } });
    try {
      const form = await api.app.inject({ method: 'GET', url: '/login' });
      const loginCookie = cookiesOf(form)[0] ?? '';
      expect(loginCookie).toMatch(/^__Host-pc_login=.*Secure/);
      const res = await api.app.inject({
        method: 'POST',
        url: '/login',
        headers: { cookie: loginCookie.split(';')[0]!, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          _login: hiddenField(form.body, '_login'),
          username: 'alice',
          password: PASSWORDS.alice,
        }).toString(),
      });
      const session = cookiesOf(res).find((c) => c.startsWith('__Host-pc_session=')) ?? '';
      expect(session).toMatch(/HttpOnly/);
      expect(session).toMatch(/Secure/);
      expect(session).toMatch(/SameSite=Lax/);
    } finally {
      await api.close();
    }
  });
});
