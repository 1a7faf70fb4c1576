// The scheduled sweeps of the ledger: lots out of their lock period become spendable, and lots
// past their expiry lose what is left of them. Each member is handled in its own transaction
// under its row lock, a batch at a time, so a sweep never holds many members at once.
import { sql } from 'kysely';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { debit, lockMember, vestDue } from './ledger.js';
import { loyaltyTables } from './tables.js';

const BATCH = 200;

/** Members with lots whose lock period ended; each gets them vested. Returns how many members. */
export async function vestPending(db: Db, now: Date): Promise<number> {
  let done = 0;
  for (;;) {
    const members = await sql<{ member_id: string }>`
      SELECT DISTINCT member_id FROM loyalty_lots
      WHERE NOT vested AND available_at <= ${now} LIMIT ${BATCH}`.execute(db);
    for (const { member_id } of members.rows)
      await inTransaction(db, async (trx) => {
        const member = await lockMember(trx, member_id);
        if (member) await vestDue(trx, member, now);
      });
    done += members.rows.length;
    if (members.rows.length < BATCH) return done;
  }
}

/**
 * Expires what is left of every lot past its expiry, oldest first. Points a reward on an open
 * order holds are not taken: that part waits, and the spend consumes it (a lot expiring while an
 * order holds it is spent, not lost). Returns the points expired.
 */
export async function expireLots(db: Db, now: Date): Promise<number> {
  let expired = 0;
  let after: string | null = null;
  for (;;) {
    let query = loyaltyTables(db)
      .selectFrom('loyalty_lots')
      .select(['entry_id', 'member_id'])
      .where('remaining', '>', 0)
      .where('expires_at', '<=', now)
      .orderBy('entry_id')
      .limit(BATCH);
    if (after !== null) query = query.where('entry_id', '>', after);
    const lots = await query.execute();
    for (const lot of lots)
      expired += await inTransaction(db, async (trx) => {
        const locked = await lockMember(trx, lot.member_id);
        if (!locked) return 0;
        const member = await vestDue(trx, locked, now);
        const row = await loyaltyTables(trx)
          .selectFrom('loyalty_lots')
          .select(['entry_id', 'remaining', 'vested', 'created_at', 'order_id'])
          .where('entry_id', '=', lot.entry_id)
          .executeTakeFirst();
        if (!row || row.remaining === 0) return 0;
        const { taken } = await debit(trx, member, {
          kind: 'expire',
          points: row.remaining,
          lots: [row],
          rules: { vestedLimit: member.balance - member.pending - member.held, includePending: true },
          reason: 'Expired unused.',
          at: now,
        });
        return taken;
      });
    if (lots.length < BATCH) return expired;
    after = lots[lots.length - 1]!.entry_id;
  }
}
