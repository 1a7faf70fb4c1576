// The servers under load, in their own process so the load generator does not share their
// event loop: Brigade itself, a bare Fastify "hello" (framework baseline), a bare Fastify route
// running the same store query by hand with pg (raw-SQL baseline) and one doing an order
// placement's writes by hand with pg (placement baseline).
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import type { Server } from 'node:net';
import path from 'node:path';
import Fastify, { type LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createAccessTokenIssuer } from '../src/platform/auth/tokens.js';
import { createDatabase, inTransaction, migrate, type Tx } from '../src/platform/db/index.js';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.js';
import { createModules } from '../src/modules.js';
import { DEMO_ACCOUNTS, DEMO_ORG_SLUG, DEMO_PASSWORD, resetDemo } from '../src/demo/seed.js';
import { demoCatalogDocument } from '../src/demo/menu.js';
import { DEMO_MENUS } from '../src/demo/menu-data.js';
import pg from 'pg';
import { seedLoyaltyBench } from './loyalty.js';
import { startWebhookBench } from './webhooks.js';

const logger = pino({ level: 'warn' });
// Limits that never bind: the bench measures the machinery's cost, not the limiter's refusals.
const unlimited = '100000000/60';
const config = loadConfig({
  ...process.env,
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  BRIGADE_DATA_DIR: '.brigade/bench',
  RATE_LIMIT_ANONYMOUS: unlimited,
  RATE_LIMIT_USER: unlimited,
  RATE_LIMIT_API_KEY: unlimited,
  RATE_LIMIT_AUTH: unlimited,
});

let url = process.env.DATABASE_URL ?? null;
// The embedded server runs as the postgres user, who must be able to enter the data folder and
// its parent: a `.brigade` another tool made 0700 would stop it, so they are opened to o+x here.
if (!url) {
  for (const dir of [path.dirname(path.resolve(config.dataDir)), path.resolve(config.dataDir)]) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, statSync(dir).mode | 0o001);
  }
}
const embedded = url ? null : await startEmbeddedPostgres({ dataDir: config.dataDir, port: 54349, logger });
url ??= embedded!.url;

// A fresh database per run, so numbers never depend on leftovers.
const admin = new pg.Client({ connectionString: url });
await admin.connect();
// BENCH_DATABASE names it otherwise, so two runs on one shared server do not drop each other's.
const benchDatabase = process.env.BENCH_DATABASE ?? 'brigade_bench';
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(benchDatabase)) throw new Error('BENCH_DATABASE must be a plain lowercase name');
await admin.query(`DROP DATABASE IF EXISTS ${benchDatabase} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${benchDatabase}`);
await admin.end();
const benchUrl = new URL(url);
benchUrl.pathname = `/${benchDatabase}`;

const database = createDatabase(benchUrl.toString(), { ...config.database, poolMax: 20 }, 'brigade-bench');
await migrate(database.pool);
const tokens = createAccessTokenIssuer({
  privateKeyPem: null,
  dataDir: config.dataDir,
  issuer: config.auth.issuer,
  ttlSeconds: config.auth.accessTokenTtlSeconds,
});
const setupModules = createModules({ config, db: database.db, tokens, logger });
await resetDemo(database.db, setupModules);

