/**
 * The notifications page's endpoint form with basic auth and TLS verification, on both stores
 * through `inject`: saved through /v1, the user and TLS setting listed, the password never
 * written back into the page, the API's precise refusal shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORDS, startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { uiLogin, uiPost, type UiLogin } from '../test-support/ui-session.js';

afterAll(() => stopSharedPostgres());

const PASSWORD = 'ui-form-password-9';

describe.each(STORE_KINDS)('the notification endpoint form on %s', (kind) => {
  let api: ApiHarness;
  let login: UiLogin;
  const url = 'http://127.0.0.1:9/anchore';
  const endpointRow = (body: string) => /<table[^>]*id="endpoints"[\s\S]*?<\/table>/.exec(body)?.[0] ?? '';

  beforeAll(async () => {
    api = await startApi(kind);
    login = await uiLogin(api.app, 'alice', PASSWORDS.alice);
  });
  afterAll(() => api?.close());

  it('saves credentials and TLS verification, lists the user, and never writes the password back', async () => {
    const saved = await uiPost(api.app, login, '/notifications/endpoints', {
      type: 'general',
      sink: 'webhook',
      url,
      webhook_user: 'anchore',
      webhook_pass: PASSWORD,
      ssl_verify: 'true',
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('Endpoint saved.');
    expect(saved.body).not.toContain(PASSWORD);
    expect(endpointRow(saved.body)).toMatch(/<td[^>]*>anchore<\/td>\s*<td[^>]*>yes<\/td>/);
    expect(
      await api.store.db.query('SELECT 1 FROM notification_endpoint WHERE webhook_pass LIKE $1', [
        `%${PASSWORD}%`,
      ]),
    ).toMatchObject({ rows: [] });

    const unverified = await uiPost(api.app, login, '/notifications/endpoints', {
      type: 'general',
      sink: 'webhook',
      url,
    });
    expect(endpointRow(unverified.body)).toMatch(/<td[^>]*><\/td>\s*<td[^>]*>no<\/td>/);
  });

  it("shows the API's refusal of a user without a password", async () => {
    const refused = await uiPost(api.app, login, '/notifications/endpoints', {
      type: 'vuln_update',
      sink: 'webhook',
      url,
      webhook_user: 'anchore',
      ssl_verify: 'true',
    });
    expect(refused.body).toContain('webhook_user needs webhook_pass');
  });
});
