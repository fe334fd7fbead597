/**
 * Tenancy probes of the web UI's routes, spread into the route table of
 * `src/server/tenancy.test.ts`: alice, logged in to the UI, asks for (or posts to) what belongs
 * to team-b — its image by URL, its bundle, its key, its exception — and never sees or changes it.
 */
import { expect } from 'vitest';
import type { ApiHarness } from '../../../test/harness/api.js';
import { PASSWORDS } from '../../../test/harness/api.js';
import { B_PROMOTION_SECRETS, bobPromotion } from './ui-promotions.js';
import { uiLogin, uiPost, type UiLogin } from './ui-session.js';

type Probe = (api: ApiHarness) => Promise<void>;

const B_DIGEST = `sha256:${'b'.repeat(64)}`;
const B_ENC = encodeURIComponent(B_DIGEST);
const B_POLICY = 'bob-only-bundle';

const sessions = new WeakMap<ApiHarness, UiLogin>();
async function alice(api: ApiHarness): Promise<UiLogin> {
  const known = sessions.get(api);
  if (known) return known;
  const login = await uiLogin(api.app, 'alice', PASSWORDS.alice);
  sessions.set(api, login);
  return login;
}

/** alice's page shows nothing of team-b's; a URL naming B's resource is not found. */
const page =
  (url: string, status = 200): Probe =>
  async (api) => {
    const login = await alice(api);
    const res = await api.app.inject({ method: 'GET', url, headers: { cookie: login.cookie } });
    expect(res.statusCode, url).toBe(status);
    for (const secret of ['b'.repeat(64), 'b/app', B_POLICY, 'bob-ci'])
      expect(res.body, url).not.toContain(secret);
  };

const bobUntouched = async (api: ApiHarness) => {
  expect((await api.store.policies.active('team-b'))?.policyId).not.toBe(undefined);
  expect((await api.store.policies.get('team-b', B_POLICY))?.name).toBe('bob');
  expect((await api.store.tokens.list('bob')).every((t) => t.revokedAt === null)).toBe(true);
  expect((await api.store.accounts.get('team-b'))?.state).toBe('enabled');
  expect((await api.store.admission.listExceptions('team-b')).filter((e) => e.creator === 'alice')).toEqual(
    [],
  );
  expect((await api.store.users.list('team-b')).map((u) => u.username)).toEqual(['bob']);
};

const post =
  (
    url: string | ((api: ApiHarness) => Promise<string>),
    fields: (api: ApiHarness) => Promise<Record<string, string>>,
  ): Probe =>
  async (api) => {
    const login = await alice(api);
    const target = typeof url === 'string' ? url : await url(api);
    const res = await uiPost(api.app, login, target, await fields(api));
    expect(res.body, target).not.toContain('b'.repeat(64));
    await bobUntouched(api);
  };

const none = async () => ({});

/** alice's promotion pages name nothing of bob's rule or record, and his ids are not found. */
const promotionPage =
  (url: (ids: { ruleId: string; recordId: string }) => string, status = 200): Probe =>
  async (api) => {
    const target = url(await bobPromotion(api));
    await page(target, status)(api);
    const login = await alice(api);
    const res = await api.app.inject({ method: 'GET', url: target, headers: { cookie: login.cookie } });
    for (const secret of B_PROMOTION_SECRETS) expect(res.body, target).not.toContain(secret);
  };
const bobRuleKept = async (api: ApiHarness) => {
  const { ruleId } = await bobPromotion(api);
  expect((await api.store.promotions.getRule('team-b', ruleId))?.id).toBe(ruleId);
  expect((await api.store.promotions.listRules('team-b')).some((r) => r.name === 'alice-ui-rule')).toBe(
    false,
  );
};
const bobException = async (api: ApiHarness) =>
  (await api.store.admission.listExceptions('team-b'))[0] ??
  (await api.store.admission.addException('team-b', {
    release: 'b-release',
    namespace: undefined,
    creator: 'bob',
    reason: 'b',
    expiresAt: undefined,
  }));
