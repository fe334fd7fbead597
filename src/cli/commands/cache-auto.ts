/**
 * Automatic pruning: after every command that analyzes an image (and so may have filled the
 * blob and layer caches), the caches are pruned down to --cache-max-size /
 * PORTCULLIS_CACHE_MAX_SIZE (default 10 GiB). Under the limit this costs an estimate that
 * re-reads only the cache folders changed since the last one (usage-estimate.ts); only over it
 * is every entry stat-ed to find the least recently used.
 */
import type { Command } from 'commander';
import type { GlobalFlags } from '../../config/index.js';

/** Top-level commands that read images into the caches. */
const ANALYZING_COMMANDS = new Set(['sbom', 'scan', 'evaluate', 'image']);

function topLevelName(cmd: Command): string {
  let current = cmd;
  while (current.parent?.parent) current = current.parent;
  return current.name();
}

export function registerAutomaticPruning(program: Command): void {
  program
    .option(
      '--cache-max-size <size>',
      'prune the blob and layer caches to this size after each analysis: 500MB, 2GiB, bytes or ' +
        '"unlimited" (env PORTCULLIS_CACHE_MAX_SIZE; default 10GiB; the vulnerability database is not counted)',
    )
    // Validated before the analysis runs: a typo must not cost a whole scan first.
    // Loaded here, not at start: `--version` and `--help` must not pay for the cache modules.
    .hook('preAction', async (_root, action) => {
      if (!ANALYZING_COMMANDS.has(topLevelName(action))) return;
      const { resolveCacheMaxBytes } = await import('../../config/index.js');
      resolveCacheMaxBytes(action.optsWithGlobals<GlobalFlags>());
    })
    .hook('postAction', async (_root, action) => {
      if (!ANALYZING_COMMANDS.has(topLevelName(action))) return;
      const { defaultCacheDir, resolveCacheMaxBytes } = await import('../../config/index.js');
      const { estimateCacheBytes, pruneCache } = await import('../../core/cache/index.js');
      const flags = action.optsWithGlobals<GlobalFlags>();
      const maxBytes = resolveCacheMaxBytes(flags);
      if (maxBytes === undefined) return;
      const cacheDir = flags.cacheDir ?? defaultCacheDir();
      // Pruning is housekeeping: a cache we cannot prune never fails the analysis it follows.
      if ((await estimateCacheBytes(cacheDir)) <= maxBytes) return;
      await pruneCache(cacheDir, { maxBytes }).catch(() => undefined);
    });
}
