// SQL of sending: leasing due messages, and recording what an attempt got (the attempt row, the
// message's next step and the endpoint's failure run, in one transaction).
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../../platform/db/index.js';
import { webhookTables } from './tables.js';

/** Longer than a send can take (15 s) plus recording it: a live sender never loses its lease. */
export const LEASE_SECONDS = 60;
/** Five days of nothing but failures disables an endpoint. */
export const DISABLE_AFTER_MS = 5 * 24 * 3_600_000;

export interface LeasedMessage {
  id: string;
  endpoint_id: string;
  organization_id: string;
  event_type: string;
  body: string;
  attempts: number;
  created_at: Date;
  leased_until: Date;
  url: string;
  rate_limit_per_second: number | null;
  secret_sealed: Buffer;
  previous_secret_sealed: Buffer | null;
  previous_secret_expires_at: Date | null;
}

/**
 * Holds up to `limit` due messages of enabled endpoints. With per-order FIFO a message waits
 * while an earlier message of its endpoint about the same order is still pending.
 */
export async function leaseDue(db: Db, limit: number, now: Date): Promise<LeasedMessage[]> {
  // Times from the caller's clock (ms precision), so a lease compares equal when it is recorded.
  const until = new Date(now.getTime() + LEASE_SECONDS * 1000);
  const { rows } = await sql<LeasedMessage>`
    WITH due AS (
      SELECT m.id FROM webhook_messages m
      JOIN webhook_endpoints e ON e.id = m.endpoint_id
      WHERE m.state = 'pending' AND m.next_attempt_at <= ${now}
        AND (m.leased_until IS NULL OR m.leased_until < ${now})
        AND e.state = 'enabled' AND e.deleted_at IS NULL
        AND (m.ordering_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM webhook_messages earlier
          WHERE earlier.endpoint_id = m.endpoint_id AND earlier.ordering_key = m.ordering_key
            AND earlier.state = 'pending' AND earlier.id < m.id))
      ORDER BY m.next_attempt_at
      LIMIT ${limit}
      FOR UPDATE OF m SKIP LOCKED
    )
    UPDATE webhook_messages m SET leased_until = ${until}
    FROM due, webhook_endpoints e
    WHERE m.id = due.id AND e.id = m.endpoint_id
    RETURNING m.id, m.endpoint_id, m.organization_id, m.event_type, m.body, m.attempts, m.created_at,
      m.leased_until, e.url, e.rate_limit_per_second, e.secret_sealed, e.previous_secret_sealed,
      e.previous_secret_expires_at`.execute(db);
  return rows;
}

export interface AttemptRecord {
  succeeded: boolean;
  status: number | null;
  durationMs: number;
  excerpt: string | null;
  error: string | null;
}

/**
 * Records one attempt and what follows: delivered, another try at `retryAt`, or failed for good
 * (`retryAt` null), with the endpoint's failure run — one statement, so one round trip and one
 * commit per attempt on the hot path. Conditional on the lease still being ours: a sender that
 * outlived its lease (another took the message over) records nothing. Returns whether the
 * endpoint got disabled (410 Gone, or its failure run reached five days).
 */
export async function recordAttempt(
  db: Db,
  message: Pick<LeasedMessage, 'id' | 'endpoint_id' | 'leased_until'>,
  attempt: AttemptRecord,
  next: { retryAt: Date | null; gone: boolean },
  now: Date,
): Promise<{ recorded: boolean; disabled: boolean }> {
  const ok = attempt.succeeded;
  const finished = ok || next.retryAt === null;
  const state = ok ? 'delivered' : next.retryAt === null ? 'failed' : 'pending';
  const { rows } = await sql<{ recorded: number; failing_since: Date | null }>`
    WITH message AS (
      UPDATE webhook_messages SET attempts = attempts + 1, leased_until = NULL, state = ${state},
        finished_at = ${finished ? now : null}, next_attempt_at = coalesce(${next.retryAt}::timestamptz, next_attempt_at)
      WHERE id = ${message.id} AND leased_until = ${message.leased_until}
      RETURNING id, endpoint_id
    ), attempt AS (
      INSERT INTO webhook_attempts (id, message_id, endpoint_id, attempted_at, succeeded, status_code, duration_ms,
        response_excerpt, error)
      SELECT ${uuidv7()}::uuid, id, endpoint_id, ${now}, ${ok}, ${attempt.status}::int, ${attempt.durationMs}::int,
        ${attempt.excerpt?.slice(0, 1000) ?? null}::text, ${attempt.error?.slice(0, 500) ?? null}::text
      FROM message
    ), endpoint AS (
      -- A success ends the failure run; a failure starts one if none is running.
      UPDATE webhook_endpoints e SET failing_since = ${ok ? null : sql`coalesce(e.failing_since, ${now}::timestamptz)`}
      FROM message WHERE e.id = message.endpoint_id AND ${ok ? sql`e.failing_since IS NOT NULL` : sql`true`}
      RETURNING e.failing_since
    )
    SELECT (SELECT count(*)::int FROM message) AS recorded, (SELECT failing_since FROM endpoint) AS failing_since`.execute(
    db,
  );
  const result = rows[0]!;
  if (result.recorded === 0) return { recorded: false, disabled: false };
  const expired = result.failing_since !== null && result.failing_since.getTime() <= now.getTime() - DISABLE_AFTER_MS;
  if (ok || (!next.gone && !expired)) return { recorded: true, disabled: false };
  const disabled = await webhookTables(db)
    .updateTable('webhook_endpoints')
    .set({
      state: 'disabled',
      disabled_at: now,
      disabled_reason: next.gone ? 'gone' : 'failing',
      version: (eb) => eb('version', '+', 1),
      updated_at: now,
    })
    .where('id', '=', message.endpoint_id)
    .where('state', '=', 'enabled')
    .executeTakeFirst();
  return { recorded: true, disabled: Number(disabled.numUpdatedRows) > 0 };
}

/** Puts a leased message back untouched, to try at `at` (its endpoint's breaker is open, or its rate is spent). */
export async function postpone(db: Db, message: Pick<LeasedMessage, 'id' | 'leased_until'>, at: Date): Promise<void> {
  await webhookTables(db)
    .updateTable('webhook_messages')
    .set({ leased_until: null, next_attempt_at: at })
    .where('id', '=', message.id)
    .where('leased_until', '=', message.leased_until)
    .execute();
}

/** Retention: attempts older than `days` go. Returns how many. */
export async function purgeAttempts(db: Db, days: number): Promise<number> {
  const result = await webhookTables(db)
    .deleteFrom('webhook_attempts')
    .where('attempted_at', '<', sql<Date>`now() - make_interval(days => ${days})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