// Order placement needs a store that takes orders whenever the bench runs. The demo stores keep
// hours and the demo all-day menu is served 11:00–02:00, so a bench brand gets two stores open
// around the clock (weekly hours 00:00–00:00, as the tests' ALWAYS_OPEN) serving the demo
// catalog with its all-day menu imported without hours; default ordering settings (unlimited
// capacity, no auto-accept). Its own brand so the demo brand, and the scenarios above that read
// it, stay exactly as seeded. One store for Brigade, one for the pg baseline (NOTES.md).
const BENCH_ORG_SLUG = 'bench-pizzeria';
const ALWAYS_OPEN = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens_at: '00:00', closes_at: '00:00' }));
// Emails are sealed at rest (ADR 0025), so the demo people are found by their roles: the demo
// brand's owner, and the one demo account without any role (the customer).
const { rows: people } = await database.pool.query<{ id: string; email: string }>(
  `SELECT user_id AS id, $1::text AS email FROM memberships m JOIN organizations o ON o.id = m.organization_id
   WHERE o.slug = $3 AND m.role = 'owner'
   UNION ALL SELECT id, $2::text FROM users u WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)`,
  [DEMO_ACCOUNTS.owner, DEMO_ACCOUNTS.customer, DEMO_ORG_SLUG],
);
const userId = (email: string) => people.find((person) => person.email === email)!.id;
const customerId = userId(DEMO_ACCOUNTS.customer);
/** A bench brand: always-open stores serving the demo catalog's all-day menu, VAT as in Berlin. */
async function benchBrand(trx: Tx, slug: string, name: string, storeNames: string[]) {
  const { tenancy, catalog } = setupModules;
  const org = await tenancy.api.createOrganization(trx, { slug, name, ownerUserId: userId(DEMO_ACCOUNTS.owner) });
  const stores: string[] = [];
  for (const storeName of storeNames)
    stores.push(
      (
        await tenancy.api.createStore(trx, {
          organizationId: org.id,
          name: storeName,
          address: { line1: 'Benchstraße 1', city: 'Berlin', postal_code: '10115', country: 'DE' },
          timezone: 'Europe/Berlin',
          currency: 'EUR',
          opening_hours: ALWAYS_OPEN,
        })
      ).id,
    );
  const allDay = DEMO_MENUS.find((menu) => menu.ref === 'all-day')!;
  const document = demoCatalogDocument();
  await catalog.api.importCatalog(trx, org.id, {
    ...document,
    menus: [
      { ref: 'all-day', name: `${allDay.name} (around the clock)`, availability: [], categories: allDay.categories },
    ],
  });
  const ids = await catalog.api.idsByRef(org.id, trx);
  for (const storeId of stores) {
    await catalog.api.publishMenus(trx, { organizationId: org.id, storeId, menuIds: [ids.menus['all-day']!] });
    // As the demo Berlin store: prices include VAT, 7% food, 19% drinks.
    await catalog.api.setStoreCatalogSettings(trx, {
      organizationId: org.id,
      storeId,
      taxSettings: {
        prices_include_tax: true,
        rates: [
          { tax_category_id: ids.tax_categories.food!, rate_bps: 700 },
          { tax_category_id: ids.tax_categories.drinks!, rate_bps: 1900 },
        ],
      },
    });
  }
  // Two lines: a small Margherita with its required base, and a cola (no modifiers).
  const orderBody = {
    channel: 'pickup',
    lines: [
      {
        item_id: ids.items.margherita!,
        variant_id: ids.variants['margherita/margherita-1']!,
        quantity: 1,
        modifiers: [{ option_id: ids.options['base/base-classic']! }],
      },
      { item_id: ids.items.cola!, quantity: 1 },
    ],
  };
  return { organizationId: org.id, stores, ids, orderBody };
}

const bench = await inTransaction(database.db, async (trx) => {
  const brand = await benchBrand(trx, BENCH_ORG_SLUG, 'Bench Pizzeria', [
    'Bench Pizzeria (Brigade)',
    'Bench Pizzeria (pg baseline)',
  ]);
  return {
    organizationId: brand.organizationId,
    brigadeStoreId: brand.stores[0]!,
    baselineStoreId: brand.stores[1]!,
    orderBody: brand.orderBody,
  };
});

