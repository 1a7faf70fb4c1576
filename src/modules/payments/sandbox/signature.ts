// Standard Webhooks signatures (https://www.standardwebhooks.com): the sender signs
// "<webhook-id>.<webhook-timestamp>.<raw body>" with HMAC-SHA256 and sends `v1,<base64>`; the
// receiver recomputes it over the raw bytes, accepts any one of several space-separated
// signatures (secret rotation) and refuses timestamps outside a tolerance (replays).
// The processor signs with it, Brigade's sandbox adapter verifies with it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from '../provider.js';

export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** The default replay window: five minutes either way, as the specification recommends. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/**
 * The HMAC key. A `whsec_…` secret is base64 after the prefix, per the specification; any other
 * string is used as its UTF-8 bytes. Sender and receiver share this function, so they agree.
 */
function keyOf(secret: string): Buffer {
  return secret.startsWith('whsec_')
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

function digest(secret: string, id: string, timestamp: number | string, body: Buffer | string): Buffer {
  return createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.`).update(body).digest();
}

/** The `webhook-signature` value for one message: `v1,<base64 HMAC>`. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: Buffer | string): string {
  return `v1,${digest(secret, id, timestampSeconds, body).toString('base64')}`;
}

/** The three headers of a signed message sent at `now`. */
export function webhookHeaders(secret: string, id: string, now: Date, body: string): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}

function single(headers: WebhookHeaders, name: string): string {
  const value = headers[name] ?? headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === '') throw new WebhookVerificationError(`The ${name} header is missing.`);
  return first;
}

/**
 * Checks a message's signature on its raw bytes and its timestamp against `now`. Throws
 * WebhookVerificationError on any failure; returns the message id when it checks out.
 */
export function verifyWebhookSignature(
  secret: string,
  rawBody: Buffer | string,
  headers: WebhookHeaders,
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): { id: string; timestamp: number } {
  const id = single(headers, 'webhook-id');
  const timestampText = single(headers, 'webhook-timestamp');
  const signatures = single(headers, 'webhook-signature');
  if (!/^\d{1,12}$/.test(timestampText))
    throw new WebhookVerificationError('The webhook-timestamp header is not a Unix time in seconds.');
  const timestamp = Number(timestampText);
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) {
    throw new WebhookVerificationError(
      'The webhook timestamp is outside the tolerance (a replay, or a clock far off).',
    );
  }
  const expected = digest(secret, id, timestampText, rawBody);
  // Every v1 candidate is compared (in constant time each), so timing says nothing about which matched.
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const [version, encoded] = entry.split(',', 2);
    if (version !== 'v1' || encoded === undefined) continue;
    const candidate = Buffer.from(encoded, 'base64');
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  if (!matched) throw new WebhookVerificationError('No webhook signature matches the body.');
  return { id, timestamp };
}
