/**
 * A registry push, as the push endpoint queues it (job kind `registry-push`) and the push
 * consumers (src/worker/push-consumers.ts) receive it: one manifest or index pushed to a
 * repository, by tag or by digest.
 */
import { z } from 'zod';
import { JOB_KINDS } from './kinds.js';
import type { JobQueue } from './queue.js';
import type { Sql } from '../store/sql.js';

export const pushEventPayload = z.object({
  /** Registry host[:port] as accounts name it (`registry.example:5000`). */
  registry: z.string().min(1).max(512),
  repository: z.string().min(1).max(512),
  /** Absent on a push by digest. */
  tag: z.string().min(1).max(128).optional(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  mediaType: z.string().max(256).optional(),
  /** Who told us: the notifying registry's source address or instance, for logs and audit. */
  receivedFrom: z.string().max(512),
  /** The registry's event id (a watcher's: `watch:<tag>@<digest>`). */
  eventId: z.string().min(1).max(256),
  /** How it was seen: a registry notification (the default) or a watcher's poll. */
  via: z.enum(['notification', 'watch']).optional(),
});
export type PushEvent = z.infer<typeof pushEventPayload>;

export function enqueuePush(
  queue: JobQueue,
  event: PushEvent,
  db?: Sql,
): Promise<{ id: string; created: boolean }> {
  return queue.enqueue({ kind: JOB_KINDS.registryPush, payload: event, maxAttempts: 5 }, db);
}
