/**
 * Reports for people: `GET /images/{digest}/report?format=html|pdf` renders the evaluation of
 * the stored analysis against the active bundle (or `policyId`) as one self-contained HTML page,
 * or the PDF Chromium prints from it; `GET /reports?team=` lists the account's analysed images
 * with the team their labels name, and where each report is.
 */
import { z } from 'zod';
import { parseReference } from '../../core/image/reference/parse.js';
import { isPortcullisError } from '../../core/errors.js';
import {
  DEFAULT_TEAM_LABEL_KEYS,
  manifestAnnotations,
  renderHtmlReport,
  teamLabel,
  type TeamLabel,
} from '../../core/report/html/index.js';
import type { AnalysisMetadata } from '../../store/repositories/analysis-metadata.js';
import type { ImageRecord } from '../../store/repositories/images.js';
import { decideStoredAnalysis } from '../../store/evaluate-analysis.js';
import { ApiError, notFound } from '../errors.js';
import { imageDigest } from '../schemas.js';
import { fullTag } from './images/present.js';
import { analysisPart } from './images/read.js';
import type { RouteDeps, V1 } from './index.js';

/** The stored analysis's metadata (labels, annotations) of an analysed image. */
async function imageMetadata(deps: RouteDeps, image: ImageRecord): Promise<AnalysisMetadata | undefined> {
  if (image.analysisStatus !== 'analyzed') return undefined;
  return (await deps.store.analyses.part(image.imageDigest, 'metadata')) as AnalysisMetadata | undefined;
}

/** What the report routes need besides the store: the team label keys and a PDF printer. */
export interface ReportDeps {
  /** Labels naming the owning team, tried in order (default DEFAULT_TEAM_LABEL_KEYS). */
  teamLabelKeys?: readonly string[];
  /** Prints HTML to PDF; without it `format=pdf` answers 503. */
  printPdf?: (html: string) => Promise<Buffer>;
}

const reportQuery = z.object({
  format: z.enum(['html', 'pdf']).default('html'),
  policyId: z.string().min(1).max(256).optional(),
  tag: z.string().min(1).max(1024).optional(),
});

/** Content-Security-Policy of the report: its own inline styles, nothing else, ever. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

function teamOf(
  image: ImageRecord,
  metadata: AnalysisMetadata | undefined,
  keys: readonly string[],
): TeamLabel | undefined {
  return teamLabel(
    {
      annotations: image.annotations,
      manifestAnnotations: manifestAnnotations(metadata?.manifest),
      labels: metadata?.config?.config?.Labels ?? {},
    },
    keys,
  );
}

function chosenTag(image: ImageRecord, wanted: string | undefined): string {
  const tags = image.tags.map(fullTag);
  if (wanted === undefined) {
    const first = tags[0];
    if (first === undefined) throw new ApiError(400, 'the image has no tag; give one with tag=');
    return first;
  }
  const ref = parseReference(wanted);
  const tag = `${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'}`;
  if (!tags.includes(tag)) throw new ApiError(404, `tag ${tag} is not a tag of image ${image.imageDigest}`);
  return tag;
}

export function reportRoutes(app: V1, deps: RouteDeps): void {
  const keys = deps.reports?.teamLabelKeys ?? DEFAULT_TEAM_LABEL_KEYS;

  app.get(
    '/images/:imageDigest/report',
    { schema: { params: z.object({ imageDigest }), querystring: reportQuery } },
    async (request, reply) => {
      const { accountName } = request;
      const q = request.query;
      const { image, value: metadata } = await analysisPart(
        deps,
        accountName,
        request.params.imageDigest,
        'metadata',
      );
      const tag = chosenTag(image, q.tag);
      const policy = q.policyId
        ? await deps.store.policies.get(accountName, q.policyId)
        : await deps.store.policies.active(accountName);
      if (!policy)
        throw q.policyId ? notFound(`policy bundle ${q.policyId}`) : notFound('active policy bundle');
      const feeds = await deps.feeds.status();
      const decided = await decideStoredAnalysis(deps.store, {
        accountName,
        imageDigest: image.imageDigest,
        tag,
        policy,
        feeds: feeds.map((f) => ({
          name: f.source,
          namespaces: [],
          ...(f.lastSync ? { lastSync: f.lastSync } : {}),
          records: f.records,
        })),
      });
      if (!decided) throw new ApiError(404, 'image analysis not found');
      const synced = feeds.flatMap((f) => (f.lastSync ? [f.lastSync.getTime()] : []));
      const team = teamOf(image, metadata, keys);
      const page = renderHtmlReport({
        image: {
          reference: tag,
          digest: image.imageDigest,
          imageId: decided.imageId,
          ...(metadata.distro ? { distro: `${metadata.distro} ${metadata.distroVersion}`.trim() } : {}),
          ...(metadata.arch ? { platform: `linux/${metadata.arch}` } : {}),
        },
        ...(team ? { team } : {}),
        decision: decided.decision,
        findings: decided.findings,
        layers: decided.document.source?.layers ?? [],
        generatedAt: decided.now.toISOString(),
        data: {
          available: feeds.some((f) => f.records > 0),
          ...(synced.length > 0 ? { oldestSyncAt: new Date(Math.min(...synced)).toISOString() } : {}),
        },
        productVersion: deps.version,
      });
      const name = `portcullis-report-${image.imageDigest.slice(7, 19)}`;
      if (q.format === 'html')
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', REPORT_CSP)
          .header('x-content-type-options', 'nosniff')
          .header('content-disposition', `inline; filename="${name}.html"`)
          .send(page);
      if (!deps.reports?.printPdf) throw new ApiError(503, 'PDF reports are not available on this service');
      let pdf: Buffer;
      try {
        pdf = await deps.reports.printPdf(page);
      } catch (err) {
        if (isPortcullisError(err)) throw new ApiError(503, `cannot print the PDF report: ${err.message}`);
        throw err;
      }
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${name}.pdf"`)
        .send(pdf);
    },
  );

  app.get(
    '/reports',
    { schema: { querystring: z.object({ team: z.string().min(1).max(256).optional() }) } },
    async (request) => {
      const images = await deps.store.images.list(request.accountName, {
        imageStatus: 'active',
        analysisStatus: 'analyzed',
      });
      const wanted = request.query.team?.toLowerCase();
      const rows = await Promise.all(
        images.map(async (image) => {
          const team = teamOf(image, await imageMetadata(deps, image), keys);
          const base = `/v1/images/${encodeURIComponent(image.imageDigest)}/report`;
          return {
            imageDigest: image.imageDigest,
            tags: image.tags.map(fullTag),
            team: team ? { key: team.key, value: team.value } : null,
            analyzed_at: image.analyzedAt?.toISOString() ?? null,
            report: { html: `${base}?format=html`, pdf: `${base}?format=pdf` },
          };
        }),
      );
      return rows.filter((r) => wanted === undefined || r.team?.value.toLowerCase() === wanted);
    },
  );
}
