// The retry schedule every outgoing message follows, webhooks and notifications alike (the
// Standard Webhooks / Svix schedule, API-CONVENTIONS.md): the first attempt at once, then after
// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h — eight attempts over about a day and a half —
// each delay stretched by up to a tenth at random, so receivers that failed together are not
// retried together. A receiver's Retry-After pushes the next attempt later, never earlier.

/** Delay before attempt n+1 (index n), in milliseconds; attempt 1 is immediate. */
export const RETRY_DELAYS_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length;
const JITTER = 0.1;
/** A Retry-After beyond this is taken as this: a receiver cannot park a message for weeks. */
const MAX_ASKED_MS = 24 * 3_600_000;

/**
 * When to make the next attempt after `attemptsMade` attempts (counting the one that just
 * failed), or null when the schedule is spent and the message has failed for good.
 */
export function nextAttemptAt(
  attemptsMade: number,
  now: Date,
  options: { retryAfterSeconds?: number | null; random?: () => number } = {},
): Date | null {
  if (attemptsMade >= MAX_ATTEMPTS) return null;
  const base = RETRY_DELAYS_MS[Math.max(attemptsMade, 1)]!;
  const jittered = base * (1 + JITTER * (options.random ?? Math.random)());
  const asked = Math.min(MAX_ASKED_MS, Math.max(0, options.retryAfterSeconds ?? 0) * 1000);
  return new Date(now.getTime() + Math.round(Math.max(jittered, asked)));
}
