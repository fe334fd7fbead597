/** Accounts, users, credentials and API keys through the API, on both stores. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { DEFAULT_POLICY_ID } from '../../store/repositories/default-policy.js';

afterAll(() => stopSharedPostgres());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe.each(STORE_KINDS)('accounts and users on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(() => api?.close());

  const as = (
    user: string,
    password: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
  ) => api.call(null, { method, url, headers: basic(user, password), ...(payload ? { payload } : {}) });

  it('tells the caller who they are (account whoami)', async () => {
    const account = (await api.call('alice', { method: 'GET', url: '/v1/account' })).json() as Record<
      string,
      unknown
    >;
    expect(Object.keys(account).sort()).toEqual([
      'created_at',
      'email',
      'last_updated',
      'name',
      'state',
      'type',
    ]);
    expect(account).toMatchObject({ name: 'team-a', type: 'user', state: 'enabled', email: null });
    expect(account.created_at).toMatch(ISO);
    const user = (await api.call('alice', { method: 'GET', url: '/v1/user' })).json() as Record<
      string,
      unknown
    >;
    expect(Object.keys(user).sort()).toEqual(['created_at', 'last_updated', 'source', 'type', 'username']);
    expect(user).toMatchObject({ username: 'alice', type: 'native' });
  });

  it('lets an admin create an account (with the default bundle active) and a user who can log in', async () => {
    const created = await api.call('admin', {
      method: 'POST',
      url: '/v1/accounts',
      payload: { name: 'team-c', email: 'c@example.com' },
    });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toMatchObject({
      name: 'team-c',
      email: 'c@example.com',
      type: 'user',
      state: 'enabled',
    });
    expect(
      (await api.call('admin', { method: 'POST', url: '/v1/accounts', payload: { name: 'team-c' } }))
        .statusCode,
    ).toBe(409);
    expect((await api.store.policies.active('team-c'))?.policyId).toBe(DEFAULT_POLICY_ID);

    const user = await api.call('admin', {
      method: 'POST',
      url: '/v1/accounts/team-c/users',
      payload: { username: 'carol', password: 'carol-password' },
    });
    expect(user.statusCode, user.body).toBe(200);
    expect(user.json()).toMatchObject({ username: 'carol', type: 'native' });
    expect(
      (
        await api.call('admin', {
          method: 'POST',
          url: '/v1/accounts/team-c/users',
          payload: { username: 'dave', password: 'short' },
        })
      ).statusCode,
    ).toBe(400);
    expect((await as('carol', 'carol-password', 'GET', '/v1/account')).json()).toMatchObject({
      name: 'team-c',
    });
    const list = (await api.call('admin', { method: 'GET', url: '/v1/accounts' })).json() as {
      name: string;
    }[];
    expect(list.map((a) => a.name)).toEqual(['admin', 'team-a', 'team-b', 'team-c']);
    const users = (await api.call('admin', { method: 'GET', url: '/v1/accounts/team-c/users' })).json() as {
      username: string;
    }[];
    expect(users.map((u) => u.username)).toEqual(['carol']);
  });

  it('refuses a disabled account’s users at once, lets them back when enabled', async () => {
    expect((await as('carol', 'carol-password', 'GET', '/v1/images')).statusCode).toBe(200);
    const disabled = await api.call('admin', {
      method: 'PUT',
      url: '/v1/accounts/team-c/state',
      payload: { state: 'disabled' },
    });
    expect(disabled.json()).toEqual({ state: 'disabled' });
    const refused = await as('carol', 'carol-password', 'GET', '/v1/images');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ httpcode: 401, message: 'account team-c is disabled' });
    await api.call('admin', {
      method: 'PUT',
      url: '/v1/accounts/team-c/state',
      payload: { state: 'enabled' },
    });
    expect((await as('carol', 'carol-password', 'GET', '/v1/images')).statusCode).toBe(200);
  });

  it('changes passwords: the caller’s own, and any user’s by an admin; the old one stops working', async () => {
    const own = await as('carol', 'carol-password', 'POST', '/v1/user/credentials', {
      type: 'password',
      value: 'carol-new-1',
    });
    expect(own.statusCode).toBe(200);
    expect((await as('carol', 'carol-password', 'GET', '/v1/user')).statusCode).toBe(401);
    expect((await as('carol', 'carol-new-1', 'GET', '/v1/user')).statusCode).toBe(200);
    const byAdmin = await api.call('admin', {
      method: 'POST',
      url: '/v1/accounts/team-c/users/carol/credentials',
      payload: { type: 'password', value: 'carol-new-2' },
    });
    expect(byAdmin.statusCode).toBe(200);
    expect((await as('carol', 'carol-new-1', 'GET', '/v1/user')).statusCode).toBe(401);
    expect((await as('carol', 'carol-new-2', 'GET', '/v1/user')).statusCode).toBe(200);
  });

  it('creates an API key shown once, lists it without the token, and revokes it', async () => {
    const created = await api.call('alice', {
      method: 'POST',
      url: '/v1/user/api_keys',
      payload: { name: 'ci' },
    });
    expect(created.statusCode).toBe(200);
    const key = created.json() as { id: string; token: string; name: string };
    expect(key.token).toMatch(/^pcl_/);
    expect((await api.call({ bearer: key.token }, { method: 'GET', url: '/v1/user' })).json()).toMatchObject({
      username: 'alice',
    });
    const list = await api.call('alice', { method: 'GET', url: '/v1/user/api_keys' });
    expect(list.body).not.toContain(key.token);
    expect((list.json() as { id: string; name: string }[]).map((k) => [k.id, k.name])).toEqual([
      [key.id, 'ci'],
    ]);
    expect(
      (await api.call('alice', { method: 'DELETE', url: `/v1/user/api_keys/${key.id}` })).statusCode,
    ).toBe(204);
    expect((await api.call({ bearer: key.token }, { method: 'GET', url: '/v1/user' })).statusCode).toBe(401);
  });

  it('deletes a user, and an account only once disabled; non-admins are refused', async () => {
    expect((await api.call('alice', { method: 'GET', url: '/v1/accounts' })).statusCode).toBe(403);
    expect((await api.call('admin', { method: 'DELETE', url: '/v1/accounts/team-c' })).statusCode).toBe(409);
    expect((await api.call('admin', { method: 'DELETE', url: '/v1/accounts/admin' })).statusCode).toBe(400);
    expect(
      (await api.call('admin', { method: 'DELETE', url: '/v1/accounts/team-c/users/carol' })).statusCode,
    ).toBe(204);
    expect(
      (await api.call('admin', { method: 'GET', url: '/v1/accounts/team-c/users/carol' })).statusCode,
    ).toBe(404);
    await api.call('admin', {
      method: 'PUT',
      url: '/v1/accounts/team-c/state',
      payload: { state: 'disabled' },
    });
    expect((await api.call('admin', { method: 'DELETE', url: '/v1/accounts/team-c' })).statusCode).toBe(204);
    expect((await api.call('admin', { method: 'GET', url: '/v1/accounts/team-c' })).statusCode).toBe(404);
  });
});
