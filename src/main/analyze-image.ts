/**
 * The adapter behind the worker's AnalyzeImage: the pipeline's `findVulnerabilities` (analyse →
 * match → suppress, exactly what `portcullis scan` runs, with the same defaults), its analysis
 * stage run in a child process so the service's event loop stays free.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageEnvironment, ImageRequest } from '../core/image/options.js';
import { hostPlatform } from '../core/image/platform.js';
import { findVulnerabilities, type VulnerabilityData } from '../core/pipeline/index.js';
import { CHANGELOG_GLOB } from '../core/suppression/index.js';
import { PORTCULLIS_VERSION } from '../core/version.js';
import type { AnalyzeImage, RegistryLogin } from '../worker/analyze.js';
import { catalogInChildProcess, type CatalogRequest, type CatalogResult } from './catalog-process.js';
import { accountAccess, plainEnvironment, plainRequest } from './image-access.js';

export interface AnalyzeImageEnvironment {
  /** The service's image environment: cache dir, client pool, CAs, limits (no account's credentials). */
  environment: ImageEnvironment;
  /** Where each analysis gets a private scratch directory. */
  tempRoot: string;
  vulnerabilities: VulnerabilityData;
  /** Overridable for tests: runs the analysis stage. */
  catalog?: (request: CatalogRequest, signal: AbortSignal) => Promise<CatalogResult>;
}

const CHANGELOG = new RegExp(
  `^/?${CHANGELOG_GLOB.replace(/^\//, '')
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')}$`,
);

/** One request of the service: the host's platform, its temp dir, the account's logins only. */
export function accountRequest(logins: readonly RegistryLogin[], tempDir: string): ImageRequest {
  return { platform: hostPlatform(), allPlatforms: false, tempDir, access: accountAccess(logins) };
}

export function createAnalyzeImage(env: AnalyzeImageEnvironment): AnalyzeImage {
  const catalog = env.catalog ?? catalogInChildProcess;
  return async (request) => {
    const tempDir = await mkdtemp(join(env.tempRoot, 'analysis-'));
    try {
      let result: CatalogResult | undefined;
      const found = await findVulnerabilities({
        subject: { kind: 'image', source: request.source },
        environment: env.environment,
        image: accountRequest(request.credentials, tempDir),
        data: env.vulnerabilities,
        signal: request.signal,
        // Images are analysed as soon as they are added, also before the first feed sync; the
        // re-match after each sync gives them their findings.
        requirements: { allowNoData: true },
        analyzer: async ({ subject, environment, image, catalog: options, captureGlobs }) => {
          // Only the analyze request itself crosses to the child (the findings request around
          // it holds functions, which cannot).
          result = await catalog(
            {
              subject,
              environment: plainEnvironment(environment),
              image: plainRequest(image),
              ...(options ? { catalog: options } : {}),
              ...(captureGlobs ? { captureGlobs } : {}),
            },
            request.signal,
          );
          return { document: result.document, retrieved: new Map(result.retrieved), config: result.config };
        },
      });
      if (!result) throw new Error('the analysis stage returned no result');
      const document = found.analysis.document;
      const kept: Record<string, string> = {};
      const changelogs: Record<string, string> = {};
      for (const [path, body] of found.analysis.retrieved)
        (CHANGELOG.test(path) ? changelogs : kept)[path] = Buffer.from(body).toString('base64');
      return {
        imageDigest: result.imageDigest,
        imageId: result.configDigest,
        analyzerVersion: PORTCULLIS_VERSION,
        sbom: document,
        findings: found.findings,
        metadata: {
          manifest: result.manifest,
          config: result.config,
          arch: result.config.architecture,
          distro: document.distro?.id ?? 'unknown',
          distroVersion: document.distro?.versionId ?? 'unknown',
          imageSize: result.compressedSize,
          layerCount: document.source.layers.length,
          retrieved: kept,
          changelogs,
        },
      };
    } finally {
      await rm(tempDir, { recursive: true, force: true });
    }
  };
}
