// The payment provider down for a minute: every call to it answers 500. Orders must fail fast
// with a clear 503 instead of hanging, hold nothing, and online ordering must come back by itself
// when the provider does (the breaker half-opens, one trial call succeeds, it closes).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore } from '../../test-support/ordering-factories.js';
import { expectInvariantsHold, sandboxControl } from '../../test-support/payments-factories.js';
import { waitFor } from '../../test-support/wait.js';

const OUTAGE_MS = 60_000;
const HALF_OPEN_MS = 3000;

let t: TestApp;
let shop: Awaited<ReturnType<typeof orderingStore>>;

beforeAll(async () => {
  t = await createTestApp(
    { OUTBOUND_RETRIES: '1', OUTBOUND_BREAKER_FAILURES: '3', OUTBOUND_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS) },
    { sandbox: true },
  );
  await t.startWorker();
  shop = await orderingStore(t);
});
afterAll(async () => {
  await t?.close();
});

interface Attempt {
  status: number;
  code: string | null;
  ms: number;
  key: string;
}

describe('the payment provider down for a minute', () => {
  it(
    'when every call to the provider fails for a minute, then the breaker opens, orders fail fast with 503 PAYMENT_PROVIDER_UNAVAILABLE holding nothing, and recovery closes it',
    { timeout: OUTAGE_MS + 60_000 },
    async () => {
      const buyer = await customer(t);
      const place = async (): Promise<Attempt> => {
        const key = randomUUID();
        const started = performance.now();
        const res = await t.app.inject({
          method: 'POST',
          url: `/v1/stores/${shop.store.id}/orders`,
          headers: { ...bearer(buyer.token), 'idempotency-key': key },
          payload: { channel: 'pickup', lines: [margheritaLine(shop.ids)], payment: { method: 'online' } },
        });
        return {
          status: res.statusCode,
          code: res.statusCode >= 400 ? (res.json().code as string) : null,
          ms: performance.now() - started,
          key,
        };
      };

      await sandboxControl(t, { outage: true });
      const attempts: Attempt[] = [];
      const until = Date.now() + OUTAGE_MS;
      while (Date.now() < until) attempts.push(await place());
      await sandboxControl(t, { outage: false });

      // Every order during the outage was refused the same clear way.
      expect(attempts.length).toBeGreaterThan(20);
      expect(new Set(attempts.map((attempt) => `${attempt.status} ${attempt.code}`))).toEqual(
        new Set(['503 PAYMENT_PROVIDER_UNAVAILABLE']),
      );
      // Most never reached the provider: refused before anything was written (no order for their key).
      const written = new Set(
        (
          await t.db.database.pool.query<{ idempotency_key: string }>(
            'SELECT idempotency_key FROM orders WHERE idempotency_key = ANY($1)',
            [attempts.map((attempt) => attempt.key)],
          )
        ).rows.map((row) => row.idempotency_key),
      );
      const fast = attempts.filter((attempt) => !written.has(attempt.key));
      expect(fast.length).toBeGreaterThan(attempts.length / 2);
      // Those that got as far as the provider (before the breaker opened, and each half-open trial)
      // left an order behind: cancelled at once, holding no slot, no stock, no money.
      const leftBehind = await t.db.database.pool.query<{
        status: string;
        status_reason: string;
        holds_released: boolean;
      }>('SELECT status, status_reason, holds_released FROM orders WHERE idempotency_key = ANY($1)', [[...written]]);
      expect(leftBehind.rows.length).toBeGreaterThanOrEqual(1);
      for (const row of leftBehind.rows)
        expect(row).toEqual({ status: 'cancelled', status_reason: 'payment_unavailable', holds_released: true });
      const sorted = fast.map((attempt) => attempt.ms).sort((a, b) => a - b);
      console.info(
        `outage: ${attempts.length} orders refused in ${OUTAGE_MS / 1000} s, ${fast.length} fast (p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms), ${written.size} reached the provider`,
      );

      // The provider is back: after the half-open pause the next order is the trial, and it goes through.
      const recovered = await waitFor(
        'an order to go through again',
        async () => {
          const attempt = await place();
          return attempt.status === 201 ? attempt : undefined;
        },
        HALF_OPEN_MS * 3,
        200,
      );
      expect(recovered.status).toBe(201);
      expect(t.modules.payments.api.providerAvailable('payments:sandbox')).toBe(true);
      await waitFor(
        'the refused orders’ payments to be released',
        async () => (await t.modules.payments.api.checkInvariants({ graceSeconds: 0 })).ok,
      );
      await expectInvariantsHold(t);
    },
  );
});
