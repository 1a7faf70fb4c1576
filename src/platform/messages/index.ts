// Messages to people (email, SMS): the one seam every caller sends through. A message is a row
// inserted in the caller's transaction, so it exists exactly when the change that caused it
// commits (a rolled-back sign-up sends nothing). Delivery (delivery.ts) leases due rows and hands
// them to SMTP or the SMS provider outside any transaction, with attempts and retries. A channel
// with no provider keeps its messages in the sandbox outbox, readable in development and tests
// at GET /sandbox/v1/messages (routes.ts). ADR 0023, ADR 0031.
//
// `data` is what the template needs, links and tokens included: it is never logged.
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../db/index.js';
import { initialState } from './delivery-mode.js';
import { messagesRepo, type MessageChannel } from './repo.js';
import { messageSealing } from './sealing.js';
import { TEMPLATE_PATTERN } from './template.js';

export type { MessageChannel, MessageState } from './repo.js';
export { registerSandboxMessages } from './routes.js';
export { messageSealing, useMessageSealing } from './sealing.js';
export { TEMPLATE_PATTERN } from './template.js';
export { useMessageDelivery } from './delivery-mode.js';
export { createMessageDelivery, type MessageRenderer } from './delivery.js';
export { deliveryRepo } from './delivery-repo.js';
export { createSmtpSender, type SmtpSettings } from './smtp.js';
export { createTwilioSender, twilioForm, type TwilioSettings } from './twilio.js';
export type { MessageSender, RenderedMessage } from './senders.js';

const LOCALE = /^[a-z]{2}$/;

export interface OutgoingMessage {
  channel: MessageChannel;
  /** An email address for `email`, an E.164 number for `sms`. */
  to: string;
  template: string;
  /** JSON the template is rendered with. */
  data: Record<string, unknown>;
  /** Whose wording of the template to use (its own, else the built-in). */
  organizationId?: string | null;
  /** Language to render in (`en`, `de`); the built-in default is English. */
  locale?: string | null;
  /**
   * Makes the message idempotent: a second message with the same key is not created (e.g.
   * `<event id>:<template>:<channel>:<recipient id>` for a notification about an event).
   */
  dedupeKey?: string | null;
}

/**
 * Forgets what was (or is still to be) sent to these addresses: the messages and their attempts
 * go, pending ones unsent. For an erased person, inside the erasure's transaction.
 */
export async function forgetMessagesTo(trx: Tx, addresses: string[]): Promise<number> {
  return messagesRepo.deleteTo(trx, messageSealing(), addresses);
}

/** `duplicate`: a message with the same dedupe key existed; nothing was added and `id` names nothing new. */
export async function sendMessage(trx: Tx, message: OutgoingMessage): Promise<{ id: string; duplicate: boolean }> {
  // Outside a transaction the message could go out for a change that rolls back.
  if (!trx.isTransaction)
    throw new Error(`Message ${message.template} must be sent inside the transaction of the change that causes it`);
  if (!TEMPLATE_PATTERN.test(message.template))
    throw new Error(`Message template "${message.template}" must look like <context>.<name>`);
  if (message.to.length === 0 || message.to.length > 320) throw new Error('A message needs a recipient');
  if (message.locale != null && !LOCALE.test(message.locale))
    throw new Error(`Message locale "${message.locale}" must be a two-letter language code`);
  if (message.dedupeKey != null && (message.dedupeKey.length === 0 || message.dedupeKey.length > 300))
    throw new Error('A dedupe key is 1 to 300 characters');
  const id = uuidv7();
  const inserted = await messagesRepo.insert(trx, messageSealing(), {
    id,
    channel: message.channel,
    recipient: message.to,
    template: message.template,
    data: message.data,
    state: initialState(message.channel),
    organizationId: message.organizationId ?? null,
    locale: message.locale ?? null,
    dedupeKey: message.dedupeKey ?? null,
    dueAt: new Date(),
  });
  return { id, duplicate: !inserted };
}
