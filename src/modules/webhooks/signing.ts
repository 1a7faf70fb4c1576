// The Standard Webhooks wire format: a secret is `whsec_` + base64 of random bytes; a signature
// is `v1,` + base64 of HMAC-SHA256 over "id.timestamp.body" keyed with the secret's bytes; during
// a rotation both secrets sign and the header carries both, space-separated, so a receiver that
// has either verifies.
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** 32 random bytes: more than the 24 the standard asks for. */
export function newSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** What reads show instead of the secret: enough to tell two apart, useless to sign with. */
export function secretHint(secret: string): string {
  return `${PREFIX}…${secret.slice(-4)}`;
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new Error('A webhook secret starts with whsec_');
  return Buffer.from(secret.slice(PREFIX.length), 'base64');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers for `body` sent as message `id` at `timestampSeconds`, signed by every secret. */
export function signedHeaders(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): SignedHeaders {
  const content = `${id}.${timestampSeconds}.${body}`;
  const signatures = secrets.map(
    (secret) => `v1,${createHmac('sha256', keyOf(secret)).update(content).digest('base64')}`,
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}

/** The `webhook-id` of a stored message: the same on every attempt and every replay. */
export const webhookIdOf = (messageId: string) => `msg_${messageId}`;
