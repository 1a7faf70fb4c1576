// Faults A and B of issue 21: separate api and worker processes, each killed with SIGKILL twice
// while clients work. A) api kills under placement load: every acknowledged key maps to exactly
// one order. B) worker kills while paid orders are handed over: every payment is captured exactly
// once (at the processor and in Brigade's books), none is left stuck, and `brigade check` is clean.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { exitWithin } from '../../src/test-support/brigade-process.js';
import {
  brigade,
  call,
  killCrashWorlds,
  login,
  serverEnv,
  startServer,
  world,
  type World,
} from '../../src/test-support/crash-world.js';
import { customers, expectOneOrderPerAcknowledgedKey, startFaultLoad } from '../../src/test-support/fault-load.js';
import { margheritaLine } from '../../src/test-support/ordering-factories.js';
import { CARDS } from '../../src/test-support/payments-factories.js';
import { freePort } from '../../src/test-support/server.js';
import { waitFor } from '../../src/test-support/wait.js';

afterAll(killCrashWorlds);

/** The api and the worker of one world as separate processes, each restartable on its port. */
async function roles(w: World) {
  const workerPort = await freePort();
  const workerBase = `http://127.0.0.1:${workerPort}`;
  const workerEnv = serverEnv({ ...w.place, port: workerPort }, undefined, {
    BRIGADE_ROLE: 'worker',
    SANDBOX_WEBHOOK_URL: `${w.base}/v1/payments/webhooks/sandbox`,
  });
  // A request cut off by the kill leaves its key claimed until the claim timeout (its process is
  // gone, so nothing frees it earlier): 2 s instead of a minute keeps the retries short.
  const apiEnv = serverEnv(w.place, undefined, {
    BRIGADE_ROLE: 'api',
    SANDBOX_URL: workerBase,
    IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS: '2',
  });
  const running = {
    worker: await startServer(workerEnv, w.owned),
    api: await startServer(apiEnv, w.owned),
  };
  const kill = async (role: 'api' | 'worker') => {
    const run = running[role];
    run.child.kill('SIGKILL');
    expect(await exitWithin(run, 10_000)).toEqual({ code: null, signal: 'SIGKILL' });
  };
  const restart = async (role: 'api' | 'worker') => {
    running[role] = await startServer(role === 'api' ? apiEnv : workerEnv, w.owned);
  };
  return { workerBase, kill, restart };
}

describe('processes killed under load', () => {
  it('when the api is killed twice while clients place orders, then every acknowledged key maps to exactly one order', async ({
    onTestFinished,
  }) => {
    const w = await world(onTestFinished);
    const processes = await roles(w);
    const load = startFaultLoad(w, await customers(w, 4));
    for (const round of [1, 2]) {
      await waitFor(`orders before kill ${round}`, () => load.acknowledged.length >= round * 10, 30_000, 50);
      await processes.kill('api');
      await processes.restart('api');
    }
    await waitFor('orders after the kills', () => load.acknowledged.length >= 30, 30_000, 50);
    await load.stop();
    // The clients' retries met dead connections, not wrong answers.
    expect(load.attempts.some((attempt) => attempt.status === 0)).toBe(true);
    await expectOneOrderPerAcknowledgedKey(w, load);
  });

  it('when the worker is killed twice while paid orders are handed over, then each payment is captured exactly once, none is stuck, and brigade check is clean', async ({
    onTestFinished,
  }) => {
    const w = await world(onTestFinished);
    const processes = await roles(w);
    const [customer] = await customers(w, 1);
    const owner = await login(w.base, w.shop.ownerEmail);

    // Twelve online orders, paid with a good card at the sandbox (which runs in the worker).
    const orders: Array<{ id: string; paymentId: string; intentId: string; total: number }> = [];
    for (let i = 0; i < 12; i++) {
      const placed = await call(w.base, 'POST', `/v1/stores/${w.shop.storeId}/orders`, {
        token: customer,
        headers: { 'idempotency-key': randomUUID() },
        body: { channel: 'pickup', lines: [margheritaLine(w.shop.ids)], payment: { method: 'online' } },
      });
      expect(placed.status, placed.text).toBe(201);
      const clientSecret = placed.body.payment.checkout.client_secret as string;
      const intentId = clientSecret.split('_secret_')[0]!;
      const confirmed = await call(processes.workerBase, 'POST', `/sandbox/v1/intents/${intentId}/confirm`, {
        body: { client_secret: clientSecret, card_number: CARDS.ok },
      });
      expect(confirmed.status, confirmed.text).toBe(200);
      orders.push({
        id: placed.body.id,
        paymentId: placed.body.payment.checkout.payment_id,
        intentId,
        total: placed.body.totals.total.amount,
      });
    }
    const paymentStatuses = async () =>
      (
        await w.tdb.database.pool.query<{ status: string }>('SELECT status FROM payments WHERE order_id = ANY($1)', [
          orders.map((order) => order.id),
        ])
      ).rows.map((row) => row.status);
    await waitFor('every payment authorized', async () =>
      (await paymentStatuses()).every((status) => status === 'authorized'),
    );

    // The kitchen hands them over (each hand-over asks the worker to capture); the worker dies twice.
    const handOver = async (order: { id: string }) => {
      for (const action of ['accept', 'start_preparing', 'mark_ready', 'hand_over']) {
        const res = await call(w.base, 'POST', `/v1/orders/${order.id}/transitions`, {
          token: owner,
          body: { action },
        });
        expect(res.status, `${action}: ${res.text}`).toBe(200);
      }
    };
    for (const [index, order] of orders.entries()) {
      await handOver(order);
      if (index === 3 || index === 8) {
        await processes.kill('worker');
        await processes.restart('worker');
      }
    }

    await waitFor(
      'every payment captured',
      async () => (await paymentStatuses()).every((status) => status === 'captured'),
      60_000,
      200,
    );
    const intents = await w.tdb.database.pool.query<{ id: string; capture_count: number; amount_captured: number }>(
      'SELECT id, capture_count, amount_captured FROM sandbox_intents WHERE id = ANY($1)',
      [orders.map((order) => order.intentId)],
    );
    expect(intents.rows).toHaveLength(orders.length);
    for (const intent of intents.rows) {
      const order = orders.find((candidate) => candidate.intentId === intent.id)!;
      expect(intent).toMatchObject({ capture_count: 1, amount_captured: order.total });
    }
    const captures = await w.tdb.database.pool.query<{ payment_id: string; n: number }>(
      `SELECT payment_id, count(*)::int AS n FROM payment_operations
        WHERE payment_id = ANY($1) AND kind = 'capture' GROUP BY payment_id`,
      [orders.map((order) => order.paymentId)],
    );
    expect(captures.rows.map((row) => row.n)).toEqual(orders.map(() => 1));

    const check = brigade(
      ['check', '--grace-seconds=0'],
      { DATABASE_URL: w.place.url, BRIGADE_DATA_DIR: w.place.dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
      w.owned,
    );
    expect(await exitWithin(check, 45_000), check.output()).toEqual({ code: 0, signal: null });
    expect(JSON.parse(check.stdout())).toMatchObject({ ok: true, violations: [] });
  });
});
