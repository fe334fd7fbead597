/**
 * Image → SBOM document. One streaming pass per layer indexes the filesystem and, in the same
 * pass, hashes files, scans them for secrets and keeps the few files catalogers read. Layers
 * found in the layer cache are not read at all. Then catalogers run on the squashed view.
 */
import { detectDistro } from '../distro/index.js';
import type { Cataloger } from '../ecosystems/types.js';
import { LayeredFilesystem, type ParsedLayer } from '../fs/index.js';
import { inspectImage } from '../image/inspect.js';
import type { ImageEnvironment, ImageRequest } from '../image/options.js';

/** What cataloging needs of the image options: the limits and the request's temp dir. */
export type CatalogReadOptions = Pick<ImageEnvironment, 'limits'> & Pick<ImageRequest, 'tempDir'>;
import type { Image } from '../image/types.js';
import {
  NATIVE_SCHEMA_VERSION,
  type FileRecord,
  type SbomDocument,
  type SecretFinding,
} from '../sbom/document.js';
import type { SecretScanOptions } from '../secrets/scan.js';
import type { SecretRule } from '../secrets/rules.js';
import type { ContentSearchRule } from '../secrets/content-search.js';
import { CapturedContent } from './content-view.js';
import { LayerAnalyzer, type CaptureRule, type LayerAnalysis } from './layer-analysis.js';
import type { LayerCache } from './layer-cache.js';
import { addAllLayerPackages } from './all-layers.js';
import { settleDeclaredPackages } from './dedupe.js';
import { attachOrigins } from './origin.js';
import { attachOwnership } from './ownership.js';
import { runCatalogers } from './run-catalogers.js';
import { unreadableOsRelease } from './unreadable.js';
import { PORTCULLIS_VERSION } from '../version.js';

export { PORTCULLIS_VERSION };

/** Files kept whole for policy gates (passwd_file, retrieved_files), as Anchore's retrieve_files did. */
export const RETRIEVED_FILES_DEFAULT: readonly string[] = ['/etc/passwd', '/etc/group', '/etc/sudoers'];

/** Files read for distro detection and policy (retrieved_files), besides cataloger inputs. */
export const ALWAYS_CAPTURED: readonly string[] = [
  '/etc/os-release',
  '/usr/lib/os-release',
  '/etc/*-release',
  '/etc/debian_version',
  '/etc/alpine-release',
  ...RETRIEVED_FILES_DEFAULT,
];

export interface CatalogOptions {
  catalogers: readonly Cataloger[];
  scope: 'squashed' | 'all-layers';
  /** sha256 of regular files up to this size (0 = no digests). */
  digestMaxBytes: number;
  /** Largest file handed to a cataloger (archives such as jars). */
  captureMaxBytes: number;
  secrets?: { rules: readonly SecretRule[]; options: SecretScanOptions };
  /** Named regexes searched in file contents (Anchore's content_search). */
  contentSearch?: readonly ContentSearchRule[];
  /** Version of the secret rule set, part of the layer-cache key. */
  secretsVersion?: string;
  cache?: LayerCache;
  /** Extra globs whose contents are kept (e.g. policy retrieved_files). */
  extraCaptureGlobs?: readonly string[];
  now?: () => Date;
}

/** Everything that changes what a layer analysis contains: part of its cache key. */
/**
 * Version of the generic cataloger's own logic (origin, ownership, de-duplication, scopes):
 * bump it whenever the same inputs give different documents, so cached results are not reused.
 */
export const GENERIC_CATALOGER_VERSION = 6;

export function analysisKey(options: CatalogOptions): string {
  return JSON.stringify({
    generic: GENERIC_CATALOGER_VERSION,
    contentSearch: (options.contentSearch ?? []).map((r) => `${r.name}=${r.pattern}`),
    catalogers: options.catalogers.map((c) => `${c.id}@${c.version}`),
    digest: options.digestMaxBytes,
    capture: options.captureMaxBytes,
    extra: options.extraCaptureGlobs ?? [],
    secrets: options.secrets
      ? (options.secretsVersion ?? options.secrets.rules.map((r) => r.id).join(','))
      : 'off',
  });
}

