/**
 * Promotion rules: the account's rules (read-only list, CSV), a form creating one and a delete
 * button per rule. Validation and scoping are the API's (`/v1/promotions/rules`).
 */
import { html, type SafeHtml } from '../../core/report/html/template.js';
import { ApiClient } from '../api-client.js';
import { csrfField, notice } from '../layout.js';
import { sendCsv, type UiContext, type UiRouter } from '../router.js';
import { table, tableCsv, type Column } from '../table.js';
import { when } from './bits.js';

interface RuleView {
  id: string;
  name: string;
  enabled: boolean;
  source: { registry: string; repository: string; tag: string };
  destination: { registry: string; repository: string };
  policy_id: string | null;
  tags: { same: boolean; scanned_suffix: boolean; digest: boolean };
  on_failure: string;
  on_recheck_failure: string;
  last_updated: string;
}

const tagsText = (r: RuleView) =>
  [r.tags.same ? 'same' : '', r.tags.scanned_suffix ? '-scanned' : '', r.tags.digest ? 'digest-' : '']
    .filter(Boolean)
    .join(', ');

function columns(ctx: UiContext): Column<RuleView>[] {
  return [
    { label: 'Rule', text: (r) => r.name },
    { label: 'Enabled', text: (r) => (r.enabled ? 'yes' : 'no') },
    { label: 'Source', text: (r) => `${r.source.registry}/${r.source.repository}:${r.source.tag}` },
    { label: 'Destination', text: (r) => `${r.destination.registry}/${r.destination.repository}` },
    { label: 'Policy', text: (r) => r.policy_id ?? 'active bundle' },
    { label: 'Tags', text: tagsText, wide: true },
    { label: 'On failure', text: (r) => r.on_failure, wide: true },
    { label: 'On re-check failure', text: (r) => r.on_recheck_failure, wide: true },
    { label: 'Updated', text: (r) => when(r.last_updated), wide: true },
    {
      label: 'Action',
      text: () => '',
      cell: (r) =>
        html`<form class="inline" method="post" action="/promotions/rules/${encodeURIComponent(r.id)}/delete">
          ${csrfField(ctx.viewer)}<button type="submit" class="secondary">Delete ${r.name}</button>
        </form>`,
    },
  ];
}

const FAILURES = ['notify', 'leave', 'quarantine'] as const;

function createForm(ctx: UiContext): SafeHtml {
  return html`<h2>Add a rule</h2>
    <form class="stack" method="post" action="/promotions/rules">
      ${csrfField(ctx.viewer)} <label for="rule-name">Name</label
      ><input id="rule-name" name="name" required maxlength="200" />
      <label for="source-registry">Source registry</label
      ><input id="source-registry" name="source_registry" required placeholder="registry.example:5000" />
      <label for="source-repository">Source repository (glob)</label
      ><input id="source-repository" name="source_repository" required placeholder="team/*" />
      <label for="source-tag">Source tag (glob)</label><input id="source-tag" name="source_tag" value="*" />
      <label for="destination-registry">Destination registry</label
      ><input id="destination-registry" name="destination_registry" required />
      <label for="destination-repository">Destination repository</label
      ><input id="destination-repository" name="destination_repository" required />
      <label for="rule-policy">Policy bundle id (empty: the active bundle)</label
      ><input id="rule-policy" name="policy_id" /> <label for="on-failure">On a failing verdict</label
      ><select id="on-failure" name="on_failure">
        ${FAILURES.map((f) => html`<option value="${f}">${f}</option>`)}
      </select>
      <fieldset>
        <legend>Destination tags</legend>
        <label><input type="checkbox" name="tag_same" value="on" checked /> the pushed tag</label>
        <label><input type="checkbox" name="tag_scanned" value="on" /> the tag with -scanned</label>
        <label><input type="checkbox" name="tag_digest" value="on" /> digest-&lt;hex&gt;</label>
      </fieldset>
      <button type="submit">Add rule</button>
    </form>`;
}

async function render(ctx: UiContext, outcome?: SafeHtml) {
  const answer = await ctx.api.call('GET', '/promotions/rules');
  const rows = answer.status === 200 ? (answer.body as RuleView[]) : [];
  const cols = columns(ctx);
  if (ctx.query.format === 'csv') return sendCsv(ctx.reply, 'promotion-rules', tableCsv(cols, rows));
  return ctx.render(
    'Promotion rules',
    html`${outcome ?? ''}
      <p><a href="/promotions">Promotion records</a></p>
      ${table({ id: 'rules', caption: 'Promotion rules', columns: cols, rows, url: ctx.url })}
      ${createForm(ctx)}`,
  );
}

/** The API's rule document from the form (the API validates it). */
function ruleFromForm(form: Record<string, string>) {
  const text = (name: string) => (form[name] ?? '').trim();
  const failure = FAILURES.find((f) => f === form.on_failure) ?? 'notify';
  return {
    name: text('name'),
    source: {
      registry: text('source_registry'),
      repository: text('source_repository'),
      tag: text('source_tag') || '*',
    },
    destination: { registry: text('destination_registry'), repository: text('destination_repository') },
    ...(text('policy_id') ? { policy_id: text('policy_id') } : {}),
    tags: {
      same: form.tag_same === 'on',
      scanned_suffix: form.tag_scanned === 'on',
      digest: form.tag_digest === 'on',
    },
    on_failure: failure,
  };
}

export function promotionRulePages(router: UiRouter): void {
  router.get('/promotions/rules', (ctx) => render(ctx));

  router.post('/promotions/rules', async (ctx) => {
    const rule = ruleFromForm(ctx.form);
    const answer = await ctx.api.call('POST', '/promotions/rules', rule);
    if (answer.status !== 200) {
      ctx.reply.status(400);
      return render(ctx, notice('error', ApiClient.message(answer)));
    }
    return render(ctx, notice('ok', `Added the rule ${rule.name}.`));
  });

  router.post('/promotions/rules/:id/delete', async (ctx) => {
    const id = ctx.params.id ?? '';
    const answer = /^[0-9a-f-]{36}$/i.test(id)
      ? await ctx.api.call('DELETE', `/promotions/rules/${encodeURIComponent(id)}`)
      : undefined;
    if (answer?.status !== 200) {
      ctx.reply.status(404);
      return render(ctx, notice('error', 'No such promotion rule in your account.'));
    }
    return render(ctx, notice('ok', 'Rule deleted.'));
  });
}
