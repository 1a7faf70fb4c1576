// SQL for the outgoing_messages table, and nothing else.
import { sql, type Generated, type Kysely } from 'kysely';
import type { Db, PlatformTables, Tx } from '../db/index.js';

export type MessageChannel = 'email' | 'sms';

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
type MessageTables = {
  outgoing_messages: {
    id: string;
    channel: MessageChannel;
    recipient: string;
    template: string;
    data: unknown;
    created_at: Generated<Date>;
  };
};

export type MessageRow = Omit<MessageTables['outgoing_messages'], 'created_at'> & { created_at: Date };

const t = (ex: Kysely<PlatformTables>) => ex.withTables<MessageTables>();

export const messagesRepo = {
  async insert(trx: Tx, row: Omit<MessageRow, 'created_at' | 'data'> & { data: string }) {
    await t(trx).insertInto('outgoing_messages').values(row).execute();
  },

  /** Newest first, `limit` rows from before the cursor's id; one recipient's (any letter case) when `to` is set. */
  async listNewestFirst(db: Db, options: { limit: number; beforeId: string | null; to: string | null }) {
    let query = t(db).selectFrom('outgoing_messages').selectAll();
    if (options.to !== null) query = query.where(sql<string>`lower(recipient)`, '=', options.to.toLowerCase());
    if (options.beforeId !== null) query = query.where('id', '<', options.beforeId);
    return query.orderBy('id', 'desc').limit(options.limit).execute();
  },
};
