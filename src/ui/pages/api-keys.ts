/** API tokens of the logged-in user: create (the secret is shown once), list, revoke. Through /v1. */
import { html, type SafeHtml } from '../../core/report/html/template.js';
import { ApiClient } from '../api-client.js';
import { csrfField, notice } from '../layout.js';
import { sendCsv, type UiContext, type UiRouter } from '../router.js';
import { table, tableCsv, type Column } from '../table.js';
import { when } from './bits.js';

interface Key {
  id: string;
  name: string;
  created_at: string | null;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

async function render(ctx: UiContext, outcome?: SafeHtml) {
  const answer = await ctx.api.call('GET', '/user/api_keys');
  const keys = answer.status === 200 ? (answer.body as Key[]) : [];
  const cols: Column<Key>[] = [
    { label: 'Name', text: (k) => k.name },
    { label: 'Created', text: (k) => when(k.created_at) },
    { label: 'Expires', text: (k) => (k.expires_at ? when(k.expires_at) : 'never') },
    { label: 'Last used', text: (k) => when(k.last_used_at) },
    {
      label: 'State',
      text: (k) => (k.revoked_at ? `revoked ${when(k.revoked_at)}` : 'active'),
      cell: (k) =>
        k.revoked_at
          ? `revoked ${when(k.revoked_at)}`
          : html`<form class="inline" method="post" action="/api-keys/${encodeURIComponent(k.id)}/revoke">
              ${csrfField(ctx.viewer)}<button type="submit" class="secondary">Revoke ${k.name}</button>
            </form>`,
    },
  ];
  if (ctx.query.format === 'csv') return sendCsv(ctx.reply, 'api-keys', tableCsv(cols, keys));
  return ctx.render(
    'API keys',
    html`${outcome ?? ''}
      ${table({ id: 'keys', caption: `API keys of ${ctx.viewer.username}`, columns: cols, rows: keys, url: ctx.url })}
      <h2>New key</h2>
      <form class="stack" method="post" action="/api-keys">
        ${csrfField(ctx.viewer)} <label for="key-name">Name</label
        ><input id="key-name" name="name" required maxlength="200" />
        <label for="key-expires">Expires on (optional)</label
        ><input id="key-expires" name="expires" type="date" />
        <button type="submit">Create key</button>
      </form>`,
  );
}

export function apiKeyPages(router: UiRouter): void {
  router.get('/api-keys', (ctx) => render(ctx));
  router.post('/api-keys', async (ctx) => {
    const expires =
      ctx.form.expires && /^\d{4}-\d{2}-\d{2}$/.test(ctx.form.expires)
        ? `${ctx.form.expires}T23:59:59Z`
        : undefined;
    const answer = await ctx.api.call('POST', '/user/api_keys', {
      name: ctx.form.name ?? '',
      ...(expires ? { expires_at: expires } : {}),
    });
    if (answer.status !== 200) return render(ctx, notice('error', ApiClient.message(answer)));
    const token = (answer.body as { token: string }).token;
    return render(
      ctx,
      notice(
        'ok',
        html`Key created. Copy it now, it is not shown again: <code id="new-token">${token}</code>`,
      ),
    );
  });
  router.post('/api-keys/:id/revoke', async (ctx) => {
    const answer = await ctx.api.call('DELETE', `/user/api_keys/${encodeURIComponent(ctx.params.id ?? '')}`);
    return render(
      ctx,
      answer.status === 204 ? notice('ok', 'Key revoked.') : notice('error', ApiClient.message(answer)),
    );
  });
}
