/**
 * Use case: analyse a source. An image source is opened and cataloged in one streaming pass per
 * layer; an SBOM body is decoded. The caller resolves options and reads the user's files; this
 * module takes parsed inputs only, so the CLI, the worker and the API share it.
 */
import { ALL_CATALOGERS } from '../catalog/catalogers.js';
import { catalogImageWithContents, type CatalogOptions } from '../catalog/catalog-image.js';
import { DiskLayerCache } from '../catalog/layer-cache.js';
import { PortcullisError } from '../errors.js';
import { openImage } from '../image/open.js';
import type { ImageEnvironment, ImageRequest } from '../image/options.js';
import type { ImageConfigFile } from '../image/types.js';
import type { SbomDocument } from '../sbom/document.js';
import { decodeSbom } from '../sbom/formats/decode.js';
import { parseContentSearchRule } from '../secrets/content-search.js';
import { DEFAULT_SECRET_RULES } from '../secrets/default-rules.js';
import { loadGitleaksRules } from '../secrets/gitleaks.js';
import { DEFAULT_SECRET_SCAN_OPTIONS } from '../secrets/scan.js';
import { throwIfAborted } from '../abort.js';
import { observedImage } from './observed-image.js';
import type { RequestContext } from './ports.js';

/** What to analyse: an image source string, or the bytes of an SBOM the caller read. */
export type AnalysisSubject =
  { kind: 'image'; source: string } | { kind: 'sbom'; body: Buffer | string; name: string };

export type AnalysisScope = 'squashed' | 'all-layers';

export interface CatalogRequest {
  scope?: AnalysisScope;
  /** Scan file contents for secrets (default true). */
  secrets?: boolean;
  /** Extra gitleaks TOML rule files, as read by the caller. */
  extraSecretRules?: readonly { name: string; text: string }[];
  /** Named content-search regexes, `NAME=regex` (RE2 syntax). */
  contentSearch?: readonly string[];
  /** Read and write the per-layer analysis cache under the cache dir (default true). */
  layerCache?: boolean;
}

export interface AnalyzeRequest extends RequestContext {
  subject: AnalysisSubject;
  /** The process's image environment: cache dir, client pool, keychain, TLS, limits. */
  environment: ImageEnvironment;
  /** This request's image options: platform, temp dir, its own registry access. */
  image: ImageRequest;
  catalog?: CatalogRequest;
  /** Extra files whose final contents to keep in `retrieved` (e.g. changelogs for suppression). */
  captureGlobs?: readonly string[];
}

export interface Analysis {
  document: SbomDocument;
  retrieved: Map<string, Buffer>;
  /** The image config; absent for SBOM subjects. */
  config?: ImageConfigFile;
}

/** Bump with every change to the default secret rules: it is part of the layer-cache key. */
const DEFAULT_RULES_VERSION = 'portcullis@2';
/** Files larger than these are not hashed / not handed to a cataloger. */
const DIGEST_MAX_BYTES = 128 * 1024 * 1024;
const CAPTURE_MAX_BYTES = 256 * 1024 * 1024;

export function catalogOptions(request: CatalogRequest, cacheDir: string): CatalogOptions {
  const scope = request.scope ?? 'squashed';
  if (scope !== 'squashed' && scope !== 'all-layers') {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `--scope must be squashed or all-layers, got "${String(scope)}"`,
    );
  }
  const rules = [...DEFAULT_SECRET_RULES];
  const versions = [DEFAULT_RULES_VERSION];
  for (const file of request.extraSecretRules ?? []) {
    rules.push(...loadGitleaksRules(file.text, file.name).rules);
    versions.push(`${file.name}:${file.text.length}`);
  }
  const contentSearch = (request.contentSearch ?? []).map(parseContentSearchRule);
  return {
    catalogers: ALL_CATALOGERS,
    ...(contentSearch.length ? { contentSearch } : {}),
    scope,
    digestMaxBytes: DIGEST_MAX_BYTES,
    captureMaxBytes: CAPTURE_MAX_BYTES,
    ...(request.secrets === false
      ? {}
      : { secrets: { rules, options: DEFAULT_SECRET_SCAN_OPTIONS }, secretsVersion: versions.join(',') }),
    ...(request.layerCache === false ? {} : { cache: new DiskLayerCache(cacheDir) }),
  };
}

/** Analyses one subject: SBOM, retrieved files and image config. */
export async function analyze(request: AnalyzeRequest): Promise<Analysis> {
  const { subject, signal, observer } = request;
  throwIfAborted(signal, 'the analysis');
  if (subject.kind === 'sbom') {
    return { document: decodeSbom(subject.body, subject.name).document, retrieved: new Map() };
  }
  const env = request.environment;
  const open: ImageRequest = signal ? { ...request.image, signal } : request.image;
  observer?.stage?.('open', { source: subject.source });
  const image = observedImage(await openImage(subject.source, env, open), observer);
  observer?.stage?.('catalog', { source: image.source });
  const captureGlobs = request.captureGlobs ?? [];
  const [result, config] = await Promise.all([
    catalogImageWithContents(
      image,
      { limits: env.limits, tempDir: open.tempDir },
      {
        ...catalogOptions(request.catalog ?? {}, env.cacheDir),
        ...(captureGlobs.length ? { extraCaptureGlobs: captureGlobs } : {}),
      },
    ),
    image.config(),
  ]);
  throwIfAborted(signal, 'the analysis');
  return { ...result, config };
}
