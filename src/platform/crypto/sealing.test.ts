import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer } from './sealing.js';

describe('sealing secrets at rest', () => {
  const sealer = createSealer(randomBytes(32));

  it('when a value is sealed, then it opens with the same context only, and never contains the plaintext', () => {
    const sealed = sealer.seal('sk_test_abcdefgh12345678', 'payment-credentials:stripe:org-1');
    expect(sealed.includes(Buffer.from('sk_test_'))).toBe(false);
    expect(sealer.open(sealed, 'payment-credentials:stripe:org-1')).toBe('sk_test_abcdefgh12345678');
    expect(() => sealer.open(sealed, 'payment-credentials:stripe:org-2')).toThrow();
  });

  it('when the same value is sealed twice, then the results differ (a fresh nonce each time)', () => {
    expect(sealer.seal('same', 'c').equals(sealer.seal('same', 'c'))).toBe(false);
  });

  it('when one byte changes or another key opens it, then opening fails', () => {
    const sealed = sealer.seal('secret', 'c');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 20]! ^= 1;
    expect(() => sealer.open(tampered, 'c')).toThrow();
    expect(() => createSealer(randomBytes(32)).open(sealed, 'c')).toThrow();
    expect(() => createSealer(randomBytes(16))).toThrow(/32 bytes/);
  });
});
