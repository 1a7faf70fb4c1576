// Fault D of issue 21, NATS half: with NATS_URL set and NATS away — at start, then cut while the
// process runs — orders are placed as usual (nothing on a request's path talks to NATS), the
// events wait in the outbox, and once NATS is back every one of them reaches the stream, once.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
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

const servers: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  killCrashWorlds();
  for (const server of servers) server.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A NATS server with JetStream of the test's own, on a fixed port and store folder, so it can come back. */
function ownNats(port: number) {
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brigade-nats-'));
  dirs.push(storeDir);
  let server: ChildProcess | null = null;
  return {
    url: `nats://127.0.0.1:${port}`,
    async start() {
      server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
        stdio: 'ignore',
      });
      servers.push(server);
      await waitFor(`nats on ${port}`, async () => {
        const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false }).catch(() => null);
        await nc?.close();
        return nc !== null;
      });
    },
    async stop() {
      const current = server;
      server = null;
      if (!current) return;
      current.kill('SIGKILL');
      await new Promise((resolve) => current.once('exit', resolve));
    },
  };
}

async function placeOrders(w: World, token: string, count: number) {
  for (let i = 0; i < count; i++) {
    const placed = await call(w.base, 'POST', `/v1/stores/${w.shop.storeId}/orders`, {
      token,
      headers: { 'idempotency-key': crypto.randomUUID() },
      body: { channel: 'pickup', lines: [margheritaLine(w.shop.ids)], payment: { method: 'online' } },
    });
    expect(placed.status, placed.text).toBe(201);
  }
}

describe('NATS unreachable', () => {
  it('when NATS is away at start and then cut at runtime, then orders go on and every event reaches the stream once NATS is back', async ({
    onTestFinished,
  }) => {
    const w = await world(onTestFinished);
    const nats = ownNats(await freePort());
    const stream = `BRIGADE_FAULT_${Date.now()}`;
    const api = await startServer(serverEnv(w.place, undefined, { NATS_URL: nats.url, NATS_STREAM: stream }), w.owned);
    const [token] = await customers(w, 1);
    await placeOrders(w, token!, 5);

    const unstreamed = async () =>
      (
        await w.tdb.database.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM outbox WHERE stream_published_at IS NULL',
        )
      ).rows[0]!.n;
    expect(await unstreamed()).toBeGreaterThan(0);
    const streamed = async () => {
      const nc = await connect({ servers: nats.url.replace('nats://', '') });
      try {
        return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
      } finally {
        await nc.close();
      }
    };

    // Back: everything written meanwhile is streamed.
    await nats.start();
    await waitFor('the outbox to be streamed', async () => (await unstreamed()) === 0, 30_000, 200);

    // Cut at runtime: orders go on; their events wait, and follow once NATS returns.
    await nats.stop();
    await placeOrders(w, token!, 5);
    expect(api.child.exitCode).toBeNull();
    await nats.start();
    await waitFor('the outbox to be streamed again', async () => (await unstreamed()) === 0, 30_000, 200);

    const events = await w.tdb.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    expect(await streamed()).toBe(events.rows[0]!.n);
  });
});
