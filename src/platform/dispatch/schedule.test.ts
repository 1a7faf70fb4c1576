// The shared retry schedule (webhooks and notifications): the Svix delays, at most 10% jitter,
// Retry-After honoured but bounded, and an end.
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, nextAttemptAt, RETRY_DELAYS_MS } from './schedule.js';

const now = new Date('2026-12-07T12:00:00Z');
const after = (attempts: number, options: Parameters<typeof nextAttemptAt>[2] = {}) =>
  nextAttemptAt(attempts, now, options)!.getTime() - now.getTime();

describe('the retry schedule', () => {
  it('when attempts fail, then the next waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, and after the eighth there is none', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7].map((attempts) => after(attempts, { random: () => 0 }));
    expect(waits).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(MAX_ATTEMPTS).toBe(8);
    expect(RETRY_DELAYS_MS[0]).toBe(0);
    expect(nextAttemptAt(8, now)).toBeNull();
  });

  it('when jitter is drawn, then a delay grows by at most a tenth', () => {
    expect(after(1, { random: () => 0.999999 })).toBe(5_500);
    expect(after(4, { random: () => 0.5 })).toBe(7_560_000);
  });

  it('when the receiver asks Retry-After, then the next attempt is no sooner, and never more than a day away', () => {
    expect(after(1, { random: () => 0, retryAfterSeconds: 120 })).toBe(120_000);
    expect(after(3, { random: () => 0, retryAfterSeconds: 10 })).toBe(1_800_000);
    expect(after(1, { random: () => 0, retryAfterSeconds: 10 * 86_400 })).toBe(86_400_000);
  });
});
