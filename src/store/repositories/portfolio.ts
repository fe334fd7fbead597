/**
 * Read models of one account's portfolio for the web UI: a page of the images table (filtered,
 * sorted and paged in SQL, so 10,000 images cost one page) and the overview's aggregates. Every
 * query is scoped by account_name, exactly as the API's repositories are.
 */
import type { Sql } from '../sql.js';
import { noFindingCounts, type FindingCounts } from './finding-counts.js';

export const IMAGE_SORTS = ['analyzed', 'repo', 'critical', 'high', 'verdict'] as const;
export type ImageSort = (typeof IMAGE_SORTS)[number];
export type Verdict = 'pass' | 'fail' | 'none';

export interface ImageQuery {
  text?: string;
  verdict?: Verdict;
  sort: ImageSort;
  desc: boolean;
  offset: number;
  limit: number;
}

export type { FindingCounts };

export interface ImageRow {
  digest: string;
  registry: string | null;
  repo: string | null;
  tag: string | null;
  analysisStatus: string;
  analyzedAt: Date | null;
  parentDigest: string | null;
  verdict: Verdict;
  counts: FindingCounts;
}

const ZERO: FindingCounts = noFindingCounts();

const ORDER: Record<ImageSort, string> = {
  analyzed: 'i.analyzed_at %DIR% NULLS LAST, i.image_digest',
  repo: 't.registry %DIR% NULLS LAST, t.repo %DIR%, t.tag %DIR%, i.image_digest',
  critical: "COALESCE((a.finding_counts->>'critical')::int, -1) %DIR%, i.image_digest",
  high: "COALESCE((a.finding_counts->>'high')::int, -1) %DIR%, i.image_digest",
  verdict: "COALESCE(e.status, 'none') %DIR%, i.image_digest",
};

// Filters shared by the page and its count; $1 account, $2 text, $3 verdict.
const VERDICT_LATERAL = `LEFT JOIN LATERAL (SELECT status FROM policy_evaluation e WHERE e.account_name = i.account_name
    AND e.image_digest = i.image_digest ORDER BY created_at DESC LIMIT 1) e ON true`;
const WHERE = `i.account_name = $1 AND i.image_status <> 'deleting'
  AND ($2::text IS NULL OR i.image_digest LIKE $2 || '%' OR EXISTS (SELECT 1 FROM image_tag x
       WHERE x.account_name = i.account_name AND x.image_digest = i.image_digest
         AND strpos(lower(x.registry || '/' || x.repo || ':' || x.tag), lower($2)) > 0))
  AND ($3::text IS NULL OR COALESCE(e.status, 'none') = $3)`;

interface PageRow {
  image_digest: string;
  registry: string | null;
  repo: string | null;
  tag: string | null;
  analysis_status: string;
  analyzed_at: Date | null;
  parent_digest: string | null;
  verdict: Verdict;
  counts: Partial<FindingCounts> | null;
}

export interface DayCounts {
  day: string;
  critical: number;
  high: number;
  medium: number;
  low: number;
}

export class PortfolioRepository {
  constructor(private readonly db: Sql) {}