// Quotes with promotions (issue 13): a second brand, identical but for its 50 live automatic
// promotions, priced against the bench brand above (none) in the same run. As a real
// organization's list: a few apply to the basket (a pizza + drink combo, 10% off drinks, 5% off
// the order, all combining), the rest are read and evaluated on every quote and lose for the
// reasons promotions usually lose (other channel, other store, minimum order, items not in the
// basket, flash sales on other items, not combinable, nothing to discount).
const PROMOTIONS = 50;
const promoted = await inTransaction(database.db, async (trx) => {
  const brand = await benchBrand(trx, 'bench-promotions', 'Bench Pizzeria with promotions', [
    'Bench Pizzeria (50 promotions)',
  ]);
  const { ids } = brand;
  const pizza = ids.categories.pizza!;
  const drinks = ids.categories.drinks!;
  const otherItems = Object.entries(ids.items)
    .filter(([ref]) => ref !== 'margherita' && ref !== 'cola')
    .map(([, id]) => id);
  const base = {
    description: null,
    kind: 'automatic' as const,
    advertised: true,
    active: true,
    starts_at: null,
    ends_at: null,
    max_discount: null,
    usage_limit: null,
    budget: null,
    per_customer_limit: null,
  };
  const applying = [
    {
      name: 'Pizza + drink',
      priority: 50,
      combinable: true,
      conditions: {},
      effect: {
        type: 'combo' as const,
        components: [
          { target: { category_ids: [pizza] }, quantity: 1 },
          { target: { category_ids: [drinks] }, quantity: 1 },
        ],
        price: 1000,
      },
    },
    {
      name: '10% off drinks',
      priority: 20,
      combinable: true,
      conditions: {},
      effect: { type: 'line_percentage' as const, percent_bps: 1000, target: { category_ids: [drinks] } },
    },
    {
      name: '5% off',
      priority: 0,
      combinable: true,
      conditions: {},
      effect: { type: 'order_percentage' as const, percent_bps: 500 },
    },
  ];
  const losing = (n: number) => {
    const item = otherItems[n % otherItems.length]!;
    const kinds = [
      {
        conditions: { channels: ['delivery' as const] },
        effect: { type: 'delivery_fee' as const, percent_bps: 10_000 },
      },
      { conditions: { store_ids: [bench.brigadeStoreId] }, effect: { type: 'order_fixed' as const, amount: 200 } },
      { conditions: { min_subtotal: 100_000 }, effect: { type: 'order_percentage' as const, percent_bps: 1500 } },
      {
        conditions: { rules: [{ attribute: 'item' as const, operator: 'includes_any' as const, values: [item] }] },
        effect: { type: 'order_fixed' as const, amount: 300 },
      },
      {
        conditions: {},
        effect: {
          type: 'flash_sale' as const,
          item_id: item,
          percent_bps: 5000,
          units_per_day: 25,
          per_customer_per_day: 1,
        },
      },
      {
        conditions: {},
        effect: {
          type: 'buy_x_get_y' as const,
          buy: { target: { item_ids: [item] }, quantity: 2 },
          get: { target: { item_ids: [item] }, quantity: 1 },
          percent_bps: 10_000,
        },
      },
      { conditions: {}, combinable: false, effect: { type: 'order_percentage' as const, percent_bps: 2000 } },
      {
        conditions: { channels: ['dine_in' as const] },
        effect: { type: 'line_fixed' as const, amount_per_unit: 100, target: { category_ids: [pizza] } },
      },
    ];
    const kind = kinds[n % kinds.length]!;
    return { name: `Campaign ${n}`, priority: -1 - (n % 5), combinable: true, ...kind };
  };
  const promotions = [...applying, ...Array.from({ length: PROMOTIONS - applying.length }, (_, n) => losing(n))];
  for (const promotion of promotions)
    await setupModules.marketing.api.seedPromotion(trx, {
      organizationId: brand.organizationId,
      promotion: { ...base, ...promotion },
    });
  return { storeId: brand.stores[0]!, quoteBody: brand.orderBody, applying: applying.length };
});

const { app } = await buildApp({ config, database, logger, tokens });
await app.listen({ host: '127.0.0.1', port: 0 });

const bare = Fastify();
bare.get('/hello', async () => ({ status: 'ok' }));
// The same bytes Brigade answers for the demo menu and a menu search, fetched once and replayed
// by a bare route: the baseline for "what does serving this response cost with no machinery".
const replayed = new Map<string, string>();
bare.get('/replay/:name', async (request, reply) => {
  const body = replayed.get((request.params as { name: string }).name);
  return reply.type('application/json; charset=utf-8').send(body ?? '{}');
});
bare.get('/stores/:id', async (request) => {
  const { id } = request.params as { id: string };
  const { rows } = await database.pool.query(
    'SELECT s.*, (SELECT json_agg(h) FROM store_opening_hours h WHERE h.store_id = s.id) AS hours FROM stores s WHERE s.id = $1',
    [id],
  );
  return rows[0];
});

