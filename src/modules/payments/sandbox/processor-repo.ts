// SQL for the sandbox processor's own tables (migration 0009), and nothing else. Every function
// takes the executor first (the pool or a transaction), so the operations decide what runs in
// which transaction. Times come from the processor's clock, never now(), so a test clock holds.
import { type ColumnType, type Generated, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { PlatformTables } from '../../../platform/db/index.js';

type Json<T> = ColumnType<T, string, string>;

export type IntentStatus = 'requires_payment' | 'processing' | 'authorized' | 'captured' | 'voided';
export type EventType =
  'intent.authorized' | 'intent.payment_failed' | 'intent.captured' | 'intent.voided' | 'refund.succeeded';

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
export type SandboxTables = {
  sandbox_intents: {
    id: string;
    status: IntentStatus;
    amount: number;
    currency: string;
    amount_authorized: ColumnType<number, number | undefined, number>;
    amount_captured: ColumnType<number, number | undefined, number>;
    amount_refunded: ColumnType<number, number | undefined, number>;
    client_secret: string;
    last_failure_code: string | null;
    reference: string;
    description: string | null;
    metadata: Json<Record<string, string>>;
    capture_count: ColumnType<number, number | undefined, number>;
    pending_card: string | null;
    decide_at: Date | null;
    flaky_attempts: ColumnType<number, number | undefined, number>;
    created_at: Date;
    updated_at: Date;
  };
  sandbox_refunds: {
    id: string;
    intent_id: string;
    amount: number;
    status: 'pending' | 'succeeded' | 'failed';
    reason: string;
    reference: string;
    created_at: Date;
  };
  sandbox_idempotency_keys: {
    route: string;
    key: string;
    fingerprint: Buffer;
    response_status: number | null;
    response_body: ColumnType<unknown, string | null, string | null>;
    created_at: Date;
  };
  sandbox_events: {
    id: string;
    type: EventType;
    intent_id: string;
    payload: Json<unknown>;
    created_at: Date;
  };
  sandbox_deliveries: {
    id: Generated<number>;
    event_id: string;
    state: ColumnType<'pending' | 'delivered' | 'dead', 'pending' | undefined, 'pending' | 'delivered' | 'dead'>;
    attempts: ColumnType<number, number | undefined, number>;
    next_attempt_at: Date;
    last_error: string | null;
    delivered_at: Date | null;
  };
};

export type Executor = Kysely<PlatformTables>;
const t = (ex: Executor) => ex.withTables<SandboxTables>();

export type IntentRow = Selectable<SandboxTables['sandbox_intents']>;
export type RefundRow = Selectable<SandboxTables['sandbox_refunds']>;
export type IntentPatch = Omit<Updateable<SandboxTables['sandbox_intents']>, 'id' | 'created_at' | 'metadata'> & {
  updated_at: Date;
};

/** A claimed webhook delivery: which attempt this is, and the body to send. */
export interface ClaimedDelivery {
  id: number;
  event_id: string;
  attempts: number;
  payload: unknown;
}

export const sandboxRepo = {
  async insertIntent(
    ex: Executor,
    row: Pick<
      IntentRow,
      'id' | 'amount' | 'currency' | 'client_secret' | 'reference' | 'description' | 'metadata' | 'created_at'
    >,
  ): Promise<IntentRow> {
    return t(ex)
      .insertInto('sandbox_intents')
      .values({
        ...row,
        status: 'requires_payment',
        metadata: JSON.stringify(row.metadata),
        last_failure_code: null,
        pending_card: null,
        decide_at: null,
        updated_at: row.created_at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async findIntent(ex: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<IntentRow | undefined> {
    let query = t(ex).selectFrom('sandbox_intents').selectAll().where('id', '=', id);
    if (options.forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },

  async updateIntent(ex: Executor, id: string, patch: IntentPatch): Promise<IntentRow> {
    return t(ex)
      .updateTable('sandbox_intents')
      .set(patch)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  /** Processing intents whose decision is due, locked; SKIP LOCKED so two loops split the work. */
  async lockDueDecisions(ex: Executor, now: Date, limit: number): Promise<IntentRow[]> {
    return t(ex)
      .selectFrom('sandbox_intents')
      .selectAll()
      .where('status', '=', 'processing')
      .where('decide_at', '<=', now)
      .orderBy('decide_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  },

  async insertRefund(ex: Executor, row: RefundRow): Promise<RefundRow> {
    return t(ex).insertInto('sandbox_refunds').values(row).returningAll().executeTakeFirstOrThrow();
  },

  async listRefunds(ex: Executor, intentId: string): Promise<RefundRow[]> {
    return t(ex)
      .selectFrom('sandbox_refunds')
      .selectAll()
      .where('intent_id', '=', intentId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  },

  /**
   * Inserts the key's row, or waits for a concurrent twin holding it (the primary key blocks
   * until that transaction ends). True when this transaction now owns the key.
   */
  async claimKey(ex: Executor, route: string, key: string, fingerprint: Buffer, now: Date): Promise<boolean> {
    const inserted = await t(ex)
      .insertInto('sandbox_idempotency_keys')
      .values({ route, key, fingerprint, response_status: null, response_body: null, created_at: now })
      .onConflict((conflict) => conflict.columns(['route', 'key']).doNothing())
      .returning('route')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  async findKey(ex: Executor, route: string, key: string) {
    return t(ex)
      .selectFrom('sandbox_idempotency_keys')
      .select(['fingerprint', 'response_status', 'response_body'])
      .where('route', '=', route)
      .where('key', '=', key)
      .executeTakeFirst();
  },

  async storeResponse(ex: Executor, route: string, key: string, status: number, body: unknown): Promise<void> {
    await t(ex)
      .updateTable('sandbox_idempotency_keys')
      .set({ response_status: status, response_body: JSON.stringify(body) })
      .where('route', '=', route)
      .where('key', '=', key)
      .execute();
  },

  /** The event and its (single, the one webhook endpoint's) delivery, due at once. */
  async insertEvent(
    ex: Executor,
    event: { id: string; type: EventType; intent_id: string; payload: unknown; created_at: Date },
  ): Promise<void> {
    await t(ex)
      .insertInto('sandbox_events')
      .values({ ...event, payload: JSON.stringify(event.payload) })
      .execute();
    await t(ex)
      .insertInto('sandbox_deliveries')
      .values({ event_id: event.id, next_attempt_at: event.created_at, last_error: null, delivered_at: null })
      .execute();
  },

  /**
   * Claims due deliveries in one statement: each claimed row gets its attempt counted and its
   * next attempt pushed out by `leaseMs`, so another process (or this one's next tick) does not
   * send the same attempt while this one is sending it. SKIP LOCKED: concurrent claimers split rows.
   */
  async claimDeliveries(ex: Executor, now: Date, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const due = t(ex)
      .selectFrom('sandbox_deliveries')
      .select('id')
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked();
    const claimed = await t(ex)
      .updateTable('sandbox_deliveries')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil }))
      .where('id', 'in', due)
      .returning(['id', 'event_id', 'attempts'])
      .execute();
    if (claimed.length === 0) return [];
    const events = await t(ex)
      .selectFrom('sandbox_events')
      .select(['id', 'payload'])
      .where(
        'id',
        'in',
        claimed.map((row) => row.event_id),
      )
      .execute();
    const payloads = new Map(events.map((event) => [event.id, event.payload]));
    // Creation order (RETURNING promises none).
    return claimed.sort((a, b) => a.id - b.id).map((row) => ({ ...row, payload: payloads.get(row.event_id) }));
  },

  /** Records an attempt's outcome, unless a later claim has taken the row over meanwhile. */
  async recordAttempt(
    ex: Executor,
    delivery: { id: number; attempts: number },
    outcome: { delivered: true; at: Date } | { delivered: false; error: string; nextAttemptAt: Date | null },
  ): Promise<void> {
    const update = outcome.delivered
      ? { state: 'delivered' as const, delivered_at: outcome.at, last_error: null }
      : outcome.nextAttemptAt === null
        ? { state: 'dead' as const, last_error: outcome.error }
        : { next_attempt_at: outcome.nextAttemptAt, last_error: outcome.error };
    await t(ex)
      .updateTable('sandbox_deliveries')
      .set(update)
      .where('id', '=', delivery.id)
      .where('attempts', '=', delivery.attempts)
      .where('state', '=', 'pending')
      .execute();
  },
};
