/**
 * Analyses, content-addressed by image (manifest) digest and shared by every account that adds
 * the same image. Written once, in the same transaction that marks the images analysed, so a
 * reader sees either no analysis or a whole one.
 */
import type { Finding } from '../../core/matching/types.js';
import type { Sql } from '../sql.js';
import { packageKindsJson } from './package-kinds.js';
import { findingCountsJson } from './finding-counts.js';
import { findingsText, storedFindingsText } from './findings-text.js';
import { indexAnalysis, indexFindings } from './image-index.js';

export interface AnalysisRecord<Metadata = unknown, Sbom = unknown, Findings = unknown> {
  imageDigest: string;
  imageId: string;
  analyzerVersion: string;
  metadata: Metadata;
  sbom: Sbom;
  findings: Findings;
  createdAt: Date;
}

/** A row of `analysis` as read back (shared with the bulk reads of the re-match). */
export interface AnalysisRow {
  image_digest: string;
  image_id: string;
  analyzer_version: string;
  metadata: unknown;
  sbom: unknown;
  findings: unknown;
  created_at: Date;
}

export class AnalysisRepository {
  constructor(private readonly db: Sql) {}

  /**
   * Stores the analysis unless one exists for the digest (or replaces it, for a forced
   * re-analysis), and indexes it for the queries in the same transaction; returns whether this
   * call stored it.
   */
  async save(
    record: Omit<AnalysisRecord, 'createdAt'>,
    db: Sql = this.db,
    options: { replace?: boolean } = {},
  ): Promise<boolean> {
    return db.transaction(async (tx) => {
      const stored = await this.insert(record, tx, options.replace === true);
      if (stored) await indexAnalysis(tx, record.imageDigest, record);
      return stored;
    });
  }

  private async insert(
    record: Omit<AnalysisRecord, 'createdAt'>,
    db: Sql,
    replace: boolean,
  ): Promise<boolean> {
    const onConflict = replace
      ? `DO UPDATE SET image_id = EXCLUDED.image_id, analyzer_version = EXCLUDED.analyzer_version,
           metadata = EXCLUDED.metadata, sbom = EXCLUDED.sbom, findings = EXCLUDED.findings,
           finding_counts = EXCLUDED.finding_counts, package_kinds = EXCLUDED.package_kinds,
           findings_rev = nextval('analysis_findings_rev'), created_at = now()`
      : 'DO NOTHING';
    const { rows } = await db.query(
      `INSERT INTO analysis (image_digest, image_id, analyzer_version, metadata, sbom, findings, finding_counts, package_kinds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (image_digest) ${onConflict} RETURNING image_digest`,
      [
        record.imageDigest,
        record.imageId,
        record.analyzerVersion,
        JSON.stringify(record.metadata),
        JSON.stringify(record.sbom),
        storedFindingsText(record.findings),
        findingCountsJson(record.findings),
        packageKindsJson(record.sbom),
      ],
    );
    return rows.length > 0;
  }

  async exists(imageDigest: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM analysis WHERE image_digest = $1', [imageDigest]);
    return rows.length > 0;
  }

  async get(imageDigest: string): Promise<AnalysisRecord | undefined> {
    const { rows } = await this.db.query<AnalysisRow>('SELECT * FROM analysis WHERE image_digest = $1', [
      imageDigest,
    ]);
    const r = rows[0];
    return r && toRecord(r);
  }

  /** One part of the analysis without reading the others (the SBOM can be large). */
  async part<K extends 'metadata' | 'sbom' | 'findings'>(imageDigest: string, part: K): Promise<unknown> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT ${part} AS part FROM analysis WHERE image_digest = $1`,
      [imageDigest],
    );
    return rows[0]?.part;
  }

  /** Every stored analysis's digest (the re-match after a feed sync walks them). */
  async digests(): Promise<string[]> {
    const { rows } = await this.db.query<{ image_digest: string }>(
      'SELECT image_digest FROM analysis ORDER BY image_digest',
    );
    return rows.map((r) => r.image_digest);
  }

  /** Replaces the findings after a feed update re-matched the stored SBOM, with their index rows. */
  async replaceFindings(imageDigest: string, findings: readonly Finding[], db: Sql = this.db): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.query(
        `UPDATE analysis SET findings = $2, finding_counts = $3, findings_rev = nextval('analysis_findings_rev')
         WHERE image_digest = $1`,
        [imageDigest, findingsText(findings), findingCountsJson(findings)],
      );
      await indexFindings(tx, imageDigest, findings);
    });
  }

  /** Removes analyses no account's image refers to any more. */
  async pruneUnreferenced(): Promise<number> {
    const { rows } = await this.db.query(
      'DELETE FROM analysis a WHERE NOT EXISTS (SELECT 1 FROM image i WHERE i.image_digest = a.image_digest) RETURNING image_digest',
    );
    return rows.length;
  }
}

export const toRecord = (r: AnalysisRow): AnalysisRecord => ({
  imageDigest: r.image_digest,
  imageId: r.image_id,
  analyzerVersion: r.analyzer_version,
  metadata: r.metadata,
  sbom: r.sbom,
  findings: r.findings,
  createdAt: r.created_at,
});
