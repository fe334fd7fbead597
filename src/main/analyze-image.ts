/**
 * The adapter behind the worker's AnalyzeImage: catalog in a child process, then match the SBOM
 * against the service's vulnerability data and apply the image's own changelog evidence, as
 * `portcullis scan` does. (When src/core/pipeline lands, this file is re-pointed to it.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PORTCULLIS_VERSION } from '../core/catalog/catalog-image.js';
import type { OpenOptions, RegistryCredential } from '../core/image/options.js';
import { baseLayersFromHistory } from '../core/matching/base-layers.js';
import { matchSbom } from '../core/matching/match.js';
import type { AdvisorySource } from '../core/matching/types.js';
import { applySuppressions, CHANGELOG_GLOB } from '../core/suppression/index.js';
import type { AnalyzeImage, RegistryLogin } from '../worker/analyze.js';
import { catalogInChildProcess, type CatalogRequest, type CatalogResult } from './catalog-process.js';

export interface AnalyzeImageEnvironment {
  /** Process-wide image options: cache dir, CAs, limits, timeouts (no credentials). */
  open: Omit<OpenOptions, 'tempDir'>;
  /** Where each analysis gets a private scratch directory. */
  tempRoot: string;
  vulnerabilities: AdvisorySource;
  /** Overridable for tests: runs the catalog half. */
  catalog?: (request: CatalogRequest, signal: AbortSignal) => Promise<CatalogResult>;
}

const CHANGELOG = new RegExp(
  `^/?${CHANGELOG_GLOB.replace(/^\//, '')
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')}$`,
);

/** Request-scoped registry options: each login only for its own host, never a wildcard. */
export function requestOptions(
  open: Omit<OpenOptions, 'tempDir'>,
  logins: readonly RegistryLogin[],
  tempDir: string,
): OpenOptions {
  const credentials: Record<string, RegistryCredential> = {};
  for (const login of logins)
    credentials[login.registry] = { username: login.username, password: login.password };
  const insecure = logins.filter((l) => !l.verifyTls).map((l) => l.registry);
  return {
    ...open,
    tempDir,
    registry: {
      ...open.registry,
      credentials,
      insecureHosts: [...open.registry.insecureHosts, ...insecure],
      dockerConfigDir: undefined,
    },
  };
}

export function createAnalyzeImage(env: AnalyzeImageEnvironment): AnalyzeImage {
  const catalog = env.catalog ?? catalogInChildProcess;
  return async (request) => {
    const tempDir = await mkdtemp(join(env.tempRoot, 'analysis-'));
    try {
      const result = await catalog(
        { source: request.source, open: requestOptions(env.open, request.credentials, tempDir) },
        request.signal,
      );
      const retrieved = new Map(result.retrieved);
      const document = result.document;
      const baseLayerCount = baseLayersFromHistory(result.config.history);
      const matched = await matchSbom(
        document,
        env.vulnerabilities,
        baseLayerCount === undefined ? {} : { baseLayerCount },
      );
      const suppressed = await applySuppressions(matched.findings, {
        changelog: { doc: document, read: (path) => Promise.resolve(retrieved.get(path)) },
        now: new Date(),
      });
      const kept: Record<string, string> = {};
      for (const [path, body] of retrieved)
        if (!CHANGELOG.test(path)) kept[path] = Buffer.from(body).toString('base64');
      return {
        imageDigest: result.imageDigest,
        imageId: result.configDigest,
        analyzerVersion: PORTCULLIS_VERSION,
        sbom: document,
        findings: suppressed.findings,
        metadata: {
          manifest: result.manifest,
          config: result.config,
          arch: result.config.architecture,
          distro: document.distro?.id ?? 'unknown',
          distroVersion: document.distro?.versionId ?? 'unknown',
          imageSize: result.compressedSize,
          layerCount: document.source.layers.length,
          retrieved: kept,
        },
      };
    } finally {
      await rm(tempDir, { recursive: true, force: true });
    }
  };
}
