// The checkout saga across a real process death: a `brigade start` process (BRIGADE_ROLE=all,
// with the sandbox processor) is told to SIGKILL itself at the moment the processor has taken
// the money and Brigade has not written it down yet. A second process on the same database must
// finish the payment by itself, with exactly one capture at the processor and the invariants
// clean. Real processes, real HTTP, real signals; bounded polling only, no fixed sleeps.
// The two scenarios run one after the other, each on its own database (so one's invariant check
// never sees the other's payment in flight) with its own processes.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { exitWithin } from '../src/test-support/brigade-process.js';
import {
  brigade,
  call,
  killCrashWorlds,
  login,
  PASSWORD,
  serverEnv,
  startServer,
  world,
  type World,
} from '../src/test-support/crash-world.js';
import { margheritaLine } from '../src/test-support/ordering-factories.js';
import { CARDS } from '../src/test-support/payments-factories.js';
import { waitFor } from '../src/test-support/wait.js';

afterAll(killCrashWorlds);

const paymentRow = async (w: World, paymentId: string) =>
  (
    await w.tdb.database.pool.query<{ status: string; amount_captured: string }>(
      'SELECT status, amount_captured FROM payments WHERE id = $1',
      [paymentId],
    )
  ).rows[0]!;
const intentRow = async (w: World, intentId: string) =>
  (
    await w.tdb.database.pool.query<{ status: string; capture_count: number; amount_captured: number }>(
      'SELECT status, capture_count, amount_captured FROM sandbox_intents WHERE id = $1',
      [intentId],
    )
  ).rows[0]!;
const operations = async (w: World, paymentId: string, kind: string) =>
  (
    await w.tdb.database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM payment_operations WHERE payment_id = $1 AND kind = $2',
      [paymentId, kind],
    )
  ).rows[0]!.n;