// One real placement through Brigade at the baseline store: proves the order body is valid
// before any load, and its rows are the template the pg baseline writes again and again (same
// pricing snapshot, same lines, same event data), so both write the same rows.
// The event loop stalls for a moment after the setup above, and load shedding answers 503 to
// what comes in then: wait it out.
const settled = async (send: () => Promise<LightMyRequestResponse>) => {
  for (let attempt = 1; ; attempt++) {
    const response = await send();
    if (response.statusCode !== 503 || attempt >= 20) return response;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};
const signIn = await settled(() =>
  app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: DEMO_ACCOUNTS.customer, password: DEMO_PASSWORD },
  }),
);
const customerToken = (signIn.json() as { access_token: string }).access_token;
const first = await settled(() =>
  app.inject({
    method: 'POST',
    url: `/v1/stores/${bench.baselineStoreId}/orders`,
    headers: { authorization: `Bearer ${customerToken}`, 'idempotency-key': 'bench-template' },
    payload: bench.orderBody,
  }),
);
if (first.statusCode !== 201) throw new Error(`bench order placement failed: ${first.statusCode} ${first.body}`);
const templateId = (first.json() as { id: string }).id;
// The quote bodies are valid, and the promoted brand's quote shows what the scenario says.
for (const [storeId, body, applied] of [
  [bench.brigadeStoreId, bench.orderBody, 0],
  [promoted.storeId, promoted.quoteBody, promoted.applying],
] as const) {
  const quoted = await app.inject({ method: 'POST', url: `/v1/stores/${storeId}/quotes`, payload: body });
  const answer = quoted.json() as { orderable: boolean; discounts: unknown[]; promotions_not_applied: unknown[] };
  if (
    quoted.statusCode !== 200 ||
    !answer.orderable ||
    answer.discounts.length !== applied ||
    answer.discounts.length + answer.promotions_not_applied.length !== (applied === 0 ? 0 : PROMOTIONS)
  )
    throw new Error(`bench quote is not as planned: ${quoted.statusCode} ${quoted.body}`);
}
const template = (
  await database.pool.query(
    'SELECT channel, placed_by, source, currency, pricing::text AS pricing, subtotal, tax, tip, total, slot_pool, slot_items, payment_method, payment_status, promised_at - placed_at AS lead FROM orders WHERE id = $1',
    [templateId],
  )
).rows[0] as Record<string, unknown>;
const templateLines = (
  await database.pool.query(
    'SELECT line_no, item_id, variant_id, name, quantity, modifiers::text AS modifiers, notes, total FROM order_lines WHERE order_id = $1 ORDER BY line_no',
    [templateId],
  )
).rows as Array<Record<string, unknown>>;
const templateEvent = (
  await database.pool.query(
    "SELECT type, source, data FROM outbox WHERE aggregate_type = 'order' AND aggregate_id = $1",
    [templateId],
  )
).rows[0] as { type: string; source: string; data: Record<string, unknown> };

