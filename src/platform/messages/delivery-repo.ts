// SQL of message delivery: leasing due messages and recording what each attempt came to.
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { inTransaction, type Db } from '../db/index.js';
import { t, type MessageChannel } from './repo.js';

/** A leased message: its lease's end is the fence its outcome is recorded under. */
export interface LeasedMessage {
  id: string;
  attempts: number;
  leasedUntil: Date;
}

export type AttemptOutcome =
  | { kind: 'sent'; providerMessageId: string | null }
  /** Failed this time; tried again at `nextAttemptAt`, or failed for good when null. */
  | { kind: 'retry'; error: string; nextAttemptAt: Date | null }
  /** Refused for good (an address the provider rejects, a template that does not exist). */
  | { kind: 'failed'; error: string };

export const LEASE_MS = 30_000;

export const deliveryRepo = {
  /**
   * Holds up to `limit` due pending messages of these channels until now + LEASE_MS. Rows another
   * sender is leasing right now are skipped, never waited for.
   */
  async lease(db: Db, channels: MessageChannel[], now: Date, limit: number): Promise<LeasedMessage[]> {
    if (channels.length === 0) return [];
    const until = new Date(now.getTime() + LEASE_MS);
    const { rows } = await sql<{ id: string; attempts: number; leased_until: Date }>`
      UPDATE outgoing_messages SET leased_until = ${until}
      WHERE id IN (
        SELECT id FROM outgoing_messages
        WHERE state = 'pending' AND next_attempt_at <= ${now}
          AND (leased_until IS NULL OR leased_until < ${now})
          AND channel = ANY(${channels}::text[])
        ORDER BY next_attempt_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id, attempts, leased_until
    `.execute(db);
    return rows.map((row) => ({ id: row.id, attempts: row.attempts, leasedUntil: row.leased_until }));
  },

  /**
   * Records one attempt and moves the message on, only while the lease is still ours (a sender
   * that outlived its lease records nothing: the next holder's outcome counts). True when recorded.
   */
  async record(
    db: Db,
    message: LeasedMessage,
    attempt: { startedAt: Date; durationMs: number; outcome: AttemptOutcome },
  ): Promise<boolean> {
    const { outcome } = attempt;
    const number = message.attempts + 1;
    return inTransaction(db, async (trx) => {
      const state =
        outcome.kind === 'sent' ? 'sent' : outcome.kind === 'retry' && outcome.nextAttemptAt ? 'pending' : 'failed';
      const updated = await t(trx)
        .updateTable('outgoing_messages')
        .set({
          state,
          attempts: number,
          leased_until: null,
          next_attempt_at: outcome.kind === 'retry' ? outcome.nextAttemptAt : null,
          sent_at: outcome.kind === 'sent' ? new Date(attempt.startedAt.getTime() + attempt.durationMs) : null,
          last_error: outcome.kind === 'sent' ? null : outcome.error,
        })
        .where('id', '=', message.id)
        .where('state', '=', 'pending')
        .where('leased_until', '=', message.leasedUntil)
        .executeTakeFirst();
      if ((updated.numUpdatedRows ?? 0n) === 0n) return false;
      await t(trx)
        .insertInto('outgoing_message_attempts')
        .values({
          id: uuidv7(),
          message_id: message.id,
          attempt: number,
          started_at: attempt.startedAt,
          duration_ms: Math.max(0, Math.round(attempt.durationMs)),
          outcome: outcome.kind === 'retry' && outcome.nextAttemptAt === null ? 'failed' : outcome.kind,
          provider_message_id: outcome.kind === 'sent' ? outcome.providerMessageId : null,
          error: outcome.kind === 'sent' ? null : outcome.error,
        })
        .execute();
      return true;
    });
  },

  /** Gives a leased message back untried (its provider's breaker is open): no attempt is counted. */
  async release(db: Db, message: LeasedMessage, nextAttemptAt: Date): Promise<void> {
    await t(db)
      .updateTable('outgoing_messages')
      .set({ leased_until: null, next_attempt_at: nextAttemptAt })
      .where('id', '=', message.id)
      .where('state', '=', 'pending')
      .where('leased_until', '=', message.leasedUntil)
      .execute();
  },

  /** Attempts of a message, first first (tests, support). */
  attemptsOf(db: Db, messageId: string) {
    return t(db)
      .selectFrom('outgoing_message_attempts')
      .selectAll()
      .where('message_id', '=', messageId)
      .orderBy('attempt')
      .execute();
  },

  /** Ends messages whose delivery is over (sent, failed, sandboxed) and that are older than `before`. */
  async purgeEnded(db: Db, before: Date): Promise<number> {
    const deleted = await t(db)
      .deleteFrom('outgoing_messages')
      .where('state', '<>', 'pending')
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(deleted.numDeletedRows ?? 0n);
  },
};