/** A fresh customer (registered and signed in over HTTP), an online pickup order, paid at the sandbox and authorized. */
async function authorizedOrder(w: World) {
  const { base, shop } = w;
  const email = `customer-${randomBytes(4).toString('hex')}@example.test`;
  const registered = await call(base, 'POST', '/v1/auth/register', {
    body: { email, password: PASSWORD, name: 'Customer' },
  });
  expect(registered.status, registered.text).toBe(201);
  const customerToken = await login(base, email);

  const placed = await call(base, 'POST', `/v1/stores/${shop.storeId}/orders`, {
    token: customerToken,
    headers: { 'idempotency-key': randomUUID() },
    body: { channel: 'pickup', lines: [margheritaLine(shop.ids)], payment: { method: 'online' } },
  });
  expect(placed.status, placed.text).toBe(201);
  const clientSecret = placed.body.payment.checkout.client_secret as string;
  const order = {
    id: placed.body.id as string,
    total: placed.body.totals.total.amount as number,
    paymentId: placed.body.payment.checkout.payment_id as string,
    intentId: clientSecret.split('_secret_')[0]!,
    clientSecret,
  };
  expect(order.intentId).toMatch(/^si_/);

  // What the checkout page posts: the card, at the processor (which runs in the same process).
  const confirmed = await call(base, 'POST', `/sandbox/v1/intents/${order.intentId}/confirm`, {
    body: { client_secret: order.clientSecret, card_number: CARDS.ok },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  await waitForPayment(w, customerToken, order.paymentId, 'authorized', 20_000);
  return { order, customerToken };
}

/** Bounded polling of GET /v1/payments/{id} (as the customer) until the payment has `status`. */
async function waitForPayment(w: World, token: string, paymentId: string, status: string, timeoutMs: number) {
  return waitFor(
    `payment ${paymentId} to be ${status}`,
    async () => {
      const res = await call(w.base, 'GET', `/v1/payments/${paymentId}`, { token });
      expect(res.status, res.text).toBe(200);
      return res.body.status === status ? res.body : undefined;
    },
    timeoutMs,
    200,
  );
}

/** Bounded polling of GET /v1/orders/{id} until the order shows its payment as `status`. */
async function waitForOrderPayment(w: World, token: string, orderId: string, status: string) {
  await waitFor(
    `order ${orderId} to show its payment ${status}`,
    async () => {
      const res = await call(w.base, 'GET', `/v1/orders/${orderId}`, { token });
      expect(res.status, res.text).toBe(200);
      return res.body.payment.status === status;
    },
    20_000,
    200,
  );
}

async function act(w: World, token: string, orderId: string, action: string, body: Record<string, unknown> = {}) {
  const res = await call(w.base, 'POST', `/v1/orders/${orderId}/transitions`, { token, body: { action, ...body } });
  expect(res.status, `${action}: ${res.text}`).toBe(200);
}

// One world at a time: identity's people sealing and the outgoing messages' sealing are set once
// per process by the last modules built (one database per process in production), so two worlds
// in one test process would seal each other's people with the wrong database's data keys.
describe('the checkout saga across a killed worker', () => {
  it('when the worker is killed after the processor captured and before Brigade recorded it, then a restarted process finishes the capture by itself, with exactly one capture and clean invariants', async ({
    onTestFinished,
  }) => {
    const w = await world(onTestFinished);

    const p1 = await startServer(serverEnv(w.place, 'payments.capture.after-provider'), w.owned);
    const ownerToken = await login(w.base, w.shop.ownerEmail);
    const { order, customerToken } = await authorizedOrder(w);

    // Fulfilment: handing the order over requests the capture; the capture job calls the
    // processor, which captures, and the process kills itself before recording it.
    for (const action of ['accept', 'start_preparing', 'mark_ready', 'hand_over'])
      await act(w, ownerToken, order.id, action);
    const exit = await exitWithin(p1, 45_000);
    expect(exit, p1.output()).toEqual({ code: null, signal: 'SIGKILL' });

    // The window the crash point names: the money is taken, Brigade's record still says capturing.
    expect(await intentRow(w, order.intentId)).toMatchObject({
      status: 'captured',
      capture_count: 1,
      amount_captured: order.total,
    });
    expect((await paymentRow(w, order.paymentId)).status).toBe('capturing');
    expect(await operations(w, order.paymentId, 'capture')).toBe(0);

    // A new process on the same database, port and data folder, without the crash point: the
    // reconciler (run on start) and the processor's pending webhook both know the truth.
    const p2 = await startServer(serverEnv(w.place), w.owned);
    await waitForPayment(w, customerToken, order.paymentId, 'captured', 60_000);

    // Exactly one capture, at the processor and in Brigade's books, for the order's total.
    expect(await intentRow(w, order.intentId)).toMatchObject({
      status: 'captured',
      capture_count: 1,
      amount_captured: order.total,
    });
    expect(await operations(w, order.paymentId, 'capture')).toBe(1);
    expect(Number((await paymentRow(w, order.paymentId)).amount_captured)).toBe(order.total);
    await waitForOrderPayment(w, customerToken, order.id, 'paid');

    // `brigade check` on the same database and data folder (silent logs: stdout is the report).
    const check = brigade(
      ['check', '--grace-seconds=0'],
      { DATABASE_URL: w.place.url, BRIGADE_DATA_DIR: w.place.dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
      w.owned,
    );
    expect(await exitWithin(check, 45_000), check.output()).toEqual({ code: 0, signal: null });
    expect(check.stdout()).toContain('"ok": true');
    const report = JSON.parse(check.stdout()) as { ok: boolean; violations: unknown[] };
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);

    p2.child.kill('SIGTERM');
    expect(await exitWithin(p2, 20_000), p2.output()).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('when the worker is killed after the processor voided a rejected order and before Brigade recorded it, then a restarted process finishes the void by itself and the invariants are clean', async ({
    onTestFinished,
  }) => {
    const w = await world(onTestFinished);

    const p1 = await startServer(serverEnv(w.place, 'payments.void.after-provider'), w.owned);
    const ownerToken = await login(w.base, w.shop.ownerEmail);
    const { order, customerToken } = await authorizedOrder(w);

    // The store rejects the paid order: the void job calls the processor, which releases the
    // hold, and the process kills itself before recording it.
    await act(w, ownerToken, order.id, 'reject', { reason: 'oven broken' });
    const exit = await exitWithin(p1, 45_000);
    expect(exit, p1.output()).toEqual({ code: null, signal: 'SIGKILL' });

    expect((await intentRow(w, order.intentId)).status).toBe('voided');
    expect((await paymentRow(w, order.paymentId)).status).toBe('voiding');
    expect(await operations(w, order.paymentId, 'void')).toBe(0);

    const p2 = await startServer(serverEnv(w.place), w.owned);
    await waitForPayment(w, customerToken, order.paymentId, 'voided', 60_000);

    expect(await intentRow(w, order.intentId)).toMatchObject({
      status: 'voided',
      capture_count: 0,
      amount_captured: 0,
    });
    expect(await operations(w, order.paymentId, 'void')).toBe(1);
    expect(await operations(w, order.paymentId, 'capture')).toBe(0);
    await waitForOrderPayment(w, customerToken, order.id, 'voided');
    // The CLI is proven by the capture test; here the same checker, called in-process.
    const report = await w.modules.payments.api.checkInvariants({ graceSeconds: 0 });
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);

    p2.child.kill('SIGTERM');
    expect(await exitWithin(p2, 20_000), p2.output()).toEqual({ code: 0, signal: null });
  }, 120_000);
});
