/**
 * Exceptions: whitelist items of the active bundle (a vulnerability of a package, with an
 * expiry; the image's verdict follows at its next evaluation) and the admission webhook's release
 * exceptions. Create, expire, and a list of those expiring within two weeks. All through /v1.
 */
import { randomUUID } from 'node:crypto';
import { html, type SafeHtml } from '../../core/report/html/template.js';
import { ApiClient } from '../api-client.js';
import { csrfField, notice } from '../layout.js';
import { sendCsv, type UiContext, type UiRouter } from '../router.js';
import { table, tableCsv, type Column } from '../table.js';
import { when } from './bits.js';
import type { BundleDoc, PolicyRecord } from './policies.js';

export const UI_WHITELIST_ID = 'portcullis-ui-exceptions';
const SOON_MS = 14 * 24 * 60 * 60 * 1000;

interface Row {
  kind: 'whitelist' | 'admission';
  id: string;
  subject: string;
  detail: string;
  expiresAt: string | null;
}

async function activeBundle(ctx: UiContext): Promise<PolicyRecord | undefined> {
  const list = await ctx.api.call('GET', '/policies?detail=True');
  return list.status === 200 ? (list.body as PolicyRecord[]).find((p) => p.active) : undefined;
}

async function rows(ctx: UiContext): Promise<{ policy: PolicyRecord | undefined; rows: Row[] }> {
  const [policy, admission] = await Promise.all([
    activeBundle(ctx),
    ctx.api.call('GET', '/admission/exceptions'),
  ]);
  const whitelist: Row[] = (policy?.policybundle?.whitelists ?? []).flatMap((w) =>
    (w.items ?? []).map((i) => ({
      kind: 'whitelist' as const,
      id: `${w.id}/${i.id}`,
      subject: `${i.gate}: ${i.trigger_id}`,
      detail: `whitelist ${w.name ?? w.id} of ${policy?.policyId ?? ''}`,
      expiresAt: i.expires_on ?? null,
    })),
  );
  const releases: Row[] =
    admission.status === 200
      ? (
          admission.body as {
            id: string;
            release: string;
            namespace: string | null;
            reason: string;
            creator: string;
            expires_at: string | null;
          }[]
        ).map((e) => ({
          kind: 'admission' as const,
          id: e.id,
          subject: `release ${e.release}${e.namespace ? ` in ${e.namespace}` : ''}`,
          detail: `${e.reason} (by ${e.creator})`,
          expiresAt: e.expires_at,
        }))
      : [];
  return { policy, rows: [...whitelist, ...releases] };
}

const expired = (r: Row, now: number) => r.expiresAt !== null && new Date(r.expiresAt).getTime() <= now;

function columns(ctx: UiContext, now: number): Column<Row>[] {
  return [
    { label: 'Kind', text: (r) => r.kind },
    { label: 'Exception', text: (r) => r.subject },
    { label: 'Detail', text: (r) => r.detail },
    { label: 'Expires', text: (r) => (r.expiresAt ? when(r.expiresAt) : 'never') },
    {
      label: 'Action',
      text: () => '',
      cell: (r) =>
        expired(r, now)
          ? 'expired'
          : html`<form class="inline" method="post" action="/exceptions/expire">
              ${csrfField(ctx.viewer)}<input type="hidden" name="kind" value="${r.kind}" /><input
                type="hidden"
                name="id"
                value="${r.id}"
              /><button type="submit" class="secondary">Expire ${r.subject}</button>
            </form>`,
    },
  ];
}

async function render(ctx: UiContext, outcome?: SafeHtml) {
  const { policy, rows: all } = await rows(ctx);
  const now = Date.now();
  const cols = columns(ctx, now);
  if (ctx.query.format === 'csv') return sendCsv(ctx.reply, 'exceptions', tableCsv(cols, all));
  const soon = all.filter(
    (r) => r.expiresAt && !expired(r, now) && new Date(r.expiresAt).getTime() - now < SOON_MS,
  );
  return ctx.render(
    'Exceptions',
    html`${outcome ?? ''}
      <h2>Expiring within two weeks</h2>
      ${
        soon.length === 0
          ? html`<p>None.</p>`
          : html`<ul>
              ${soon.map((r) => html`<li>${r.subject}: ${when(r.expiresAt)}</li>`)}
            </ul>`
      }
      ${table({ id: 'exceptions', caption: 'All exceptions', columns: cols, rows: all, url: ctx.url })}
      <h2>Allow a vulnerability (whitelist of ${policy?.policyId ?? 'the active bundle'})</h2>
      <form class="stack" method="post" action="/exceptions/whitelist">
        ${csrfField(ctx.viewer)} <label for="vuln">Vulnerability id</label
        ><input id="vuln" name="vuln" required placeholder="CVE-2024-1234" />
        <label for="package">Package name (or * for every package)</label
        ><input id="package" name="package" required value="*" /> <label for="wl-expires">Expires on</label
        ><input id="wl-expires" name="expires" type="date" />
        <button type="submit">Add exception</button>
      </form>
      <h2>Admit a release (admission webhook)</h2>
      <form class="stack" method="post" action="/exceptions/admission">
        ${csrfField(ctx.viewer)} <label for="release">Release</label
        ><input id="release" name="release" required /> <label for="namespace">Namespace (optional)</label
        ><input id="namespace" name="namespace" /> <label for="reason">Reason</label
        ><input id="reason" name="reason" required /> <label for="ad-expires">Expires on</label
        ><input id="ad-expires" name="expires" type="date" />
        <button type="submit">Add release exception</button>
      </form>`,
  );
}

