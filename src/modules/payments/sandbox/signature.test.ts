// Standard Webhooks signing and verification, as pure functions.
import { describe, expect, it } from 'vitest';
import { WebhookVerificationError } from '../provider.js';
import { signWebhook, verifyWebhookSignature, webhookHeaders } from './signature.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = new Date('2026-11-21T12:00:00Z');
const BODY = '{"id":"se_1","type":"intent.authorized"}';

describe('webhook signatures', () => {
  it('when a message is signed and verified with the same secret, then it checks out and gives its id and timestamp', () => {
    const headers = webhookHeaders(SECRET, 'se_1', NOW, BODY);
    expect(headers['webhook-timestamp']).toBe(String(NOW.getTime() / 1000));
    expect(verifyWebhookSignature(SECRET, Buffer.from(BODY), headers, NOW)).toEqual({
      id: 'se_1',
      timestamp: NOW.getTime() / 1000,
    });
  });

  it('when the secret is a whsec_ secret, then its base64 part is the key, as the specification says', () => {
    // The specification's published example: this id, timestamp, body and secret give this signature.
    const signature = signWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('when several signatures are sent (secret rotation), then one matching is enough, and other versions are ignored', () => {
    const headers = webhookHeaders(SECRET, 'se_1', NOW, BODY);
    const rotated = {
      ...headers,
      'webhook-signature': `v1a,whatever v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}`,
    };
    expect(() => verifyWebhookSignature(SECRET, BODY, rotated, NOW)).not.toThrow();
  });

  it.each([
    [
      'the body was changed',
      (h: Record<string, string>) => ({ headers: h, body: BODY.replace('authorized', 'captured') }),
    ],
    ['the id was changed', (h: Record<string, string>) => ({ headers: { ...h, 'webhook-id': 'se_2' }, body: BODY })],
    [
      'the timestamp was changed',
      (h: Record<string, string>) => ({
        headers: { ...h, 'webhook-timestamp': String(Number(h['webhook-timestamp']) + 1) },
        body: BODY,
      }),
    ],
    [
      'the signature is missing',
      (h: Record<string, string>) => ({ headers: { ...h, 'webhook-signature': '' }, body: BODY }),
    ],
    [
      'the signature is truncated',
      (h: Record<string, string>) => ({
        headers: { ...h, 'webhook-signature': h['webhook-signature']!.slice(0, 20) },
        body: BODY,
      }),
    ],
    [
      'the timestamp is not a number',
      (h: Record<string, string>) => ({ headers: { ...h, 'webhook-timestamp': '12a' }, body: BODY }),
    ],
  ])('when %s, then verification fails', (_what, tamper) => {
    const { headers, body } = tamper(webhookHeaders(SECRET, 'se_1', NOW, BODY));
    expect(() => verifyWebhookSignature(SECRET, body, headers, NOW)).toThrow(WebhookVerificationError);
  });

  it('when the timestamp is more than five minutes away from now, either way, then verification fails as a replay', () => {
    const headers = webhookHeaders(SECRET, 'se_1', NOW, BODY);
    const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
    expect(() => verifyWebhookSignature(SECRET, BODY, headers, at(300))).not.toThrow();
    expect(() => verifyWebhookSignature(SECRET, BODY, headers, at(301))).toThrow(/tolerance/);
    expect(() => verifyWebhookSignature(SECRET, BODY, headers, at(-301))).toThrow(/tolerance/);
  });

  it('when headers arrive as arrays (as node may give them), then the first value is used', () => {
    const headers = webhookHeaders(SECRET, 'se_1', NOW, BODY);
    const arrays = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
    expect(() => verifyWebhookSignature(SECRET, BODY, arrays, NOW)).not.toThrow();
  });
});