  async images(accountName: string, q: ImageQuery): Promise<{ rows: ImageRow[]; total: number }> {
    const params = [accountName, q.text?.trim() || null, q.verdict ?? null];
    const order = ORDER[q.sort].replaceAll('%DIR%', q.desc ? 'DESC' : 'ASC');
    const [page, count] = await Promise.all([
      this.db.query<PageRow>(
        `SELECT i.image_digest, t.registry, t.repo, t.tag, i.analysis_status, i.analyzed_at, i.parent_digest,
           COALESCE(e.status, 'none') AS verdict, a.finding_counts AS counts
         FROM image i
         LEFT JOIN analysis a ON a.image_digest = i.image_digest
         LEFT JOIN LATERAL (SELECT registry, repo, tag FROM image_tag t WHERE t.account_name = i.account_name
           AND t.image_digest = i.image_digest ORDER BY tag_detected_at DESC, registry, repo, tag LIMIT 1) t ON true
         ${VERDICT_LATERAL}
         WHERE ${WHERE} ORDER BY ${order} LIMIT $4 OFFSET $5`,
        [...params, q.limit, q.offset],
      ),
      this.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM image i ${q.verdict ? VERDICT_LATERAL : 'LEFT JOIN (SELECT NULL::text AS status) e ON true'}
         WHERE ${WHERE}`,
        params,
      ),
    ]);
    return {
      total: count.rows[0]?.n ?? 0,
      rows: page.rows.map((r) => ({
        digest: r.image_digest,
        registry: r.registry,
        repo: r.repo,
        tag: r.tag,
        analysisStatus: r.analysis_status,
        analyzedAt: r.analyzed_at,
        parentDigest: r.parent_digest,
        verdict: r.verdict,
        counts: { ...ZERO, ...(r.counts ?? {}) },
      })),
    };
  }

  /** Images per newest verdict (pass, fail, none). */
  async verdicts(accountName: string): Promise<Record<Verdict, number>> {
    const { rows } = await this.db.query<{ verdict: Verdict; n: number }>(
      `SELECT COALESCE(e.status, 'none') AS verdict, count(*)::int AS n FROM image i ${VERDICT_LATERAL}
       WHERE i.account_name = $1 AND i.image_status <> 'deleting' GROUP BY 1`,
      [accountName],
    );
    const out: Record<Verdict, number> = { pass: 0, fail: 0, none: 0 };
    for (const r of rows) out[r.verdict] = r.n;
    return out;
  }

  /** Open findings summed over the account's analysed images. */
  async totals(accountName: string): Promise<FindingCounts> {
    const keys = Object.keys(ZERO);
    const { rows } = await this.db.query<Record<string, number>>(
      `SELECT ${keys.map((k) => `COALESCE(sum((a.finding_counts->>'${k}')::int), 0)::int AS ${k}`).join(', ')}
       FROM image i JOIN analysis a ON a.image_digest = i.image_digest
       WHERE i.account_name = $1 AND i.image_status <> 'deleting'`,
      [accountName],
    );
    return { ...ZERO, ...(rows[0] as Partial<FindingCounts>) };
  }

  /**
   * Open findings by severity at the end of each of the last `days` days: the images analysed by
   * then, with their current findings (a re-match after a feed update changes the whole line).
   */
  async overTime(accountName: string, days: number, now: Date = new Date()): Promise<DayCounts[]> {
    const { rows } = await this.db.query<DayCounts>(
      `SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
         ${['critical', 'high', 'medium', 'low']
           .map((k) => `COALESCE(sum((a.finding_counts->>'${k}')::int), 0)::int AS ${k}`)
           .join(', ')}
       FROM generate_series(date_trunc('day', $2::timestamptz) - ($3 - 1) * interval '1 day',
                            date_trunc('day', $2::timestamptz), interval '1 day') d(day)
       LEFT JOIN image i ON i.account_name = $1 AND i.image_status <> 'deleting'
         AND i.analyzed_at < d.day + interval '1 day'
       LEFT JOIN analysis a ON a.image_digest = i.image_digest
       GROUP BY d.day ORDER BY d.day`,
      [accountName, now.toISOString(), days],
    );
    return rows;
  }

  /** KEV-listed open findings, newest images first. */
  async kevFindings(
    accountName: string,
    limit: number,
  ): Promise<{ digest: string; id: string; pkg: string; version: string }[]> {
    const { rows } = await this.db.query<{ digest: string; id: string; pkg: string; version: string }>(
      `SELECT i.image_digest AS digest, f->>'id' AS id, f->'package'->>'name' AS pkg, f->'package'->>'version' AS version
       FROM image i JOIN analysis a ON a.image_digest = i.image_digest
       CROSS JOIN LATERAL jsonb_array_elements(a.findings::jsonb) f
       WHERE i.account_name = $1 AND (a.finding_counts->>'kev')::int > 0 AND f ? 'kev' AND NOT f ? 'suppressed'
       ORDER BY i.analyzed_at DESC NULLS LAST, 2 LIMIT $2`,
      [accountName, limit],
    );
    return rows;
  }

  /** The feed synced longest ago (feeds are shared by every account). */
  async stalestFeed(): Promise<{ source: string; lastSync: Date } | undefined> {
    const { rows } = await this.db.query<{ source: string; last_sync: Date }>(
      'SELECT source, last_sync FROM feed_source ORDER BY last_sync ASC LIMIT 1',
    );
    return rows[0] && { source: rows[0].source, lastSync: rows[0].last_sync };
  }

  async newestNotifications(
    accountName: string,
    limit: number,
  ): Promise<{ type: string; state: string; createdAt: Date; attempts: number }[]> {
    const { rows } = await this.db.query<{ t: string; state: string; created_at: Date; attempts: number }>(
      `SELECT notification_type AS t, state, created_at, attempts FROM notification WHERE account_name = $1
       ORDER BY seq DESC LIMIT $2`,
      [accountName, limit],
    );
    return rows.map((r) => ({ type: r.t, state: r.state, createdAt: r.created_at, attempts: r.attempts }));
  }

  /** The newest delivery attempts of the account's notifications. */
  async deliveryAttempts(
    accountName: string,
    limit: number,
  ): Promise<
    {
      notificationId: string;
      type: string;
      attempt: number;
      url: string;
      status: number | null;
      error: string | null;
      at: Date;
    }[]
  > {
    const { rows } = await this.db.query<{
      notification_id: string;
      notification_type: string;
      attempt: number;
      url: string;
      status: number | null;
      error: string | null;
      attempted_at: Date;
    }>(
      `SELECT t.notification_id, n.notification_type, t.attempt, t.url, t.status, t.error, t.attempted_at
       FROM notification_attempt t JOIN notification n ON n.id = t.notification_id
       WHERE n.account_name = $1 ORDER BY t.attempted_at DESC, t.attempt DESC LIMIT $2`,
      [accountName, limit],
    );
    return rows.map((r) => ({
      notificationId: r.notification_id,
      type: r.notification_type,
      attempt: r.attempt,
      url: r.url,
      status: r.status,
      error: r.error,
      at: r.attempted_at,
    }));
  }
}
