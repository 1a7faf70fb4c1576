// SQL for the outbox and processed_events tables, and nothing else. The claim queries carry the
// ordering argument of ADR 0006; read it before changing them.
import { sql, type CompiledQuery, type Generated, type Kysely } from 'kysely';
import type { Db, PlatformTables, Tx } from '../db/index.js';

export type OutboxState = 'pending' | 'published' | 'dead';

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
export type OutboxTables = {
  outbox: {
    id: string;
    sequence: number;
    aggregate_type: string;
    aggregate_id: string;
    type: string;
    source: string;
    subject: string;
    occurred_at: Date;
    data: unknown;
    state: OutboxState;
    attempts: number;
    next_attempt_at: Date;
    last_error: string | null;
    stream_published_at: Date | null;
    published_at: Date | null;
  };
  processed_events: { subscriber: string; event_id: string; processed_at: Generated<Date> };
};

export type OutboxRow = OutboxTables['outbox'];

/** What a relay needs of a claimed event. */
export type ClaimedRow = Pick<
  OutboxRow,
  | 'id'
  | 'sequence'
  | 'aggregate_type'
  | 'aggregate_id'
  | 'type'
  | 'source'
  | 'subject'
  | 'occurred_at'
  | 'data'
  | 'attempts'
  | 'stream_published_at'
>;

/** Relays LISTEN here; an append notifies it in the appending transaction (delivered on commit). */
export const OUTBOX_CHANNEL = 'brigade_outbox';
export const LISTEN_STATEMENT = `LISTEN ${OUTBOX_CHANNEL}`;
// First key of the two-key advisory lock that serializes appends per aggregate (the two-key form
// is a separate lock space from the one-key locks of migrations and periodic tasks).
const APPEND_LOCK_CLASS = 2744426;

type Executor = Kysely<PlatformTables>;
const t = (ex: Executor) => ex.withTables<OutboxTables>();

const CLAIMED_COLUMNS = sql`o.id, o.sequence, o.aggregate_type, o.aggregate_id, o.type, o.source, o.subject, o.occurred_at, o.data, o.attempts, o.stream_published_at`;

export interface EventFailure {
  id: string;
  error: string;
  delayMs: number;
  dead: boolean;
  streamed: boolean;
}

