/**
 * Admission exceptions (per Helm release, expiring) and the audit trail of webhook decisions,
 * per account. The shapes are the admission module's own (`src/admission/ports.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { AdmissionException, AuditRecord } from './admission-records.js';
import type { Sql } from '../sql.js';
import { RESULT_COLUMNS, RESULT_JOIN, resultOf, type ResultColumns } from './policy-documents.js';

export interface StoredException extends AdmissionException {
  accountName: string;
  createdAt: Date;
}

export interface NewException {
  release: string;
  namespace: string | undefined;
  creator: string;
  reason: string;
  expiresAt: Date | undefined;
}

export interface StoredAuditRecord extends AuditRecord {
  id: string;
}

export interface AuditFilter {
  namespace?: string;
  verdict?: AuditRecord['verdict'];
  since?: Date;
  until?: Date;
  /** Matches an image as written, its normalized reference or its digest. */
  image?: string;
  /** Id of the last row of the previous page (rows come newest first). */
  before?: string;
  limit: number;
}

interface ExceptionRow {
  id: string;
  account_name: string;
  release: string;
  namespace: string | null;
  creator: string;
  reason: string;
  expires_at: Date | null;
  created_at: Date;
}

interface AuditRow {
  id: string | number;
  decided_at: Date;
  cluster: string;
  uid: string;
  namespace: string;
  operation: string;
  kind: string;
  name: string;
  release: string | null;
  username: string;
  allowed: boolean;
  verdict: AuditRecord['verdict'];
  mode: AuditRecord['mode'];
  dry_run: boolean;
  stale: boolean;
  images: AuditRecord['images'];
  reasons: string[];
  exception: AuditRecord['exception'] | null;
}

const toException = (r: ExceptionRow): StoredException => ({
  id: r.id,
  accountName: r.account_name,
  release: r.release,
  namespace: r.namespace ?? undefined,
  creator: r.creator,
  reason: r.reason,
  expiresAt: r.expires_at ?? undefined,
  createdAt: r.created_at,
});

const toAudit = (r: AuditRow): StoredAuditRecord => ({
  id: String(r.id),
  time: r.decided_at,
  cluster: r.cluster,
  uid: r.uid,
  namespace: r.namespace,
  operation: r.operation,
  kind: r.kind,
  name: r.name,
  release: r.release ?? undefined,
  user: r.username,
  allowed: r.allowed,
  verdict: r.verdict,
  mode: r.mode,
  dryRun: r.dry_run,
  stale: r.stale,
  images: r.images,
  reasons: r.reasons,
  exception: r.exception ?? undefined,
});

const AUDIT_COLUMNS = [
  'account_name',
  'decided_at',
  'cluster',
  'uid',
  'namespace',
  'operation',
  'kind',
  'name',
  'release',
  'username',
  'allowed',
  'verdict',
  'mode',
  'dry_run',
  'stale',
  'images',
  'reasons',
  'exception',
] as const;

export class AdmissionRepository {
  constructor(private readonly db: Sql) {}

