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

  /** What the account saw last under the tag: the image digest and, for an index, the index's. */
  async lastSeen(
    accountName: string,
    t: { registry: string; repo: string; tag: string },
  ): Promise<{ digest: string; parentDigest: string | null } | undefined> {
    const { rows } = await this.db.query<{ image_digest: string; parent_digest: string | null }>(
      `SELECT t.image_digest, i.parent_digest FROM image_tag t
       LEFT JOIN image i ON i.account_name = t.account_name AND i.image_digest = t.image_digest
       WHERE t.account_name = $1 AND t.registry = $2 AND t.repo = $3 AND t.tag = $4
       ORDER BY t.tag_detected_at DESC, t.last_updated DESC LIMIT 1`,
      [accountName, t.registry, t.repo, t.tag],
    );
    const r = rows[0];
    return r && { digest: r.image_digest, parentDigest: r.parent_digest };
  }

  /** The tags each account already has in the repository. */
  async knownTags(registry: string, repo: string): Promise<Map<string, Set<string>>> {
    const { rows } = await this.db.query<{ account_name: string; tag: string }>(
      'SELECT DISTINCT account_name, tag FROM image_tag WHERE registry = $1 AND repo = $2',
      [registry, repo],
    );
    const known = new Map<string, Set<string>>();
    for (const r of rows) known.set(r.account_name, (known.get(r.account_name) ?? new Set()).add(r.tag));
    return known;
  }

  /**
   * Claims the hand-off of "tag now at digest" to the promotion rules (migration 22), so the
   * same push seen by a registry notification and by a poll starts one promotion. True when
   * this caller must hand it off: the tag moved since the last hand-off, or an earlier claim on
   * the same digest died unfinished (its lease ran out).
   */
  async claimHandOff(
    t: { registry: string; repo: string; tag: string; digest: string },
    by: string,
    leaseMs: number,
  ): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO push_handoff AS h (registry, repo, tag, digest, claimed_until, handed_at, seen_by)
       VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond', NULL, $6)
       ON CONFLICT (registry, repo, tag) DO UPDATE SET digest = $4, handed_at = NULL, seen_by = $6,
         claimed_until = now() + $5 * interval '1 millisecond'
       WHERE h.digest <> $4 OR (h.handed_at IS NULL AND h.claimed_until < now())
       RETURNING digest`,
      [t.registry, t.repo, t.tag, t.digest, leaseMs, by],
    );
    return rows.length > 0;
  }

  /** Ends a claim: handed off, or released (a failure) so the next sighting tries again. */
  async endHandOff(
    t: { registry: string; repo: string; tag: string; digest: string },
    handed: boolean,
  ): Promise<void> {
    await this.db.query(
      `UPDATE push_handoff SET ${handed ? 'handed_at = now()' : 'claimed_until = now()'}
       WHERE registry = $1 AND repo = $2 AND tag = $3 AND digest = $4 AND handed_at IS NULL`,
      [t.registry, t.repo, t.tag, t.digest],
    );
  }

  /** After listing a watched repository: its tag count, or why the listing failed (migration 23). */
  async repoPolled(
    registry: string,
    repo: string,
    error: string | null,
    tagCount: number | null,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO repository_watch (registry, repo, last_polled_at, last_error, tag_count)
       VALUES ($1, $2, now(), $3, $4)
       ON CONFLICT (registry, repo) DO UPDATE SET last_polled_at = now(), last_error = $3,
         tag_count = COALESCE($4, repository_watch.tag_count)`,
      [registry, repo, error, tagCount],
    );
  }

  async repoPollState(
    registry: string,
    repo: string,
  ): Promise<{ lastError: string | null; tagCount: number | null; lastPolledAt: Date } | undefined> {
    const { rows } = await this.db.query<{
      last_error: string | null;
      tag_count: number | null;
      last_polled_at: Date;
    }>(
      'SELECT last_error, tag_count, last_polled_at FROM repository_watch WHERE registry = $1 AND repo = $2',
      [registry, repo],
    );
    const r = rows[0];
    return r && { lastError: r.last_error, tagCount: r.tag_count, lastPolledAt: r.last_polled_at };
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
