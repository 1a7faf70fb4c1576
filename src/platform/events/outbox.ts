// Appending events, and the operations around the outbox table: lag, dead letters, retention.
// An event is written in the transaction of the change it records, so it exists exactly when
// the change does; a relay publishes it after commit (relay.ts).
import { v7 as uuidv7 } from 'uuid';
import { inTransaction, type Db, type Tx } from '../db/index.js';
import { outboxRepo, type ClaimedRow, type OutboxRow, type OutboxState } from './repo.js';
import type { CloudEvent, EventAppender, EventMap, NewOutboxEventOf } from './types.js';

/** `<context>.<entity>.<past-tense verb>`, lowercase; also safe as a NATS subject suffix. */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;
const AGGREGATE_PART = /^[A-Za-z0-9_.:/-]{1,200}$/;

export interface AppenderOptions {
  /** CloudEvents `source` is `<prefix>/<context>`, e.g. `/brigade/tenancy`. */
  sourcePrefix?: string;
}

export function createEventAppender<M extends EventMap>(options: AppenderOptions = {}): EventAppender<M> {
  const prefix = options.sourcePrefix ?? '/brigade';
  return {
    async append(trx: Tx, event: NewOutboxEventOf<M>) {
      // Outside a transaction the event could outlive a change that rolls back, or be lost
      // after one that commits: exactly what the outbox is here to prevent.
      if (!trx.isTransaction)
        throw new Error(`Event ${event.type} must be appended inside the transaction of the change it records`);
      if (!EVENT_TYPE_PATTERN.test(event.type))
        throw new Error(`Event type "${event.type}" must look like <context>.<entity>.<past-tense verb>`);
      const { type: aggregateType, id: aggregateId } = event.aggregate;
      if (!AGGREGATE_PART.test(aggregateType) || !AGGREGATE_PART.test(aggregateId)) {
        throw new Error(`Event ${event.type}: aggregate type and id must be 1-200 characters of [A-Za-z0-9_.:/-]`);
      }
      const id = uuidv7();
      await outboxRepo.append(trx, {
        id,
        aggregate_type: aggregateType,
        aggregate_id: aggregateId,
        type: event.type,
        source: `${prefix}/${event.type.slice(0, event.type.indexOf('.'))}`,
        subject: event.subject ?? `${aggregateType}/${aggregateId}`,
        data: JSON.stringify(event.data),
      });
      return { id };
    },
  };
}

export function toCloudEvent(
  row: Pick<
    ClaimedRow,
    'id' | 'source' | 'type' | 'subject' | 'occurred_at' | 'aggregate_type' | 'aggregate_id' | 'data'
  >,
): CloudEvent {
  return {
    specversion: '1.0',
    id: row.id,
    source: row.source,
    type: row.type,
    subject: row.subject,
    time: row.occurred_at.toISOString(),
    datacontenttype: 'application/json',
    partitionkey: `${row.aggregate_type}:${row.aggregate_id}`,
    data: row.data,
  };
}

export interface OutboxLag {
  /** Events waiting for delivery (including those backing off after a failure). */
  pending: number;
  /** Age of the oldest of them; 0 when none waits. */
  oldestPendingSeconds: number;
  /** Dead letters: events that exhausted their attempts. Each blocks its aggregate's later events. */
  dead: number;
}

/** For the scheduled lag check: log it and export it (see createOutboxMetrics().recordLag). */
export async function checkOutboxLag(db: Db): Promise<OutboxLag> {
  const row = await outboxRepo.lag(db);
  return { pending: row.pending, oldestPendingSeconds: row.oldest_pending_seconds, dead: row.dead };
}

/**
 * Puts dead letters back in the queue with a fresh attempt budget, once the subscriber or the
 * stream that failed them is fixed: the given ids, or every dead event when none are given.
 * Returns how many were dead (other ids are ignored). Each unblocks its aggregate's later events.
 */
export async function redeliverDeadEvents(db: Db, eventIds?: string[]): Promise<number> {
  return inTransaction(db, (trx) => outboxRepo.redeliverDead(trx, eventIds ?? null));
}

/**
 * Deletes published events and their processed-event records older than `olderThan`, in
 * bounded chunks; returns the rows deleted. Meant for a scheduled retention job.
 */
export async function purgeDeliveredEvents(db: Db, olderThan: Date, chunk = 5000): Promise<number> {
  return outboxRepo.purge(db, olderThan, chunk);
}

export type { OutboxRow, OutboxState };

/** The outbox rows, oldest first, optionally of one aggregate / type / state (support, tests). */
export async function readOutbox(
  db: Db,
  filter: { aggregate?: { type: string; id: string }; type?: string; state?: OutboxState } = {},
): Promise<OutboxRow[]> {
  return outboxRepo.find(db, filter);
}
