// Email through SMTP (nodemailer): a text part always, an HTML part when rendered, and the
// message id as Message-ID so a resend after a lost answer reads as the same mail.
import nodemailer from 'nodemailer';
import { PermanentSendError, TransientSendError, type MessageSender } from './senders.js';
import { errorMessage } from '../observability/error-message.js';

export interface SmtpSettings {
  /** smtp:// or smtps:// with credentials, e.g. smtps://user:pass@smtp.example.com:465. */
  url: string;
  from: string;
}

const SOCKET_TIMEOUT_MS = 15_000;
/** The header stays one line whatever a template produced. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ').trim();

export function createSmtpSender(settings: SmtpSettings): MessageSender & { close(): void } {
  const transport = nodemailer.createTransport({
    url: settings.url,
    connectionTimeout: SOCKET_TIMEOUT_MS,
    greetingTimeout: SOCKET_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });
  return {
    destination: 'smtp',
    async send(envelope) {
      try {
        const info = (await transport.sendMail({
          from: settings.from,
          to: envelope.to,
          subject: oneLine(envelope.rendered.subject),
          text: envelope.rendered.text,
          ...(envelope.rendered.html === null ? {} : { html: envelope.rendered.html }),
          messageId: `<${envelope.id}@brigade>`,
        })) as { messageId?: string };
        return { providerMessageId: info.messageId ?? null };
      } catch (error) {
        throw classify(error);
      }
    },
    close: () => transport.close(),
  };
}

/** A 5xx reply is the server's final word on this message; anything else (4xx, a dead socket) may pass later. */
function classify(error: unknown): Error {
  const code = (error as { responseCode?: unknown }).responseCode;
  const text = errorMessage(error);
  if (typeof code === 'number' && code >= 500 && code < 600) return new PermanentSendError(`SMTP ${code}: ${text}`);
  return new TransientSendError(typeof code === 'number' ? `SMTP ${code}: ${text}` : `SMTP: ${text}`);
}
