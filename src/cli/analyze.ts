/**
 * Shared plumbing of the commands that analyze something (sbom, scan, evaluate): turning a
 * source string into an SBOM document, and opening the local vulnerability database. Commands
 * stay thin: flags in, core calls, output out.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { GlobalFlags } from '../config/index.js';
import { ALL_CATALOGERS } from '../core/catalog/catalogers.js';
import {
  catalogImage,
  catalogImageWithContents,
  type CatalogOptions,
} from '../core/catalog/catalog-image.js';
import { DiskLayerCache } from '../core/catalog/layer-cache.js';
import { PortcullisError } from '../core/errors.js';
import { openImage } from '../core/image/open.js';
import type { OpenOptions } from '../core/image/options.js';
import type { ImageConfigFile } from '../core/image/types.js';
import type { SbomDocument } from '../core/sbom/document.js';
import { decodeSbom } from '../core/sbom/formats/decode.js';
import { DEFAULT_SECRET_RULES } from '../core/secrets/default-rules.js';
import { loadGitleaksRules } from '../core/secrets/gitleaks.js';
import { parseContentSearchRule } from '../core/secrets/content-search.js';
import { DEFAULT_SECRET_SCAN_OPTIONS } from '../core/secrets/scan.js';
import { migrate } from '../store/migrate.js';
import { openLockedDatabase } from '../store/open-embedded.js';
import type { Sql } from '../store/sql.js';
import { VulnerabilityStore } from '../store/vulnerability-store.js';
import { MAX_INPUT_BYTES, MAX_SBOM_BYTES, readBoundedFile } from '../core/io/read-bounded-file.js';
import { withImageOptions } from './context.js';

export interface AnalyzeFlags extends GlobalFlags {
  scope?: 'squashed' | 'all-layers';
  secrets?: boolean;
  secretRules?: string[];
  contentSearch?: string[];
  noLayerCache?: boolean;
}

/** Flags every analyzing command shares. */
export function addAnalyzeFlags(cmd: Command): Command {
  return cmd
    .option(
      '--scope <scope>',
      'squashed (what the container sees) or all-layers (also files deleted by later layers)',
      'squashed',
    )
    .option('--no-secrets', 'do not scan file contents for secrets')
    .option(
      '--secret-rules <file>',
      'extra secret rules in gitleaks TOML format (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option(
      '--content-search <NAME=regex>',
      "named regex searched in file contents, as Anchore's content_search (repeatable; RE2 syntax)",
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option('--no-layer-cache', 'do not read or write the per-layer analysis cache');
}

async function catalogOptions(flags: AnalyzeFlags, open: OpenOptions): Promise<CatalogOptions> {
  const scope = flags.scope ?? 'squashed';
  if (scope !== 'squashed' && scope !== 'all-layers') {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `--scope must be squashed or all-layers, got "${String(scope)}"`,
    );
  }
  const rules = [...DEFAULT_SECRET_RULES];
  // Bump with every change to the default rules: it is part of the layer-cache key.
  const versions = ['portcullis@2'];
  for (const file of flags.secretRules ?? []) {
    const text = (await readBoundedFile(file, 'secret rules', MAX_INPUT_BYTES)).toString('utf8');
    rules.push(...loadGitleaksRules(text, file).rules);
    versions.push(`${file}:${text.length}`);
  }
  const contentSearch = (flags.contentSearch ?? []).map(parseContentSearchRule);
  return {
    catalogers: ALL_CATALOGERS,
    ...(contentSearch.length ? { contentSearch } : {}),
    scope,
    digestMaxBytes: 128 * 1024 * 1024,
    captureMaxBytes: 256 * 1024 * 1024,
    ...(flags.secrets === false
      ? {}
      : { secrets: { rules, options: DEFAULT_SECRET_SCAN_OPTIONS }, secretsVersion: versions.join(',') }),
    ...(flags.noLayerCache || (flags as { layerCache?: boolean }).layerCache === false
      ? {}
      : { cache: new DiskLayerCache(open.cacheDir) }),
  };
}

/** `sbom:<file>` reads an SBOM back; anything else is an image source. */
export async function analyzeSource(source: string, flags: AnalyzeFlags): Promise<SbomDocument> {
  if (source.startsWith('sbom:')) {
    const file = source.slice('sbom:'.length);
    return decodeSbom(await readBoundedFile(file, 'SBOM file', MAX_SBOM_BYTES), file).document;
  }
  return withImageOptions(flags, async (open) => {
    const image = await openImage(source, open);
    return catalogImage(image, open, await catalogOptions(flags, open));
  });
}

export interface DetailedAnalysis {
  document: SbomDocument;
  retrieved: Map<string, Buffer>;
  /** The image config; absent for `sbom:` sources. */
  config?: ImageConfigFile;
}

/** As analyzeSource, plus what policy gates need beyond the SBOM: retrieved files and config. */
export async function analyzeSourceDetailed(
  source: string,
  flags: AnalyzeFlags,
  /** Extra files whose contents to keep in `retrieved` (e.g. changelogs for scan). */
  captureGlobs: readonly string[] = [],
): Promise<DetailedAnalysis> {
  if (source.startsWith('sbom:'))
    return { document: await analyzeSource(source, flags), retrieved: new Map() };
  return withImageOptions(flags, async (open) => {
    const image = await openImage(source, open);
    const [result, config] = await Promise.all([
      catalogImageWithContents(image, open, {
        ...(await catalogOptions(flags, open)),
        ...(captureGlobs.length ? { extraCaptureGlobs: captureGlobs } : {}),
      }),
      image.config(),
    ]);
    return { ...result, config };
  });
}

export interface DatabaseFlags {
  cacheDir?: string;
  dbUrl?: string;
}

export function addDatabaseFlags(cmd: Command): Command {
  return cmd.option(
    '--db-url <url>',
    'PostgreSQL URL of the vulnerability database (env PORTCULLIS_DB_URL; default: embedded, under the cache dir)',
  );
}

/** The local vulnerability database: embedded PGlite under the cache dir unless a URL is given. */
export async function openVulnerabilityDatabase(
  flags: DatabaseFlags,
  cacheDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<{ db: Sql; store: VulnerabilityStore; close: () => Promise<void> }> {
  const url = flags.dbUrl ?? env.PORTCULLIS_DB_URL;
  if (!url) await mkdir(cacheDir, { recursive: true });
  const db = await openLockedDatabase(
    url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: join(cacheDir, 'db') },
    { mode: 'wait', timeoutMs: 600_000, onWait: (message) => process.stderr.write(`${message}\n`) },
  );
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return { db, store: new VulnerabilityStore(db), close: () => db.close() };
}
