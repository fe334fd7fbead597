/**
 * What a tag watcher does once it knows (by a poll or a registry push) what a watched tag points
 * at now: for every account watching the tag whose last seen digest differs, the new digest is
 * added as the tag's image (analysed unless already analysed: `analysis_update`, `vuln_update`
 * and `policy_eval` against the previous digest follow from there, notifications/tag-moved.ts)
 * and `tag_update` is queued with the old and new digests.
 * A watched repository's new tag is added and, with `autosubscribe`, subscribed.
 */
import type { Logger } from 'pino';
import type { Notifier } from '../notifications/notify.js';
import { notifyTagMoves } from '../notifications/tag-moved.js';
import type { JobQueue } from '../queue/queue.js';
import { addImageAndQueue } from '../queue/request-analysis.js';
import { evaluateForAccounts } from '../store/evaluate-analysis.js';
import type { ServiceStore } from '../store/repositories/index.js';

/** The digest a reference names now, read with the account's registry credentials. */
export type ResolveTag = (
  reference: { registry: string; repository: string; tag?: string; digest?: string },
  accountName: string,
) => Promise<{ digest: string; parentDigest: string | null }>;

export interface TagWatchDeps {
  store: ServiceStore;
  queue: JobQueue;
  notifier: Notifier;
  resolveTag: ResolveTag;
  log: Logger;
}

export interface TagChange {
  accountName: string;
  fullTag: string;
  from: string | undefined;
  to: string;
}

export interface ObservedTag {
  registry: string;
  repo: string;
  tag: string;
  /** A pushed digest (index or manifest); absent = resolve the tag itself. */
  digest?: string;
}

/**
 * Applies what the tag points at now to every account watching it (`tag_update`), or watching
 * its repository (`repo_update`: a tag the account does not have yet). Returns the changes made.
 */
export async function observeTag(deps: TagWatchDeps, observed: ObservedTag): Promise<TagChange[]> {
  const { store } = deps;
  const key = `${observed.registry}/${observed.repo}:${observed.tag}`;
  const tagWatchers = await store.watches.watchedTags({
    registry: observed.registry,
    repo: observed.repo,
    tag: observed.tag,
  });
  const repoWatchers = await store.watches.watchedRepos({ registry: observed.registry, repo: observed.repo });
  const accounts = new Map<string, { autosubscribe: boolean; newOnly: boolean }>();
  for (const w of tagWatchers) accounts.set(w.accountName, { autosubscribe: false, newOnly: false });
  for (const w of repoWatchers)
    if (!accounts.has(w.accountName))
      accounts.set(w.accountName, { autosubscribe: w.autosubscribe, newOnly: true });
  const changes: TagChange[] = [];
  for (const [accountName, how] of accounts) {
    const seen = await store.watches.lastSeen(accountName, observed);
    const last = seen?.digest;
    if (how.newOnly && last !== undefined) continue; // repo_update adds tags, tag_update follows them
    // The pushed (or polled) digest is what the account has: its image, or that image's index.
    if (observed.digest !== undefined && (observed.digest === last || observed.digest === seen?.parentDigest))
      continue;
    const now = await deps.resolveTag(
      {
        registry: observed.registry,
        repository: observed.repo,
        ...(observed.digest ? { digest: observed.digest } : { tag: observed.tag }),
      },
      accountName,
    );
    if (now.digest === last) continue;
    const image = await addImageAndQueue(store, deps.queue, {
      accountName,
      imageDigest: now.digest,
      parentDigest: now.parentDigest,
      tag: { registry: observed.registry, repo: observed.repo, tag: observed.tag },
    });
    if (how.newOnly) await store.subscriptions.ensureForTag(accountName, key, how.autosubscribe);
    await deps.notifier.notify(accountName, key, {
      type: 'tag_update',
      currentDigests: [now.digest],
      lastDigests: last ? [last] : [],
    });
    // Back to (or on to) a digest the account had analysed: no analysis follows, so the tag is
    // evaluated and compared with its previous digest here.
    if (image.analysisStatus === 'analyzed') {
      await evaluateForAccounts(store, [accountName], now.digest);
      await notifyTagMoves({ store, notifier: deps.notifier }, accountName, now.digest);
    }
    deps.log.info({ account: accountName, tag: key, from: last, to: now.digest }, 'watched tag moved');
    changes.push({ accountName, fullTag: key, from: last, to: now.digest });
  }
  return changes;
}
