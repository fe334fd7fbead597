/**
 * watch-registry: polls every watched tag (active `tag_update` subscriptions) of each registry
 * that is due, and applies what it finds (src/worker/tag-watch.ts). A registry that fails is
 * polled again after a backoff that doubles per consecutive failure (up to `maxBackoffMs`),
 * without delaying the others. A singleton: one poll round at a time across all workers; the
 * schedule queues a round every `tickMs`.
 */
import { z } from 'zod';
import { Notifier } from '../../notifications/notify.js';
import { JOB_KINDS } from '../../queue/kinds.js';
import { JobQueue } from '../../queue/queue.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import { observeTag, type ResolveTag } from '../tag-watch.js';
import { defineJob, type JobDefinition } from '../types.js';

export interface WatchOptions {
  /** How often each registry's watched tags are polled. */
  intervalMs: number;
  /** The longest a failing registry waits between polls. */
  maxBackoffMs: number;
}

export const DEFAULT_WATCH_OPTIONS: Readonly<WatchOptions> = Object.freeze({
  intervalMs: 10 * 60_000,
  maxBackoffMs: 4 * 3600_000,
});

export interface WatchRegistryDeps {
  store: ServiceStore;
  resolveTag: ResolveTag;
  notifier?: Notifier;
  watch?: Partial<WatchOptions>;
}

export const WATCH_SINGLETON_KEY = 'registry-watch';

export function watchRegistryJob(deps: WatchRegistryDeps): JobDefinition {
  const queue = new JobQueue(deps.store.db);
  const notifier = deps.notifier ?? new Notifier(deps.store.db, queue);
  const options = { ...DEFAULT_WATCH_OPTIONS, ...deps.watch };
  return defineJob<Record<string, never> | null>({
    kind: JOB_KINDS.watchRegistry,
    payload: z.object({}).strict().nullable(),
    maxAttempts: 1,
    async run(_payload, ctx) {
      const watched = await deps.store.watches.watchedTags();
      const byRegistry = new Map<string, Set<string>>();
      for (const w of watched) {
        const tags = byRegistry.get(w.registry) ?? new Set<string>();
        tags.add(`${w.repo}:${w.tag}`);
        byRegistry.set(w.registry, tags);
      }
      for (const registry of await deps.store.watches.duePolls([...byRegistry.keys()])) {
        ctx.signal.throwIfAborted();
        let error: string | null = null;
        for (const repoTag of byRegistry.get(registry) ?? []) {
          const at = repoTag.lastIndexOf(':');
          try {
            await observeTag(
              { store: deps.store, queue, notifier, resolveTag: deps.resolveTag, log: ctx.log },
              { registry, repo: repoTag.slice(0, at), tag: repoTag.slice(at + 1) },
            );
          } catch (err) {
            error = (err as Error).message;
            ctx.log.warn({ registry, tag: repoTag, err }, 'polling a watched tag failed');
            break; // the registry backs off as a whole
          }
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
