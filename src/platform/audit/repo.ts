// SQL for the audit_log table and nothing else. Rows are only ever inserted; the one delete is
// the retention purge, which goes through purge_audit_log() (migration 0012) because the table's
// trigger refuses every other UPDATE and DELETE.
import { sql, type Generated, type Kysely } from 'kysely';
import type { Db, PlatformTables, Tx } from '../db/index.js';

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
export type AuditTables = {
  audit_log: {
    id: string;
    organization_id: string;
    store_id: string | null;
    actor_kind: 'user' | 'api_key' | 'system';
    actor_id: string | null;
    action: string;
    target_type: string;
    target_id: string;
    changes: unknown;
    request_id: string | null;
    ip: string | null;
    occurred_at: Generated<Date>;
  };
};

export type AuditRow = Omit<AuditTables['audit_log'], 'occurred_at'> & { occurred_at: Date };
export type NewAuditRow = Omit<AuditRow, 'occurred_at' | 'changes'> & { changes: string };

export interface AuditFilter {
  organizationId: string;
  /** Exact action, or a prefix when it ends in `.*` (`catalog.*`). */
  action?: string;
  actorId?: string;
  storeId?: string;
  targetId?: string;
  since?: Date;
  until?: Date;
  /** Keyset position: entries strictly older than this (occurred_at with microseconds, id). */
  after?: { at: string; id: string };
  limit: number;
}

const t = (ex: Kysely<PlatformTables>) => ex.withTables<AuditTables>();

export const auditRepo = {
  async insert(trx: Tx, row: NewAuditRow): Promise<void> {
    await t(trx)
      .insertInto('audit_log')
      .values({ ...row, changes: sql`${row.changes}::jsonb` })
      .execute();
  },

  /** Newest first; each row carries its exact sort key (`key_at`, microseconds) for the cursor. */
  async list(db: Db, filter: AuditFilter): Promise<Array<AuditRow & { key_at: string }>> {
    let query = t(db)
      .selectFrom('audit_log')
      .selectAll()
      .select(sql<string>`to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('key_at'))
      .where('organization_id', '=', filter.organizationId);
    if (filter.action !== undefined) {
      query = filter.action.endsWith('.*')
        ? query.where(sql<boolean>`starts_with(action, ${filter.action.slice(0, -1)})`)
        : query.where('action', '=', filter.action);
    }
    if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
    if (filter.storeId !== undefined) query = query.where('store_id', '=', filter.storeId);
    if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
    if (filter.since !== undefined) query = query.where('occurred_at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('occurred_at', '<', filter.until);
    if (filter.after !== undefined) {
      const { at, id } = filter.after;
      query = query.where(sql<boolean>`(occurred_at, id) < (${at}::timestamptz, ${id}::uuid)`);
    }
    return query.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  },

  /** Deletes up to `maxRows` entries older than `cutoff` through the purge function; returns how many. */
  async purgeOlderThan(db: Db, cutoff: Date, maxRows: number): Promise<number> {
    const result = await sql<{ deleted: number }>`SELECT purge_audit_log(${cutoff}, ${maxRows}) AS deleted`.execute(db);
    return result.rows[0]?.deleted ?? 0;
  },
};
