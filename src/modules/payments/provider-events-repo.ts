// SQL for what the provider told us, each fact recorded once: the money movements it confirmed
// (one per payment and step) and the webhook events it sent (one per provider and event id).
// The unique keys, not a prior read, decide "already seen", so concurrent deliveries agree.
import type { ProviderName } from './provider.js';
import { paymentTables as t, type Executor, type OperationKind } from './tables.js';

export const providerEventsRepo = {
  /** Records a confirmed money movement once per (payment, step): false when it was already recorded. */
  async recordOperation(
    ex: Executor,
    row: {
      id: string;
      payment_id: string;
      kind: OperationKind;
      amount: number;
      step_key: string;
      provider_ref: string | null;
      occurred_at: Date;
    },
  ): Promise<boolean> {
    const inserted = await t(ex)
      .insertInto('payment_operations')
      .values(row)
      .onConflict((oc) => oc.columns(['payment_id', 'step_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  /** Claims a provider event for processing: false when it was processed before. */
  async claimWebhookEvent(
    ex: Executor,
    row: { provider: ProviderName; event_id: string; kind: string; payment_id: string | null; received_at: Date },
  ): Promise<boolean> {
    const inserted = await t(ex)
      .insertInto('payment_webhook_events')
      .values(row)
      .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst();
    return inserted !== undefined;
  },
};
