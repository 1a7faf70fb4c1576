// Two nodes on one database sharing Redis (L2 + bus): an invalidation on one reaches the other.
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import type { App } from '../../platform/http/server.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { createBareServer } from '../../test-support/server.js';
import { createOrganization, createStore } from '../../test-support/tenancy-factories.js';
import { waitFor } from '../../test-support/wait.js';
import { catalogRows } from '../../test-support/catalog-factories.js';
import { createStorefront, type ResolvedMenu } from './storefront.js';

const REDIS_URL = process.env.REDIS_URL;
const itemNames = (menu: ResolvedMenu) =>
  menu.menus.flatMap((m) => m.categories.flatMap((c) => c.items.map((item) => item.name)));

describe.runIf(!!REDIS_URL)('across nodes (REDIS_URL)', () => {
  let t: TestApp;
  let redisA: Redis;
  let redisB: Redis;
  let redisC: Redis;
  let second: App;
  let writer: ReturnType<typeof createStorefront>;
  let writerServer: App;

  beforeAll(async () => {
    redisA = new Redis(REDIS_URL!);
    redisB = new Redis(REDIS_URL!);
    redisC = new Redis(REDIS_URL!);
    // Node 1: the full test app. Node 2: another full app on the same database with its own Redis client.
    t = await createTestApp({}, { redis: redisA });
    second = (
      await buildApp({
        config: t.config,
        database: t.db.database,
        logger: pino({ level: 'silent' }),
        tokens: t.tokens,
        redis: redisB,
      })
    ).app;
    // Node 3: the node where a write happens. (The catalog module does not expose `invalidate`
    // yet; management calls it after each write. Until then the writer is a storefront of its own.)
    writer = createStorefront({
      db: t.db.database.db,
      tenancy: t.modules.tenancy,
      redis: redisC,
      logger: pino({ level: 'silent' }),
      clock: () => new Date(),
    });
    writerServer = await createBareServer();
    await writerServer.register(writer.routes, { prefix: '/v1' });
    await writerServer.ready();
  });
  afterAll(async () => {
    await writerServer.close();
    await writer.close();
    await second.close();
    await t.close();
    redisA.disconnect();
    redisB.disconnect();
    redisC.disconnect();
  });

  it('when a change is invalidated on one node, then the next read on the others reflects it, with a new ETag', async () => {
    const org = await createOrganization(t);
    const store = await createStore(t, { organizationId: org.id });
    const f = catalogRows(t.db.database.db, org.id);
    const category = await f.category('Pizza');
    await f.item(category, 'Margherita', 900);
    await f.publish(store.id, await f.menu('All day', [category]));
    const url = `/v1/stores/${store.id}/menu`;

    // Every node has the menu cached (the first read builds it and shares it through L2).
    const one = await t.app.inject({ method: 'GET', url });
    const two = await second.inject({ method: 'GET', url });
    const three = await writerServer.inject({ method: 'GET', url });
    expect(itemNames(one.json())).toEqual(['Margherita']);
    expect(two.headers.etag).toBe(one.headers.etag);
    expect(three.headers.etag).toBe(one.headers.etag);

    // A write; until it is invalidated, the other nodes keep serving what they cached.
    await f.item(category, 'Diavola', 1100);
    await f.bumpVersion();
    const stale = await second.inject({ method: 'GET', url });
    expect(stale.statusCode, stale.body).toBe(200);
    expect(stale.headers.etag).toBe(one.headers.etag);

    await writer.invalidate({ organizationId: org.id, storeIds: [store.id] });
    // The writer's own next read sees it at once; the others as soon as the bus message lands.
    expect(itemNames((await writerServer.inject({ method: 'GET', url })).json())).toEqual(['Margherita', 'Diavola']);
    for (const app of [second, t.app]) {
      const fresh = await waitFor(
        'the change on another node',
        async () => {
          const response = await app.inject({ method: 'GET', url });
          return itemNames(response.json()).includes('Diavola') ? response : undefined;
        },
        5_000,
        5,
      );
      expect(fresh.headers.etag).not.toBe(one.headers.etag);
    }
  });

  it('when a node closes, then its bus connections are released and the shared Redis client stays usable', async () => {
    const node = createStorefront({
      db: t.db.database.db,
      tenancy: t.modules.tenancy,
      redis: redisA,
      logger: pino({ level: 'silent' }),
      clock: () => new Date(),
    });
    await node.invalidate({
      organizationId: '0190f7d2-0000-7000-8000-000000000000',
      storeIds: ['0190f7d2-0000-7000-8000-000000000001'],
    });
    await node.close();
    expect(await redisA.ping()).toBe('PONG');
  });
});
