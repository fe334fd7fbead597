/**
 * What the analyzing commands (sbom, scan, evaluate, explain) share: their flags, turning
 * flags and the user's files into a pipeline request, and opening the local vulnerability
 * database (this CLI's composition root for the store). Commands stay thin: flags in, one
 * pipeline call, output out.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveDatabaseUrl, type GlobalFlags } from '../config/index.js';
import type { ImageEnvironment, ImageRequest } from '../core/image/options.js';
import { MAX_INPUT_BYTES, MAX_SBOM_BYTES, readBoundedFile } from '../core/io/read-bounded-file.js';
import type { AnalysisScope, AnalyzeRequest } from '../core/pipeline/analyze.js';
import type { VulnerabilityData } from '../core/pipeline/index.js';
import { vulnerabilityDataOf } from '../store/vulnerability-data.js';
import { migrate } from '../store/migrate.js';
import { openLockedDatabase } from '../store/open-embedded.js';
import type { Sql } from '../store/sql.js';
import { VulnerabilityStore, type VulnerabilityStoreOptions } from '../store/vulnerability-store.js';
import type { CliRuntime } from './runtime.js';

export interface AnalyzeFlags extends GlobalFlags {
  scope?: AnalysisScope;
  secrets?: boolean;
  secretRules?: string[];
  contentSearch?: string[];
  /** Commander stores `--no-layer-cache` as `layerCache: false`. */
  layerCache?: boolean;
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

/**
 * The pipeline request for `source` under these flags: the user's files (an `sbom:` document,
 * secret rule files) are read here, so the pipeline gets bodies only.
 */
export async function analyzeRequest(
  source: string,
  flags: AnalyzeFlags,
  environment: ImageEnvironment,
  image: ImageRequest,
  runtime: CliRuntime,
): Promise<AnalyzeRequest> {
  const extraSecretRules = [];
  for (const file of flags.secretRules ?? []) {
    const text = (await readBoundedFile(file, 'secret rules', MAX_INPUT_BYTES)).toString('utf8');
    extraSecretRules.push({ name: file, text });
  }
  const subject: AnalyzeRequest['subject'] = source.startsWith('sbom:')
    ? {
        kind: 'sbom',
        name: source.slice('sbom:'.length),
        body: await readBoundedFile(source.slice('sbom:'.length), 'SBOM file', MAX_SBOM_BYTES),
      }
    : { kind: 'image', source };
  return {
    subject,
    environment,
    image,
    catalog: {
      ...(flags.scope ? { scope: flags.scope } : {}),
      secrets: flags.secrets !== false,
      extraSecretRules,
      contentSearch: flags.contentSearch ?? [],
      layerCache: !(flags.noLayerCache || flags.layerCache === false),
    },
    signal: runtime.signal,
    observer: runtime.observer,
  };
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

export interface OpenedDatabase {
  db: Sql;
  store: VulnerabilityStore;
  /** The store as the pipeline's vulnerability-data port. */
  data: VulnerabilityData;
  close: () => Promise<void>;
}

/** The local vulnerability database: embedded PGlite under the cache dir unless a URL is given. */
export async function openVulnerabilityDatabase(
  flags: DatabaseFlags,
  cacheDir: string,
  env?: Readonly<Record<string, string | undefined>>,
  storeOptions: VulnerabilityStoreOptions = {},
): Promise<OpenedDatabase> {
  const url = resolveDatabaseUrl(flags, env);
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
  const store = new VulnerabilityStore(db, storeOptions);
  return { db, store, data: vulnerabilityDataOf(db, store), close: () => db.close() };
}
