/**
 * Image records and their tags, per account. The analysis itself is shared by digest
 * (analyses.ts); every account's image row follows its status.
 */
import type { Sql } from '../sql.js';

export type AnalysisStatus =
  'not_analyzed' | 'analysis_queued' | 'analyzing' | 'analyzed' | 'analysis_failed';
export type ImageStatus = 'active' | 'inactive' | 'disabled' | 'deleting';

export interface TagRef {
  registry: string;
  repo: string;
  tag: string;
}

export interface ImageTag extends TagRef {
  pullDigest: string | null;
  createdAt: Date;
  lastUpdated: Date;
  tagDetectedAt: Date;
}

export interface ImageRecord {
  accountName: string;
  imageDigest: string;
  parentDigest: string | null;
  imageType: string;
  analysisStatus: AnalysisStatus;
  analysisError: string | null;
  imageStatus: ImageStatus;
  annotations: Record<string, string>;
  dockerfile: string | null;
  analyzedAt: Date | null;
  createdAt: Date;
  lastUpdated: Date;
  /** From the shared analysis, once there is one. */
  imageId: string | null;
  /** The analysis's small facts the image record shows (read with the record: no second query). */
  analysisSummary: AnalysisSummary | null;
  tags: ImageTag[];
}

export interface AnalysisSummary {
  arch: string;
  distro: string;
  distroVersion: string;
  imageSize: number;
  layerCount: number;
}

/** What the findings routes need to know before reading (or reusing) the findings. */
export interface FindingsState {
  analysisStatus: AnalysisStatus;
  /** Changes on every write of the findings (migration 40); null without an analysis. */
  findingsRev: string | null;
}

interface ImageRow {
  account_name: string;
  image_digest: string;
  parent_digest: string | null;
  image_type: string;
  analysis_status: AnalysisStatus;
  analysis_error: string | null;
  image_status: ImageStatus;
  annotations: Record<string, string>;
  dockerfile: string | null;
  analyzed_at: Date | null;
  created_at: Date;
  last_updated: Date;
  image_id: string | null;
  summary: AnalysisSummary | null;
  tags: {
    registry: string;
    repo: string;
    tag: string;
    pull_digest: string | null;
    created_at: string;
    last_updated: string;
    tag_detected_at: string;
  }[];
}

// Tags are aggregated in SQL so a page of images is one query, not one per image.
const SELECT_IMAGES = `
  SELECT i.*, a.image_id,
    CASE WHEN a.image_digest IS NULL THEN NULL ELSE jsonb_build_object('arch', a.metadata->'arch',
      'distro', a.metadata->'distro', 'distroVersion', a.metadata->'distroVersion',
      'imageSize', a.metadata->'imageSize', 'layerCount', a.metadata->'layerCount') END AS summary,
    COALESCE((SELECT json_agg(json_build_object('registry', t.registry, 'repo', t.repo, 'tag', t.tag,
        'pull_digest', t.pull_digest, 'created_at', t.created_at, 'last_updated', t.last_updated,
        'tag_detected_at', t.tag_detected_at) ORDER BY t.tag_detected_at DESC, t.registry, t.repo, t.tag)
      FROM image_tag t WHERE t.account_name = i.account_name AND t.image_digest = i.image_digest), '[]'::json) AS tags
  FROM image i LEFT JOIN analysis a ON a.image_digest = i.image_digest`;

const toImage = (r: ImageRow): ImageRecord => ({
  accountName: r.account_name,
  imageDigest: r.image_digest,
  parentDigest: r.parent_digest,
  imageType: r.image_type,
  analysisStatus: r.analysis_status,
  analysisError: r.analysis_error,
  imageStatus: r.image_status,
  annotations: r.annotations,
  dockerfile: r.dockerfile,
  analyzedAt: r.analyzed_at,
  createdAt: r.created_at,
  lastUpdated: r.last_updated,
  imageId: r.image_id,
  analysisSummary: r.summary,
  tags: r.tags.map((t) => ({
    registry: t.registry,
    repo: t.repo,
    tag: t.tag,
    pullDigest: t.pull_digest,
    createdAt: new Date(t.created_at),
    lastUpdated: new Date(t.last_updated),
    tagDetectedAt: new Date(t.tag_detected_at),
  })),
});

export interface AddImageInput {
  accountName: string;
  imageDigest: string;
  parentDigest?: string | null;
  tag?: TagRef;
  annotations?: Record<string, string>;
  dockerfile?: string | null;
  /** Analyse again even when analysed: the status goes back to not_analyzed. */
  force?: boolean;
}

export interface ImageFilter {
  tag?: TagRef;
  imageStatus?: ImageStatus;
  analysisStatus?: AnalysisStatus;
  imageId?: string;
}

export class ImageRepository {
  constructor(private readonly db: Sql) {}

