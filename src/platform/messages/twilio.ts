// SMS through Twilio's Messages API: POST /2010-04-01/Accounts/{sid}/Messages.json, form-encoded,
// HTTP basic auth with the account SID and auth token. A sender is an E.164 number (`From`) or a
// Messaging Service (`MessagingServiceSid`, `MG…`).
import { PermanentSendError, TransientSendError, type MessageSender } from './senders.js';

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  from: string;
  /** https://api.twilio.com, or a local server speaking its API in tests. */
  baseUrl: string;
}

/** Statuses that say this message can never go as it is (an invalid number, a malformed request). */
const FINAL = new Set([400, 404, 413, 422]);

export function twilioForm(settings: TwilioSettings, to: string, body: string): URLSearchParams {
  const form = new URLSearchParams({ To: to, Body: body });
  if (/^MG[0-9a-f]{32}$/i.test(settings.from)) form.set('MessagingServiceSid', settings.from);
  else form.set('From', settings.from);
  return form;
}

export function createTwilioSender(settings: TwilioSettings): MessageSender {
  const endpoint = `${settings.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  return {
    destination: 'twilio',
    async send(envelope, signal) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          // Twilio deduplicates a retried create carrying the same key.
          'i-twilio-idempotency-token': envelope.id,
        },
        body: twilioForm(settings, envelope.to, envelope.rendered.sms).toString(),
        signal,
        redirect: 'error',
      });
      const answer = (await response.json().catch(() => ({}))) as { sid?: unknown; code?: unknown; message?: unknown };
      if (response.ok) return { providerMessageId: typeof answer.sid === 'string' ? answer.sid : null };
      const detail = `Twilio ${response.status}${typeof answer.code === 'number' ? ` (${answer.code})` : ''}${
        typeof answer.message === 'string' ? `: ${answer.message}` : ''
      }`;
      if (FINAL.has(response.status)) throw new PermanentSendError(detail);
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new TransientSendError(detail, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
    },
  };
}
