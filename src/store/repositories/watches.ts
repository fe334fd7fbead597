/**
 * What the tag and repository watchers need from the store: who watches a tag or repository
 * (active `tag_update` / `repo_update` subscriptions), the digest each account last saw under a
 * tag, per-registry poll state with backoff, and the once-only record of push event ids.
 */
import type { Sql } from '../sql.js';

export interface WatchedTag {
  accountName: string;
  registry: string;
  repo: string;
  tag: string;
}

export interface WatchedRepo {
  accountName: string;
  registry: string;
  repo: string;
  /** The repo_update subscription's value: add new tags and subscribe them. */
  autosubscribe: boolean;
}

const splitTag = (key: string) => {
  const m = /^([^/]+)\/(.+):([^:/]+)$/.exec(key);
  return m ? { registry: m[1] as string, repo: m[2] as string, tag: m[3] as string } : undefined;
};

export class WatchRepository {
  constructor(private readonly db: Sql) {}

  /** Records a push event id; false when it was seen before (the registry retried). */
  async firstSight(id: string, registry: string, repository: string, db: Sql = this.db): Promise<boolean> {
    const { rows } = await db.query(
      `INSERT INTO registry_push_event (id, registry, repository) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [id, registry, repository],
    );
    return rows.length > 0;
  }

  /** Forgets push event ids older than this (registries stop retrying long before). */
  async pruneEvents(olderThanMs: number): Promise<number> {
    const { rows } = await this.db.query(
      `DELETE FROM registry_push_event WHERE received_at < now() - $1 * interval '1 millisecond' RETURNING id`,
      [olderThanMs],
    );
    return rows.length;
  }

  /** Tags with an active tag_update subscription, optionally of one registry (and repository). */
  async watchedTags(filter: { registry?: string; repo?: string; tag?: string } = {}): Promise<WatchedTag[]> {
    const { rows } = await this.db.query<{ account_name: string; subscription_key: string }>(
      `SELECT account_name, subscription_key FROM subscription WHERE subscription_type = 'tag_update' AND active
       ORDER BY subscription_key, account_name`,
    );
    return rows.flatMap((r) => {
      const t = splitTag(r.subscription_key);
      if (!t) return [];
      if (filter.registry !== undefined && t.registry !== filter.registry) return [];
      if (filter.repo !== undefined && t.repo !== filter.repo) return [];
      if (filter.tag !== undefined && t.tag !== filter.tag) return [];
      return [{ accountName: r.account_name, ...t }];
    });
  }

  /** Repositories with an active repo_update subscription. */
  async watchedRepos(filter: { registry?: string; repo?: string } = {}): Promise<WatchedRepo[]> {
    const { rows } = await this.db.query<{
      account_name: string;
      subscription_key: string;
      subscription_value: string | null;
    }>(
      `SELECT account_name, subscription_key, subscription_value FROM subscription
       WHERE subscription_type = 'repo_update' AND active ORDER BY subscription_key, account_name`,
    );
    return rows.flatMap((r) => {
      const slash = r.subscription_key.indexOf('/');
      if (slash < 0) return [];
      const registry = r.subscription_key.slice(0, slash);
      const repo = r.subscription_key.slice(slash + 1);
      if (filter.registry !== undefined && registry !== filter.registry) return [];
      if (filter.repo !== undefined && repo !== filter.repo) return [];
      let autosubscribe = false;
      try {
        autosubscribe =
          (JSON.parse(r.subscription_value ?? '{}') as { autosubscribe?: boolean }).autosubscribe === true;
      } catch {
        autosubscribe = false;
      }
      return [{ accountName: r.account_name, registry, repo, autosubscribe }];
    });
  }

  /** The digest the account saw last under the tag (newest detection), if any. */
  async lastDigest(
    accountName: string,
    t: { registry: string; repo: string; tag: string },
  ): Promise<string | undefined> {
    const { rows } = await this.db.query<{ image_digest: string }>(
      `SELECT image_digest FROM image_tag WHERE account_name = $1 AND registry = $2 AND repo = $3 AND tag = $4
       ORDER BY tag_detected_at DESC, last_updated DESC LIMIT 1`,
      [accountName, t.registry, t.repo, t.tag],
    );
    return rows[0]?.image_digest;
  }

  /** Registries due for a poll now (never polled, or their backoff ran out). */
  async duePolls(registries: readonly string[]): Promise<string[]> {
    if (registries.length === 0) return [];
    const { rows } = await this.db.query<{ registry: string }>(
      `SELECT r.registry FROM unnest($1::text[]) AS r(registry) WHERE NOT EXISTS (
         SELECT 1 FROM registry_watch w WHERE w.registry = r.registry AND w.next_poll_at > now())
       ORDER BY r.registry`,
      [[...registries]],
    );
    return rows.map((r) => r.registry);
  }

  /** After a poll: next one at the interval, or later with backoff after consecutive failures. */
  async polled(
    registry: string,
    error: string | null,
    intervalMs: number,
    maxBackoffMs: number,
  ): Promise<Date> {
    const { rows } = await this.db.query<{ next_poll_at: Date }>(
      `INSERT INTO registry_watch (registry, failures, last_error, last_polled_at, next_poll_at)
       VALUES ($1, CASE WHEN $2::text IS NULL THEN 0 ELSE 1 END, $2, now(), now() + $3 * interval '1 millisecond')
       ON CONFLICT (registry) DO UPDATE SET
         failures = CASE WHEN $2::text IS NULL THEN 0 ELSE registry_watch.failures + 1 END,
         last_error = $2, last_polled_at = now(),
         next_poll_at = now() + (CASE WHEN $2::text IS NULL THEN $3::double precision
           ELSE LEAST($4::double precision, $3::double precision * power(2, registry_watch.failures + 1)) END)
           * interval '1 millisecond'
       RETURNING next_poll_at`,
      [registry, error, intervalMs, maxBackoffMs],
    );
    return rows[0]?.next_poll_at ?? new Date();
  }

  async pollState(
    registry: string,
  ): Promise<{ failures: number; nextPollAt: Date; lastError: string | null } | undefined> {
    const { rows } = await this.db.query<{ failures: number; next_poll_at: Date; last_error: string | null }>(
      'SELECT failures, next_poll_at, last_error FROM registry_watch WHERE registry = $1',
      [registry],
    );
    const r = rows[0];
    return r && { failures: r.failures, nextPollAt: r.next_poll_at, lastError: r.last_error };
  }
}