const endOfDay = (date: string | undefined) =>
  date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T23:59:59Z` : undefined;

async function saveBundle(ctx: UiContext, policy: PolicyRecord, doc: BundleDoc) {
  return ctx.api.call('PUT', `/policies/${encodeURIComponent(policy.policyId)}`, {
    policyId: policy.policyId,
    policybundle: doc,
  });
}

export function exceptionPages(router: UiRouter): void {
  router.get('/exceptions', (ctx) => render(ctx));

  router.post('/exceptions/whitelist', async (ctx) => {
    const policy = await activeBundle(ctx);
    const vuln = (ctx.form.vuln ?? '').trim();
    const pkg = (ctx.form.package ?? '').trim() || '*';
    if (!policy?.policybundle || !vuln)
      return render(ctx, notice('error', 'Give a vulnerability id; an active bundle is needed.'));
    const doc = structuredClone(policy.policybundle);
    const whitelists = (doc.whitelists ??= []);
    let list = whitelists.find((w) => w.id === UI_WHITELIST_ID);
    if (!list) {
      list = { id: UI_WHITELIST_ID, name: 'Exceptions from the web UI', items: [] };
      whitelists.push(list);
    }
    const expires = endOfDay(ctx.form.expires);
    (list.items ??= []).push({
      id: randomUUID(),
      gate: 'vulnerabilities',
      trigger_id: `${vuln}+${pkg}`,
      ...(expires ? { expires_on: expires } : {}),
    });
    for (const m of doc.mappings ?? []) {
      const ids = (m.whitelist_ids ??= []);
      if (!ids.includes(UI_WHITELIST_ID)) ids.push(UI_WHITELIST_ID);
    }
    const answer = await saveBundle(ctx, policy, doc);
    if (answer.status !== 200) return render(ctx, notice('error', ApiClient.message(answer)));
    return render(ctx, notice('ok', `Added an exception for ${vuln} (${pkg}).`));
  });

  router.post('/exceptions/admission', async (ctx) => {
    const expires = endOfDay(ctx.form.expires);
    const answer = await ctx.api.call('POST', '/admission/exceptions', {
      release: ctx.form.release ?? '',
      reason: ctx.form.reason ?? '',
      ...(ctx.form.namespace ? { namespace: ctx.form.namespace } : {}),
      ...(expires ? { expires_at: expires } : {}),
    });
    if (answer.status >= 300) return render(ctx, notice('error', ApiClient.message(answer)));
    return render(ctx, notice('ok', `Added a release exception for ${ctx.form.release ?? ''}.`));
  });

  router.post('/exceptions/expire', async (ctx) => {
    const id = ctx.form.id ?? '';
    if (ctx.form.kind === 'admission') {
      const answer = await ctx.api.call('DELETE', `/admission/exceptions/${encodeURIComponent(id)}`);
      return render(
        ctx,
        answer.status < 300
          ? notice('ok', 'Release exception removed.')
          : notice('error', ApiClient.message(answer)),
      );
    }
    const policy = await activeBundle(ctx);
    const [listId, itemId] = id.split('/', 2);
    const doc = policy?.policybundle && structuredClone(policy.policybundle);
    const item = doc?.whitelists?.find((w) => w.id === listId)?.items?.find((i) => i.id === itemId);
    if (!policy || !doc || !item)
      return render(ctx, notice('error', 'No such exception in the active bundle.'));
    item.expires_on = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const answer = await saveBundle(ctx, policy, doc);
    return render(
      ctx,
      answer.status === 200 ? notice('ok', 'Exception expired.') : notice('error', ApiClient.message(answer)),
    );
  });
}
