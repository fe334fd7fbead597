import { describe, expect, it } from 'vitest';
import { TokenCache } from './auth.js';
import { backoffMs, isInsecureHost, retryAfterMs } from './transport.js';

describe('retryAfterMs (RFC 9110 §10.2.3: delay-seconds or HTTP-date)', () => {
  const now = Date.parse('2026-11-23T20:00:00Z');
  it.each([
    ['0', 0],
    ['3', 3000],
    [' 120 ', 120_000],
    ['Mon, 23 Nov 2026 20:00:05 GMT', 5000],
    ['Mon, 23 Nov 2026 19:00:00 GMT', 0],
  ])('%j → %i ms', (value, ms) => expect(retryAfterMs(value, now)).toBe(ms));

  it.each([[undefined], [''], ['soon'], ['-1']])('%j → undefined', (value) =>
    expect(retryAfterMs(value, now)).toBeUndefined(),
  );

  it('reads the first of repeated headers', () => expect(retryAfterMs(['2', '9'], now)).toBe(2000));
});

describe('backoffMs', () => {
  it('doubles per attempt between half and all of the ceiling, capped at 10 s', () => {
    // Ceilings from the rule 200 ms × 2^attempt, capped at 10 000 ms.
    const ceilings = [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000];
    for (const [attempt, ceiling] of ceilings.entries()) {
      expect(backoffMs(attempt, () => 0)).toBe(ceiling / 2);
      expect(backoffMs(attempt, () => 1)).toBe(ceiling);
    }
  });
});

describe('isInsecureHost', () => {
  const opts = (hosts: string[]) => ({
    insecureHosts: hosts,
    extraCaPem: [],
    credentials: {},
    dockerConfigDir: undefined,
    timeoutMs: 1,
    retries: 0,
  });
  it('matches listed hosts (with port) or everything with "*"', () => {
    expect(isInsecureHost(opts(['localhost:5000']), 'localhost:5000')).toBe(true);
    expect(isInsecureHost(opts(['localhost:5000']), 'localhost:5001')).toBe(false);
    expect(isInsecureHost(opts(['*']), 'ghcr.io')).toBe(true);
    expect(isInsecureHost(opts([]), '127.0.0.1:5000')).toBe(false);
  });
});

describe('TokenCache', () => {
  it('keeps a token until shortly before it expires', () => {
    const cache = new TokenCache();
    cache.set('k', 't', 300, 0);
    expect(cache.get('k', 294_999)).toBe('t');
    expect(cache.get('k', 295_000)).toBeUndefined();
    // Short-lived tokens keep at least half their lifetime.
    cache.set('s', 'u', 6, 0);
    expect(cache.get('s', 2_999)).toBe('u');
    expect(cache.get('s', 3_000)).toBeUndefined();
  });

  it('shares one fetch among concurrent callers and forgets failures', async () => {
    const cache = new TokenCache();
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 10));
      return { token: `tok${fetches}`, expiresIn: 300 };
    };
    const tokens = await Promise.all([1, 2, 3].map(() => cache.getOrFetch('k', fetch)));
    expect(tokens).toEqual(['tok1', 'tok1', 'tok1']);
    expect(fetches).toBe(1);
    await expect(cache.getOrFetch('bad', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await cache.getOrFetch('bad', fetch)).toBe('tok2');
  });
});
