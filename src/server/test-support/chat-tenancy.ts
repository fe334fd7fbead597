/**
 * Tenancy probes of the chat routes, merged into the route-table test in
 * src/server/tenancy.test.ts: alice's API key answers from team-a's images only, and a Slack
 * request without a configured workspace and a valid signature gets nothing.
 */
import { expect } from 'vitest';
import type { ApiHarness } from '../../../test/harness/api.js';

type Probe = (api: ApiHarness) => Promise<void>;

const B_DIGEST = `sha256:${'b'.repeat(64)}`;

export const CHAT_TENANCY: Record<string, Probe> = {
  'POST /v1/chat/command': async (api) => {
    const key = await api.store.tokens.create({ username: 'alice', name: 'chat' });
    for (const text of ['image registry.example/b/app:latest', `image ${B_DIGEST}`, 'package anything']) {
      const res = await api.call(
        { bearer: key.secret },
        { method: 'POST', url: '/v1/chat/command', payload: { command: '', text, user: 'alice' } },
      );
      expect(res.statusCode, text).toBe(200);
      // The answer may echo what alice asked, never what team-b holds.
      expect((res.json() as { text: string }).text, text).toMatch(/^No image/);
      expect((res.json() as { data?: { total?: number } }).data?.total ?? 0).toBe(0);
    }
    // A password is not how chat tools authenticate.
    const basic = await api.call('alice', {
      method: 'POST',
      url: '/v1/chat/command',
      payload: { text: 'help' },
    });
    expect(basic.statusCode).toBe(401);
  },
  'POST /v1/chat/slack': async (api) => {
    const res = await api.call(null, {
      method: 'POST',
      url: '/v1/chat/slack',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `team_id=T-B&text=${encodeURIComponent(`image ${B_DIGEST}`)}`,
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain('b'.repeat(64));
  },
};
