/** The `ruby_gems` gate: gems against rubygems.org metadata (needs a package-metadata feed). */
import type { GateDefinition } from '../gate.js';
import { languageFeedTriggers } from './language-feed.js';

export const rubyGemsGate: GateDefinition = {
  name: 'ruby_gems',
  description: 'Checks Ruby gems against rubygems.org metadata.',
  state: 'active',
  triggers: languageFeedTriggers({
    label: 'GEM',
    packageType: 'gem',
    feed: (ctx) => ctx.input.packageFeeds?.gem,
    newer: 'newer_version_found_in_feed',
    unknown: 'not_found_in_feed',
    versionMissing: 'version_not_found_in_feed',
    blacklist: 'blacklist',
  }),
};
