import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CircuitState } from 'cockatiel';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test-support/wait.js';
import { requestContext } from '../observability/context.js';
import { createOutbound, DependencyUnavailableError, type OutboundOptions } from './outbound.js';

// A real HTTP dependency whose behaviour each test sets: answer with a status, or hang.
let mode: { status: number; retryAfter?: string } | 'hang' = { status: 200 };
let hits: Array<{ method: string; requestId: string | undefined }> = [];
const server = http.createServer((request, response) => {
  hits.push({ method: request.method ?? '', requestId: request.headers['x-request-id'] as string | undefined });
  if (mode === 'hang') return; // never answers; the client's timeout must fire
  if (mode.retryAfter) response.setHeader('retry-after', mode.retryAfter);
  response.writeHead(mode.status, { 'content-type': 'application/json' }).end('{"ok":true}');
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  mode = { status: 200 };
  hits = [];
});

const options = (overrides: Partial<OutboundOptions> = {}): OutboundOptions => ({
  timeoutMs: 1000,
  retries: 2,
  breakerConsecutiveFailures: 3,
  breakerHalfOpenAfterMs: 200,
  bulkheadLimit: 10,
  bulkheadQueue: 10,
  ...overrides,
});

describe('outbound calls', () => {
  it('when a call returns, then its response body can still be read (the attempt’s signal is not aborted on return)', async () => {
    const outbound = createOutbound(options());
    const response = await outbound.request('menu-sync', `${base}/menu`, { method: 'GET', idempotent: true });
    expect(await response.json()).toEqual({ ok: true });
  });

  it('when the breaker opens, then available() says no until the half-open pause passed, and the trial call that follows closes it', async () => {
    const outbound = createOutbound(
      options({ retries: 0, breakerConsecutiveFailures: 2, breakerHalfOpenAfterMs: 200 }),
    );
    mode = { status: 500 };
    for (let attempt = 0; attempt < 2; attempt++)
      await outbound.request('payments', `${base}/x`, { method: 'GET', idempotent: true }).catch(() => undefined);
    const opened = Date.now();
    expect(outbound.available('payments')).toBe(false);
    await waitFor('the half-open pause', () => outbound.available('payments'), 2000, 10);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(150);
    expect(outbound.state('payments')).toBe(CircuitState.Open);
    mode = { status: 200 };
    await outbound.request('payments', `${base}/x`, { method: 'GET', idempotent: true });
    expect(outbound.available('payments')).toBe(true);
    expect(outbound.state('payments')).toBe(CircuitState.Closed);
  });

  it('when an idempotent call meets a failing dependency, then it is retried and then fails with 503 DEPENDENCY_FAILED', async () => {
    const outbound = createOutbound(options({ breakerConsecutiveFailures: 100 }));
    mode = { status: 502 };
    const error = await outbound
      .request('menu-sync', `${base}/menu`, { method: 'GET', idempotent: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).code).toBe('DEPENDENCY_FAILED');
    expect((error as DependencyUnavailableError).status).toBe(503);
    expect(hits).toHaveLength(3); // the first attempt and two retries
  });

  it('when a non-idempotent call fails, then it is never repeated', async () => {
    const outbound = createOutbound(options({ breakerConsecutiveFailures: 100 }));
    mode = { status: 500 };
    await expect(
      outbound.request('payments', `${base}/charge`, { method: 'POST', idempotent: false }),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(hits).toHaveLength(1);
  });

  it('when the dependency recovers during retries, then the call succeeds', async () => {
    const outbound = createOutbound(options());
    mode = { status: 503 };
    const pending = outbound.request('menu-sync', `${base}/menu`, { method: 'GET', idempotent: true });
    // Heal the dependency after the first failure is seen.
    while (hits.length === 0) await new Promise((resolve) => setImmediate(resolve));
    mode = { status: 200 };
    const response = await pending;
    expect(response.status).toBe(200);
  });

  it('when a 4xx comes back, then it is the caller’s answer, not a failure', async () => {
    const outbound = createOutbound(options({ breakerConsecutiveFailures: 1 }));
    mode = { status: 402 };
    const response = await outbound.request('payments', `${base}/charge`, { method: 'POST', idempotent: false });
    expect(response.status).toBe(402);
    expect(outbound.state('payments')).toBe(0); // still closed
  });

  it('when failures reach the threshold, then the breaker opens and calls fail fast without reaching the dependency; after the pause one trial call closes it again', async () => {
    const registry = new Registry();
    const outbound = createOutbound(options({ retries: 0 }), registry);
    mode = { status: 500 };
    for (let i = 0; i < 3; i++) {
      await expect(
        outbound.request('loyalty', `${base}/points`, { method: 'GET', idempotent: true }),
      ).rejects.toMatchObject({ code: 'DEPENDENCY_FAILED' });
    }
    expect(hits).toHaveLength(3);
    expect(await registry.getSingleMetricAsString('outbound_circuit_state')).toContain(
      'outbound_circuit_state{destination="loyalty"} 1',
    );

    // Open: refused here, the dependency never sees the call.
    await expect(
      outbound.request('loyalty', `${base}/points`, { method: 'GET', idempotent: true }),
    ).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', status: 503 });
    expect(hits).toHaveLength(3);

    // After halfOpenAfter the breaker lets one trial through; its success closes the circuit.
    mode = { status: 200 };
    const reopened = Date.now() + 200;
    while (Date.now() < reopened) await new Promise((resolve) => setTimeout(resolve, 20));
    const response = await outbound.request('loyalty', `${base}/points`, { method: 'GET', idempotent: true });
    expect(response.status).toBe(200);
    expect(hits).toHaveLength(4);
    expect(await registry.getSingleMetricAsString('outbound_circuit_state')).toContain(
      'outbound_circuit_state{destination="loyalty"} 0',
    );
  });

  it('when the half-open trial fails, then the breaker opens again', async () => {
    const outbound = createOutbound(options({ retries: 0, breakerConsecutiveFailures: 1 }));
    mode = { status: 500 };
    await expect(outbound.request('sms', `${base}/send`, { method: 'POST', idempotent: false })).rejects.toMatchObject({
      code: 'DEPENDENCY_FAILED',
    });
    const reopened = Date.now() + 200;
    while (Date.now() < reopened) await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(outbound.request('sms', `${base}/send`, { method: 'POST', idempotent: false })).rejects.toMatchObject({
      code: 'DEPENDENCY_FAILED',
    });
    await expect(outbound.request('sms', `${base}/send`, { method: 'POST', idempotent: false })).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
    });
    expect(hits).toHaveLength(2);
  });

  it('when the dependency hangs, then the attempt times out with DEPENDENCY_TIMEOUT', async () => {
    const outbound = createOutbound(options({ timeoutMs: 100, retries: 0 }));
    mode = 'hang';
    const started = Date.now();
    await expect(
      outbound.request('email', `${base}/send`, { method: 'POST', idempotent: false }),
    ).rejects.toMatchObject({ code: 'DEPENDENCY_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('when the bulkhead is full, then extra calls are refused with DEPENDENCY_SATURATED', async () => {
    const outbound = createOutbound(options({ bulkheadLimit: 1, bulkheadQueue: 0, timeoutMs: 300, retries: 0 }));
    mode = 'hang';
    const first = outbound
      .request('email', `${base}/send`, { method: 'POST', idempotent: false })
      .catch((e: unknown) => e);
    await expect(
      outbound.request('email', `${base}/send`, { method: 'POST', idempotent: false }),
    ).rejects.toMatchObject({ code: 'DEPENDENCY_SATURATED' });
    expect(await first).toMatchObject({ code: 'DEPENDENCY_TIMEOUT' });
  });

  it('when called during a request, then the request id travels to the dependency', async () => {
    const outbound = createOutbound(options());
    await requestContext.run({ requestId: 'req-123' }, () =>
      outbound.request('menu-sync', `${base}/menu`, { method: 'GET', idempotent: true }),
    );
    expect(hits[0]?.requestId).toBe('req-123');
  });

  it('when the dependency asks to wait with Retry-After, then the retry waits at least that long', async () => {
    const outbound = createOutbound(options({ retries: 1, breakerConsecutiveFailures: 100 }));
    mode = { status: 429, retryAfter: '1' };
    const started = Date.now();
    await expect(
      outbound.request('menu-sync', `${base}/menu`, { method: 'GET', idempotent: true }),
    ).rejects.toMatchObject({ code: 'DEPENDENCY_FAILED' });
    expect(hits).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});
