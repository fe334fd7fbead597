/**
 * Harbor's pluggable scanner adapter API (spec v1.1; the SBOM report of v1.2), mounted under
 * /api/v1 beside the Anchore-compatible /v1. Harbor authenticates with the bearer token
 * configured for the adapter (compared in constant time) and acts as one Portcullis account.
 * Errors have the adapter's shape, `{"error": {"message": ...}}`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { credentialFromAuthorization } from '../../core/image/backends/registry/authorization.js';
import { isPortcullisError } from '../../core/errors.js';
import type { JobQueue } from '../../queue/queue.js';
import { requestHarborScan } from '../../queue/request-harbor-scan.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import { ApiError } from '../errors.js';
import type { FeedStatus } from '../routes/index.js';
import { CONSUMED_MIME_TYPES, MIME, reportKind, SBOM_MEDIA_TYPES, type SbomMediaType } from './mime.js';
import { renderHarborReport } from './report.js';
import { scanRequestSchema } from './schemas.js';

export interface HarborAdapterDeps {
  store: ServiceStore;
  queue: JobQueue;
  version: string;
  feeds: { status(): Promise<FeedStatus[]> };
  /** The bearer token Harbor sends. */
  token: string;
  /** The account Harbor's scans belong to. */
  account: string;
}

/** How long Harbor may ask for a scan's report (the spec leaves it to the adapter). */
export const SCAN_RETENTION_MS = 24 * 3_600_000;
/** Seconds Harbor waits before asking again for a report that is not ready. */
export const REFRESH_AFTER_S = 5;

export class HarborError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HarborError';
  }
}

/**
 * The body as bytes under exactly this Content-Type: fastify would quote `version="1.0"` and
 * append a charset to a string's, and Harbor compares the type.
 */
const sendAs = (reply: FastifyReply, status: number, contentType: string, body: string) =>
  reply.status(status).header('content-type', contentType).send(Buffer.from(body, 'utf8'));

const sendError = (reply: FastifyReply, status: number, message: string) =>
  sendAs(reply, status, MIME.error, JSON.stringify({ error: { message } }));

