/** Events an account can read (analysis completed/failed, policy changes, feed syncs). */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.js';
import type { EventType } from './event-types.js';

export type EventLevel = 'info' | 'error';

export interface EventInput {
  accountName: string;
  /** One of the catalogue's types (`GET /v1/event_types` lists them). */
  type: EventType;
  level: EventLevel;
  message: string;
  details?: Record<string, unknown>;
  resourceType: string;
  resourceId: string;
  sourceService: string;
  sourceHost: string;
  category?: string;
}

export interface EventRecord extends Required<Omit<EventInput, 'type'>> {
  /** A stored event's type (rows written by older versions may carry types no longer listed). */
  type: string;
  id: string;
  createdAt: Date;
}

export interface EventRow {
  id: string;
  account_name: string;
  type: string;
  level: EventLevel;
  category: string;
  message: string;
  details: Record<string, unknown>;
  resource_type: string;
  resource_id: string;
  source_service: string;
  source_host: string;
  created_at: Date;
}

export const toEvent = (r: EventRow): EventRecord => ({
  id: r.id,
  accountName: r.account_name,
  type: r.type,
  level: r.level,
  category: r.category,
  message: r.message,
  details: r.details,
  resourceType: r.resource_type,
  resourceId: r.resource_id,
  sourceService: r.source_service,
  sourceHost: r.source_host,
  createdAt: r.created_at,
});

export interface EventFilter {
  since?: Date;
  before?: Date;
  level?: EventLevel;
  /** Exact type, or a prefix ending in `*` (`user.image.*`). */
  type?: string;
  resourceType?: string;
  resourceId?: string;
  sourceService?: string;
  sourceHost?: string;
}

const FILTER_SQL = `account_name = $1
  AND ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at < $3)
  AND ($4::text IS NULL OR level = $4) AND ($5::text IS NULL OR type LIKE $5)
  AND ($6::text IS NULL OR resource_type = $6) AND ($7::text IS NULL OR resource_id = $7)
  AND ($8::text IS NULL OR source_service = $8) AND ($9::text IS NULL OR source_host = $9)`;

function filterParams(accountName: string, f: EventFilter): unknown[] {
  const type = f.type === undefined ? null : f.type.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
  return [
    accountName,
    f.since ?? null,
    f.before ?? null,
    f.level ?? null,
    type,
    f.resourceType ?? null,
    f.resourceId ?? null,
    f.sourceService ?? null,
    f.sourceHost ?? null,
  ];
}

export class EventRepository {
  constructor(private readonly db: Sql) {}

  async add(input: EventInput, db: Sql = this.db): Promise<EventRecord> {
    const { rows } = await db.query<EventRow>(
      `INSERT INTO event (id, account_name, type, level, category, message, details, resource_type, resource_id, source_service, source_host)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        randomUUID(),
        input.accountName,
        input.type,
        input.level,
        // Anchore's category is the type's first part: `system.feeds.sync.completed` is `system`.
        input.category ?? input.type.slice(0, input.type.indexOf('.')),
        input.message,
        JSON.stringify(input.details ?? {}),
        input.resourceType,
        input.resourceId,
        input.sourceService,
        input.sourceHost,
      ],
    );
    return toEvent(rows[0] as EventRow);
  }

  /** One page, newest first, and whether another page follows. */
  async page(
    accountName: string,
    filter: EventFilter,
    page: number,
    pageSize: number,
  ): Promise<{ events: EventRecord[]; nextPage: boolean }> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT * FROM event WHERE ${FILTER_SQL} ORDER BY created_at DESC, seq DESC LIMIT $10 OFFSET $11`,
      [...filterParams(accountName, filter), pageSize + 1, (page - 1) * pageSize],
    );
    return { events: rows.slice(0, pageSize).map(toEvent), nextPage: rows.length > pageSize };
  }

  async get(accountName: string, id: string): Promise<EventRecord | undefined> {
    const { rows } = await this.db.query<EventRow>(
      'SELECT * FROM event WHERE account_name = $1 AND id = $2',
      [accountName, id],
    );
    return rows[0] && toEvent(rows[0]);
  }

  async delete(accountName: string, id: string): Promise<boolean> {
    const { rows } = await this.db.query(
      'DELETE FROM event WHERE account_name = $1 AND id = $2 RETURNING id',
      [accountName, id],
    );
    return rows.length > 0;
  }

  async deleteMatching(accountName: string, filter: EventFilter): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `DELETE FROM event WHERE ${FILTER_SQL} RETURNING id`,
      filterParams(accountName, filter),
    );
    return rows.map((r) => r.id);
  }
}
