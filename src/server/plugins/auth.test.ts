/**
 * The login cache (ADR 0023): a checked password login is answered without a query until a
 * login change in this process or, on PostgreSQL, the recheck bound. Both stores.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startApi } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { createServiceStore } from '../../store/repositories/index.js';
import { createSecretBox } from '../../store/repositories/secret-box.js';
import { openPostgres } from '../../store/sql.js';

afterAll(() => stopSharedPostgres());

const images = { method: 'GET', url: '/v1/images' } as const;

describe.each(STORE_KINDS)('login cache on %s', (kind) => {
  it('takes a change of another user in this process without losing a cached login', async () => {
    const api = await startApi(kind);
    try {
      expect((await api.call('alice', images)).statusCode).toBe(200);
      await api.store.users.setPassword('team-b', 'bob', 'bob-new-password');
      expect((await api.call('alice', images)).statusCode).toBe(200);
      expect((await api.call('bob', images)).statusCode).toBe(401);
      await api.store.accounts.setState('team-a', 'disabled');
      expect((await api.call('alice', images)).json()).toMatchObject({
        httpcode: 401,
        message: 'account team-a is disabled',
      });
      await api.store.users.delete('team-a', 'alice');
      await api.store.accounts.setState('team-a', 'enabled');
      expect((await api.call('alice', images)).statusCode).toBe(401);
    } finally {
      await api.close();
    }
  });
});

describe('login cache across API processes on PostgreSQL 15', () => {
  it('sees an account disabled by another process once the recheck bound has passed', async () => {
    // Bound 0: every request checks again, so another process's change shows at once.
    const api = await startApi('PostgreSQL 15', undefined, { loginRecheckMs: 0 });
    const otherDb = await openPostgres(api.database.url!);
    try {
      const other = createServiceStore(otherDb, createSecretBox(randomBytes(32)));
      expect((await api.call('alice', images)).statusCode).toBe(200);
      await other.accounts.setState('team-a', 'disabled');
      expect((await api.call('alice', images)).statusCode).toBe(401);
      await other.accounts.setState('team-a', 'enabled');
      await other.users.setPassword('team-a', 'alice', 'alice-changed-0123');
      expect((await api.call('alice', images)).statusCode).toBe(401);
    } finally {
      await otherDb.close();
      await api.close();
    }
  });
});
