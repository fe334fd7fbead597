/**
 * What one poll of a registry does (job `watch-registry`): each watched tag is read (its top
 * digest: an index's own digest), each watched repository's tag list is read (bounded, paged)
 * and its new tags are read; every sighting goes through `handlePush`, the same path a registry
 * notification takes (tag watchers, repository watchers, promotions), so a notification and a
 * poll of the same push do the work once. Reads use the watching accounts' own credentials.
 */
import type { PushEvent } from '../queue/push.js';
import type { WatchedRepo, WatchedTag } from '../store/repositories/watches.js';
import { handlePush, type PushConsumerDeps } from './push-consumers.js';

/** Registry reads the watchers need, with an account's registry credentials. */
export interface RegistryReader {
  /** Every tag of the repository (bounded: a hostile registry fails with a clear error). */
  listTags(repo: { registry: string; repository: string }, accountName: string): Promise<string[]>;
  /** What the tag names now: the manifest's or index's own digest and media type. */
  headTag(
    ref: { registry: string; repository: string; tag: string },
    accountName: string,
  ): Promise<{ digest: string; mediaType: string }>;
}

export interface PollDeps extends PushConsumerDeps {
  reader: RegistryReader;
  /** New tags of one repository read per poll; the rest come in later polls. */
  maxNewTagsPerPoll: number;
  signal: AbortSignal;
}

/** Tries each account's credentials in turn; the last failure is thrown when none works. */
async function withAnyAccount<T>(
  accounts: readonly string[],
  read: (account: string) => Promise<T>,
): Promise<T> {
  let failure: unknown = new Error('no account watches this');
  for (const account of accounts) {
    try {
      return await read(account);
    } catch (err) {
      failure = err;
    }
  }
  throw failure;
}

async function sight(
  deps: PollDeps,
  registry: string,
  repo: string,
  tag: string,
  accounts: readonly string[],
) {
  let now: { digest: string; mediaType: string };
  try {
    now = await withAnyAccount(accounts, (account) =>
      deps.reader.headTag({ registry, repository: repo, tag }, account),
    );
  } catch (err) {
    // Anchore's event for a watched tag the registry could not be asked about; then thrown
    // (the registry backs off, so this is written once per poll of a failing registry).
    const message = (err as Error).message;
    for (const accountName of new Set(accounts))
      await deps.notifier.recordEvent({
        accountName,
        type: 'system.image_analysis.registry_lookup_failed',
        level: 'error',
        message: 'looking up a watched tag in its registry failed',
        details: { error: message, registry, repository: repo, tag },
        resourceType: 'image_tag',
        resourceId: `${registry}/${repo}:${tag}`,
        sourceService: 'watcher',
        sourceHost: 'portcullis',
      });
    throw err;
  }
  const event: PushEvent = {
    registry,
    repository: repo,
    tag,
    digest: now.digest,
    mediaType: now.mediaType,
    receivedFrom: `watcher of ${registry}/${repo}`,
    eventId: `watch:${registry}/${repo}:${tag}@${now.digest}`,
    via: 'watch',
  };
  await handlePush(deps, event, undefined, deps.signal);
}

/** Polls the watched tags of one registry (all of `watched` are on it). */
export async function pollTags(
  deps: PollDeps,
  registry: string,
  watched: readonly WatchedTag[],
): Promise<void> {
  const byTag = new Map<string, { repo: string; tag: string; accounts: string[] }>();
  for (const w of watched) {
    const key = `${w.repo}:${w.tag}`;
    const entry = byTag.get(key) ?? { repo: w.repo, tag: w.tag, accounts: [] };
    entry.accounts.push(w.accountName);
    byTag.set(key, entry);
  }
  for (const { repo, tag, accounts } of byTag.values()) {
    deps.signal.throwIfAborted();
    await sight(deps, registry, repo, tag, accounts);
  }
}

/**
 * Lists one watched repository and hands on its new tags (a tag some watching account lacks).
 * A failed listing is recorded on the repository's watch and as a `system.repository.list_tags_fail`
 * event of each watching account, then thrown (the registry backs off).
 */
export async function pollRepository(
  deps: PollDeps,
  registry: string,
  repo: string,
  watchers: readonly WatchedRepo[],
): Promise<void> {
  const accounts = watchers.map((w) => w.accountName);
  let tags: string[];
  try {
    tags = await withAnyAccount(accounts, (account) =>
      deps.reader.listTags({ registry, repository: repo }, account),
    );
  } catch (err) {
    const message = (err as Error).message;
    await deps.store.watches.repoPolled(registry, repo, message, null);
    for (const accountName of new Set(accounts))
      await deps.notifier.recordEvent({
        accountName,
        type: 'system.repository.list_tags_fail',
        level: 'error',
        category: 'system',
        message: 'listing the tags of a watched repository failed',
        details: { error: message, registry, repository: repo },
        resourceType: 'repository',
        resourceId: `${registry}/${repo}`,
        sourceService: 'watcher',
        sourceHost: 'portcullis',
      });
    throw err;
  }
  const known = await deps.store.watches.knownTags(registry, repo);
  const fresh = tags.filter((t) => accounts.some((a) => !known.get(a)?.has(t)));
  for (const tag of fresh.slice(0, deps.maxNewTagsPerPoll)) {
    deps.signal.throwIfAborted();
    await sight(deps, registry, repo, tag, accounts);
  }
  await deps.store.watches.repoPolled(registry, repo, null, tags.length);
}
