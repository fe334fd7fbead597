/**
 * Accounts and users, Anchore's `/accounts` (admin only), plus `/account` and `/user` for the
 * caller and `POST /user/credentials` to change one's own password. A disabled account's users
 * are refused (401, see plugins/auth.ts); an account is deleted only once disabled.
 */
import { z } from 'zod';
import type { Account } from '../../store/repositories/accounts.js';
import type { User } from '../../store/repositories/users.js';
import { ApiError, notFound } from '../errors.js';
import { isoTime } from '../schemas.js';
import type { RouteDeps, V1 } from './index.js';

export const presentAccount = (a: Account) => ({
  name: a.name,
  email: a.email,
  type: a.type,
  state: a.state,
  created_at: isoTime(a.createdAt),
  last_updated: isoTime(a.lastUpdated),
});

export const presentUser = (u: User) => ({
  username: u.username,
  type: u.type,
  source: u.source,
  created_at: isoTime(u.createdAt),
  last_updated: isoTime(u.lastUpdated),
});

/** Names that stay readable in paths and logs. */
const name = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/,
    'letters, digits and . _ @ + - only, starting with a letter or digit',
  );
/** anchore-cli checks 6–128 characters client-side; the server holds to it too. */
const password = z.string().min(6).max(128);
const credentialBody = z.object({ type: z.literal('password'), value: password });
const accountParams = z.object({ accountname: name });
const userParams = z.object({ accountname: name, username: name });
const ADMIN = { admin: true } as const;

export function accountRoutes(app: V1, deps: RouteDeps): void {
  const { accounts, users } = deps.store;
  const account = async (accountName: string) => {
    const found = await accounts.get(accountName);
    if (!found) throw notFound(`account ${accountName}`);
    return found;
  };
  const user = async (accountName: string, username: string) => {
    const found = await users.get(accountName, username);
    if (!found) throw notFound(`user ${username} in account ${accountName}`);
    return found;
  };

  app.get('/account', async (request) => presentAccount(await account(request.accountName)));
  app.get('/user', async (request) => presentUser(request.principal!.user));
  app.post('/user/credentials', { schema: { body: credentialBody } }, async (request) => {
    const { user: me } = request.principal!;
    await users.setPassword(me.accountName, me.username, request.body.value);
    return presentUser(await user(me.accountName, me.username));
  });

  app.get(
    '/accounts',
    {
      config: ADMIN,
      schema: { querystring: z.object({ state: z.enum(['enabled', 'disabled', 'deleting']).optional() }) },
    },
    async (request) =>
      (await accounts.list(request.query.state ? { state: request.query.state } : {})).map(presentAccount),
  );
  app.post(
    '/accounts',
    { config: ADMIN, schema: { body: z.object({ name, email: z.string().email().max(320).nullish() }) } },
    async (request) =>
      presentAccount(
        await accounts.create({ name: request.body.name, email: request.body.email ?? null, type: 'user' }),
      ),
  );
  app.get('/accounts/:accountname', { config: ADMIN, schema: { params: accountParams } }, async (request) =>
    presentAccount(await account(request.params.accountname)),
  );
  app.put(
    '/accounts/:accountname/state',
    {
      config: ADMIN,
      schema: { params: accountParams, body: z.object({ state: z.enum(['enabled', 'disabled']) }) },
    },
    async (request) => {
      const target = await account(request.params.accountname);
      if (target.type === 'admin' && request.body.state === 'disabled')
        throw new ApiError(400, 'an admin account cannot be disabled');
      if (target.state === 'deleting') throw new ApiError(409, `account ${target.name} is being deleted`);
      const updated = await accounts.setState(target.name, request.body.state);
      return { state: updated!.state };
    },
  );
  app.delete(
    '/accounts/:accountname',
    { config: ADMIN, schema: { params: accountParams } },
    async (request, reply) => {
      const target = await account(request.params.accountname);
      if (target.type === 'admin') throw new ApiError(400, 'an admin account cannot be deleted');
      if (target.state === 'enabled')
        throw new ApiError(409, `account ${target.name} must be disabled before it is deleted`);
      await accounts.setState(target.name, 'deleting');
      await accounts.delete(target.name);
      return reply.status(204).send();
    },
  );

  app.get(
    '/accounts/:accountname/users',
    { config: ADMIN, schema: { params: accountParams } },
    async (request) => {
      await account(request.params.accountname);
      return (await users.list(request.params.accountname)).map(presentUser);
    },
  );
  app.post(
    '/accounts/:accountname/users',
    { config: ADMIN, schema: { params: accountParams, body: z.object({ username: name, password }) } },
    async (request) => {
      await account(request.params.accountname);
      return presentUser(
        await users.create({
          accountName: request.params.accountname,
          username: request.body.username,
          password: request.body.password,
        }),
      );
    },
  );
  app.get(
    '/accounts/:accountname/users/:username',
    { config: ADMIN, schema: { params: userParams } },
    async (request) => presentUser(await user(request.params.accountname, request.params.username)),
  );
  app.delete(
    '/accounts/:accountname/users/:username',
    { config: ADMIN, schema: { params: userParams } },
    async (request, reply) => {
      const { accountname, username } = request.params;
      if (username === request.principal!.user.username)
        throw new ApiError(400, 'you cannot delete the user you are logged in as');
      if (!(await users.delete(accountname, username)))
        throw notFound(`user ${username} in account ${accountname}`);
      return reply.status(204).send();
    },
  );
  app.post(
    '/accounts/:accountname/users/:username/credentials',
    { config: ADMIN, schema: { params: userParams, body: credentialBody } },
    async (request) => {
      const { accountname, username } = request.params;
      if (!(await users.setPassword(accountname, username, request.body.value)))
        throw notFound(`user ${username} in account ${accountname}`);
      return presentUser(await user(accountname, username));
    },
  );
}
