/** On-disk cache accounting and LRU pruning (blob cache + layer cache; never the database). */
export { CACHE_KIND_DIRS, CACHE_KINDS, readCacheInventory, summarizeCache } from './inventory.js';
export type { CacheFile, CacheInventory, CacheKind, CacheSummary, KindSummary } from './inventory.js';
export { pruneCache } from './prune.js';
export type { PruneOptions, PruneReport, RemovedFile } from './prune.js';
export { formatSize, parseSize } from './size.js';
export { touchLastUse } from './touch.js';
export { estimateCacheBytes, USAGE_FILE } from './usage-estimate.js';
