// Issue 17: a worker killed mid-send. The receiver holds Brigade's first request open; while it
// waits, the process is killed with SIGKILL. A new process takes the message over once the dead
// sender's lease lapses and delivers it again, with the same webhook-id (at least once, and a
// receiver deduplicating by that id sees it once).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { exitWithin } from '../../src/test-support/brigade-process.js';
import { call, killCrashWorlds, login, serverEnv, startServer, world } from '../../src/test-support/crash-world.js';
import { margheritaLine } from '../../src/test-support/ordering-factories.js';
import { waitFor } from '../../src/test-support/wait.js';

afterAll(killCrashWorlds);

/** A receiver that never answers its first request (the send is in flight when the kill comes) and 200s the rest. */
async function holdingReceiver() {
  const ids: string[] = [];
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      ids.push(String(request.headers['webhook-id']));
      if (ids.length > 1) response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    ids,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('a worker killed mid-send', () => {
  it('when the process dies while a webhook is in flight, then a new process sends it again with the same webhook-id', async ({
    onTestFinished,
  }) => {
    const w = await world(onTestFinished);
    const receiver = await holdingReceiver();
    onTestFinished(() => receiver.close());
    const env = serverEnv(w.place, undefined, { WEBHOOKS_ALLOWED_NETWORKS: '127.0.0.0/8' });
    let run = await startServer(env, w.owned);

    const owner = await login(w.base, w.shop.ownerEmail);
    const { rows } = await w.tdb.database.pool.query<{ organization_id: string }>(
      'SELECT organization_id FROM stores WHERE id = $1',
      [w.shop.storeId],
    );
    const endpoint = await call(w.base, 'POST', `/v1/organizations/${rows[0]!.organization_id}/webhook-endpoints`, {
      token: owner,
      body: { url: receiver.url, event_types: ['order.placed'] },
    });
    expect(endpoint.status, endpoint.text).toBe(201);
    const placed = await call(w.base, 'POST', `/v1/stores/${w.shop.storeId}/orders`, {
      token: owner,
      headers: { 'idempotency-key': randomUUID() },
      body: { channel: 'pickup', lines: [margheritaLine(w.shop.ids)] },
    });
    expect(placed.status, placed.text).toBe(201);

    await waitFor('the first send to reach the receiver', () => receiver.ids.length === 1, 30_000, 50);
    run.child.kill('SIGKILL');
    expect(await exitWithin(run, 10_000)).toEqual({ code: null, signal: 'SIGKILL' });
    run = await startServer(env, w.owned);

    // The dead sender's lease (60 s, webhooks/delivery-repo.ts) has to lapse first: nothing else
    // tells the new process it died.
    await waitFor('the message sent again', () => receiver.ids.length >= 2, 90_000, 200);
    expect(new Set(receiver.ids).size).toBe(1);
    const message = await waitFor('the message recorded as delivered', async () => {
      const result = await w.tdb.database.pool.query<{ id: string; state: string; attempts: number }>(
        "SELECT id, state, attempts FROM webhook_messages WHERE event_type = 'order.placed' AND state = 'delivered'",
      );
      return result.rows[0];
    });
    expect(receiver.ids[0]).toBe(`msg_${message.id}`);
    // The killed attempt recorded nothing: the second send is the message's first recorded attempt.
    expect(message.attempts).toBe(1);
  }, 150_000);
});
