/**
 * Every event type the service writes, by Anchore's category and subcategory, with its level
 * and a one-line description: `GET /v1/event_types` lists it, and `EventInput.type` accepts
 * only these, so a new event cannot be written without being listed.
 */
export const EVENT_CATALOGUE = {
  user: {
    image: [
      { type: 'user.image.analysis.completed', level: 'info', message: 'Image analysis completed' },
      { type: 'user.image.analysis.failed', level: 'error', message: 'Image analysis failed' },
      {
        type: 'user.image.promotion.rejected',
        level: 'error',
        message: 'A promotion was rejected by policy',
      },
      {
        type: 'user.image.promotion.recheck_failed',
        level: 'error',
        message: 'A promoted image now fails its policy',
      },
    ],
    checks: [
      {
        type: 'user.checks.tag.vulnerabilities.update',
        level: 'info',
        message: 'Vulnerabilities of a tag changed',
      },
      {
        type: 'user.checks.tag.policy_evaluation.update',
        level: 'info',
        message: 'Policy result of a tag changed',
      },
    ],
    policy: [
      { type: 'user.policy.active.updated', level: 'info', message: 'Another policy bundle was activated' },
      {
        type: 'user.policy.active.content_change',
        level: 'info',
        message: 'The active policy bundle changed',
      },
    ],
  },
  system: {
    feeds: [
      { type: 'system.feeds.sync.started', level: 'info', message: 'Feed sync started' },
      { type: 'system.feeds.sync.completed', level: 'info', message: 'Feed sync completed' },
      { type: 'system.feeds.sync.failed', level: 'error', message: 'Feed sync failed' },
    ],
    image_analysis: [
      {
        type: 'system.image_analysis.registry_lookup_failed',
        level: 'error',
        message: 'Registry lookup failed',
      },
      {
        type: 'system.image_analysis.restored_from_archive',
        level: 'info',
        message: 'Image analysis restored from the archive',
      },
    ],
    analysis_archive: [
      { type: 'system.analysis_archive.image_archived', level: 'info', message: 'Image analysis archived' },
      {
        type: 'system.analysis_archive.archived_image_deleted',
        level: 'info',
        message: 'Archived image analysis deleted',
      },
    ],
    repository: [
      {
        type: 'system.repository.list_tags_fail',
        level: 'error',
        message: 'Listing the tags of a watched repository failed',
      },
    ],
  },
} as const;

type Catalogue = typeof EVENT_CATALOGUE;
type Entry = {
  [C in keyof Catalogue]: { [S in keyof Catalogue[C]]: Catalogue[C][S] }[keyof Catalogue[C]];
}[keyof Catalogue];

export type EventType = (Entry extends readonly (infer E)[] ? E : never) extends { type: infer T }
  ? T
  : never;
