/** The `npms` gate: npm packages against registry metadata (needs a package-metadata feed). */
import type { GateDefinition } from '../gate.js';
import { languageFeedTriggers } from './language-feed.js';

export const npmsGate: GateDefinition = {
  name: 'npms',
  description: 'Checks npm packages against npm registry metadata.',
  state: 'active',
  triggers: languageFeedTriggers({
    label: 'NPM',
    packageType: 'npm',
    feed: (ctx) => ctx.input.packageFeeds?.npm,
    newer: 'newer_version_in_feed',
    unknown: 'unknown_in_feeds',
    versionMissing: 'version_not_in_feeds',
    blacklist: 'blacklisted_name_version',
  }),
};
