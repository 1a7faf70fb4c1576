// Bounded load for fault tests: a few customers place orders one after another, each order with
// its own Idempotency-Key that the client retries (a dropped connection or a 503 is retried with
// the same key, as the API conventions ask) until it gets a final answer. What every attempt got
// is recorded, so a test can say what the clients saw while a part of the system was away.
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { call, login, PASSWORD, type World } from './crash-world.js';
import { margheritaLine } from './ordering-factories.js';

export interface Attempt {
  at: number;
  ms: number;
  /** HTTP status, or 0 when the connection failed (the server is down or dropped it). */
  status: number;
  code?: string;
  retryAfter?: string;
}

export interface Acknowledged {
  key: string;
  orderId: string;
  status: string;
}

export interface FaultLoad {
  attempts: Attempt[];
  acknowledged: Acknowledged[];
  /** Final answers that were neither 201 nor a retryable failure. */
  unexpected: Array<{ key: string; status: number; text: string }>;
  /** Stops starting new orders and resolves once every order in progress got its final answer. */
  stop(): Promise<void>;
}

const RETRYABLE = new Set([0, 429, 502, 503, 504]);

export async function customers(w: World, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const email = `customer-${randomBytes(4).toString('hex')}@example.test`;
    const registered = await call(w.base, 'POST', '/v1/auth/register', {
      body: { email, password: PASSWORD, name: `Customer ${i}` },
    });
    expect(registered.status, registered.text).toBe(201);
    tokens.push(await login(w.base, email));
  }
  return tokens;
}

/**
 * Each token is one client placing orders back to back; `pauseMs` between retries of one order.
 * Orders are paid online (the sandbox's payment is opened at placement) unless `payment` is cash.
 */
export function startFaultLoad(
  w: World,
  tokens: string[],
  pauseMs = 100,
  payment: 'online' | 'cash' = 'online',
): FaultLoad {
  const load: Omit<FaultLoad, 'stop'> = { attempts: [], acknowledged: [], unexpected: [] };
  let running = true;
  const placeOne = async (token: string) => {
    const key = randomUUID();
    for (;;) {
      const started = Date.now();
      const answer = await call(w.base, 'POST', `/v1/stores/${w.shop.storeId}/orders`, {
        token,
        headers: { 'idempotency-key': key },
        body: { channel: 'pickup', lines: [margheritaLine(w.shop.ids)], payment: { method: payment } },
      }).catch(() => null);
      const status = answer?.status ?? 0;
      load.attempts.push({
        at: started,
        ms: Date.now() - started,
        status,
        code: answer?.body?.code,
        retryAfter: answer?.headers['retry-after'],
      });
      if (answer && (status === 200 || status === 201)) {
        load.acknowledged.push({ key, orderId: answer.body.id, status: answer.body.status });
        return;
      }
      // 409 IDEMPOTENCY_IN_PROGRESS says "retry shortly" too: the first attempt may still be running.
      const retryable = RETRYABLE.has(status) || answer?.body?.code === 'IDEMPOTENCY_IN_PROGRESS';
      if (!retryable) {
        load.unexpected.push({ key, status, text: answer?.text ?? '' });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const clients = tokens.map(async (token) => {
    while (running) await placeOne(token);
  });
  return {
    ...load,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}

/**
 * Nothing lost, nothing doubled, nothing cancelled behind a 2xx: every acknowledged key has exactly
 * its one live order, and every live order of the store was acknowledged to its client. (An order
 * cancelled as unpayable at placement freed its key for the retry, issue 21 #2, and is not live.)
 */
export async function expectOneOrderPerAcknowledgedKey(w: World, load: FaultLoad): Promise<void> {
  expect(load.unexpected).toEqual([]);
  for (const ack of load.acknowledged) expect(ack.status).not.toBe('cancelled');
  const { rows } = await w.tdb.database.pool.query<{ id: string; idempotency_key: string; reason: string | null }>(
    'SELECT id, idempotency_key, status_reason AS reason FROM orders WHERE store_id = $1',
    [w.shop.storeId],
  );
  const live = rows.filter((row) => row.reason !== 'payment_unavailable');
  const byKey = new Map(live.map((row) => [row.idempotency_key, row.id]));
  expect(live).toHaveLength(byKey.size);
  expect(new Map(load.acknowledged.map((ack) => [ack.key, ack.orderId])), JSON.stringify(rows)).toEqual(byKey);
}
