/**
 * watch-registry: polls each registry that is due: its watched tags (active `tag_update`
 * subscriptions) and watched repositories (active `repo_update`: the tag list, new tags), and
 * applies what it finds through the push path (src/worker/registry-poll.ts). A registry that
 * fails is polled again after a backoff that doubles per consecutive failure (up to
 * `maxBackoffMs`), without delaying the others. A singleton: one poll round at a time across
 * all workers; the schedule queues a round every `tickMs`.
 */
import { z } from 'zod';
import { Notifier } from '../../notifications/notify.js';
import { JOB_KINDS } from '../../queue/kinds.js';
import { JobQueue } from '../../queue/queue.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import type { WatchedRepo, WatchedTag } from '../../store/repositories/watches.js';
import { pollRepository, pollTags, type RegistryReader } from '../registry-poll.js';
import type { ResolveTag } from '../tag-watch.js';
import { defineJob, type JobDefinition } from '../types.js';

export interface WatchOptions {
  /** How often each registry's watched tags are polled. */
  intervalMs: number;
  /** The longest a failing registry waits between polls. */
  maxBackoffMs: number;
  /** New tags of one watched repository read per poll (the rest in later polls). */
  maxNewTagsPerPoll: number;
}

export const DEFAULT_WATCH_OPTIONS: Readonly<WatchOptions> = Object.freeze({
  intervalMs: 10 * 60_000,
  maxBackoffMs: 4 * 3600_000,
  maxNewTagsPerPoll: 100,
});

export interface WatchRegistryDeps {
  store: ServiceStore;
  resolveTag: ResolveTag;
  reader: RegistryReader;
  notifier?: Notifier;
  watch?: Partial<WatchOptions>;
}

export const WATCH_SINGLETON_KEY = 'registry-watch';

interface RegistryWatches {
  tags: WatchedTag[];
  repos: Map<string, WatchedRepo[]>;
}

async function watchesByRegistry(store: ServiceStore): Promise<Map<string, RegistryWatches>> {
  const byRegistry = new Map<string, RegistryWatches>();
  const of = (registry: string) => {
    let entry = byRegistry.get(registry);
    if (!entry) byRegistry.set(registry, (entry = { tags: [], repos: new Map() }));
    return entry;
  };
  for (const w of await store.watches.watchedTags()) of(w.registry).tags.push(w);
  for (const w of await store.watches.watchedRepos()) {
    const repos = of(w.registry).repos;
    repos.set(w.repo, [...(repos.get(w.repo) ?? []), w]);
  }
  return byRegistry;
}

export function watchRegistryJob(deps: WatchRegistryDeps): JobDefinition {
  const queue = new JobQueue(deps.store.db);
  const notifier = deps.notifier ?? new Notifier(deps.store.db, queue);
  const options = { ...DEFAULT_WATCH_OPTIONS, ...deps.watch };
  return defineJob<Record<string, never> | null>({
    kind: JOB_KINDS.watchRegistry,
    payload: z.object({}).strict().nullable(),
    maxAttempts: 1,
    async run(_payload, ctx) {
      const byRegistry = await watchesByRegistry(deps.store);
      for (const registry of await deps.store.watches.duePolls([...byRegistry.keys()])) {
        ctx.signal.throwIfAborted();
        const watches = byRegistry.get(registry) ?? { tags: [], repos: new Map() };
        const poll = {
          store: deps.store,
          queue,
          notifier,
          resolveTag: deps.resolveTag,
          reader: deps.reader,
          maxNewTagsPerPoll: options.maxNewTagsPerPoll,
          signal: ctx.signal,
          log: ctx.log,
        };
        let error: string | null = null;
        try {
          await pollTags(poll, registry, watches.tags);
          for (const [repo, watchers] of watches.repos) await pollRepository(poll, registry, repo, watchers);
        } catch (err) {
          error = (err as Error).message;
          ctx.log.warn({ registry, err }, 'polling a watched registry failed'); // the registry backs off as a whole
        }
        await deps.store.watches.polled(registry, error, options.intervalMs, options.maxBackoffMs);
      }
    },
  });
}

/** Queues a poll round every `tickMs` (rounds poll only registries that are due). */
export function watchSchedule(queue: JobQueue, tickMs: number): () => void {
  if (tickMs <= 0) return () => undefined;
  const tick = () =>
    void queue
      .enqueue({
        kind: JOB_KINDS.watchRegistry,
        payload: {},
        singletonKey: WATCH_SINGLETON_KEY,
        maxAttempts: 1,
      })
      .catch(() => undefined);
  tick();
  const timer = setInterval(tick, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}