// Reviews: a third bench store with 100,000 reviews of 100,000 picked-up orders (copies of the
// template order), written with one generate_series INSERT each, and its rating tallies to match.
// The scenarios read its first page and its 50th (the cursor after the 980th review).
const REVIEWS = 100_000;
const reviewsStore = await inTransaction(database.db, (trx) =>
  setupModules.tenancy.api.createStore(trx, {
    organizationId: bench.organizationId,
    name: 'Bench Pizzeria (reviews)',
    address: { line1: 'Benchstraße 3', city: 'Berlin', postal_code: '10115', country: 'DE' },
    timezone: 'Europe/Berlin',
    currency: 'EUR',
    opening_hours: ALWAYS_OPEN,
  }),
);
{
  const { rows: columns } = await database.pool.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'orders' AND table_schema = current_schema()
     AND column_name NOT IN ('id', 'store_id', 'number', 'status', 'idempotency_key', 'external_id') ORDER BY ordinal_position`,
  );
  const list = columns.map((column) => `"${column.name}"`).join(', ');
  await database.pool.query(
    `INSERT INTO orders (id, store_id, number, status, ${list})
     SELECT gen_random_uuid(), $2, 'V-' || n, 'picked_up', ${list} FROM orders, generate_series(1, $3::int) n WHERE id = $1`,
    [templateId, reviewsStore.id, REVIEWS],
  );
  // Ids in creation order as UUIDv7 would be: a time prefix (one review a minute, back from now) and random bits.
  await database.pool.query(
    `INSERT INTO reviews (id, organization_id, store_id, order_id, author_id, channel, rating, comment, state, helpful_count, created_at)
     SELECT (lpad(to_hex((extract(epoch FROM t) * 1000)::bigint), 12, '0') || '7' || substr(md5(o.id::text), 1, 19))::uuid,
            o.organization_id, o.store_id, o.id, o.customer_id, o.channel, 1 + (row_number() OVER () % 5)::int,
            'Bench review of order ' || o.number, 'published', (row_number() OVER () % 7)::int, t
     FROM (SELECT *, now() - (row_number() OVER () * interval '1 minute') AS t FROM orders WHERE store_id = $1) o`,
    [reviewsStore.id],
  );
  await database.pool.query(
    `INSERT INTO review_rating_tallies (store_id, shard, organization_id, review_count, rating_sum, count_1, count_2, count_3, count_4, count_5)
     SELECT store_id, 0, organization_id, count(*), sum(rating), count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),
            count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4), count(*) FILTER (WHERE rating = 5)
     FROM reviews WHERE store_id = $1 GROUP BY store_id, organization_id`,
    [reviewsStore.id],
  );
  await database.pool.query('ANALYZE reviews');
}
const { rows: pageStart } = await database.pool.query<{ id: string }>(
  `SELECT id FROM reviews WHERE store_id = $1 AND state = 'published' AND deleted_at IS NULL ORDER BY id DESC OFFSET 979 LIMIT 1`,
  [reviewsStore.id],
);
const reviewsBench = {
  storeId: reviewsStore.id,
  page50Cursor: Buffer.from(JSON.stringify({ id: pageStart[0]!.id })).toString('base64url'),
};

// Loyalty (issue 14): the bench brand's program with 100,000 members and 2,000,000 ledger entries
// (bench/loyalty.ts); the scenarios read its liability report as the demo owner (the brand's owner).
const loyaltyStarted = Date.now();
const loyaltyBench = {
  organizationId: bench.organizationId,
  ...(await seedLoyaltyBench(database.pool, bench.organizationId)),
};
logger.warn({ ...loyaltyBench, ms: Date.now() - loyaltyStarted }, 'bench loyalty data seeded');
// brigade check's replay of that ledger (every member, lot and debit recomputed), timed once.
const replayStarted = Date.now();
const replayFindings = await setupModules.loyalty.api.audit(database.db);
logger.warn({ findings: replayFindings.length, ms: Date.now() - replayStarted }, 'bench loyalty ledger replayed');

const MINUTE = 60_000;
/** A-001 … A-999, B-001 …: placement.ts's orderNumber (not exported by the ordering module). */
const orderNumber = (n: number) =>
  `${String.fromCharCode(65 + (Math.floor((n - 1) / 999) % 26))}-${String(((n - 1) % 999) + 1).padStart(3, '0')}`;
const SLOT = 15 * MINUTE; // default slot_minutes
const PREP = 15 * MINUTE; // default prep_minutes
const businessDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Berlin',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const lineColumns = ['order_id', 'line_no', 'item_id', 'variant_id', 'name', 'quantity', 'modifiers', 'notes', 'total'];
const lineValues = templateLines
  .map((_, index) => `(${lineColumns.map((__, column) => `$${index * lineColumns.length + column + 1}`).join(', ')})`)
  .join(', ');
const insertLines = `INSERT INTO order_lines (${lineColumns.join(', ')}) VALUES ${lineValues}`;

// The placement baseline: the writes of a placement, in one transaction, with pg alone — no
// Kysely, no validation, no menu, no pricing, no idempotency record. Same statements as
// Brigade's for the contended rows (kitchen slot, store counter), the same rows for orders,
// order_lines, order_events, the payment, the outbox (with its per-aggregate lock and relay
// wake-up).
bare.post('/orders/:storeId', async (request, reply) => {
  const { storeId } = request.params as { storeId: string };
  const key = request.headers['idempotency-key'];
  const now = new Date();
  const orderId = uuidv7();
  const slotStartsAt = new Date(Math.floor((now.getTime() + PREP) / SLOT) * SLOT);
  const businessDate = businessDay.format(now);
  const client = await database.pool.connect();
  try {
    await client.query('BEGIN');
    // In Brigade's order: the store-wide rows (slot, counter) last. The customer's row is not in
    // the transaction any more (recorded from the order's event, ADR 0020).
    const slot = await client.query(
      `INSERT INTO kitchen_slots AS k (store_id, pool, starts_at, orders_taken, items_taken) VALUES ($1, $2, $3, 1, $4)
       ON CONFLICT (store_id, pool, starts_at) DO UPDATE SET orders_taken = k.orders_taken + 1, items_taken = k.items_taken + excluded.items_taken
         WHERE k.orders_taken + 1 <= 2147483647 AND k.items_taken + excluded.items_taken <= 2147483647
       RETURNING 1 AS ok`,
      [storeId, template.slot_pool, slotStartsAt, template.slot_items],
    );
    if (slot.rowCount !== 1) throw new Error('slot full');
    const counter = await client.query<{ last_seq: string; last_number: number }>(
      `INSERT INTO store_order_counters AS c (store_id, last_seq, business_date, last_number) VALUES ($1, 1, $2, 1)
       ON CONFLICT (store_id) DO UPDATE SET
         last_seq = c.last_seq + 1,
         last_number = CASE WHEN c.business_date = excluded.business_date THEN c.last_number + 1
                            WHEN excluded.business_date > c.business_date THEN 1 ELSE c.last_number + 1 END,
         business_date = GREATEST(c.business_date, excluded.business_date)
       RETURNING last_seq, last_number`,
      [storeId, businessDate],
    );
    const { last_seq: seq, last_number: n } = counter.rows[0]!;
    const number = orderNumber(n);
    const promisedAt = new Date(Math.max(slotStartsAt.getTime(), now.getTime() + PREP));
    const { rows } = await client.query(
      `INSERT INTO orders (id, organization_id, store_id, number, business_date, channel, status, version, customer_id, placed_by, idempotency_key, source,
                           external_id, table_id, delivery, scheduled_for, promised_at, slot_pool, slot_starts_at, slot_items, payment_method, payment_status,
                           expires_at, currency, pricing, subtotal, tax, tip, total, notes, status_reason, placed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'placed', 1, $7, $8, $9, $10, NULL, NULL, 'null', NULL, $11, $12, $13, $14, $15, $16,
               NULL, $17, $18, $19, $20, $21, $22, NULL, NULL, $23, $23)
       RETURNING *`,
      [
        orderId,
        bench.organizationId,
        storeId,
        number,
        businessDate,
        template.channel,
        customerId,
        template.placed_by,
        typeof key === 'string' ? key : null,
        template.source,
        promisedAt,
        template.slot_pool,
        slotStartsAt,
        template.slot_items,
        template.payment_method,
        template.payment_status,
        template.currency,
        template.pricing,
        template.subtotal,
        template.tax,
        template.tip,
        template.total,
        now,
      ],
    );
    await client.query(
      insertLines,
      templateLines.flatMap((line) => lineColumns.map((column) => (column === 'order_id' ? orderId : line[column]))),
    );
    await client.query(
      `INSERT INTO order_events (store_id, seq, order_id, type, from_status, to_status, actor_kind, actor_id, reason, occurred_at)
       VALUES ($1, $2, $3, 'placed', NULL, 'placed', 'customer', $4, NULL, $5)`,
      [storeId, seq, orderId, customerId, now],
    );
    const data = {
      ...templateEvent.data,
      order_id: orderId,
      store_id: storeId,
      number,
      promised_at: promisedAt.toISOString(),
    };
    await client.query(
      `WITH ordered AS (SELECT pg_advisory_xact_lock(2744426, hashtext($1))), woken AS (SELECT pg_notify('brigade_outbox', ''))
       INSERT INTO outbox (id, aggregate_type, aggregate_id, type, source, subject, data)
       SELECT $2::uuid, 'order', $3, $4, $5, $6, $7::jsonb FROM ordered, woken`,
      [
        `order:${orderId}`,
        uuidv7(),
        orderId,
        templateEvent.type,
        templateEvent.source,
        `order/${orderId}`,
        JSON.stringify(data),
      ],
    );
    // Its payment, born in the same transaction (cash: waiting for the counter).
    await client.query(
      `INSERT INTO payments (id, organization_id, store_id, order_id, provider, status, currency, amount, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'cash', 'requires_payment', $5, $6, $7, $7)`,
      [uuidv7(), bench.organizationId, storeId, orderId, template.currency, template.total, now],
    );
    await client.query('COMMIT');
    return reply.code(201).send(rows[0]);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
});
await bare.listen({ host: '127.0.0.1', port: 0 });

const address = (server: { server: Server }) => {
  const info = server.server.address();
  return typeof info === 'object' && info ? `http://127.0.0.1:${info.port}` : '';
};
const urls = { brigade: address(app), bare: address(bare) };
const storeId = (
  (await (await fetch(`${urls.brigade}/v1/stores?org=${DEMO_ORG_SLUG}`)).json()) as { data: Array<{ id: string }> }
).data[0]!.id;
replayed.set('menu', await (await fetch(`${urls.brigade}/v1/stores/${storeId}/menu?channel=pickup`)).text());
replayed.set('search', await (await fetch(`${urls.brigade}/v1/stores/${storeId}/menu/search?q=margarita`)).text());
// Under `npm run bench` the parent reads the addresses over IPC; run alone (e.g. with
// --cpu-prof to profile), it prints them and stops on SIGTERM.
const ready = {
  ...urls,
  ordering: { storeId: bench.brigadeStoreId, baselineStoreId: bench.baselineStoreId, body: bench.orderBody },
  quotes: {
    plain: { storeId: bench.brigadeStoreId, body: bench.orderBody },
    promoted: { storeId: promoted.storeId, body: promoted.quoteBody, promotions: PROMOTIONS },
  },
  reviews: reviewsBench,
  loyalty: loyaltyBench,
};
if (process.send) process.send(ready);
else process.stdout.write(`${JSON.stringify(ready)}\n`);

