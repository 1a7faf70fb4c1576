// Fault C of issue 21: the database stops the hard way (`pg_ctl stop -m immediate`) for 10 seconds
// under load, with the api and the worker running as separate processes. Both must stay up, answer
// 503 DATABASE_UNAVAILABLE within the connect timeout while it is away (liveness 200, readiness
// 503), serve again by themselves within 5 seconds of its return, and lose nothing: every order a
// client was told about exists once, and every order that exists was told to its client.
import { afterAll, describe, expect, it } from 'vitest';
import { call, killCrashWorlds, serverEnv, startServer, world } from '../../src/test-support/crash-world.js';
import { customers, expectOneOrderPerAcknowledgedKey, startFaultLoad } from '../../src/test-support/fault-load.js';
import { startOwnCluster } from '../../src/test-support/own-cluster.js';
import { freePort } from '../../src/test-support/server.js';
import { waitFor } from '../../src/test-support/wait.js';

afterAll(killCrashWorlds);

const OUTAGE_MS = 10_000;
const status = (base: string, url: string) =>
  call(base, 'GET', url).then(
    (res) => res.status,
    () => 0,
  );
const CONNECT_TIMEOUT_MS = 1_000;

describe('an immediate database stop under load', () => {
  it('when PostgreSQL dies for 10 s, then api and worker stay up, answer 503 while it is away, serve again within 5 s of its return and lose no order', async ({
    onTestFinished,
  }) => {
    const cluster = await startOwnCluster();
    const w = await world(onTestFinished, { database: cluster });
    const workerPort = await freePort();
    const settings = { DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) };
    const worker = await startServer(
      serverEnv({ ...w.place, port: workerPort }, undefined, {
        ...settings,
        BRIGADE_ROLE: 'worker',
        SANDBOX_WEBHOOK_URL: `${w.base}/v1/payments/webhooks/sandbox`,
      }),
      w.owned,
    );
    const api = await startServer(
      serverEnv(w.place, undefined, {
        ...settings,
        BRIGADE_ROLE: 'api',
        SANDBOX_URL: `http://127.0.0.1:${workerPort}`,
      }),
      w.owned,
    );
    const workerBase = `http://127.0.0.1:${workerPort}`;
    const alive = () => {
      for (const run of [api, worker]) expect(run.child.exitCode ?? run.child.signalCode, run.output()).toBeNull();
    };

    const load = startFaultLoad(w, await customers(w, 4));
    await waitFor('orders before the outage', () => load.acknowledged.length >= 8, 30_000);

    cluster.stopImmediately();
    const stoppedAt = Date.now();
    // While the database is away: both processes up, liveness 200, readiness 503.
    const seen = { live: new Set<number>(), ready: new Set<number>(), workerReady: new Set<number>() };
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      const [live, ready, workerReady] = await Promise.all([
        status(w.base, '/health/live'),
        status(w.base, '/health/ready'),
        status(workerBase, '/health/ready'),
      ]);
      alive();
      seen.live.add(live);
      seen.ready.add(ready);
      seen.workerReady.add(workerReady);
    }
    // The server accepts connections a little before start() has seen it do so: what clients got
    // while it was away is judged up to the moment it was started again, not to when start() ended.
    const restartingAt = Date.now();
    await cluster.start();
    const restartedAt = Date.now();

    expect([...seen.live]).toEqual([200]);
    expect([...seen.ready]).toEqual([503]);
    expect([...seen.workerReady]).toEqual([503]);
    // What clients got while it was away (attempts started a second after the stop, when every
    // pooled connection has noticed): a 503 naming the database, within the connect timeout.
    const during = load.attempts.filter((a) => a.at > stoppedAt + 1_000 && a.at + a.ms < restartingAt);
    expect(during.length).toBeGreaterThan(10);
    for (const attempt of during) {
      expect(attempt).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
      expect(attempt.ms).toBeLessThan(CONNECT_TIMEOUT_MS + 1_500);
    }

    // Back by themselves, with no restart: readiness on both, and a new order placed.
    const acknowledgedBefore = load.acknowledged.length;
    await waitFor(
      'both processes to serve again',
      async () =>
        (await status(w.base, '/health/ready')) === 200 &&
        (await status(workerBase, '/health/ready')) === 200 &&
        load.acknowledged.length > acknowledgedBefore + 4,
      5_000,
      50,
    );
    await load.stop();
    alive();
    // A request cut off by the stop could not free its key then; it is freed once the database is
    // back, so no retry is told "still running" for long (the claim timeout is a minute).
    const stillRunning = load.attempts.filter((a) => a.code === 'IDEMPOTENCY_IN_PROGRESS');
    for (const attempt of stillRunning) expect(attempt.at).toBeLessThan(restartedAt + 5_000);

    await expectOneOrderPerAcknowledgedKey(w, load);

    // The worker's side resumed too: every event written before, during or after the outage is
    // delivered.
    await waitFor(
      'the outbox to drain',
      async () => {
        const pending = await cluster.database.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE state <> 'published'`,
        );
        return pending.rows[0]!.n === 0;
      },
      20_000,
      200,
    );
    alive();
  }, 120_000);
});
