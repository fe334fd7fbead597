/** Job kinds, named once: the API enqueues them, the worker runs them (they never import each other). */
export const JOB_KINDS = {
  analyzeImage: 'analyze-image',
  deliverNotification: 'deliver-notification',
  promote: 'promote',
  syncFeeds: 'sync-feeds',
  reevaluateAccount: 'reevaluate-account',
  watchRegistry: 'watch-registry',
  registryPush: 'registry-push',
  applyArchiveRules: 'apply-archive-rules',
} as const;

/** The one singleton key every sync-feeds job carries: at most one is queued or running. */
export const SYNC_FEEDS_SINGLETON_KEY = 'vulnerability-feeds';
