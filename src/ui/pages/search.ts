/**
 * Search across the account's images by vulnerability id (or alias) or by package (name, version
 * range, PURL), through the API's /query routes; results paged by the API, worst first.
 */
import { html } from '../../core/report/html/template.js';
import { ApiClient } from '../api-client.js';
import { notice } from '../layout.js';
import { sendCsv, type UiContext, type UiRouter } from '../router.js';
import { table, tableCsv, type Column } from '../table.js';
import { imageHref, intParam, severity, shortDigest } from './bits.js';

interface QueryImage {
  imageDigest: string;
  tag_history: { fulltag: string }[];
}
interface Hit {
  digest: string;
  tag: string;
  pkg: string;
  version: string;
  type: string;
  vuln: string;
  severity: string;
  fix: string;
  fromBase: boolean;
}
interface Answer {
  images: {
    image: QueryImage;
    vulnerable_packages?: {
      name: string;
      version: string;
      type: string;
      vulnerability_id: string;
      severity: string;
      fix: string | null;
      from_base: boolean;
    }[];
    packages?: { name: string; version: string; type: string; purl: string; from_base: boolean }[];
  }[];
  total_count: number;
  next_page?: string;
}

const RANK = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];
const PAGE = 50;

const COLUMNS: readonly Column<Hit>[] = [
  {
    label: 'Image',
    text: (h) => h.tag || h.digest,
    cell: (h) => html`<a href="${imageHref(h.digest)}">${h.tag || shortDigest(h.digest)}</a>`,
  },
  { label: 'Package', text: (h) => `${h.pkg} ${h.version}` },
  { label: 'Type', text: (h) => h.type },
  { label: 'Vulnerability', text: (h) => h.vuln },
  { label: 'Severity', text: (h) => h.severity, cell: (h) => (h.severity ? severity(h.severity) : '') },
  { label: 'Fix', text: (h) => h.fix },
  { label: 'Layer', text: (h) => (h.fromBase ? 'base' : 'application') },
];

function flatten(answer: Answer): Hit[] {
  return answer.images.flatMap(({ image, vulnerable_packages, packages }) => {
    const base = { digest: image.imageDigest, tag: image.tag_history[0]?.fulltag ?? '' };
    if (vulnerable_packages)
      return vulnerable_packages.map((p) => ({
        ...base,
        pkg: p.name,
        version: p.version,
        type: p.type,
        vuln: p.vulnerability_id,
        severity: p.severity,
        fix: p.fix ?? '',
        fromBase: p.from_base,
      }));
    return (packages ?? []).map((p) => ({
      ...base,
      pkg: p.name,
      version: p.version,
      type: p.type,
      vuln: '',
      severity: '',
      fix: '',
      fromBase: p.from_base,
    }));
  });
}

function apiPath(ctx: UiContext, page: number, limit: number): string | undefined {
  const q = ctx.query;
  const params = new URLSearchParams({ page: String(page), limit: String(limit) });
  if (q.vuln?.trim()) {
    params.set('vulnerability_id', q.vuln.trim());
    return `/query/images/by_vulnerability?${params.toString()}`;
  }
  const pkg = q.package?.trim();
  if (!pkg) return undefined;
  params.set(pkg.startsWith('pkg:') ? 'purl' : 'name', pkg);
  if (q.range?.trim()) params.set('version_range', q.range.trim());
  return `/query/images/by_package?${params.toString()}`;
}

export function searchPage(router: UiRouter): void {
  router.get('/search', async (ctx) => {
    const csv = ctx.query.format === 'csv';
    const page = csv ? 1 : intParam(ctx.query.page, 1, 100_000);
    const path = apiPath(ctx, page, csv ? 1000 : PAGE);
    const answer = path ? await ctx.api.call('GET', path) : undefined;
    const ok = answer?.status === 200 ? (answer.body as Answer) : undefined;
    const hits = ok ? flatten(ok).sort((a, b) => RANK.indexOf(a.severity) - RANK.indexOf(b.severity)) : [];
    if (csv) return sendCsv(ctx.reply, 'search', tableCsv(COLUMNS, hits));
    const q = ctx.query;
    const pager = ok
      ? html`<nav class="pager" aria-label="Pages">
          ${page > 1 ? html`<a rel="prev" href="${withPage(ctx.url, page - 1)}">Previous</a>` : ''}<span
            >${ok.total_count} images</span
          >${ok.next_page ? html`<a rel="next" href="${withPage(ctx.url, page + 1)}">Next</a>` : ''}
        </nav>`
      : '';
    return ctx.render(
      'Search',
      html`<form class="filters" method="get" action="/search" role="search">
          <label for="vuln"
            >Vulnerability id<input id="vuln" name="vuln" value="${q.vuln ?? ''}" placeholder="CVE-2024-3094"
          /></label>
          <label for="package"
            >Package name or PURL<input id="package" name="package" value="${q.package ?? ''}"
          /></label>
          <label for="range"
            >Version range<input id="range" name="range" value="${q.range ?? ''}" placeholder="<2.0.0"
          /></label>
          <button type="submit">Search</button>
        </form>
        ${answer && !ok ? notice('error', ApiClient.message(answer)) : ''}
        ${path ? html`${table({ id: 'hits', caption: 'Affected images, worst first', columns: COLUMNS, rows: hits, url: ctx.url, empty: 'No image is affected.' })}${pager}` : html`<p>Search by a vulnerability id (CVE, GHSA, distro advisory) or by a package.</p>`}`,
    );
  });
}

function withPage(url: URL, page: number): string {
  const next = new URL(url.toString());
  next.searchParams.set('page', String(page));
  return `${next.pathname}${next.search}`;
}
