// Every Redis call Brigade makes on a request's path goes through one guard: a tight timeout (a
// cache or a counter that does not answer in a few milliseconds is treated as away) and a circuit
// breaker (after a few failures, calls fail at once for a while instead of each waiting its
// timeout). Redis is never the source of truth here: each caller has a fallback (memory counters,
// the database, PostgreSQL NOTIFY), so a failed call costs the request a fallback, not seconds.
import {
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleAll,
  timeout,
  TimeoutStrategy,
  wrap,
  type IPolicy,
} from 'cockatiel';
import type { Logger } from 'pino';

export interface RedisGuard {
  /** Runs `call` under the timeout and the breaker; rejects fast while the breaker is open. */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** True while the breaker is open (Redis is being left alone). */
  isOpen(): boolean;
}

export interface RedisGuardOptions {
  logger: Logger;
  /** How long one call may take before it counts as failed. */
  timeoutMs: number;
  /** Consecutive failures that open the breaker. */
  failuresToOpen?: number;
  /** How long the breaker stays open before one call is let through to test Redis again. */
  halfOpenAfterMs?: number;
}

export function createRedisGuard(options: RedisGuardOptions): RedisGuard {
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: options.halfOpenAfterMs ?? 2_000,
    breaker: new ConsecutiveBreaker(options.failuresToOpen ?? 3),
  });
  breaker.onBreak(() => options.logger.warn('redis: calls failing; using the fallbacks until it answers again'));
  breaker.onReset(() => options.logger.info('redis: answering again'));
  const policy: IPolicy = wrap(breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
  return {
    run: (call) => policy.execute(() => call()),
    isOpen: () => breaker.state === CircuitState.Open,
  };
}
