// The request rate limit's algorithm: a token bucket per caller, computed as GCRA (the generic
// cell rate algorithm), which keeps one number per caller instead of a count and a timestamp.
//
// A limit of `points` per `seconds` is a bucket holding `points` tokens, refilled continuously at
// one token every `seconds / points`. A request takes one token or is refused. So a caller may
// burst `points` requests at once, and after that gets one request per refill interval; nothing
// resets all at once, so there is no window boundary at which a second full burst becomes
// possible (a fixed window admits up to twice the quota in an instant across its boundary).
//
// GCRA stores the bucket as its "theoretical arrival time" (tat): the moment the bucket will be
// full again. `tat - now` is the bucket's debt: 0 when full, `seconds` when empty. A request is
// admitted when taking its token (adding one interval to the debt) keeps the debt within
// `seconds`. Times are whole microseconds, so the arithmetic is exact (below 2^53) in JavaScript
// and in Redis's Lua alike.
//
// The same computation runs in this process's memory (one node) and as one Lua script in Redis
// (every node shares the caller's bucket, atomically). The clock is the node's (injectable, so
// tests move time without sleeping); nodes' clocks are assumed NTP-synchronised: a skew of d
// between two nodes lets a caller gain at most d's worth of refill.

export interface BucketLimit {
  points: number;
  seconds: number;
}

export interface BucketAnswer {
  allowed: boolean;
  /** Whole tokens left after this request (0 when refused). */
  remaining: number;
  /** Until the bucket is full again: the whole quota is available once more. */
  fullInMs: number;
  /** Refused requests: until the next token (the earliest a retry can pass). 0 when allowed. */
  retryInMs: number;
}

interface Cell {
  /** One token's refill interval, µs. */
  interval: number;
  /** The bucket's capacity as debt, µs (interval × points). */
  capacity: number;
}

/** The refill interval is whole microseconds: a limit above a million per second refills at a million per second (its burst stays `points`). */
export function cellOf(limit: BucketLimit): Cell {
  const interval = Math.max(1, Math.round((limit.seconds * 1_000_000) / limit.points));
  return { interval, capacity: interval * limit.points };
}

/** The answer for a request that found the bucket with `debt` µs (after taking, when allowed). */
export function answerOf(cell: Cell, allowed: boolean, debt: number): BucketAnswer {
  return {
    allowed,
    remaining: allowed ? Math.floor((cell.capacity - debt) / cell.interval) : 0,
    fullInMs: debt / 1000,
    retryInMs: allowed ? 0 : Math.max(0, debt + cell.interval - cell.capacity) / 1000,
  };
}

/** One GCRA step: the new tat when the request is admitted, and the debt the answer is read from. */
export function step(cell: Cell, tat: number | null, now: number): { allowed: boolean; tat: number; debt: number } {
  const from = tat === null || tat < now ? now : tat;
  const next = from + cell.interval;
  if (next - now > cell.capacity) return { allowed: false, tat: from, debt: from - now };
  return { allowed: true, tat: next, debt: next - now };
}

/** Buckets in this process's memory; entries of full buckets are swept now and then. */
export function createMemoryBuckets(clock: () => number) {
  const tats = new Map<string, number>();
  let takes = 0;
  return {
    take(key: string, limit: BucketLimit): BucketAnswer {
      const now = Math.round(clock() * 1000);
      if (++takes % 1024 === 0) {
        for (const [stored, tat] of tats) if (tat <= now) tats.delete(stored);
      }
      const cell = cellOf(limit);
      const result = step(cell, tats.get(key) ?? null, now);
      if (result.allowed) tats.set(key, result.tat);
      return answerOf(cell, result.allowed, result.debt);
    },
  };
}

/**
 * The same step in Redis, atomically: KEYS[1] the bucket, ARGV now (µs), interval (µs), capacity
 * (µs). Answers {1 admitted | 0 refused, debt µs}. The key expires when the bucket is full again.
 */
export const TAKE_TOKEN_SCRIPT = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nextTat = tat + interval
if nextTat - now > capacity then
  return {0, tat - now}
end
redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000))
return {1, nextTat - now}
`;
