// SQL for the outgoing_messages table, and nothing else.
import { sql, type Generated, type Kysely } from 'kysely';
import { PLATFORM_HOLDER, type PersonalDataVault } from '../crypto/personal-data.js';
import type { Db, PlatformTables, Tx } from '../db/index.js';

export type MessageChannel = 'email' | 'sms';
export type MessageState = 'pending' | 'sent' | 'failed' | 'sandboxed';

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
    state: MessageState;
    attempts: Generated<number>;
    next_attempt_at: Date | null;
    leased_until: Date | null;
    sent_at: Date | null;
    last_error: string | null;
    organization_id: string | null;
    locale: string | null;
    dedupe_key: string | null;
  };
  outgoing_message_attempts: {
    id: string;
    message_id: string;
    attempt: number;
    started_at: Date;
    duration_ms: number;
    outcome: 'sent' | 'retry' | 'failed';
    provider_message_id: string | null;
    error: string | null;
  };
};

type StoredMessage = Omit<MessageTables['outgoing_messages'], 'created_at' | 'attempts'> & {
  created_at: Date;
  attempts: number;
};
/** A message as callers see it: recipient and data opened. */
export type MessageRow = Omit<StoredMessage, 'sealed' | 'recipient_index' | 'recipient'> & { recipient: string };
/** What a new message is made of. */
export type NewMessage = Pick<MessageRow, 'id' | 'channel' | 'recipient' | 'template' | 'data' | 'state'> & {
  organizationId: string | null;
  locale: string | null;
  dedupeKey: string | null;
  /** When a pending message is first due. */
  dueAt: Date;
};

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

export const t = (ex: Kysely<PlatformTables>) => ex.withTables<MessageTables>();

export const messagesRepo = {
  /** False when a message with the same dedupe key exists already (nothing is inserted then). */
  async insert(trx: Tx, vault: PersonalDataVault, row: NewMessage): Promise<boolean> {
    const inserted = await t(trx)
      .insertInto('outgoing_messages')
      .values({
        id: row.id,
        channel: row.channel,
        template: row.template,
        recipient: null,
        data: null,
        state: row.state,
        next_attempt_at: row.state === 'pending' ? row.dueAt : null,
        organization_id: row.organizationId,
        locale: row.locale,
        dedupe_key: row.dedupeKey,
        sealed: await vault.seal(
          trx,
          PLATFORM_HOLDER,
          JSON.stringify({ to: row.recipient, data: row.data }),
          context(row.id),
        ),
        recipient_index: await vault.blindIndex(trx, 'message-recipient', normalizeRecipient(row.recipient)),
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .executeTakeFirst();
    return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
  },

  /** One message, recipient and data opened; null when gone. */
  async find(db: Db, vault: PersonalDataVault, id: string): Promise<MessageRow | null> {
    const row = await t(db).selectFrom('outgoing_messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? opened(db, vault, row as StoredMessage) : null;
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

  /** Deletes every message to these addresses, whatever its state (an erased person's); how many went. */
  async deleteTo(trx: Tx, vault: PersonalDataVault, addresses: string[]): Promise<number> {
    const recipients = [...new Set(addresses.map(normalizeRecipient))];
    if (recipients.length === 0) return 0;
    const indexes = await Promise.all(recipients.map((to) => vault.blindIndex(trx, 'message-recipient', to)));
    const deleted = await t(trx)
      .deleteFrom('outgoing_messages')
      .where((eb) => eb.or([eb('recipient_index', 'in', indexes), eb(sql<string>`lower(recipient)`, 'in', recipients)]))
      .executeTakeFirst();
    return Number(deleted.numDeletedRows ?? 0n);
  },
};
