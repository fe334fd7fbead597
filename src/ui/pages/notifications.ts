/** Subscriptions and notification endpoints: add, test, and the delivery attempts. Writes through /v1. */
import { html, type SafeHtml } from '../../core/report/html/template.js';
import { ENDPOINT_TYPES } from '../../notifications/types.js';
import { TAG_SUBSCRIPTION_TYPES } from '../../store/repositories/subscriptions.js';
import { ApiClient } from '../api-client.js';
import { csrfField, notice } from '../layout.js';
import { sendCsv, type UiContext, type UiRouter } from '../router.js';
import { table, tableCsv, type Column } from '../table.js';
import { when } from './bits.js';

interface Sub {
  subscription_id: string;
  subscription_type: string;
  subscription_key: string;
  active: boolean;
}
interface Endpoint {
  webhook_type: string;
  sink: string;
  url: string;
  webhook_user?: string;
  ssl_verify: boolean;
}
type Attempt = Awaited<ReturnType<UiContext['portfolio']['deliveryAttempts']>>[number];

const SUB_COLUMNS: readonly Column<Sub>[] = [
  { label: 'Type', text: (s) => s.subscription_type },
  { label: 'Key', text: (s) => s.subscription_key },
  { label: 'Active', text: (s) => (s.active ? 'yes' : 'no') },
];
const ATTEMPT_COLUMNS: readonly Column<Attempt>[] = [
  { label: 'Time', text: (a) => when(a.at) },
  { label: 'Notification', text: (a) => a.type },
  { label: 'Attempt', numeric: true, text: (a) => String(a.attempt) },
  { label: 'URL', text: (a) => a.url },
  // The error says why (`HTTP 401: the receiver refused webhook_user …`); a success has none.
  { label: 'Outcome', text: (a) => a.error ?? (a.status !== null ? `HTTP ${a.status}` : '') },
];

const options = (values: readonly string[]) => values.map((v) => html`<option value="${v}">${v}</option>`);

