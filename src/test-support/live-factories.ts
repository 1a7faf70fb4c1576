// Test support for the live feeds: orders written with ordering's own row writers (its index's
// orderRowsForTestSupport), numbered the way placement numbers them (the store's counter row), and
// "nodes" — a listening server with the feed's routes and the /graphql host — several of which can
// share one database (and Redis) the way api processes do. These drive the feed on its own, so
// tests can withhold an announcement or shorten its poll and heartbeat; live-app.test.ts proves
// the same streams through the whole app, with orders placed and moved over HTTP.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { registerAccessControl } from '../platform/auth/access.js';
import { inTransaction, type Db } from '../platform/db/index.js';
import { registerOpenApi } from '../platform/http/docs.js';
import { createServer, type App } from '../platform/http/server.js';
import { createLiveFanout, type LiveFanout } from '../platform/live/index.js';
import {
  createOrderFeed,
  orderRowsForTestSupport as rows,
  priceOrder,
  type OrderFeed,
  type OrderStatus,
} from '../modules/ordering/index.js';
import type { TestApp } from './harness.js';
import { listenForTests } from './server.js';

type ActorKind = Parameters<typeof rows.appendHistory>[3][number]['actor_kind'];

export interface TestOrder {
  id: string;
  number: string;
  storeId: string;
}

/** A pickup order of one line, placed by `customerId`, with its `placed` event; then announced. */
export async function writeTestOrder(
  db: Db,
  announce: (storeId: string) => Promise<void>,
  input: { organizationId: string; storeId: string; customerId: string | null },
): Promise<TestOrder> {
  const now = new Date();
  const businessDate = now.toISOString().slice(0, 10);
  const pricing = priceOrder({
    currency: 'EUR',
    prices_include_tax: true,
    lines: [
      {
        line_no: 0,
        item_id: randomUUID(),
        variant_id: null,
        name: 'Margherita',
        quantity: 1,
        unit_price: 950,
        tax_rate_bps: 700,
        modifiers: [],
        free_quantities: {},
      },
    ],
    service_charge_bps: 0,
    delivery_fee: 0,
    tip: 0,
  });
  const order = await inTransaction(db, async (trx) => {
    const placed = {
      type: 'placed' as const,
      from_status: null,
      to_status: 'placed' as const,
      actor_kind: 'customer' as const,
      actor_id: input.customerId,
      reason: null,
    };
    const { number: label, writeHistory } = await rows.numberNewOrder(trx, { storeId: input.storeId, businessDate }, [
      placed,
    ]);
    const id = randomUUID();
    await rows.insertOrder(
      trx,
      {
        id,
        organization_id: input.organizationId,
        store_id: input.storeId,
        number: label,
        business_date: businessDate,
        channel: 'pickup',
        status: 'placed',
        customer_id: input.customerId,
        placed_by: input.customerId ? `user:${input.customerId}` : 'api_key:test',
        idempotency_key: null,
        source: 'direct',
        external_id: null,
        table_id: null,
        delivery: JSON.stringify(null),
        scheduled_for: null,
        promised_at: new Date(now.getTime() + 15 * 60_000),
        slot_pool: null,
        slot_starts_at: null,
        slot_items: 0,
        payment_method: 'cash',
        payment_status: 'not_required',
        expires_at: null,
        currency: 'EUR',
        pricing: JSON.stringify(pricing),
        subtotal: pricing.subtotal,
        tax: pricing.tax,
        tip: 0,
        total: pricing.total,
        notes: null,
        status_reason: null,
        placed_at: now,
        updated_at: now,
      },
      [
        {
          order_id: id,
          line_no: 0,
          item_id: pricing.lines[0]!.item_id,
          variant_id: null,
          name: 'Margherita',
          quantity: 1,
          modifiers: [],
          notes: null,
          total: pricing.lines[0]!.total,
        },
      ],
    );
    await writeHistory(id, now);
    return { id, number: label, storeId: input.storeId };
  });
  await announce(order.storeId);
  return order;
}

/** Moves the order to `to` with its status_changed event, as a transition does; then announced (unless told not to). */
export async function moveTestOrder(
  db: Db,
  announce: ((storeId: string) => Promise<void>) | null,
  orderId: string,
  to: OrderStatus,
  actor: ActorKind = 'staff',
): Promise<void> {
  const storeId = await inTransaction(db, async (trx) => {
    const row = await rows.findOrder(trx, orderId, { forUpdate: true });
    if (!row) throw new Error(`no order ${orderId}`);
    const now = new Date();
    const updated = await rows.changeStatus(trx, {
      orderId,
      from: row.status,
      version: row.version,
      to,
      at: now,
      reason: null,
      releaseHolds: false,
    });
    if (!updated) throw new Error(`order ${orderId} moved concurrently`);
    await rows.appendHistory(trx, { storeId: row.store_id, orderId, businessDate: row.business_date }, now, [
      {
        type: 'status_changed',
        from_status: row.status,
        to_status: to,
        actor_kind: actor,
        actor_id: null,
        reason: null,
      },
    ]);
    return row.store_id;
  });
  if (announce) await announce(storeId);
}

export interface FeedNode {
  url: string;
  feed: OrderFeed;
  fanout: LiveFanout;
  app: App;
  /** Closes the server (ending its streams), then the fan-out: the shutdown order of a process. */
  close(): Promise<void>;
}

/**
 * One api node on the test app's database: a real listening server with the platform's request
 * handling (problems, access control with the identity module's authenticate, OpenAPI), the
 * feed's routes under /v1 and the /graphql host with the feed's subscription.
 */
export async function startFeedNode(
  t: TestApp,
  options: {
    redis?: Redis | null;
    redisPrefix?: string;
    pollMs?: number;
    heartbeatMs?: number;
    batchSize?: number;
  } = {},
): Promise<FeedNode> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  const fanout = createLiveFanout({
    pool: t.db.database.pool,
    redis: options.redis ?? null,
    logger,
    redisPrefix: options.redisPrefix,
  });
  const feed = createOrderFeed({
    db: t.db.database.db,
    deliveries: t.modules.ordering.deliveries,
    fanout,
    tenancy: t.modules.tenancy,
    logger,
    pollMs: options.pollMs,
    heartbeatMs: options.heartbeatMs,
    batchSize: options.batchSize,
  });
  const app = await createServer(t.config, logger);
  const authenticate = t.modules.identity.authenticate;
  registerAccessControl(app, { authenticate });
  await registerOpenApi(app, '0.0.0-test');
  await app.register(feed.routes, { prefix: '/v1' });
  await app.register(t.modules.catalog.graphql, { extensions: [feed.graphql], authenticate });
  const listening = await listenForTests(app);
  return {
    url: listening.url,
    feed,
    fanout,
    app,
    async close() {
      await listening.close();
      await fanout.close();
    },
  };
}