  async addException(accountName: string, input: NewException): Promise<StoredException> {
    const { rows } = await this.db.query<ExceptionRow>(
      `INSERT INTO admission_exception (id, account_name, release, namespace, creator, reason, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [
        randomUUID(),
        accountName,
        input.release,
        input.namespace ?? null,
        input.creator,
        input.reason,
        input.expiresAt ?? null,
      ],
    );
    return toException(rows[0] as ExceptionRow);
  }

  async listExceptions(accountName: string): Promise<StoredException[]> {
    const { rows } = await this.db.query<ExceptionRow>(
      'SELECT * FROM admission_exception WHERE account_name = $1 ORDER BY created_at DESC, id',
      [accountName],
    );
    return rows.map(toException);
  }

  async getException(accountName: string, id: string): Promise<StoredException | undefined> {
    const { rows } = await this.db.query<ExceptionRow>(
      'SELECT * FROM admission_exception WHERE account_name = $1 AND id = $2',
      [accountName, id],
    );
    return rows[0] && toException(rows[0]);
  }

  async deleteException(accountName: string, id: string): Promise<boolean> {
    const { rows } = await this.db.query(
      'DELETE FROM admission_exception WHERE account_name = $1 AND id = $2 RETURNING id',
      [accountName, id],
    );
    return rows.length > 0;
  }

  /** Exceptions naming the release in this namespace or in every namespace, expired included. */
  async exceptionsForRelease(
    accountName: string,
    release: string,
    namespace: string,
  ): Promise<StoredException[]> {
    const { rows } = await this.db.query<ExceptionRow>(
      `SELECT * FROM admission_exception
       WHERE account_name = $1 AND release = $2 AND (namespace IS NULL OR namespace = $3)
       ORDER BY created_at, id`,
      [accountName, release, namespace],
    );
    return rows.map(toException);
  }

  /** The newest stored evaluation of the digest against the bundle, whatever tag it was made for. */
  async latestEvaluation(
    accountName: string,
    imageDigest: string,
    policyId: string,
  ): Promise<{ status: 'pass' | 'fail'; result: unknown; createdAt: Date } | undefined> {
    const { rows } = await this.db.query<ResultColumns & { status: 'pass' | 'fail'; created_at: Date }>(
      `SELECT e.status, ${RESULT_COLUMNS}, e.created_at FROM policy_evaluation e ${RESULT_JOIN}
       WHERE e.account_name = $1 AND e.image_digest = $2 AND e.policy_id = $3 ORDER BY e.created_at DESC LIMIT 1`,
      [accountName, imageDigest, policyId],
    );
    const r = rows[0];
    return r && { status: r.status, result: resultOf(r), createdAt: new Date(r.created_at) };
  }

  async recordAudit(accountName: string, row: AuditRecord): Promise<void> {
    await this.recordAudits(accountName, [row]);
  }

  /** Several rows in one INSERT (all or none), in the order given. */
  async recordAudits(accountName: string, rows: readonly AuditRecord[]): Promise<void> {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
      const first = params.length;
      params.push(
        accountName,
        row.time,
        row.cluster,
        row.uid,
        row.namespace,
        row.operation,
        row.kind,
        row.name,
        row.release ?? null,
        row.user,
        row.allowed,
        row.verdict,
        row.mode,
        row.dryRun,
        row.stale,
        JSON.stringify(row.images),
        JSON.stringify(row.reasons),
        row.exception ? JSON.stringify(row.exception) : null,
      );
      return `(${AUDIT_COLUMNS.map((_, i) => `$${first + i + 1}`).join(', ')})`;
    });
    await this.db.query(
      `INSERT INTO admission_audit (${AUDIT_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
      params,
    );
  }

  /** Newest first; page on with `before` = the last id returned. */
  async queryAudit(accountName: string, filter: AuditFilter): Promise<StoredAuditRecord[]> {
    const where = ['account_name = $1'];
    const params: unknown[] = [accountName];
    const add = (clause: (n: string) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (filter.namespace !== undefined) add((n) => `namespace = ${n}`, filter.namespace);
    if (filter.verdict !== undefined) add((n) => `verdict = ${n}`, filter.verdict);
    if (filter.since !== undefined) add((n) => `decided_at >= ${n}`, filter.since);
    if (filter.until !== undefined) add((n) => `decided_at < ${n}`, filter.until);
    if (filter.before !== undefined) add((n) => `id < ${n}`, Number(filter.before));
    if (filter.image !== undefined)
      add(
        (n) => `EXISTS (SELECT 1 FROM jsonb_array_elements(images) i
                 WHERE i->>'image' = ${n} OR i->>'reference' = ${n} OR i->>'digest' = ${n})`,
        filter.image,
      );
    params.push(filter.limit);
    const { rows } = await this.db.query<AuditRow>(
      `SELECT * FROM admission_audit WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toAudit);
  }
}
