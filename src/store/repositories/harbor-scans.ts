/**
 * Harbor scan requests. Harbor's pull credential is sealed (secret-box.ts, bound to the scan
 * id) and lives only as long as the scan's job: `finish` erases it, whatever the outcome.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.js';
import type { SecretBox } from './secret-box.js';

export type HarborScanStatus = 'queued' | 'running' | 'done' | 'failed';

export interface HarborScan {
  id: string;
  accountName: string;
  /** Harbor's `registry.url`, e.g. `https://harbor.example:8443`. */
  registryUrl: string;
  repository: string;
  digest: string;
  tag: string | null;
  mimeType: string;
  insecure: boolean;
  status: HarborScanStatus;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
}

export interface HarborScanInput {
  accountName: string;
  registryUrl: string;
  repository: string;
  digest: string;
  tag: string | null;
  mimeType: string;
  insecure: boolean;
  /** `Basic …` or `Bearer …`, as Harbor sent it; empty = pull anonymously. */
  authorization: string;
}

interface Row {
  id: string;
  account_name: string;
  registry_url: string;
  repository: string;
  digest: string;
  tag: string | null;
  mime_type: string;
  insecure: boolean;
  authorization_sealed: string | null;
  status: HarborScanStatus;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
}

const toScan = (r: Row): HarborScan => ({
  id: r.id,
  accountName: r.account_name,
  registryUrl: r.registry_url,
  repository: r.repository,
  digest: r.digest,
  tag: r.tag,
  mimeType: r.mime_type,
  insecure: r.insecure,
  status: r.status,
  error: r.error,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  createdAt: r.created_at,
});

const context = (id: string) => `harbor-scan\0${id}`;

export class HarborScanRepository {
  constructor(
    private readonly db: Sql,
    private readonly box: SecretBox,
  ) {}

  async create(input: HarborScanInput, db: Sql = this.db): Promise<HarborScan> {
    const id = randomUUID();
    const sealed = input.authorization === '' ? null : this.box.seal(input.authorization, context(id));
    const { rows } = await db.query<Row>(
      `INSERT INTO harbor_scan (id, account_name, registry_url, repository, digest, tag, mime_type,
         insecure, authorization_sealed, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued') RETURNING *`,
      [
        id,
        input.accountName,
        input.registryUrl,
        input.repository,
        input.digest,
        input.tag,
        input.mimeType,
        input.insecure,
        sealed,
      ],
    );
    return toScan(rows[0]!);
  }

  /** The account's scan; another account's id is not found. */
  async get(accountName: string, id: string): Promise<HarborScan | undefined> {
    const { rows } = await this.db.query<Row>(
      'SELECT * FROM harbor_scan WHERE id = $1 AND account_name = $2',
      [id, accountName],
    );
    return rows[0] && toScan(rows[0]);
  }

  /**
   * Marks the scan running and opens its credential, for the job alone. Undefined when the
   * scan is gone or already finished (a job that ran twice never sees an erased credential).
   */
  async start(id: string): Promise<{ scan: HarborScan; authorization: string } | undefined> {
    const { rows } = await this.db.query<Row>(
      `UPDATE harbor_scan SET status = 'running', started_at = now()
       WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const authorization =
      row.authorization_sealed === null ? '' : this.box.open(row.authorization_sealed, context(id));
    return { scan: toScan(row), authorization };
  }

  /** Ends the scan and erases its credential. */
  async finish(id: string, error: string | null, db: Sql = this.db): Promise<void> {
    await db.query(
      `UPDATE harbor_scan SET status = $2, error = $3, authorization_sealed = NULL, finished_at = now()
       WHERE id = $1`,
      [id, error === null ? 'done' : 'failed', error],
    );
  }

  /** Whether a credential is still stored for the scan (tests check that none outlives its job). */
  async holdsCredential(id: string): Promise<boolean> {
    const { rows } = await this.db.query<{ held: boolean }>(
      'SELECT authorization_sealed IS NOT NULL AS held FROM harbor_scan WHERE id = $1',
      [id],
    );
    return rows[0]?.held === true;
  }

  /** Forgets scans created before `before` (their ids then answer 404, as the spec allows). */
  async purge(before: Date): Promise<number> {
    const { rows } = await this.db.query<{ id: string }>(
      'DELETE FROM harbor_scan WHERE created_at < $1 RETURNING id',
      [before],
    );
    return rows.length;
  }
}
