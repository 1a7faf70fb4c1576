// Webhooks as Stripe sends them: the event envelope around an object, and the `Stripe-Signature`
// header (`t=<unix seconds>,v1=<HMAC-SHA256 of "t.body">`) that the receiver verifies.
import { createHmac } from 'node:crypto';
import { id, type Json } from './fake-stripe-params.js';

export function signedStripeEvent(
  type: string,
  object: Json,
  options: { at: Date; secret: string; id?: string },
): { body: string; headers: Record<string, string> } {
  const { at, secret, id: eventId = id('evt') } = options;
  const created = Math.floor(at.getTime() / 1000);
  const event = {
    id: eventId,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    type,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  };
  const body = JSON.stringify(event);
  const signature = createHmac('sha256', secret).update(`${created}.${body}`).digest('hex');
  return {
    body,
    headers: { 'content-type': 'application/json', 'stripe-signature': `t=${created},v1=${signature}` },
  };
}
