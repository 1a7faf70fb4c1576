// Idempotent placement across a real process death (ADR 0018): a `brigade start` process is told
// to SIGKILL itself after the order and its recovery point committed and before the response was
// stored, so the client never hears back. A retry with the same Idempotency-Key, served by a
// second process on the same database, must answer with that order — resumed from the recovery
// point, 201 as the first answer would have been — and exactly one order may exist.
// Real processes, real HTTP, real signals; bounded polling only, no fixed sleeps.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { exitWithin } from '../src/test-support/brigade-process.js';
import {
  call,
  killCrashWorlds,
  login,
  PASSWORD,
  serverEnv,
  startServer,
  world,
  type Answer,
} from '../src/test-support/crash-world.js';
import { margheritaLine } from '../src/test-support/ordering-factories.js';
import { waitFor } from '../src/test-support/wait.js';

afterAll(killCrashWorlds);

/** The shortest claim timeout, so the retry may take the dead claim over a second later. */
const QUICK_TAKEOVER = { IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS: '1' };

describe('idempotent placement across a killed process', () => {
  it('when the process dies after the order committed and before its response was stored, then the retry with the same key gets that order (201) and exactly one order exists', async ({
    onTestFinished,
  }) => {
    const w = await world(onTestFinished);
    const p1 = await startServer(serverEnv(w.place, 'idempotency.before-store', QUICK_TAKEOVER), w.owned);

    const email = `customer-${randomBytes(4).toString('hex')}@example.test`;
    const registered = await call(w.base, 'POST', '/v1/auth/register', {
      body: { email, password: PASSWORD, name: 'Customer' },
    });
    expect(registered.status, registered.text).toBe(201);
    const token = await login(w.base, email);

    const key = randomUUID();
    const place = () =>
      call(w.base, 'POST', `/v1/stores/${w.shop.storeId}/orders`, {
        token,
        headers: { 'idempotency-key': key },
        body: { channel: 'pickup', lines: [margheritaLine(w.shop.ids)], payment: { method: 'online' } },
      });

    // The client never gets an answer: the connection dies with the process.
    await expect(place()).rejects.toThrow();
    expect(await exitWithin(p1, 20_000), p1.output()).toEqual({ code: null, signal: 'SIGKILL' });
    const orders = async () =>
      (
        await w.tdb.database.pool.query<{ id: string }>('SELECT id FROM orders WHERE store_id = $1', [w.shop.storeId])
      ).rows.map((row) => row.id);
    const committed = await orders();
    expect(committed).toHaveLength(1);

    const p2 = await startServer(serverEnv(w.place, undefined, QUICK_TAKEOVER), w.owned);
    // Until the dead claim is older than the claim timeout, the retry is told to wait (409).
    const retried = await waitFor<Answer>(
      'the retry to take the dead claim over',
      async () => {
        const res = await place();
        return res.status === 409 && res.body?.code === 'IDEMPOTENCY_IN_PROGRESS' ? undefined : res;
      },
      15_000,
      200,
    );
    expect(retried.status, retried.text).toBe(201);
    expect(retried.body.id).toBe(committed[0]);
    expect(retried.body.status).toBe('placed');
    expect(retried.body.payment.checkout.payment_id).toEqual(expect.any(String));
    expect(await orders()).toEqual(committed);

    // From now on the stored answer is replayed.
    const replayed = await place();
    expect(replayed.status).toBe(201);
    expect(replayed.text).toBe(retried.text);

    p2.child.kill('SIGTERM');
    expect(await exitWithin(p2, 20_000), p2.output()).toEqual({ code: 0, signal: null });
  }, 120_000);
});
