/**
 * Archived analyses per account (migration 15, ADR 0025). A row holds the compressed archive
 * document and the few facts listings show, so listing never decompresses.
 */
import type { Sql } from '../sql.js';

export interface ArchivedTag {
  registry: string;
  repo: string;
  tag: string;
  pullDigest: string | null;
  tagDetectedAt: string;
}

export interface ArchivedImage {
  accountName: string;
  imageDigest: string;
  parentDigest: string | null;
  imageId: string | null;
  status: 'archived' | 'deleting';
  annotations: Record<string, string>;
  tags: ArchivedTag[];
  analyzedAt: Date | null;
  imageCreatedAt: Date | null;
  archiveSizeBytes: number;
  createdAt: Date;
  lastUpdated: Date;
}

export interface NewArchivedImage extends Omit<ArchivedImage, 'status' | 'createdAt' | 'lastUpdated'> {
  format: string;
  content: Uint8Array;
}

interface Row {
  account_name: string;
  image_digest: string;
  parent_digest: string | null;
  image_id: string | null;
  status: 'archived' | 'deleting';
  annotations: Record<string, string>;
  tags: ArchivedTag[];
  analyzed_at: Date | null;
  image_created_at: Date | null;
  archive_size_bytes: string | number;
  created_at: Date;
  last_updated: Date;
}

const COLUMNS = `account_name, image_digest, parent_digest, image_id, status, annotations, tags, analyzed_at,
  image_created_at, archive_size_bytes, created_at, last_updated`;

const toArchived = (r: Row): ArchivedImage => ({
  accountName: r.account_name,
  imageDigest: r.image_digest,
  parentDigest: r.parent_digest,
  imageId: r.image_id,
  status: r.status,
  annotations: r.annotations,
  tags: r.tags,
  analyzedAt: r.analyzed_at,
  imageCreatedAt: r.image_created_at,
  archiveSizeBytes: Number(r.archive_size_bytes),
  createdAt: r.created_at,
  lastUpdated: r.last_updated,
});

export interface ArchiveSummary {
  totalImages: number;
  totalTags: number;
  totalBytes: number;
  lastUpdated: Date | null;
}

export class ArchivedImageRepository {
  constructor(private readonly db: Sql) {}

  async insert(input: NewArchivedImage, db: Sql = this.db): Promise<ArchivedImage> {
    const { rows } = await db.query<Row>(
      `INSERT INTO archived_image (account_name, image_digest, parent_digest, image_id, annotations, tags,
         analyzed_at, image_created_at, format, content, archive_size_bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
      [
        input.accountName,
        input.imageDigest,
        input.parentDigest,
        input.imageId,
        JSON.stringify(input.annotations),
        JSON.stringify(input.tags),
        input.analyzedAt,
        input.imageCreatedAt,
        input.format,
        input.content,
        input.archiveSizeBytes,
      ],
    );
    return toArchived(rows[0] as Row);
  }

  async get(accountName: string, imageDigest: string, db: Sql = this.db): Promise<ArchivedImage | undefined> {
    const { rows } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM archived_image WHERE account_name = $1 AND image_digest = $2`,
      [accountName, imageDigest],
    );
    return rows[0] && toArchived(rows[0]);
  }

  /** The compressed document and its format, read only to restore. */
  async content(
    accountName: string,
    imageDigest: string,
  ): Promise<{ format: string; content: Uint8Array } | undefined> {
    const { rows } = await this.db.query<{ format: string; content: Uint8Array }>(
      'SELECT format, content FROM archived_image WHERE account_name = $1 AND image_digest = $2',
      [accountName, imageDigest],
    );
    return rows[0];
  }

  /** The account's archive, newest first. */
  async list(accountName: string): Promise<ArchivedImage[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM archived_image WHERE account_name = $1 ORDER BY created_at DESC, image_digest`,
      [accountName],
    );
    return rows.map(toArchived);
  }

  async delete(accountName: string, imageDigest: string, db: Sql = this.db): Promise<boolean> {
    const { rows } = await db.query(
      'DELETE FROM archived_image WHERE account_name = $1 AND image_digest = $2 RETURNING image_digest',
      [accountName, imageDigest],
    );
    return rows.length > 0;
  }

  async summary(accountName: string): Promise<ArchiveSummary> {
    const { rows } = await this.db.query<{
      n: string | number;
      tags: string | number | null;
      bytes: string | number | null;
      last: Date | null;
    }>(
      `SELECT count(*) AS n, sum(jsonb_array_length(tags)) AS tags, sum(archive_size_bytes) AS bytes, max(last_updated) AS last
       FROM archived_image WHERE account_name = $1`,
      [accountName],
    );
    const r = rows[0];
    return {
      totalImages: Number(r?.n ?? 0),
      totalTags: Number(r?.tags ?? 0),
      totalBytes: Number(r?.bytes ?? 0),
      lastUpdated: r?.last ?? null,
    };
  }
}
