// The one place outbound calls get their resilience: per destination a bulkhead (bounded
// concurrency), a circuit breaker (fail fast while a dependency is down), a timeout per
// attempt, and, for idempotent calls only, retries with exponential backoff and jitter.
// Every outbound HTTP call in Brigade goes through here, so the policy is uniform and measured.
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  IsolatedCircuitError,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IRetryBackoffContext,
} from 'cockatiel';
import { context, propagation } from '@opentelemetry/api';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Config } from '../../config/index.js';
import { AppError } from '../http/errors.js';
import { currentRequestId } from '../observability/context.js';

export class DependencyUnavailableError extends AppError {
  constructor(
    code: 'CIRCUIT_OPEN' | 'DEPENDENCY_SATURATED' | 'DEPENDENCY_TIMEOUT' | 'DEPENDENCY_FAILED',
    destination: string,
    cause?: unknown,
  ) {
    super(
      503,
      code,
      'Service unavailable',
      `A service we depend on (${destination}) is not answering properly; retry shortly.`,
      undefined,
      { 'retry-after': '5' },
    );
    this.cause = cause;
  }
}

/** A response whose status means the dependency failed (5xx, 429), as opposed to answering "no". */
export class OutboundHttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterSeconds: number | null,
  ) {
    super(`outbound call answered ${status}`);
  }
}

interface Destination {
  breaker: CircuitBreakerPolicy;
  bulkhead: BulkheadPolicy;
  /** When the breaker last opened (ms), for available(). */
  openedAt: number;
}

const STATE_VALUE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.Open]: 1,
  [CircuitState.HalfOpen]: 2,
  [CircuitState.Isolated]: 3,
};

export type OutboundOptions = Config['outbound'];

export function createOutbound(options: OutboundOptions, registry?: Registry) {
  const destinations = new Map<string, Destination>();
  const breakerState = new Gauge({
    name: 'outbound_circuit_state',
    help: 'Circuit breaker per destination: 0 closed, 1 open, 2 half-open, 3 isolated',
    labelNames: ['destination'] as const,
    registers: registry ? [registry] : [],
  });
  const calls = new Counter({
    name: 'outbound_calls_total',
    help: 'Outbound calls by destination and outcome',
    labelNames: ['destination', 'outcome'] as const,
    registers: registry ? [registry] : [],
  });

  // Breaker-open and bulkhead-full refusals are not failures of the dependency.
  const isFailure = (error: Error) =>
    !(
      error instanceof BrokenCircuitError ||
      error instanceof BulkheadRejectedError ||
      error instanceof IsolatedCircuitError
    );

  function destination(name: string): Destination {
    let found = destinations.get(name);
    if (!found) {
      const breaker = circuitBreaker(handleWhen(isFailure), {
        halfOpenAfter: options.breakerHalfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.breakerConsecutiveFailures),
      });
      breakerState.set({ destination: name }, 0);
      const created: Destination = {
        breaker,
        bulkhead: bulkhead(options.bulkheadLimit, options.bulkheadQueue),
        openedAt: 0,
      };
      breaker.onStateChange((state) => {
        breakerState.set({ destination: name }, STATE_VALUE[state]);
        if (state === CircuitState.Open) created.openedAt = Date.now();
      });
      found = created;
      destinations.set(name, found);
    }
    return found;
  }

  // Exponential with full jitter (100 ms, 200 ms, 400 ms … capped at 5 s), but never sooner than
  // a Retry-After the dependency asked for (capped at 30 s: past that, failing is kinder).
  const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>>((attempt) => {
    const exponential = Math.random() * Math.min(5_000, 100 * 2 ** attempt.attempt);
    const asked =
      'error' in attempt.result && attempt.result.error instanceof OutboundHttpError
        ? (attempt.result.error.retryAfterSeconds ?? 0) * 1000
        : 0;
    return Math.max(exponential, Math.min(asked, 30_000));
  });

  /**
   * Runs `work` under the destination's policies. `work` gets an AbortSignal that fires when
   * the attempt times out. Only `idempotent` work is retried: repeating a non-idempotent call
   * (a charge, a message) could do it twice.
   */
  async function call<T>(
    name: string,
    work: (signal: AbortSignal) => Promise<T>,
    { idempotent }: { idempotent: boolean },
  ): Promise<T> {
    const { breaker, bulkhead: limiter } = destination(name);
    // abortOnReturn off: the signal goes to fetch, and a caller reads the body after the attempt returned.
    const perAttempt = timeout(options.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    const policy = idempotent
      ? wrap(limiter, retry(handleWhen(isFailure), { maxAttempts: options.retries, backoff }), breaker, perAttempt)
      : wrap(limiter, breaker, perAttempt);
    try {
      const result = await policy.execute(({ signal }) => work(signal));
      calls.inc({ destination: name, outcome: 'success' });
      return result;
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        calls.inc({ destination: name, outcome: 'circuit_open' });
        throw new DependencyUnavailableError('CIRCUIT_OPEN', name, error);
      }
      if (error instanceof BulkheadRejectedError) {
        calls.inc({ destination: name, outcome: 'rejected' });
        throw new DependencyUnavailableError('DEPENDENCY_SATURATED', name, error);
      }
      if (error instanceof TaskCancelledError) {
        calls.inc({ destination: name, outcome: 'timeout' });
        throw new DependencyUnavailableError('DEPENDENCY_TIMEOUT', name, error);
      }
      calls.inc({ destination: name, outcome: 'failure' });
      throw new DependencyUnavailableError('DEPENDENCY_FAILED', name, error);
    }
  }

  /**
   * fetch() through the destination's policies, forwarding the request id and trace context.
   * 5xx and 429 count as failures (breaker, retries); any other status is the caller's to read.
   */
  async function request(name: string, url: string, init: RequestInit & { idempotent: boolean }): Promise<Response> {
    const { idempotent, ...rest } = init;
    const headers = new Headers(rest.headers);
    const requestId = currentRequestId();
    if (requestId && !headers.has('x-request-id')) headers.set('x-request-id', requestId);
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    for (const [key, value] of Object.entries(carrier)) headers.set(key, value);
    return call(
      name,
      async (signal) => {
        const response = await fetch(url, { ...rest, headers, signal });
        if (response.status >= 500 || response.status === 429) {
          await response.body?.cancel();
          const retryAfter = Number(response.headers.get('retry-after'));
          throw new OutboundHttpError(response.status, Number.isFinite(retryAfter) ? retryAfter : null);
        }
        return response;
      },
      { idempotent },
    );
  }

  return {
    call,
    request,
    /** For health and tests: the breaker state of a destination. */
    state: (name: string) => destination(name).breaker.state,
    /**
     * Whether a call to the destination would be attempted now: false only while its breaker is
     * open and its half-open pause has not passed. (cockatiel half-opens on the next attempt
     * after the pause, so a caller that checks before calling must be told "go ahead, try" then.)
     */
    available(name: string): boolean {
      const { breaker, openedAt } = destination(name);
      if (breaker.state === CircuitState.Isolated) return false;
      return breaker.state !== CircuitState.Open || Date.now() - openedAt >= options.breakerHalfOpenAfterMs;
    },
  };
}

export type Outbound = ReturnType<typeof createOutbound>;