function captureRules(options: CatalogOptions): CaptureRule[] {
  return [
    { globs: [...ALWAYS_CAPTURED, ...(options.extraCaptureGlobs ?? [])] },
    ...options.catalogers.flatMap((c) =>
      c.parsers.flatMap((p) => [
        { globs: p.globs, ...(p.keep ? { keep: p.keep } : {}) },
        ...(p.prefetch ? [{ globs: p.prefetch }] : []),
      ]),
    ),
  ];
}

/** The path with its directory's symlinks resolved (the last component is kept as is). */
function canonicalParent(fs: LayeredFilesystem, path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash <= 0) return path;
  try {
    const dir = fs.realpath(path.slice(0, slash));
    return `${dir === '/' ? '' : dir}${path.slice(slash)}`;
  } catch {
    return path;
  }
}

export async function catalogImage(
  image: Image,
  open: CatalogReadOptions,
  options: CatalogOptions,
): Promise<SbomDocument> {
  return (await catalogImageWithContents(image, open, options)).document;
}

export interface CatalogResult {
  document: SbomDocument;
  /** Final contents of the retrieved files (RETRIEVED_FILES_DEFAULT + extraCaptureGlobs) that exist. */
  retrieved: Map<string, Buffer>;
}

/** As catalogImage, plus the contents of retrieved files for policy gates (never put in the SBOM). */
export async function catalogImageWithContents(
  image: Image,
  open: CatalogReadOptions,
  options: CatalogOptions,
): Promise<CatalogResult> {
  const key = analysisKey(options);
  // The manifest digest pins config and every layer (the directory back-end derives it from
  // the content too), so the same digest with the same analysis is the same result.
  const resultKey = JSON.stringify({
    v: PORTCULLIS_VERSION,
    image: image.digest,
    key,
    scope: options.scope,
    directory: image.directory === true,
  });
  const memo = await options.cache?.getResult?.(resultKey);
  if (memo) {
    const createdAt = (options.now?.() ?? new Date()).toISOString();
    const source = { ...memo.document.source, input: image.source };
    return { document: { ...memo.document, createdAt, source }, retrieved: memo.retrieved };
  }
  const result = await catalogUncached(image, open, options, key);
  await options.cache?.putResult?.(resultKey, result);
  return result;
}