  /**
   * Adds the image (or finds it) and the tag, in one transaction. A digest already analysed in
   * any account is analysed at once from the shared analysis; a failed one, or `force`, is reset.
   */
  async add(input: AddImageInput): Promise<{ image: ImageRecord; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.query<{ image_digest: string }>(
        `INSERT INTO image (account_name, image_digest, parent_digest, analysis_status, annotations, dockerfile, analyzed_at)
         SELECT $1, $2, $3, CASE WHEN a.image_digest IS NULL THEN 'not_analyzed' ELSE 'analyzed' END, $4, $5, a.created_at
         FROM (SELECT 1) one LEFT JOIN analysis a ON a.image_digest = $2
         ON CONFLICT (account_name, image_digest) DO NOTHING RETURNING image_digest`,
        [
          input.accountName,
          input.imageDigest,
          input.parentDigest ?? null,
          JSON.stringify(input.annotations ?? {}),
          input.dockerfile ?? null,
        ],
      );
      const created = inserted.rows.length > 0;
      if (!created) {
        await tx.query(
          `UPDATE image SET
             annotations = CASE WHEN $3::jsonb = '{}'::jsonb THEN annotations ELSE $3::jsonb END,
             dockerfile = COALESCE($4, dockerfile),
             parent_digest = COALESCE($6, parent_digest),
             image_status = 'active',
             analysis_status = CASE WHEN $5 OR analysis_status = 'analysis_failed' THEN 'not_analyzed' ELSE analysis_status END,
             analysis_error = CASE WHEN $5 OR analysis_status = 'analysis_failed' THEN NULL ELSE analysis_error END,
             last_updated = now()
           WHERE account_name = $1 AND image_digest = $2`,
          [
            input.accountName,
            input.imageDigest,
            JSON.stringify(input.annotations ?? {}),
            input.dockerfile ?? null,
            input.force ?? false,
            input.parentDigest ?? null,
          ],
        );
      }
      if (input.tag) {
        await tx.query(
          `INSERT INTO image_tag (account_name, image_digest, registry, repo, tag, pull_digest) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (account_name, image_digest, registry, repo, tag) DO UPDATE SET last_updated = now(),
             -- The tag came back to this digest (A -> B -> A): a new detection, or the tag would
             -- still read as B and every watch round would announce the same move again.
             tag_detected_at = CASE WHEN EXISTS (
               SELECT 1 FROM image_tag o WHERE o.account_name = EXCLUDED.account_name
                 AND o.registry = EXCLUDED.registry AND o.repo = EXCLUDED.repo AND o.tag = EXCLUDED.tag
                 AND o.image_digest <> EXCLUDED.image_digest AND o.tag_detected_at >= image_tag.tag_detected_at)
             THEN now() ELSE image_tag.tag_detected_at END`,
          [
            input.accountName,
            input.imageDigest,
            input.tag.registry,
            input.tag.repo,
            input.tag.tag,
            input.parentDigest ?? input.imageDigest,
          ],
        );
      }
      const image = await getImage(tx, input.accountName, input.imageDigest);
      return { image: image as ImageRecord, created };
    });
  }

  get(accountName: string, imageDigest: string): Promise<ImageRecord | undefined> {
    return getImage(this.db, accountName, imageDigest);
  }

  /** The status and findings revision of the account's image, in one small query. */
  async findingsState(accountName: string, imageDigest: string): Promise<FindingsState | undefined> {
    const { rows } = await this.db.query<{ analysis_status: AnalysisStatus; findings_rev: string | null }>(
      `SELECT i.analysis_status, a.findings_rev::text AS findings_rev
       FROM image i LEFT JOIN analysis a ON a.image_digest = i.image_digest
       WHERE i.account_name = $1 AND i.image_digest = $2`,
      [accountName, imageDigest],
    );
    const r = rows[0];
    return r && { analysisStatus: r.analysis_status, findingsRev: r.findings_rev };
  }

  /** Images of the account, newest first. A tag filter matches the normalised full tag exactly. */
  async list(accountName: string, filter: ImageFilter = {}): Promise<ImageRecord[]> {
    const { rows } = await this.db.query<ImageRow>(
      `${SELECT_IMAGES} WHERE i.account_name = $1
         AND ($2::text IS NULL OR i.image_status = $2)
         AND ($3::text IS NULL OR i.analysis_status = $3)
         AND ($4::text IS NULL OR a.image_id = $4)
         AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM image_tag t WHERE t.account_name = i.account_name
               AND t.image_digest = i.image_digest AND t.registry = $5 AND t.repo = $6 AND t.tag = $7))
       ORDER BY i.created_at DESC, i.image_digest`,
      [
        accountName,
        filter.imageStatus ?? null,
        filter.analysisStatus ?? null,
        filter.imageId ?? null,
        filter.tag?.registry ?? null,
        filter.tag?.repo ?? null,
        filter.tag?.tag ?? null,
      ],
    );
    return rows.map(toImage);
  }

  async delete(accountName: string, imageDigest: string): Promise<boolean> {
    const { rows } = await this.db.query(
      'DELETE FROM image WHERE account_name = $1 AND image_digest = $2 RETURNING image_digest',
      [accountName, imageDigest],
    );
    return rows.length > 0;
  }

  /** Moves every account's row of this digest from one of `from` to `to`; returns the accounts changed. */
  async transition(
    imageDigest: string,
    from: readonly AnalysisStatus[],
    to: AnalysisStatus,
    error: string | null = null,
    db: Sql = this.db,
  ): Promise<string[]> {
    const { rows } = await db.query<{ account_name: string }>(
      `UPDATE image SET analysis_status = $3, analysis_error = $4, last_updated = now(),
         analyzed_at = CASE WHEN $3 = 'analyzed' THEN now() ELSE analyzed_at END
       WHERE image_digest = $1 AND analysis_status = ANY($2::text[]) RETURNING account_name`,
      [imageDigest, [...from], to, error],
    );
    return rows.map((r) => r.account_name);
  }
}

async function getImage(db: Sql, accountName: string, imageDigest: string): Promise<ImageRecord | undefined> {
  const { rows } = await db.query<ImageRow>(
    `${SELECT_IMAGES} WHERE i.account_name = $1 AND i.image_digest = $2`,
    [accountName, imageDigest],
  );
  return rows[0] && toImage(rows[0]);
}