const digestOf = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export async function harborAdapterRoutes(app: FastifyInstance, deps: HarborAdapterDeps): Promise<void> {
  const { store } = deps;
  const expected = digestOf(deps.token);
  const scanner = { name: 'Portcullis', vendor: 'Portcullis', version: deps.version };
  const config = { adapterAuth: 'harbor' as const };
  const schema = { hide: true };

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HarborError) return sendError(reply, error.status, error.message);
    if (error instanceof ApiError) return sendError(reply, error.httpcode, error.message);
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status < 500) return sendError(reply, status, (error as Error).message);
    request.log.error({ err: error }, 'harbor adapter request failed');
    return sendError(reply, 500, `internal error (request ${request.id})`);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, `no route ${request.method} ${request.url.split('?')[0]}`),
  );
  app.addContentTypeParser(
    /^application\/vnd\.scanner\.adapter\.scan\.request\+json/i,
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, JSON.parse(String(body)));
      } catch {
        done(new HarborError(400, 'the body is not JSON'), undefined);
      }
    },
  );
  app.addHook('onRequest', async (request) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match || !timingSafeEqual(digestOf(match[1]!), expected))
      throw new HarborError(401, 'unauthorized: send the bearer token configured for this scanner');
    const account = await store.accounts.get(deps.account);
    if (account?.state !== 'enabled')
      throw new HarborError(401, `the scanner's account ${deps.account} is not enabled`);
  });

  app.get('/metadata', { config, schema }, async (_request, reply) => {
    const synced = (await deps.feeds.status())
      .map((f) => f.lastSync?.getTime() ?? 0)
      .reduce((a, b) => Math.max(a, b), 0);
    const metadata = {
      scanner,
      capabilities: [
        {
          type: 'vulnerability',
          consumes_mime_types: [...CONSUMED_MIME_TYPES],
          produces_mime_types: [MIME.nativeReport, MIME.genericReport],
        },
        {
          type: 'sbom',
          consumes_mime_types: [...CONSUMED_MIME_TYPES],
          produces_mime_types: [MIME.sbomReport],
          additional_attributes: { sbom_media_types: [...SBOM_MEDIA_TYPES] },
        },
      ],
      properties: {
        'harbor.scanner-adapter/scanner-type': 'os-package-vulnerability',
        ...(synced > 0
          ? { 'harbor.scanner-adapter/vulnerability-database-updated-at': new Date(synced).toISOString() }
          : {}),
      },
    };
    return sendAs(reply, 200, MIME.metadata, JSON.stringify(metadata));
  });

  app.post('/scan', { config, schema }, async (request, reply) => {
    if (typeof request.body !== 'object' || request.body === null)
      throw new HarborError(400, 'the body must be a JSON ScanRequest');
    const parsed = scanRequestSchema.safeParse(request.body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
      throw new HarborError(422, `invalid scan request: ${issues.join('; ')}`);
    }
    const { registry, artifact } = parsed.data;
    const mimeType = artifact.mime_type ?? CONSUMED_MIME_TYPES[0];
    if (!(CONSUMED_MIME_TYPES as readonly string[]).includes(mimeType))
      throw new HarborError(422, `invalid scan request: artifact.mime_type ${mimeType} cannot be scanned`);
    try {
      credentialFromAuthorization(registry.authorization);
    } catch (err) {
      if (isPortcullisError(err)) throw new HarborError(422, `invalid scan request: ${err.message}`);
      throw err;
    }
    await store.harborScans.purge(new Date(Date.now() - SCAN_RETENTION_MS));
    const scan = await requestHarborScan(store, deps.queue, {
      accountName: deps.account,
      registryUrl: registry.url,
      registryHost: new URL(registry.url).host,
      repository: artifact.repository,
      digest: artifact.digest,
      tag: artifact.tag ?? null,
      mimeType,
      insecure: registry.insecure === true,
      authorization: registry.authorization,
    });
    return sendAs(reply, 202, MIME.scanResponse, JSON.stringify({ id: scan.id }));
  });

  app.get<{ Params: { id: string }; Querystring: { sbom_media_type?: string } }>(
    '/scan/:id/report',
    { config, schema },
    async (request, reply) => {
      const kind = reportKind(request.headers.accept);
      if (!kind) throw new HarborError(400, `unsupported report MIME type ${request.headers.accept ?? ''}`);
      const sbomMediaType = request.query.sbom_media_type ?? SBOM_MEDIA_TYPES[0];
      if (!(SBOM_MEDIA_TYPES as readonly string[]).includes(sbomMediaType))
        throw new HarborError(400, `unsupported sbom_media_type ${sbomMediaType}`);
      const { id } = request.params;
      const scan = /^[0-9a-f-]{36}$/.test(id) ? await store.harborScans.get(deps.account, id) : undefined;
      if (!scan) throw new HarborError(404, `no scan request ${id}`);
      if (scan.status === 'queued' || scan.status === 'running') {
        // Harbor reads Refresh-After; Retry-After is HTTP's own name for it.
        return reply
          .status(302)
          .header('refresh-after', String(REFRESH_AFTER_S))
          .header('retry-after', String(REFRESH_AFTER_S))
          .send();
      }
      if (scan.status === 'failed') throw new HarborError(500, `the scan failed: ${scan.error ?? 'unknown'}`);
      const analysis = await store.analyses.get(scan.digest);
      if (!analysis) throw new HarborError(404, `the analysis of ${scan.digest} is gone: scan it again`);
      const report = renderHarborReport(
        kind,
        scan,
        analysis,
        scanner,
        sbomMediaType as SbomMediaType,
        new Date(),
      );
      return sendAs(reply, 200, report.contentType, report.body);
    },
  );
}