async function render(ctx: UiContext, outcome?: SafeHtml) {
  const [subs, hooks, attempts] = await Promise.all([
    ctx.api.call('GET', '/subscriptions'),
    ctx.api.call('GET', '/system/webhooks'),
    ctx.portfolio.deliveryAttempts(ctx.viewer.accountName, ctx.query.format === 'csv' ? 1000 : 50),
  ]);
  const subRows = subs.status === 200 ? (subs.body as Sub[]) : [];
  const endpoints = hooks.status === 200 ? (hooks.body as Endpoint[]) : [];
  if (ctx.query.format === 'csv')
    return ctx.query.table === 'attempts'
      ? sendCsv(ctx.reply, 'delivery-attempts', tableCsv(ATTEMPT_COLUMNS, attempts))
      : sendCsv(ctx.reply, 'subscriptions', tableCsv(SUB_COLUMNS, subRows));
  const endpointCols: Column<Endpoint>[] = [
    { label: 'Type', text: (e) => e.webhook_type },
    { label: 'Sink', text: (e) => e.sink },
    { label: 'URL', text: (e) => e.url },
    { label: 'Basic auth user', text: (e) => e.webhook_user ?? '' },
    { label: 'TLS verified', text: (e) => (e.ssl_verify ? 'yes' : 'no') },
    {
      label: 'Test',
      text: () => '',
      cell: (e) =>
        html`<form class="inline" method="post" action="/notifications/test">
          ${csrfField(ctx.viewer)}<input type="hidden" name="type" value="${e.webhook_type}" /><button
            type="submit"
            class="secondary"
          >
            Send a test to ${e.webhook_type}
          </button>
        </form>`,
    },
  ];
  const attemptsUrl = new URL(ctx.url.toString());
  attemptsUrl.searchParams.set('table', 'attempts');
  return ctx.render(
    'Notifications',
    html`${outcome ?? ''}
      ${table({ id: 'subscriptions', caption: 'Subscriptions', columns: SUB_COLUMNS, rows: subRows, url: ctx.url })}
      <form class="filters" method="post" action="/notifications/subscriptions">
        ${csrfField(ctx.viewer)}
        <label for="sub-type"
          >Type<select id="sub-type" name="type">
            ${options(TAG_SUBSCRIPTION_TYPES)}
          </select></label
        >
        <label for="sub-key"
          >Tag<input id="sub-key" name="key" required placeholder="docker.io/library/alpine:3.19"
        /></label>
        <button type="submit">Subscribe</button>
      </form>
      ${table({ id: 'endpoints', caption: 'Notification endpoints', columns: endpointCols, rows: endpoints, url: ctx.url, empty: 'No endpoint configured.' })}
      <form class="filters" method="post" action="/notifications/endpoints">
        ${csrfField(ctx.viewer)}
        <label for="ep-type"
          >Notifications<select id="ep-type" name="type">
            ${options(ENDPOINT_TYPES)}
          </select></label
        >
        <label for="ep-sink"
          >Sink<select id="ep-sink" name="sink">
            ${options(['webhook', 'slack'])}
          </select></label
        >
        <label for="ep-url">URL<input id="ep-url" name="url" type="url" required /></label>
        <label for="ep-user"
          >Basic auth user<input id="ep-user" name="webhook_user" autocomplete="off"
        /></label>
        <label for="ep-pass"
          >Password<input id="ep-pass" name="webhook_pass" type="password" autocomplete="new-password"
        /></label>
        <label for="ep-verify"
          ><input id="ep-verify" name="ssl_verify" type="checkbox" value="true" checked />Verify TLS</label
        >
        <button type="submit">Save endpoint</button>
      </form>
      ${table({ id: 'attempts', caption: 'Delivery attempts, newest first', columns: ATTEMPT_COLUMNS, rows: attempts, url: attemptsUrl, empty: 'No delivery yet.' })}`,
  );
}

export function notificationPages(router: UiRouter): void {
  router.get('/notifications', (ctx) => render(ctx));
  router.post('/notifications/subscriptions', async (ctx) => {
    const answer = await ctx.api.call('POST', '/subscriptions', {
      subscription_type: ctx.form.type ?? '',
      subscription_key: ctx.form.key ?? '',
      active: true,
    });
    return render(
      ctx,
      answer.status === 200 ? notice('ok', 'Subscribed.') : notice('error', ApiClient.message(answer)),
    );
  });
  router.post('/notifications/endpoints', async (ctx) => {
    const answer = await ctx.api.call('PUT', `/system/webhooks/${encodeURIComponent(ctx.form.type ?? '')}`, {
      url: ctx.form.url ?? '',
      sink: ctx.form.sink === 'slack' ? 'slack' : 'webhook',
      // Empty fields are not sent: a user without a password gets the API's precise 400.
      ...(ctx.form.webhook_user ? { webhook_user: ctx.form.webhook_user } : {}),
      ...(ctx.form.webhook_pass ? { webhook_pass: ctx.form.webhook_pass } : {}),
      ssl_verify: ctx.form.ssl_verify === 'true',
    });
    if (answer.status !== 200) return render(ctx, notice('error', ApiClient.message(answer)));
    const secret = (answer.body as { secret: string }).secret;
    return render(
      ctx,
      notice('ok', html`Endpoint saved. Its signing secret, shown once: <code>${secret}</code>`),
    );
  });
  router.post('/notifications/test', async (ctx) => {
    const answer = await ctx.api.call(
      'POST',
      `/system/webhooks/${encodeURIComponent(ctx.form.type ?? '')}/test`,
    );
    return render(
      ctx,
      answer.status === 200
        ? notice('ok', 'Test notification queued; its delivery shows below.')
        : notice('error', ApiClient.message(answer)),
    );
  });
}
