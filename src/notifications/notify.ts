/**
 * Turns changes into queued notifications: only for active subscriptions of an account with an
 * endpoint for the type, one outbox row and a delivery job (unless one is queued for the stream)
 * in one transaction. A data update gives one `vuln_update` per image and tag listing every
 * change, never one per CVE.
 */
import type { Finding } from '../core/matching/types.js';
import type { JobQueue } from '../queue/queue.js';
import { EventRepository, type EventInput, type EventRecord } from '../store/repositories/events.js';
import type { Sql } from '../store/sql.js';
import { wakeStream } from './deliver.js';
import { diffFindings, isEmptyDiff, type FindingsDiff } from './diff.js';
import { hasEndpoint } from './endpoints.js';
import { anchoreEvent, atOrAbove, eventLogLevel } from './event-log.js';
import { notifyMany, recordEvents, type WantedNotification } from './notify-many.js';
import { NotificationOutbox } from './outbox.js';
import { notificationData, notificationPayload, type EvaluationState, type TypePayload } from './payloads.js';
import type { NotificationType } from './types.js';

export interface NotifierOptions {
  /** How long a notification is retried (default 24 h). */
  deadlineMs: number;
}

export class Notifier {
  constructor(
    private readonly db: Sql,
    private readonly queue: JobQueue,
    private readonly options: NotifierOptions = { deadlineMs: 24 * 3600_000 },
  ) {}

  private async subscribed(
    accountName: string,
    type: NotificationType,
    tag: string,
    db: Sql,
  ): Promise<boolean> {
    const { rows } = await db.query(
      `SELECT 1 FROM subscription WHERE account_name = $1 AND subscription_type = $2 AND subscription_key = $3 AND active`,
      [accountName, type, tag],
    );
    return rows.length > 0;
  }

  /** Queues one notification; undefined when nobody subscribed or no endpoint is configured. */
  async notify(
    accountName: string,
    tag: string,
    payload: TypePayload,
    options: {
      test?: boolean;
      annotations?: Record<string, string>;
      /** Asked for by the account's own configuration (a promotion rule): no subscription needed. */
      requested?: boolean;
    } = {},
    db: Sql = this.db,
  ): Promise<string | undefined> {
    const wanted = options.test || options.requested;
    if (!wanted && !(await this.subscribed(accountName, payload.type, tag, db))) return undefined;
    if (!(await hasEndpoint(db, accountName, payload.type))) return undefined;
    const { rows } = await db.query<{ email: string | null }>('SELECT email FROM account WHERE name = $1', [
      accountName,
    ]);
    const subject = {
      accountName,
      accountEmail: rows[0]?.email ?? null,
      tag,
      annotations: options.annotations,
    };
    const stream = options.test ? `test:${payload.type}` : `${payload.type}:${tag}`;
    return db.transaction(async (tx) => {
      const id = await new NotificationOutbox(tx).add(
        {
          accountName,
          type: payload.type,
          stream,
          payload: (id) => notificationData(subject, notificationPayload(id, subject, payload), payload.type),
          deadline: new Date(Date.now() + this.options.deadlineMs),
        },
        tx,
      );
      await wakeStream(this.queue, tx, accountName, stream);
      return id;
    });
  }

  /**
   * Writes an event of the account and, when it is at or above the level of the account's
   * `event_log` endpoint, queues it there (outbox row and delivery job), in the caller's
   * transaction when given one. Every event the service writes goes through here.
   */
  async recordEvent(input: EventInput, db: Sql = this.db): Promise<EventRecord> {
    return db.transaction(async (tx) => {
      const event = await new EventRepository(tx).add(input, tx);
      const threshold = await eventLogLevel(tx, input.accountName);
      if (threshold === undefined || !atOrAbove(event.level, threshold)) return event;
      const { rows } = await tx.query<{ email: string | null }>('SELECT email FROM account WHERE name = $1', [
        input.accountName,
      ]);
      const subject = {
        accountName: input.accountName,
        accountEmail: rows[0]?.email ?? null,
        tag: event.level,
      };
      const payload = { type: 'event_log' as const, event: anchoreEvent(event) };
      await new NotificationOutbox(tx).add(
        {
          accountName: input.accountName,
          type: 'event_log',
          stream: 'event_log',
          payload: (id) => notificationData(subject, notificationPayload(id, subject, payload), 'event_log'),
          deadline: new Date(Date.now() + this.options.deadlineMs),
        },
        tx,
      );
      await wakeStream(this.queue, tx, input.accountName, 'event_log');
      return event;
    });
  }

  /** `notify` for many (no test or requested ones), in the caller's transaction; how many were queued. */
  notifyMany(wanted: readonly WantedNotification[], db: Sql = this.db): Promise<number> {
    return notifyMany(db, this.queue, this.options.deadlineMs, wanted);
  }

  /** `recordEvent` for many, in order, in the caller's transaction. */
  recordEvents(inputs: readonly EventInput[], db: Sql = this.db): Promise<EventRecord[]> {
    return recordEvents(db, this.queue, this.options.deadlineMs, inputs);
  }

  /**
   * The findings of an image changed (a re-match after a feed sync, a new analysis): one
   * `vuln_update` per subscribed tag with the added, updated and removed rows. Returns the diff.
   */
  async notifyFindingsChanged(
    accountName: string,
    image: { digest: string; tags: readonly string[] },
    before: readonly Finding[],
    after: readonly Finding[],
  ): Promise<FindingsDiff> {
    const diff = diffFindings(before, after);
    if (isEmptyDiff(diff)) return diff;
    for (const tag of image.tags) {
      await this.notify(accountName, tag, { type: 'vuln_update', imageDigest: image.digest, diff });
    }
    return diff;
  }

  /** A policy verdict was computed; notifies only when pass/fail differs from the last one. */
  async notifyPolicyEvaluated(
    accountName: string,
    tag: string,
    current: EvaluationState,
    last: EvaluationState | null,
    options: { requested?: boolean } = {},
  ): Promise<boolean> {
    if (last && last.status === current.status) return false;
    return (
      (await this.notify(accountName, tag, { type: 'policy_eval', current, last }, options)) !== undefined
    );
  }

  /**
   * An analysis finished (or failed for good) for these accounts' image of `imageDigest`: an
   * `analysis_update` for each of its tags, in the caller's transaction.
   */
  async notifyAnalysisFinished(
    accountNames: readonly string[],
    imageDigest: string,
    status: 'analyzed' | 'analysis_failed',
    db: Sql = this.db,
  ): Promise<void> {
    for (const accountName of accountNames) {
      const { rows } = await db.query<{ full_tag: string; annotations: Record<string, string> }>(
        `SELECT t.registry || '/' || t.repo || ':' || t.tag AS full_tag, i.annotations
         FROM image_tag t JOIN image i ON i.account_name = t.account_name AND i.image_digest = t.image_digest
         WHERE t.account_name = $1 AND t.image_digest = $2 ORDER BY 1`,
        [accountName, imageDigest],
      );
      for (const { full_tag: tag, annotations } of rows) {
        const state = (analysis_status: string) => ({
          analysis_status,
          image_digest: imageDigest,
          annotations,
        });
        await this.notify(
          accountName,
          tag,
          { type: 'analysis_update', current: state(status), last: state('analyzing') },
          { annotations },
          db,
        );
      }
    }
  }
}
