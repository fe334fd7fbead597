/**
 * `portcullis cache status|prune`: what the blob and layer caches under the cache dir hold, and
 * least-recently-used eviction down to a size. The vulnerability database, which also lives
 * under the cache dir, is neither counted nor ever removed.
 */
import { commandSummary } from '../command-table.js';
import { Option, type Command } from 'commander';
import { defaultCacheDir, resolveCacheMaxBytes } from '../../config/index.js';
import {
  CACHE_KINDS,
  formatSize,
  parseSize,
  pruneCache,
  readCacheInventory,
  summarizeCache,
  type CacheSummary,
  type PruneReport,
} from '../../core/cache/index.js';
import { PortcullisError } from '../../core/errors.js';
import { allFlags } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson, renderTable } from '../output.js';

interface CacheFlags {
  cacheDir?: string;
  cacheMaxSize?: string;
  output?: string;
}

interface PruneFlags extends CacheFlags {
  maxSize?: string;
  all?: boolean;
  dryRun?: boolean;
}

const outputOption = () =>
  new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table');

function renderSummary(summary: CacheSummary): string {
  const rows = CACHE_KINDS.map((kind) => {
    const k = summary.kinds[kind];
    return [
      kind,
      String(k.entries),
      formatSize(k.entryBytes),
      `${k.temps} (${formatSize(k.tempBytes)})`,
      String(k.bytes),
    ];
  });
  rows.push(['total', '', '', '', String(summary.totalBytes)]);
  return (
    renderTable(['cache', 'entries', 'entry size', 'temp files', 'bytes'], rows) +
    `total: ${formatSize(summary.totalBytes)}\n`
  );
}

function renderPrune(report: PruneReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const perKind = CACHE_KINDS.map((kind) => {
    const gone = report.removed.filter((r) => r.kind === kind);
    return [kind, String(gone.length), formatSize(gone.reduce((sum, r) => sum + r.size, 0))];
  });
  const lines = [
    renderTable(['cache', verb, 'size'], perKind),
    `${verb} ${report.removed.length} files, ${formatSize(report.freedBytes)}: ` +
      `${formatSize(report.before.totalBytes)} -> ${formatSize(report.afterBytes)} ` +
      `(limit ${formatSize(report.maxBytes)})\n`,
  ];
  for (const f of report.failed) lines.push(`could not remove ${f.path}: ${f.reason}\n`);
  return lines.join('');
}

/** The byte limit of `cache prune`: --all > --max-size > the configured automatic limit. */
function pruneLimit(flags: PruneFlags): number {
  if (flags.all) return 0;
  if (flags.maxSize !== undefined) return parseSize(flags.maxSize, '--max-size');
  const configured = resolveCacheMaxBytes(flags);
  if (configured === undefined) {
    throw new PortcullisError(
      'CONFIG_INVALID',
      'the cache size is unlimited (--cache-max-size / PORTCULLIS_CACHE_MAX_SIZE): give --max-size or --all',
    );
  }
  return configured;
}

export function registerCacheCommands(program: Command): void {
  const cache = program.command('cache').description(commandSummary('cache'));

  cache
    .command('status')
    .description('per cache: entries, temp files and bytes, and the total')
    .addOption(outputOption())
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = allFlags<CacheFlags>(cmd);
      const inventory = await readCacheInventory(flags.cacheDir ?? defaultCacheDir());
      const summary = summarizeCache(inventory.files);
      if (flags.output === 'json') printJson(summary);
      else process.stdout.write(renderSummary(summary));
    });

  cache
    .command('prune')
    .description('remove least-recently-used cache entries until the caches fit a size')
    .option(
      '--max-size <size>',
      'size to prune down to: 500MB, 2GiB or bytes (default: --cache-max-size, else 10GiB)',
    )
    .option('--all', 'empty the blob and layer caches (the vulnerability database stays)')
    .option('--dry-run', 'only report what would be removed')
    .addOption(outputOption())
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = allFlags<PruneFlags>(cmd);
      const maxBytes = pruneLimit(flags);
      const report = await pruneCache(flags.cacheDir ?? defaultCacheDir(), {
        maxBytes,
        dryRun: Boolean(flags.dryRun),
      });
      if (flags.output === 'json') printJson(report);
      else process.stdout.write(renderPrune(report));
      if (report.failed.length > 0) process.exitCode = EXIT.ERROR;
    });
}
