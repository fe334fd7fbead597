/**
 * Accounts and users, for admins: list, create an account, add a user, enable or disable. The API's
 * admin check decides (a non-admin's call is refused there, and the page says so).
 */
import { html, type SafeHtml } from '../../core/report/html/template.js';
import { ApiClient } from '../api-client.js';
import { csrfField, notice } from '../layout.js';
import { refusal, sendCsv, type UiContext, type UiRouter } from '../router.js';
import { table, tableCsv, type Column } from '../table.js';
import { when } from './bits.js';

interface AccountRow {
  name: string;
  email: string | null;
  type: string;
  state: string;
  created_at: string;
  users: string;
}

async function render(ctx: UiContext, outcome?: SafeHtml) {
  const list = await ctx.api.call('GET', '/accounts');
  if (list.status === 403) return refusal(ctx.reply, 403, 'Only an admin account manages accounts.');
  const accounts = list.status === 200 ? (list.body as Omit<AccountRow, 'users'>[]) : [];
  const rows: AccountRow[] = await Promise.all(
    accounts.map(async (a) => {
      const users = await ctx.api.call('GET', `/accounts/${encodeURIComponent(a.name)}/users`);
      const names = users.status === 200 ? (users.body as { username: string }[]).map((u) => u.username) : [];
      return { ...a, users: names.join(', ') };
    }),
  );
  const cols: Column<AccountRow>[] = [
    { label: 'Account', text: (a) => a.name },
    { label: 'Type', text: (a) => a.type },
    { label: 'State', text: (a) => a.state },
    { label: 'Email', text: (a) => a.email ?? '' },
    { label: 'Users', text: (a) => a.users },
    { label: 'Created', text: (a) => when(a.created_at) },
    {
      label: 'Action',
      text: () => '',
      cell: (a) =>
        a.type === 'admin'
          ? ''
          : html`<form class="inline" method="post" action="/accounts/${encodeURIComponent(a.name)}/state">
              ${csrfField(ctx.viewer)}<input
                type="hidden"
                name="state"
                value="${a.state === 'enabled' ? 'disabled' : 'enabled'}"
              /><button type="submit" class="secondary">
                ${a.state === 'enabled' ? 'Disable' : 'Enable'} ${a.name}
              </button>
            </form>`,
    },
  ];
  if (ctx.query.format === 'csv') return sendCsv(ctx.reply, 'accounts', tableCsv(cols, rows));
  return ctx.render(
    'Accounts',
    html`${outcome ?? ''} ${table({ id: 'accounts', caption: 'Accounts', columns: cols, rows, url: ctx.url })}
      <h2>New account</h2>
      <form class="filters" method="post" action="/accounts">
        ${csrfField(ctx.viewer)}
        <label for="acc-name">Name<input id="acc-name" name="name" required /></label>
        <label for="acc-email">Email<input id="acc-email" name="email" type="email" /></label>
        <button type="submit">Create account</button>
      </form>
      <h2>New user</h2>
      <form class="filters" method="post" action="/accounts/users">
        ${csrfField(ctx.viewer)}
        <label for="user-account"
          >Account<select id="user-account" name="account">
            ${accounts.map((a) => html`<option>${a.name}</option>`)}
          </select></label
        >
        <label for="user-name">User name<input id="user-name" name="username" required /></label>
        <label for="user-password"
          >Password<input
            id="user-password"
            name="password"
            type="password"
            minlength="6"
            required
            autocomplete="new-password"
        /></label>
        <button type="submit">Add user</button>
      </form>`,
  );
}

const outcome = (answer: Awaited<ReturnType<ApiClient['call']>>, ok: string) =>
  answer.status < 300 ? notice('ok', ok) : notice('error', ApiClient.message(answer));

export function accountPages(router: UiRouter): void {
  router.get('/accounts', (ctx) => render(ctx));
  router.post('/accounts', async (ctx) => {
    const answer = await ctx.api.call('POST', '/accounts', {
      name: ctx.form.name ?? '',
      ...(ctx.form.email ? { email: ctx.form.email } : {}),
    });
    return render(ctx, outcome(answer, `Account ${ctx.form.name ?? ''} created.`));
  });
  router.post('/accounts/users', async (ctx) => {
    const account = ctx.form.account ?? '';
    const answer = await ctx.api.call('POST', `/accounts/${encodeURIComponent(account)}/users`, {
      username: ctx.form.username ?? '',
      password: ctx.form.password ?? '',
    });
    return render(ctx, outcome(answer, `User ${ctx.form.username ?? ''} added to ${account}.`));
  });
  router.post('/accounts/:name/state', async (ctx) => {
    const name = ctx.params.name ?? '';
    const state = ctx.form.state === 'enabled' ? 'enabled' : 'disabled';
    const answer = await ctx.api.call('PUT', `/accounts/${encodeURIComponent(name)}/state`, { state });
    return render(ctx, outcome(answer, `Account ${name} is ${state}.`));
  });
}
