/**
 * Policies: the account's bundles (list, upload, validate with the errors inline, activate) and a
 * read-only view of one bundle's gates, whitelists and mappings. Writes go through /v1.
 */
import { validateBundleText } from '../../core/policy/validate.js';
import { html, type SafeHtml } from '../../core/report/html/template.js';
import { ApiClient } from '../api-client.js';
import { csrfField, notice } from '../layout.js';
import { refusal, sendCsv, type UiContext, type UiRouter } from '../router.js';
import { table, tableCsv, type Column } from '../table.js';
import { when } from './bits.js';

export interface PolicyRecord {
  policyId: string;
  name: string;
  active: boolean;
  description: string;
  last_updated: string;
  policybundle?: BundleDoc;
}

export interface BundleDoc {
  id?: string;
  name?: string;
  policies?: {
    id: string;
    name?: string;
    rules?: {
      id?: string;
      gate: string;
      trigger: string;
      action: string;
      params?: { name: string; value: string }[];
    }[];
  }[];
  whitelists?: {
    id: string;
    name?: string;
    items?: { id: string; gate: string; trigger_id: string; expires_on?: string }[];
  }[];
  mappings?: {
    id?: string;
    name?: string;
    registry?: string;
    repository?: string;
    image?: { type?: string; value?: string };
    policy_id?: string;
    policy_ids?: string[];
    whitelist_ids?: string[];
  }[];
}

function columns(ctx: UiContext): Column<PolicyRecord>[] {
  return [
    {
      label: 'Policy',
      text: (p) => p.policyId,
      cell: (p) => html`<a href="/policies/${encodeURIComponent(p.policyId)}">${p.policyId}</a>`,
    },
    { label: 'Name', text: (p) => p.name },
    { label: 'Active', text: (p) => (p.active ? 'active' : '') },
    { label: 'Updated', text: (p) => when(p.last_updated) },
    {
      label: 'Action',
      text: () => '',
      cell: (p) =>
        p.active
          ? ''
          : html`<form
              class="inline"
              method="post"
              action="/policies/${encodeURIComponent(p.policyId)}/activate"
            >
              ${csrfField(ctx.viewer)}<button type="submit" class="secondary">Activate ${p.policyId}</button>
            </form>`,
    },
  ];
}

async function listPage(ctx: UiContext, outcome?: SafeHtml, text = '') {
  const answer = await ctx.api.call('GET', '/policies?detail=False');
  const rows = answer.status === 200 ? (answer.body as PolicyRecord[]) : [];
  const cols = columns(ctx);
  if (ctx.query.format === 'csv') return sendCsv(ctx.reply, 'policies', tableCsv(cols, rows));
  return ctx.render(
    'Policies',
    html`${outcome ?? ''}
      ${table({ id: 'policies', caption: 'Policy bundles', columns: cols, rows, url: ctx.url })}
      <h2>Upload a bundle</h2>
      <form class="stack" method="post" action="/policies">
        ${csrfField(ctx.viewer)}
        <label for="bundle">Bundle (Anchore policy bundle JSON)</label>
        <textarea id="bundle" name="bundle" required spellcheck="false">${text}</textarea>
        <div>
          <button type="submit" name="action" value="validate" class="secondary">Validate</button>
          <button type="submit" name="action" value="upload">Upload</button>
        </div>
      </form>`,
  );
}

function issues(list: readonly { path: string; message: string }[]): SafeHtml {
  return html`<div class="notice error" role="alert">
    <p>The bundle is not valid:</p>
    <ul class="errors">
      ${list.map((e) => html`<li>${e.path}: ${e.message}</li>`)}
    </ul>
  </div>`;
}

export function policyPages(router: UiRouter): void {
  router.get('/policies', (ctx) => listPage(ctx));

  router.post('/policies', async (ctx) => {
    const text = ctx.form.bundle ?? '';
    const checked = validateBundleText(text);
    if (!checked.ok) {
      ctx.reply.status(400);
      return listPage(ctx, issues(checked.errors), text);
    }
    if (ctx.form.action === 'validate') return listPage(ctx, notice('ok', 'The bundle is valid.'), text);
    const answer = await ctx.api.call('POST', '/policies?detail=True', JSON.parse(text) as unknown);
    if (answer.status !== 200) {
      const details = (
        answer.body as { detail?: { validation_details?: { path?: string; message?: string }[] } }
      ).detail?.validation_details;
      const list = details?.map((d) => ({
        path: String(d.path ?? '$'),
        message: String(d.message ?? ''),
      })) ?? [{ path: '$', message: ApiClient.message(answer) }];
      ctx.reply.status(400);
      return listPage(ctx, issues(list), text);
    }
    const record = answer.body as PolicyRecord;
    return listPage(
      ctx,
      notice(
        'ok',
        html`Uploaded <a href="/policies/${encodeURIComponent(record.policyId)}">${record.policyId}</a> (not
          active yet).`,
      ),
    );
  });

  router.post('/policies/:id/activate', async (ctx) => {
    const id = ctx.params.id ?? '';
    const answer = await ctx.api.call('PUT', `/policies/${encodeURIComponent(id)}`, {
      policyId: id,
      active: true,
    });
    if (answer.status !== 200) return listPage(ctx, notice('error', ApiClient.message(answer)));
    return ctx.reply.redirect('/policies', 303);
  });

  router.get('/policies/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    const answer = await ctx.api.call('GET', `/policies/${encodeURIComponent(id)}?detail=True`);
    const record = answer.status === 200 ? (answer.body as PolicyRecord[])[0] : undefined;
    if (!record) return refusal(ctx.reply, 404, 'No such policy bundle in your account.');
    const doc = record.policybundle ?? {};
    type Rule = { policy: string; gate: string; trigger: string; action: string; params: string };
    const rules: Rule[] = (doc.policies ?? []).flatMap((p) =>
      (p.rules ?? []).map((r) => ({
        policy: p.name ?? p.id,
        gate: r.gate,
        trigger: r.trigger,
        action: r.action,
        params: (r.params ?? []).map((x) => `${x.name}=${x.value}`).join(', '),
      })),
    );
    const ruleCols: Column<Rule>[] = [
      { label: 'Policy', text: (r) => r.policy },
      { label: 'Gate', text: (r) => r.gate },
      { label: 'Trigger', text: (r) => r.trigger },
      { label: 'Action', text: (r) => r.action },
      { label: 'Parameters', text: (r) => r.params },
    ];
    if (ctx.query.format === 'csv') return sendCsv(ctx.reply, `gates-${id}`, tableCsv(ruleCols, rules));
    return ctx.render(
      `Policy ${record.policyId}`,
      html`<p>
          ${record.name} · ${record.active ? 'active' : 'inactive'} · updated ${when(record.last_updated)}
        </p>
        ${table({ id: 'rules', caption: 'Gates and triggers (read-only)', columns: ruleCols, rows: rules, url: ctx.url })}
        <h2>Whitelists</h2>
        <ul>
          ${(doc.whitelists ?? []).map((w) => html`<li>${w.name ?? w.id}: ${(w.items ?? []).length} items</li>`)}
        </ul>
        <h2>Mappings</h2>
        <ul>
          ${(doc.mappings ?? []).map((m) => html`<li>${m.name ?? m.id ?? ''}: ${m.registry ?? '*'}/${m.repository ?? '*'}:${m.image?.value ?? '*'} → ${(m.policy_ids ?? [m.policy_id ?? '']).join(', ')}</li>`)}
        </ul>`,
    );
  });
}