async function catalogUncached(
  image: Image,
  open: CatalogReadOptions,
  options: CatalogOptions,
  key: string,
): Promise<CatalogResult> {
  const layers = await image.layers();
  const cached = options.cache ? await Promise.all(layers.map((l) => options.cache?.get(l.diffId, key))) : [];
  const analyses: LayerAnalysis[] = [];
  const analyzers: LayerAnalyzer[] = [];
  const indexed: (ParsedLayer | undefined)[] = cached.map((c) => c?.index);
  layers.forEach((l, i) => {
    const hit = cached[i];
    if (hit) {
      analyses[i] = hit.analysis;
      return;
    }
    const analyzer = new LayerAnalyzer(l.diffId, {
      captureRules: captureRules(options),
      captureMaxBytes: options.captureMaxBytes,
      digestMaxBytes: options.digestMaxBytes,
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.contentSearch?.length ? { contentSearch: options.contentSearch } : {}),
    });
    analyzers[i] = analyzer;
    analyses[i] = analyzer.result;
  });

  const fs = await LayeredFilesystem.fromImage(image, {
    limits: open.limits,
    tempDir: open.tempDir,
    indexed,
    content: (i) => analyzers[i],
    onIndexed: async (i, parsed) => {
      const layer = layers[i];
      const analysis = analyses[i];
      if (options.cache && layer && analysis)
        await options.cache.put(layer.diffId, key, { index: parsed, analysis });
    },
  });

  const content = new CapturedContent(fs, analyses, options.captureMaxBytes);
  const distro = await detectDistro(content.resolver());
  const distroContext = distro
    ? {
        id: distro.id,
        ...(distro.versionId ? { versionId: distro.versionId } : {}),
        ...(distro.versionCodename ? { codename: distro.versionCodename } : {}),
      }
    : undefined;
  const run = await runCatalogers(
    fs,
    content,
    options.catalogers,
    distroContext ? { distro: distroContext } : {},
  );
  const evidenceMode = image.directory ? 'directory' : 'image';
  settleDeclaredPackages(run, evidenceMode);
  const { fileOwners } = attachOwnership(run.packages, (path) => canonicalParent(fs, path));
  await attachOrigins(fs, content, analyses, run, distroContext ? { distro: distroContext } : {});
  if (options.scope === 'all-layers') {
    await addAllLayerPackages(
      fs,
      analyses,
      run,
      options.catalogers,
      distroContext ? { distro: distroContext } : {},
    );
    settleDeclaredPackages(run, evidenceMode);
  }

  const files: FileRecord[] = fs.entries().map((e) => {
    const layer = fs.layers[e.layer];
    const sha256 = e.type === 'file' ? analyses[e.layer]?.digests.get(e.path) : undefined;
    const owner = fileOwners.get(e.path);
    return {
      path: e.path,
      type: e.type,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      size: e.size,
      ...(e.linkTarget !== undefined ? { linkTarget: e.linkTarget } : {}),
      ...(sha256 ? { sha256 } : {}),
      ...(layer ? { layerDiffId: layer.diffId } : {}),
      ...(owner ? { ownerPackage: owner.id } : {}),
    };
  });

  const finalOnly = <T extends { path: string }>(items: (a: LayerAnalysis) => T[]): T[] =>
    options.scope === 'all-layers'
      ? analyses.flatMap(items)
      : analyses.flatMap((a, i) => items(a).filter((s) => fs.lstat(s.path)?.layer === i));
  const contentMatches = finalOnly((a) => a.contentMatches ?? []);
  const secrets: SecretFinding[] = finalOnly((a) => a.secrets);

  const inspected = await inspectImage(image);
  const distroOut = distro
    ? {
        id: distro.id,
        ...(distro.versionId ? { versionId: distro.versionId } : {}),
        ...(distro.versionCodename ? { versionCodename: distro.versionCodename } : {}),
        ...(distro.prettyName ? { prettyName: distro.prettyName } : {}),
        ...(distro.idLike.length ? { idLike: distro.idLike } : {}),
      }
    : undefined;
  const retrieved = new Map<string, Buffer>();
  for (const pattern of [...RETRIEVED_FILES_DEFAULT, ...(options.extraCaptureGlobs ?? [])]) {
    for (const entry of fs.glob(pattern)) {
      const bytes = content.captured(entry);
      if (bytes) retrieved.set(entry.path, bytes);
    }
  }
  const document: SbomDocument = {
    schemaVersion: NATIVE_SCHEMA_VERSION,
    descriptor: { name: 'portcullis', version: PORTCULLIS_VERSION },
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    source: {
      type: 'image',
      input: image.source,
      digest: image.digest,
      mediaType: image.mediaType,
      platform: inspected.platform,
      layers: inspected.layers.map((l) => ({
        index: l.index,
        digest: l.digest,
        diffId: l.diffId,
        size: l.size,
        mediaType: l.mediaType,
        ...(l.createdBy ? { createdBy: l.createdBy } : {}),
      })),
    },
    ...(distroOut ? { distro: distroOut } : {}),
    packages: run.packages,
    relationships: run.relationships,
    files,
    secrets,
    ...(options.contentSearch?.length ? { contentMatches } : {}),
    unknowns: [
      ...fs.problems.map((p) => ({
        path: p.path,
        cataloger: 'filesystem',
        reason: p.message,
        ...(fs.layers[p.layer] ? { layerDiffId: fs.layers[p.layer]?.diffId as string } : {}),
      })),
      ...unreadableOsRelease(fs),
      ...run.unknowns,
    ],
  };
  return { document, retrieved };
}