export const outboxRepo = {
  /**
   * One statement: take the aggregate's append lock, notify relays, insert. The lock is held to
   * commit, so a second append for the same aggregate waits for the first transaction to end
   * and only then draws its sequence number: per aggregate, sequence order is commit order.
   * (The CTEs call volatile functions, so they are evaluated before the row is formed.)
   */
  async append(
    trx: Tx,
    row: {
      id: string;
      aggregate_type: string;
      aggregate_id: string;
      type: string;
      source: string;
      subject: string;
      data: string;
    },
  ): Promise<void> {
    await sql`
      WITH ordered AS (SELECT pg_advisory_xact_lock(${APPEND_LOCK_CLASS}::int, hashtext(${`${row.aggregate_type}:${row.aggregate_id}`}))),
           woken AS (SELECT pg_notify(${OUTBOX_CHANNEL}, ''))
      INSERT INTO outbox (id, aggregate_type, aggregate_id, type, source, subject, data)
      SELECT ${row.id}::uuid, ${row.aggregate_type}, ${row.aggregate_id}, ${row.type}, ${row.source}, ${row.subject}, ${row.data}::jsonb
      FROM ordered, woken`.execute(trx);
  },

  /** True when this subscriber had not processed the event (and now has, if the transaction commits). */
  async markProcessed(trx: Tx, subscriber: string, eventId: string): Promise<boolean> {
    const row = await t(trx)
      .insertInto('processed_events')
      .values({ subscriber, event_id: eventId })
      .onConflict((conflict) => conflict.columns(['subscriber', 'event_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst();
    return row !== undefined;
  },

  // --- the relay's claim transaction (compiled here, run on the relay's own connection) -------

  /**
   * Names the claiming connection (operators see `outbox-relay:<name>` in pg_stat_activity) and
   * bounds how long a hung relay can sit on its claim: past the timeout PostgreSQL ends the
   * session, the locks go, and another relay redelivers the batch.
   */
  beginClaim(db: Db, relay: string, claimTimeoutMs: number): CompiledQuery {
    return sql`SELECT set_config('application_name', ${`outbox-relay:${relay}`}, true),
                      set_config('idle_in_transaction_session_timeout', ${String(claimTimeoutMs)}, true)`.compile(db);
  },

  /**
   * The heads: due pending events with no earlier undelivered (pending or dead) event of their
   * aggregate, oldest first, locked. SKIP LOCKED lets another relay take other aggregates; it
   * cannot take this aggregate's later events, because they are not heads while this one is
   * pending.
   */
  claimHeads(db: Db, limit: number): CompiledQuery<ClaimedRow> {
    return sql<ClaimedRow>`
      SELECT ${CLAIMED_COLUMNS}
      FROM outbox o
      WHERE o.state = 'pending'
        AND o.next_attempt_at <= now()
        AND NOT EXISTS (
          SELECT 1 FROM outbox e
          WHERE e.state <> 'published'
            AND e.aggregate_type = o.aggregate_type
            AND e.aggregate_id = o.aggregate_id
            AND e.sequence < o.sequence)
      ORDER BY o.sequence
      LIMIT ${limit}
      FOR NO KEY UPDATE SKIP LOCKED`.compile(db);
  },

  /**
   * The pending events behind heads this transaction holds, oldest first, up to `limit` in all:
   * a prefix of each aggregate's queue. Nobody else can hold them (they are not heads), so this
   * waits for nothing.
   */
  claimFollowers(db: Db, heads: ClaimedRow[], limit: number): CompiledQuery<ClaimedRow> {
    return sql<ClaimedRow>`
      SELECT ${CLAIMED_COLUMNS}
      FROM outbox o
      JOIN unnest(${heads.map((h) => h.aggregate_type)}::text[], ${heads.map((h) => h.aggregate_id)}::text[], ${heads.map((h) => h.sequence)}::bigint[])
        AS h(aggregate_type, aggregate_id, sequence)
        ON o.aggregate_type = h.aggregate_type AND o.aggregate_id = h.aggregate_id AND o.sequence > h.sequence
      WHERE o.state = 'pending'
        AND NOT EXISTS (
          SELECT 1 FROM outbox d
          WHERE d.state = 'dead'
            AND d.aggregate_type = o.aggregate_type
            AND d.aggregate_id = o.aggregate_id
            AND d.sequence < o.sequence)
      ORDER BY o.sequence
      LIMIT ${limit}
      FOR NO KEY UPDATE OF o`.compile(db);
  },

  markPublished(db: Db, ids: string[], streamedIds: string[]): CompiledQuery {
    return sql`
      UPDATE outbox
      SET state = 'published',
          published_at = now(),
          attempts = attempts + 1,
          stream_published_at = CASE WHEN id = ANY(${streamedIds}::uuid[]) THEN coalesce(stream_published_at, now()) ELSE stream_published_at END
      WHERE id = ANY(${ids}::uuid[])`.compile(db);
  },

  /** Backoff counts from now (clock_timestamp), not from the claim's start (now()). */
  recordFailures(db: Db, failures: EventFailure[]): CompiledQuery {
    return sql`
      UPDATE outbox o
      SET attempts = o.attempts + 1,
          last_error = f.error,
          next_attempt_at = clock_timestamp() + f.delay_ms * interval '1 millisecond',
          state = CASE WHEN f.dead THEN 'dead' ELSE 'pending' END,
          stream_published_at = CASE WHEN f.streamed THEN coalesce(o.stream_published_at, now()) ELSE o.stream_published_at END
      FROM unnest(${failures.map((f) => f.id)}::uuid[], ${failures.map((f) => f.error)}::text[], ${failures.map((f) => f.delayMs)}::int[],
                  ${failures.map((f) => f.dead)}::bool[], ${failures.map((f) => f.streamed)}::bool[])
        AS f(id, error, delay_ms, dead, streamed)
      WHERE o.id = f.id`.compile(db);
  },

  // --- operations --------------------------------------------------------------------------

  async lag(ex: Executor): Promise<{ pending: number; oldest_pending_seconds: number; dead: number }> {
    const { rows } = await sql<{ pending: number; oldest_pending_seconds: number; dead: number }>`
      SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending,
             coalesce(extract(epoch FROM now() - min(occurred_at) FILTER (WHERE state = 'pending')), 0)::float8 AS oldest_pending_seconds,
             count(*) FILTER (WHERE state = 'dead')::int AS dead
      FROM outbox
      WHERE state <> 'published'`.execute(ex);
    return rows[0]!;
  },

  /** Dead events (these, or all when `ids` is null) go back to the queue with a fresh attempt budget. */
  async redeliverDead(trx: Tx, ids: string[] | null): Promise<number> {
    if (ids !== null && ids.length === 0) return 0;
    let update = t(trx)
      .updateTable('outbox')
      .set({ state: 'pending', attempts: 0, next_attempt_at: sql<Date>`now()` })
      .where('state', '=', 'dead');
    if (ids !== null) update = update.where('id', 'in', ids);
    const result = await update.executeTakeFirst();
    const count = Number(result.numUpdatedRows);
    if (count > 0) await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`.execute(trx);
    return count;
  },

  /**
   * Deletes published events older than the cutoff, and the processed-event records of events
   * that can no longer be redelivered (published or gone), at most `limit` of each.
   */
  async purge(ex: Executor, cutoff: Date, limit: number): Promise<number> {
    const events = await sql`
      DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE state = 'published' AND published_at < ${cutoff} ORDER BY published_at LIMIT ${limit})`.execute(
      ex,
    );
    const records = await sql`
      DELETE FROM processed_events WHERE (subscriber, event_id) IN (
        SELECT p.subscriber, p.event_id FROM processed_events p
        WHERE p.processed_at < ${cutoff}
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = p.event_id AND o.state <> 'published')
        LIMIT ${limit})`.execute(ex);
    return Number(events.numAffectedRows ?? 0n) + Number(records.numAffectedRows ?? 0n);
  },

  async find(
    ex: Executor,
    filter: { aggregate?: { type: string; id: string }; type?: string; state?: OutboxState } = {},
  ): Promise<OutboxRow[]> {
    let query = t(ex).selectFrom('outbox').selectAll().orderBy('sequence');
    if (filter.aggregate)
      query = query.where('aggregate_type', '=', filter.aggregate.type).where('aggregate_id', '=', filter.aggregate.id);
    if (filter.type) query = query.where('type', '=', filter.type);
    if (filter.state) query = query.where('state', '=', filter.state);
    return query.execute();
  },
};
