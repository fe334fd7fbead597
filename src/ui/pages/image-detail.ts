/**
 * One image: facts, layers with the packages each brought, findings with their explanation, the
 * policy evaluation per gate (the API's `check`, so the stored verdict follows), SBOM and report
 * downloads. Account isolation: the image is looked up in the viewer's account only.
 */
import { baseLayersFromHistory } from '../../core/matching/base-layers.js';
import type { Finding } from '../../core/matching/types.js';
import { html, safeUrl } from '../../core/report/html/template.js';
import type { SbomDocument } from '../../core/sbom/document.js';
import { refusal, sendCsv, type UiContext, type UiRouter } from '../router.js';
import { table, tableCsv, type Column } from '../table.js';
import { imageHref, severity, shortDigest, verdict, when } from './bits.js';
import { evaluationOf, gateColumns } from './evaluation.js';

const SBOM_FORMATS = [
  ['native', 'Portcullis JSON'],
  ['cyclonedx-json', 'CycloneDX JSON'],
  ['spdx-json', 'SPDX JSON'],
] as const;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

function explanation(f: Finding): string {
  const e = f.evidence[0];
  if (!e) return f.suppressed ? `suppressed: ${f.suppressed.reason}` : '';
  const range = e.matchedRange
    ? ` in range ${e.matchedRange.events
        .map((ev) =>
          Object.entries(ev)
            .map(([k, v]) => `${k} ${String(v)}`)
            .join(' '),
        )
        .join(', ')}`
    : '';
  return `${e.strategy}: ${e.lookupName} ${e.comparedVersion} (${e.scheme}) matched ${e.advisoryId} from ${e.source} in ${e.namespace}${range}`;
}

const fix = (f: Finding) => (f.fixedVersions.length > 0 ? f.fixedVersions.join(', ') : f.fixState);

function findingColumns(layerIndex: Map<string, number>): Column<Finding>[] {
  const layer = (f: Finding) =>
    f.originLayer && layerIndex.has(f.originLayer) ? `#${layerIndex.get(f.originLayer)}` : '';
  return [
    {
      label: 'Vulnerability',
      text: (f) => f.id,
      cell: (f) => html`<a href="/search?vuln=${encodeURIComponent(f.id)}">${f.id}</a>`,
    },
    { label: 'Severity', text: (f) => f.severity, cell: (f) => severity(f.severity) },
    { label: 'Package', text: (f) => `${f.package.name} ${f.package.version}` },
    { label: 'Fix', text: fix },
    { label: 'EPSS', numeric: true, text: (f) => (f.epss ? f.epss.score.toFixed(3) : '') },
    {
      label: 'KEV',
      text: (f) => (f.kev ? 'yes' : ''),
      cell: (f) => (f.kev ? html`<span class="kev">KEV</span>` : ''),
    },
    { label: 'Layer', text: (f) => `${layer(f)} ${f.origin}`.trim() },
    { label: 'Why it matched', text: explanation },
  ];
}

type PackageWithLayer = SbomDocument['packages'][number];

function layersSection(sbom: SbomDocument | undefined, metadata: unknown): ReturnType<typeof html> {
  if (!sbom) return html`<p>Not analysed yet.</p>`;
  const history = (metadata as { config?: { history?: Parameters<typeof baseLayersFromHistory>[0] } } | null)
    ?.config?.history;
  const baseCount = history ? baseLayersFromHistory(history) : undefined;
  const origin = (position: number) =>
    baseCount === undefined ? '' : position < baseCount ? 'base image' : 'application';
  const byLayer = new Map<string, PackageWithLayer[]>();
  for (const p of sbom.packages) {
    const key = p.originLayer ?? '';
    byLayer.set(key, [...(byLayer.get(key) ?? []), p]);
  }
  return html`${sbom.source.layers.map((l, position) => {
    const pkgs = byLayer.get(l.diffId) ?? [];
    const from = origin(position);
    return html`<details>
      <summary>
        Layer #${l.index}${from ? ` (${from})` : ''}: ${pkgs.length} packages ·
        <code>${shortDigest(l.diffId)}</code>
        ${l.createdBy ? html`· <span class="mono">${l.createdBy.slice(0, 160)}</span>` : ''}
      </summary>
      <ul>
        ${pkgs.map((p) => html`<li>${p.name} ${p.version} <span class="mono">(${p.type})</span></li>`)}
      </ul>
    </details>`;
  })}`;
}

