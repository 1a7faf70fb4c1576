// Writes that make messages due: the fan-out of one event to every endpoint subscribed to its
// public type (from the outbox relay, in the subscriber's transaction), a test message, and a
// replay. Each ends with a NOTIFY, so the sending loop wakes when the transaction commits.
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/index.js';
import { bodyOf, type PublicEvent } from './translate.js';
import { webhookTables } from './tables.js';

export const MESSAGES_CHANNEL = 'webhook_messages';
const notify = (trx: Tx) => sql`SELECT pg_notify(${MESSAGES_CHANNEL}, '')`.execute(trx);

/**
 * One message per enabled endpoint of the organization that takes `event.type`; an event
 * delivered twice makes no second message (unique per endpoint and event). Returns how many.
 */
export async function fanOut(
  trx: Tx,
  input: {
    organizationId: string;
    eventId: string;
    /** When the event happened: the body's `timestamp`. */
    at: Date;
    /** The module clock's now: when the messages are made and first due. */
    now: Date;
    event: PublicEvent;
  },
): Promise<number> {
  const endpoints = await webhookTables(trx)
    .selectFrom('webhook_endpoints')
    .select(['id', 'ordered'])
    .where('organization_id', '=', input.organizationId)
    .where('state', '=', 'enabled')
    .where('deleted_at', 'is', null)
    .where(sql<boolean>`${input.event.type} = ANY(event_types)`)
    .execute();
  if (endpoints.length === 0) return 0;
  const body = bodyOf(input.event.type, input.at, input.event.data);
  const made = await webhookTables(trx)
    .insertInto('webhook_messages')
    .values(
      endpoints.map((endpoint) => ({
        id: uuidv7(),
        endpoint_id: endpoint.id,
        organization_id: input.organizationId,
        event_id: input.eventId,
        event_type: input.event.type,
        body,
        ordering_key: endpoint.ordered ? input.event.orderId : null,
        created_at: input.now,
        next_attempt_at: input.now,
        finished_at: null,
        leased_until: null,
      })),
    )
    .onConflict((conflict) => conflict.columns(['endpoint_id', 'event_id']).doNothing())
    .returning('id')
    .execute();
  if (made.length > 0) await notify(trx);
  return made.length;
}

export async function enqueueTestMessage(
  trx: Tx,
  endpoint: { id: string; organization_id: string },
  at: Date,
): Promise<{ message_id: string }> {
  const id = uuidv7();
  await webhookTables(trx)
    .insertInto('webhook_messages')
    .values({
      id,
      endpoint_id: endpoint.id,
      organization_id: endpoint.organization_id,
      event_id: null,
      event_type: 'webhook.test',
      body: bodyOf('webhook.test', at, { endpoint_id: endpoint.id, organization_id: endpoint.organization_id }),
      ordering_key: null,
      created_at: at,
      next_attempt_at: at,
      finished_at: null,
      leased_until: null,
    })
    .execute();
  await notify(trx);
  return { message_id: id };
}

/**
 * Sends the endpoint's messages made in [since, until) again, delivered or failed alike, with
 * their own `webhook-id` (a receiver that has one already deduplicates it) and a fresh schedule.
 */
export async function replayMessages(
  trx: Tx,
  endpointId: string,
  since: Date,
  until: Date | null,
  now: Date,
): Promise<number> {
  let query = webhookTables(trx)
    .updateTable('webhook_messages')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now, leased_until: null, finished_at: null })
    .where('endpoint_id', '=', endpointId)
    .where('created_at', '>=', since);
  if (until !== null) query = query.where('created_at', '<', until);
  const result = await query.executeTakeFirst();
  const queued = Number(result.numUpdatedRows);
  if (queued > 0) await notify(trx);
  return queued;
}