const bobKey = async (api: ApiHarness) => (await api.store.tokens.list('bob'))[0]?.id ?? '';

export const UI_TENANCY: Record<string, Probe | 'public'> = {
  'GET /login': 'public',
  'POST /login': 'public',
  'GET /ui/static/htmx.min.js': 'public',
  'GET /ui/static/app.css': 'public',
  // Its own session: the shared one must outlive this probe.
  'POST /logout': async (api) => {
    const login = await uiLogin(api.app, 'alice', PASSWORDS.alice);
    expect((await uiPost(api.app, login, '/logout', {})).statusCode).toBe(303);
    await bobUntouched(api);
  },
  'GET /': page('/'),
  'GET /images': page('/images?format=csv'),
  'GET /images/:digest': page(`/images/${B_ENC}`, 404),
  'GET /images/:digest/sbom': page(`/images/${B_ENC}/sbom?format=native`, 404),
  'GET /images/:digest/report': page(`/images/${B_ENC}/report?format=html`, 404),
  'GET /search': page('/search?package=bobpkg'),
  'GET /policies': page('/policies'),
  'POST /policies': post('/policies', async () => ({ action: 'validate', bundle: '{}' })),
  'POST /policies/:id/activate': post(`/policies/${B_POLICY}/activate`, none),
  'GET /policies/:id': page(`/policies/${B_POLICY}`, 404),
  'GET /exceptions': page('/exceptions'),
  'POST /exceptions/whitelist': post('/exceptions/whitelist', async () => ({
    vuln: 'CVE-2099-0001',
    package: '*',
  })),
  'POST /exceptions/admission': post('/exceptions/admission', async () => ({
    release: 'a-release',
    reason: 'alice',
  })),
  'POST /exceptions/expire': async (api) => {
    const exception = await bobException(api);
    await post('/exceptions/expire', async () => ({ kind: 'admission', id: exception.id }))(api);
    expect((await api.store.admission.getException('team-b', exception.id))?.release).toBe(exception.release);
  },
  'GET /notifications': page('/notifications'),
  'POST /notifications/subscriptions': post('/notifications/subscriptions', async () => ({
    type: 'tag_update',
    key: 'registry.example/b/app:latest',
  })),
  'POST /notifications/endpoints': post('/notifications/endpoints', async () => ({
    type: 'general',
    url: 'http://127.0.0.1:9/x',
  })),
  'POST /notifications/test': post('/notifications/test', async () => ({ type: 'general' })),
  'GET /admission': page('/admission'),
  'GET /promotions': promotionPage(() => '/promotions?format=csv'),
  'GET /promotions/:id': promotionPage((b) => `/promotions/${b.recordId}`, 404),
  'GET /promotions/rules': promotionPage(() => '/promotions/rules'),
  'POST /promotions/rules': async (api) => {
    await post('/promotions/rules', async () => ({
      name: 'alice-ui-rule',
      source_registry: 'registry.example:5000',
      source_repository: 'a/app',
      destination_registry: 'registry.example:5000',
      destination_repository: 'a-scanned/app',
    }))(api);
    await bobRuleKept(api);
  },
  'POST /promotions/rules/:id/delete': async (api) => {
    const { ruleId } = await bobPromotion(api);
    await post(`/promotions/rules/${ruleId}/delete`, none)(api);
    await bobRuleKept(api);
  },
  'GET /api-keys': page('/api-keys'),
  'POST /api-keys': post('/api-keys', async () => ({ name: 'alice-key' })),
  'POST /api-keys/:id/revoke': post(async (api) => `/api-keys/${await bobKey(api)}/revoke`, none),
  'GET /accounts': page('/accounts', 403),
  'POST /accounts': post('/accounts', async () => ({ name: 'alice-made' })),
  'POST /accounts/users': post('/accounts/users', async () => ({
    account: 'team-b',
    username: 'mallory',
    password: 'mallory-pw',
  })),
  'POST /accounts/:name/state': post('/accounts/team-b/state', async () => ({ state: 'disabled' })),
};
