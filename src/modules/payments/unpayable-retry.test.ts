// Issue 21 #2: the order commits, then its payment cannot be opened. Placement cancels it and
// answers 503; the retry with the same Idempotency-Key must place the order again and get a live,
// payable order — never a 2xx carrying the cancelled one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore } from '../../test-support/ordering-factories.js';
import { expectInvariantsHold, sandboxControl } from '../../test-support/payments-factories.js';
import { waitFor } from '../../test-support/wait.js';

let t: TestApp;
let shop: Awaited<ReturnType<typeof orderingStore>>;

beforeAll(async () => {
  // One failed call must not open the breaker: the retry below reaches the provider again.
  t = await createTestApp({ OUTBOUND_RETRIES: '0', OUTBOUND_BREAKER_FAILURES: '10' }, { sandbox: true });
  await t.startWorker();
  shop = await orderingStore(t);
});
afterAll(async () => {
  await t?.close();
});

describe('an order whose payment cannot be opened', () => {
  it('when the provider fails after the order committed, then the answer is 503 and the retry with the same key places a live order that can be paid', async () => {
    const buyer = await customer(t);
    const key = randomUUID();
    const place = () =>
      t.app.inject({
        method: 'POST',
        url: `/v1/stores/${shop.store.id}/orders`,
        headers: { ...bearer(buyer.token), 'idempotency-key': key },
        payload: { channel: 'pickup', lines: [margheritaLine(shop.ids)], payment: { method: 'online' } },
      });
    const ordersOfKey = async () =>
      (
        await t.db.database.pool.query<{ id: string; status: string; status_reason: string | null }>(
          'SELECT id, status, status_reason FROM orders WHERE idempotency_key = $1 ORDER BY placed_at, id',
          [key],
        )
      ).rows;

    await sandboxControl(t, { outage: true });
    const refused = await place();
    await sandboxControl(t, { outage: false });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    const [unpayable] = await ordersOfKey();
    expect(unpayable).toMatchObject({ status: 'cancelled', status_reason: 'payment_unavailable' });

    const retried = await place();
    expect(retried.statusCode).toBe(201);
    const order = retried.json();
    expect(order.id).not.toBe(unpayable!.id);
    expect(order).toMatchObject({ status: 'placed', payment: { method: 'online', status: 'awaiting' } });
    expect(order.payment.checkout).toMatchObject({ provider: 'sandbox' });

    // The answer is now the key's for good: a further retry replays it.
    const replayed = await place();
    expect(replayed.statusCode).toBe(201);
    expect(replayed.json().id).toBe(order.id);
    const rows = await ordersOfKey();
    expect(rows.map((row) => row.status)).toEqual(['cancelled', 'placed']);
    // The cancelled order's payment is voided by the worker, after the fact.
    await waitFor(
      'the cancelled order’s payment to be released',
      async () => (await t.modules.payments.api.checkInvariants({ graceSeconds: 0 })).ok,
    );
    await expectInvariantsHold(t);
  });
});