export function imageDetailPage(router: UiRouter): void {
  const load = async (ctx: UiContext) => {
    const digest = ctx.params.digest ?? '';
    if (!DIGEST.test(digest)) return undefined;
    return ctx.store.images.get(ctx.viewer.accountName, digest);
  };

  router.get('/images/:digest', async (ctx) => {
    const image = await load(ctx);
    if (!image) return refusal(ctx.reply, 404, 'No such image in your account.');
    const digest = image.imageDigest;
    const analysis = image.analysisStatus === 'analyzed' ? await ctx.store.analyses.get(digest) : undefined;
    const sbom = analysis?.sbom as SbomDocument | undefined;
    const findings = ((analysis?.findings as Finding[] | undefined) ?? []).filter((f) => !f.suppressed);
    const layerIndex = new Map((sbom?.source.layers ?? []).map((l) => [l.diffId, l.index] as const));
    const columns = findingColumns(layerIndex);
    if (ctx.query.format === 'csv')
      return sendCsv(ctx.reply, `findings-${shortDigest(digest)}`, tableCsv(columns, findings));
    const tags = image.tags.map((t) => `${t.registry}/${t.repo}:${t.tag}`);
    const evaluation = analysis && tags[0] ? await evaluationOf(ctx, digest, tags[0]) : undefined;
    const enc = encodeURIComponent(digest);
    return ctx.render(
      tags[0] ?? shortDigest(digest),
      html`<dl class="facts">
          <dt>Digest</dt>
          <dd><code>${digest}</code></dd>
          <dt>Tags</dt>
          <dd>${tags.join(', ') || 'none'}</dd>
          <dt>Status</dt>
          <dd>${image.analysisStatus}${image.analysisError ? ` (${image.analysisError})` : ''}</dd>
          <dt>Analysed</dt>
          <dd>${when(image.analyzedAt)}</dd>
          <dt>Verdict</dt>
          <dd id="verdict">
            ${evaluation ? verdict(evaluation.status) : verdict('none')}${evaluation ? html` by policy <a href="/policies/${encodeURIComponent(evaluation.policyId)}">${evaluation.policyId}</a>` : ''}
          </dd>
        </dl>
        <h2>Downloads</h2>
        <ul>
          ${SBOM_FORMATS.map(([f, label]) => html`<li><a href="${imageHref(digest)}/sbom?format=${f}" download>SBOM: ${label}</a></li>`)}
          <li><a href="${safeUrl(`/images/${enc}/report?format=html`)}">Report (HTML)</a></li>
          <li><a href="${safeUrl(`/images/${enc}/report?format=pdf`)}" download>Report (PDF)</a></li>
        </ul>
        <h2>Policy evaluation</h2>
        ${evaluation ? table({ id: 'gates', caption: `Gates of ${evaluation.policyId}: ${evaluation.status}`, columns: gateColumns, rows: evaluation.rows, url: new URL('/nowhere', ctx.url), empty: 'No trigger fired.' }) : html`<p>No evaluation: the image is not analysed or has no tag.</p>`}
        <h2>Findings</h2>
        ${table({ id: 'findings', caption: `${findings.length} open findings`, columns, rows: findings, url: ctx.url, empty: 'No open finding.' })}
        <h2>Layers</h2>
        ${layersSection(sbom, analysis?.metadata)}`,
    );
  });

  // Downloads go through the API as the viewer, so a download is exactly the API's answer.
  for (const [suffix, api] of [
    [
      'sbom',
      (enc: string, q: URLSearchParams) =>
        `/images/${enc}/sbom?format=${encodeURIComponent(q.get('format') ?? 'native')}`,
    ],
    [
      'report',
      (enc: string, q: URLSearchParams) =>
        `/images/${enc}/report?format=${encodeURIComponent(q.get('format') ?? 'html')}`,
    ],
  ] as const) {
    router.get(`/images/:digest/${suffix}`, async (ctx) => {
      const image = await load(ctx);
      if (!image) return refusal(ctx.reply, 404, 'No such image in your account.');
      const answer = await ctx.api.call(
        'GET',
        api(encodeURIComponent(image.imageDigest), ctx.url.searchParams),
      );
      if (answer.status !== 200)
        return refusal(
          ctx.reply,
          answer.status,
          `The API refused: ${String((answer.body as { message?: string })?.message ?? answer.status)}`,
        );
      const format = ctx.url.searchParams.get('format') ?? '';
      const ext = format === 'pdf' ? 'pdf' : format === 'html' ? 'html' : 'json';
      if (ext !== 'html')
        ctx.reply.header(
          'content-disposition',
          `attachment; filename="${suffix}-${shortDigest(image.imageDigest)}.${ext}"`,
        );
      if (answer.contentSecurityPolicy)
        ctx.reply.header('content-security-policy', answer.contentSecurityPolicy);
      return ctx.reply.type(answer.contentType).send(answer.raw);
    });
  }
}
