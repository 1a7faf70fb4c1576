// Messages to people (email now, SMS later): the one seam every caller sends through. A message
// is a row inserted in the caller's transaction, so it exists exactly when the change that
// caused it commits (a rolled-back sign-up sends nothing). Delivery is not here yet: until
// issue 17 adds it (a job claiming rows and handing them to SMTP or an SMS provider, with
// attempts and retries), the table is the sandbox outbox, readable in development and tests at
// GET /sandbox/v1/messages (routes.ts). Callers never change when delivery arrives. ADR 0023.
//
// `data` is what the template needs, links and tokens included: it is never logged.
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../db/index.js';
import { messagesRepo, type MessageChannel } from './repo.js';
import { messageSealing } from './sealing.js';
import { TEMPLATE_PATTERN } from './template.js';

export type { MessageChannel } from './repo.js';
export { registerSandboxMessages } from './routes.js';
export { useMessageSealing } from './sealing.js';
export { TEMPLATE_PATTERN } from './template.js';

export interface OutgoingMessage {
  channel: MessageChannel;
  /** An email address for `email`, an E.164 number for `sms`. */
  to: string;
  template: string;
  /** JSON the template is rendered with. */
  data: Record<string, unknown>;
}

export async function sendMessage(trx: Tx, message: OutgoingMessage): Promise<{ id: string }> {
  // Outside a transaction the message could go out for a change that rolls back.
  if (!trx.isTransaction)
    throw new Error(`Message ${message.template} must be sent inside the transaction of the change that causes it`);
  if (!TEMPLATE_PATTERN.test(message.template))
    throw new Error(`Message template "${message.template}" must look like <context>.<name>`);
  if (message.to.length === 0 || message.to.length > 320) throw new Error('A message needs a recipient');
  const id = uuidv7();
  await messagesRepo.insert(trx, messageSealing(), {
    id,
    channel: message.channel,
    recipient: message.to,
    template: message.template,
    data: message.data,
  });
  return { id };
}