// What the database sessions do under load: on request, pg_stat_activity is sampled every 50 ms
// (its own connection, outside the pool under test) and the busy sessions are counted by what
// they were doing: running, waiting on a lock (Lock:…), on I/O (IO:…, e.g. the WAL flush of a
// commit), or 'idle in transaction' (holding a transaction open while the application works).
// The parent asks around the placement scenarios.
let sampler: { timer: NodeJS.Timeout; samples: number; waits: Record<string, number>; client: pg.Client } | null = null;
async function startSampling(): Promise<void> {
  const client = new pg.Client({ connectionString: benchUrl.toString() });
  await client.connect();
  const state = {
    timer: undefined as unknown as NodeJS.Timeout,
    samples: 0,
    waits: {} as Record<string, number>,
    client,
  };
  let busy = false;
  state.timer = setInterval(() => {
    if (busy) return;
    busy = true;
    client
      .query<{ wait: string; n: number }>(
        `SELECT CASE WHEN state <> 'active' THEN state WHEN wait_event_type IS NULL THEN 'running'
                     WHEN wait_event_type = 'Lock' THEN 'Lock:' || wait_event || ' (' || coalesce(substring(query from '(?:INSERT INTO|UPDATE|FROM)\\s+"?(\\w+)'), '?') || ')'
                     ELSE wait_event_type || ':' || wait_event END AS wait, count(*)::int AS n
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle' GROUP BY 1`,
      )
      .then(({ rows }) => {
        state.samples++;
        for (const row of rows) state.waits[row.wait] = (state.waits[row.wait] ?? 0) + row.n;
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, 50);
  sampler = state;
}
async function stopSampling(): Promise<{ samples: number; waits: Record<string, number> }> {
  const state = sampler;
  sampler = null;
  if (!state) return { samples: 0, waits: {} };
  clearInterval(state.timer);
  await state.client.end().catch(() => undefined);
  return { samples: state.samples, waits: state.waits };
}

const stop = async () => {
  // The load generator cuts its last requests off mid-flight; their handlers then fail
  // against the closed pool. Expected at shutdown, so not worth a log line each.
  logger.level = 'fatal';
  await webhookBench?.stop();
  await app.close();
  await bare.close();
  await setupModules.catalog.close();
  await database.close();
  await embedded?.stop();
  process.exit(0);
};
// The webhook scenario (bench/webhooks.ts), last: it starts the worker's relay and senders here.
let webhookBench: Awaited<ReturnType<typeof startWebhookBench>> | null = null;
async function startWebhooks() {
  webhookBench = await startWebhookBench({ config, database, tokens, logger, organizationId: bench.organizationId });
  await webhookBench.settled();
}
process.on('message', (message) => {
  if (message === 'stop') void stop();
  if (message === 'start-worker') void startWebhooks().then(() => process.send?.({ worker: true }));
  if (message === 'webhook-fan-out')
    void webhookBench!.fanOut().then(async (result) => {
      await webhookBench!.settled();
      process.send?.({ fanOut: result });
    });
  if (message === 'sample-locks') void startSampling().then(() => process.send?.({ sampling: true }));
  if (message === 'report-locks') void stopSampling().then((report) => process.send?.({ locks: report }));
});
process.once('SIGTERM', () => void stop());
