// One message per channel a person allows for transactional messages (email, and SMS when they
// gave a phone), in their language: what guest notices, review requests and staff notices share.
import type { Tx } from '../../platform/db/index.js';
import { sendMessage } from '../../platform/messages/index.js';
import type { TemplateName } from './catalogue.js';
import { mayReceive, type NoticeChannel, type Preferences } from './preferences.js';

export async function tellPerson(
  trx: Tx,
  message: {
    contact: { email: string };
    preferences: Preferences;
    template: TemplateName;
    data: Record<string, unknown>;
    organizationId: string;
    /** The message's dedupe key on a channel: an event delivered twice makes one message. */
    dedupeKey: (channel: NoticeChannel) => string;
  },
): Promise<void> {
  const recipients: Array<[NoticeChannel, string | null]> = [
    ['email', message.contact.email],
    ['sms', message.preferences.phone],
  ];
  for (const [channel, to] of recipients) {
    if (to === null || !mayReceive(message.preferences, channel, 'transactional')) continue;
    await sendMessage(trx, {
      channel,
      to,
      template: message.template,
      data: message.data,
      organizationId: message.organizationId,
      locale: message.preferences.locale,
      dedupeKey: message.dedupeKey(channel),
    });
  }
}
