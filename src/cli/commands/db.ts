/**
 * `portcullis db status|update|export|import`: the local vulnerability database (embedded under
 * the cache dir, or PostgreSQL with --db-url / PORTCULLIS_DB_URL) and its offline bundle.
 */
import { commandSummary } from '../command-table.js';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { defaultCacheDir } from '../../config/index.js';
import { FEED_DRIVERS } from '../../core/advisories/feeds/registry.js';
import { DEFAULT_UPSTREAM_OPTIONS } from '../../core/advisories/feed.js';
import type { SyncOptions } from '../../core/advisories/sync.js';
import { PortcullisError } from '../../core/errors.js';
import { exportBundle } from '../../store/bundle-export.js';
import { importBundle } from '../../store/bundle-import.js';
import { updateFeeds, type FeedOutcome } from '../../store/update-feeds.js';
import type { FeedStatus } from '../../store/vulnerability-store.js';
import { addDatabaseFlags, openVulnerabilityDatabase, type DatabaseFlags } from '../analyze.js';
import { allFlags } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson, renderTable } from '../output.js';
import type { CliRuntime } from '../runtime.js';

type DbFlags = DatabaseFlags & { output?: string };

async function withDatabase<T>(
  cmd: Command,
  fn: (db: Awaited<ReturnType<typeof openVulnerabilityDatabase>>, cacheDir: string) => Promise<T>,
): Promise<T> {
  const flags = allFlags<DbFlags>(cmd);
  const cacheDir = flags.cacheDir ?? defaultCacheDir();
  const opened = await openVulnerabilityDatabase(flags, cacheDir);
  try {
    return await fn(opened, cacheDir);
  } finally {
    await opened.close();
  }
}

const skippedTotal = (report: FeedStatus['report']): number =>
  'skippedByReason' in report ? Object.values(report.skippedByReason).reduce((a, b) => a + (b ?? 0), 0) : 0;

function renderStatus(status: FeedStatus[]): string {
  if (status.length === 0) return 'no vulnerability data yet: run `portcullis db update` or `db import`\n';
  return renderTable(
    ['source', 'last sync', 'records', 'skipped', 'source version'],
    status.map((s) => [
      s.source,
      s.lastSync,
      String(s.records),
      String(skippedTotal(s.report)),
      s.sourceVersion ?? '-',
    ]),
  );
}

function renderOutcomes(outcomes: FeedOutcome[]): string {
  return renderTable(
    ['feed', 'outcome', 'records', 'skipped', 'changed packages', 'seconds', 'error'],
    outcomes.map((o) => [
      o.driver,
      o.status,
      o.status === 'updated' ? String(o.records) : '-',
      o.status === 'updated' && o.report ? String(skippedTotal(o.report)) : '-',
      o.status === 'updated' ? String(o.changedKeys.length) : '-',
      (o.durationMs / 1000).toFixed(1),
      o.status === 'failed' ? o.error : '',
    ]),
  );
}

async function requireDirectory(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new PortcullisError('INVALID_ARGUMENT', `--mirror ${dir} is not a directory`, {
      details: { path: dir },
    });
  }
  return resolve(dir);
}

const outputOption = () =>
  new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table');

export function registerDbCommands(program: Command, runtime?: CliRuntime): void {
  const db = program.command('db').description(commandSummary('db'));

  addDatabaseFlags(
    db.command('status').description('per source: last sync, records, skipped entries, version'),
  )
    .addOption(outputOption())
    .action(async (_opts: unknown, cmd: Command) => {
      const status = await withDatabase(cmd, ({ store }) => store.status());
      if (allFlags<DbFlags>(cmd).output === 'json') printJson(status);
      else process.stdout.write(renderStatus(status));
    });

  addDatabaseFlags(
    db
      .command('update')
      .description('sync every feed from its upstream (into the cache dir) or from a mirror directory'),
  )
    .option('--mirror <dir>', 'read feeds from a directory laid out like the shared data mirror (offline)')
    .option('--force', 'read and store feeds even when the upstream did not change')
    .addOption(outputOption())
    .action(async (opts: { mirror?: string; force?: boolean }, cmd: Command) => {
      const mirror = opts.mirror === undefined ? undefined : await requireDirectory(opts.mirror);
      const outcomes = await withDatabase(cmd, async ({ store }, cacheDir) => {
        const options: SyncOptions = {
          mode: mirror ? { mirrorDir: mirror } : { cacheDir },
          upstream: DEFAULT_UPSTREAM_OPTIONS,
          ...(opts.force ? { force: true } : {}),
        };
        // Mirror-only sources (no downloadable upstream) are left as they are on a live update.
        const drivers = mirror
          ? FEED_DRIVERS
          : FEED_DRIVERS.filter((d) => d.upstream(DEFAULT_UPSTREAM_OPTIONS).length > 0);
        // One feed at a time (as updateFeeds goes anyway), so the progress line can name it.
        const outcomes: FeedOutcome[] = [];
        for (const [i, driver] of drivers.entries()) {
          runtime?.progress?.show(
            `updating vulnerability data: ${driver.id} (${i + 1}/${drivers.length})`,
            true,
          );
          outcomes.push(...(await updateFeeds(store, [driver], options)));
        }
        runtime?.progress?.clear();
        return outcomes;
      });
      if (allFlags<DbFlags>(cmd).output === 'json') printJson(outcomes);
      else process.stdout.write(renderOutcomes(outcomes));
      if (outcomes.some((o) => o.status === 'failed')) process.exitCode = EXIT.ERROR;
    });

  addDatabaseFlags(db.command('export').description('write the whole database into one offline bundle file'))
    .argument('<file>', 'bundle to write (gzip of NDJSON with a checksummed manifest)')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const { manifest } = await withDatabase(cmd, ({ db: sql }) => exportBundle(sql, file));
      process.stdout.write(
        `${file}: ${manifest.sources.length} sources, ${manifest.payload.lines} records, sha256 ${manifest.payload.sha256}\n`,
      );
    });

  addDatabaseFlags(
    db
      .command('import')
      .description('verify an offline bundle, then replace each source it carries (all or nothing)'),
  )
    .argument('<file>', 'bundle written by `db export`')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const { sources } = await withDatabase(cmd, ({ db: sql }) => importBundle(sql, file));
      process.stdout.write(
        renderTable(
          ['source', 'records', 'changed packages'],
          sources.map((s) => [s.source, String(s.rows), String(s.changedKeys.length)]),
        ),
      );
    });
}
