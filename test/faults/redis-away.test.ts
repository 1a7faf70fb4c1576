// Fault D of issue 21, Redis half: with REDIS_URL set and Redis unreachable — at start, or cut
// while the process runs — an order costs under 50 ms more than with Redis up: rate limits count
// in memory, the menu comes from this node's cache or the database, and live fan-out goes through
// PostgreSQL. Nothing waits seconds on a Redis that is not there.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  call,
  killCrashWorlds,
  serverEnv,
  startServer,
  world,
  type World,
} from '../../src/test-support/crash-world.js';
import { customers } from '../../src/test-support/fault-load.js';
import { margheritaLine } from '../../src/test-support/ordering-factories.js';
import { freePort } from '../../src/test-support/server.js';
import { waitFor } from '../../src/test-support/wait.js';

const redisServers: ChildProcess[] = [];
afterAll(() => {
  killCrashWorlds();
  for (const server of redisServers) server.kill('SIGKILL');
});

const ORDERS = 20;

/** The median time of `ORDERS` orders placed one after another by one customer. */
async function medianOrderMs(w: World, token: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const started = performance.now();
    const placed = await call(w.base, 'POST', `/v1/stores/${w.shop.storeId}/orders`, {
      token,
      headers: { 'idempotency-key': crypto.randomUUID() },
      body: { channel: 'pickup', lines: [margheritaLine(w.shop.ids)], payment: { method: 'online' } },
    });
    times.push(performance.now() - started);
    expect(placed.status, placed.text).toBe(201);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** A Redis server of the test's own, so the test can take it away. */
async function ownRedis(): Promise<{ url: string; kill(): void }> {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  redisServers.push(server);
  await waitFor(`redis on ${port}`, async () => {
    const { connect } = await import('node:net');
    return new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
  });
  return { url: `redis://127.0.0.1:${port}`, kill: () => server.kill('SIGKILL') };
}

describe('Redis unreachable', () => {
  it('when Redis is away at start or cut at runtime, then an order costs under 50 ms more than with Redis up', async ({
    onTestFinished,
  }) => {
    const w = await world(onTestFinished);
    const redis = await ownRedis();
    const api = await startServer(serverEnv(w.place, undefined, { REDIS_URL: redis.url }), w.owned);
    const [token] = await customers(w, 1);
    await medianOrderMs(w, token!); // warm: compiled paths, cached menu
    const withRedis = await medianOrderMs(w, token!);

    // Cut at runtime: the same process goes on without it.
    redis.kill();
    const cut = await medianOrderMs(w, token!);
    expect((await call(w.base, 'GET', '/health/ready')).status).toBe(503);
    api.child.kill('SIGKILL');
    await new Promise((resolve) => api.child.once('exit', resolve));

    // Away at start: a port where nothing listens.
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    await startServer(serverEnv(w.place, undefined, { REDIS_URL: nowhere }), w.owned, 'live');
    await medianOrderMs(w, token!);
    const awayAtStart = await medianOrderMs(w, token!);

    const medians = JSON.stringify({ withRedis, cut, awayAtStart });
    expect(cut - withRedis, medians).toBeLessThan(50);
    expect(awayAtStart - withRedis, medians).toBeLessThan(50);
  });
});
