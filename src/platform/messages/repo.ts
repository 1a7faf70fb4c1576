// SQL for the outgoing_messages table, and nothing else.
import { sql, type Generated, type Kysely } from 'kysely';
import { PLATFORM_HOLDER, type PersonalDataVault } from '../crypto/personal-data.js';
import type { Db, PlatformTables, Tx } from '../db/index.js';

export type MessageChannel = 'email' | 'sms';

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
type MessageTables = {
  outgoing_messages: {
    id: string;
    channel: MessageChannel;
    /** Only rows from before the sealing (migration 0014); newer rows: null, see `sealed`. */
    recipient: string | null;
    template: string;
    data: unknown;
    /** {to, data} sealed with the platform's personal data key (ADR 0025). */
    sealed: Buffer | null;
    recipient_index: Buffer | null;
    created_at: Generated<Date>;
  };
};

type StoredMessage = Omit<MessageTables['outgoing_messages'], 'created_at'> & { created_at: Date };
/** A message as callers see it: recipient and data opened. */
export type MessageRow = Omit<StoredMessage, 'sealed' | 'recipient_index' | 'recipient'> & { recipient: string };

const context = (id: string) => `outgoing-message:${id}`;
export const normalizeRecipient = (to: string) => to.trim().toLowerCase();

async function opened(ex: Kysely<PlatformTables>, vault: PersonalDataVault, row: StoredMessage): Promise<MessageRow> {
  const { sealed, recipient_index: _index, ...rest } = row;
  if (sealed === null) return { ...rest, recipient: row.recipient ?? '' };
  const open = JSON.parse(await vault.open(ex, PLATFORM_HOLDER, sealed, context(row.id))) as {
    to: string;
    data: unknown;
  };
  return { ...rest, recipient: open.to, data: open.data };
}

const t = (ex: Kysely<PlatformTables>) => ex.withTables<MessageTables>();

export const messagesRepo = {
  async insert(trx: Tx, vault: PersonalDataVault, row: Omit<MessageRow, 'created_at'>) {
    await t(trx)
      .insertInto('outgoing_messages')
      .values({
        id: row.id,
        channel: row.channel,
        template: row.template,
        recipient: null,
        data: null,
        sealed: await vault.seal(
          trx,
          PLATFORM_HOLDER,
          JSON.stringify({ to: row.recipient, data: row.data }),
          context(row.id),
        ),
        recipient_index: await vault.blindIndex(trx, 'message-recipient', normalizeRecipient(row.recipient)),
      })
      .execute();
  },

  /** Newest first, `limit` rows from before the cursor's id; one recipient's (any letter case) when `to` is set. */
  async listNewestFirst(
    db: Db,
    vault: PersonalDataVault,
    options: { limit: number; beforeId: string | null; to: string | null },
  ): Promise<MessageRow[]> {
    let query = t(db).selectFrom('outgoing_messages').selectAll();
    if (options.to !== null) {
      const to = normalizeRecipient(options.to);
      const index = await vault.blindIndex(db, 'message-recipient', to);
      query = query.where((eb) =>
        eb.or([eb('recipient_index', '=', index), eb(sql<string>`lower(recipient)`, '=', to)]),
      );
    }
    if (options.beforeId !== null) query = query.where('id', '<', options.beforeId);
    const rows = await query.orderBy('id', 'desc').limit(options.limit).execute();
    return Promise.all(rows.map((row) => opened(db, vault, row as StoredMessage)));
  },
};
