// The order lifecycle, checked twice against the table of the issue written out again below:
// purely (every action × status × actor × channel × with/without reason against checkTransition),
// and over HTTP on real orders (every action by the customer, staff and a courier on orders in
// every status each channel can reach), where each legal move must write exactly one history row
// and one outbox event, and every refused one must leave the order untouched.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import { CHANNELS, ORDER_ACTIONS, ORDER_STATUSES, type Channel, type OrderAction, type OrderStatus } from './schema.js';
import { checkTransition, TRANSITIONS, type Actor, type MachineAction } from './state-machine.js';
import { FINAL_STATUSES, STOCK_RETURNS_FROM } from './statuses.js';

// --- the lifecycle as the issue states it ---------------------------------------------------------

const KITCHEN: OrderStatus[] = ['placed', 'accepted', 'preparing', 'ready'];

interface Expected {
  to: OrderStatus;
  /** Who may act, and from which statuses. */
  from: Partial<Record<Actor, OrderStatus[]>>;
  channels?: Channel[];
  reasonFrom?: Actor[];
  event: string;
}

const LIFECYCLE: Record<MachineAction, Expected> = {
  accept: { to: 'accepted', from: { staff: ['placed'], system: ['placed'] }, event: 'ordering.order.accepted' },
  reject: {
    to: 'rejected',
    from: { staff: ['placed'], system: ['placed'] },
    reasonFrom: ['staff'],
    event: 'ordering.order.rejected',
  },
  start_preparing: { to: 'preparing', from: { staff: ['accepted'] }, event: 'ordering.order.preparation_started' },
  mark_ready: { to: 'ready', from: { staff: ['preparing'] }, event: 'ordering.order.marked_ready' },
  hand_over: { to: 'picked_up', from: { staff: ['ready'] }, channels: ['pickup'], event: 'ordering.order.picked_up' },
  dispatch: {
    to: 'out_for_delivery',
    from: { staff: ['ready'], courier: ['ready'] },
    channels: ['delivery'],
    event: 'ordering.order.dispatched',
  },
  deliver: {
    to: 'delivered',
    from: { staff: ['out_for_delivery'], courier: ['out_for_delivery'] },
    channels: ['delivery'],
    event: 'ordering.order.delivered',
  },
  complete: { to: 'completed', from: { staff: ['ready'] }, channels: ['dine_in'], event: 'ordering.order.completed' },
  // A customer may cancel only before the kitchen starts; the store may until it is handed over, saying why.
  cancel: {
    to: 'cancelled',
    from: { customer: ['placed', 'accepted'], staff: KITCHEN, system: KITCHEN },
    reasonFrom: ['staff'],
    event: 'ordering.order.cancelled',
  },
  expire: { to: 'expired', from: { system: ['placed'] }, event: 'ordering.order.expired' },
};

type Outcome = 'ok' | 'forbidden' | 'invalid' | 'reason_required';
const ACTORS: Actor[] = ['customer', 'staff', 'courier', 'system'];
const MACHINE_ACTIONS: MachineAction[] = [...ORDER_ACTIONS, 'expire'];

/** Who is refused first (403), then what is impossible (409), then what lacks a reason (422). */
function expected(
  action: MachineAction,
  status: OrderStatus,
  actor: Actor,
  channel: Channel,
  hasReason: boolean,
): Outcome {
  const rule = LIFECYCLE[action];
  const from = rule.from[actor];
  if (!from) return 'forbidden';
  if (!from.includes(status) || (rule.channels && !rule.channels.includes(channel))) return 'invalid';
  if (rule.reasonFrom?.includes(actor) && !hasReason) return 'reason_required';
  return 'ok';
}

describe('the transition table (pure)', () => {
  it('when every action is checked for every status, actor and channel, with and without a reason, then checkTransition agrees with the lifecycle of the issue', () => {
    const disagreements: string[] = [];
    let combinations = 0;
    for (const action of MACHINE_ACTIONS) {
      for (const status of ORDER_STATUSES) {
        for (const actor of ACTORS) {
          for (const channel of CHANNELS) {
            for (const reason of [null, 'because']) {
              combinations++;
              const want = expected(action, status, actor, channel, reason !== null);
              const got = checkTransition(action, { status, channel, actor, reason });
              const gotOutcome = got.ok ? 'ok' : got.reason;
              const gotTo = got.ok ? got.rule.to : null;
              if (gotOutcome !== want || (got.ok && gotTo !== LIFECYCLE[action].to)) {
                disagreements.push(
                  `${action} ${status} ${actor} ${channel} reason=${reason}: want ${want}, got ${gotOutcome}${gotTo ? ` → ${gotTo}` : ''}`,
                );
              }
              if (!got.ok) expect(got.message.length).toBeGreaterThan(0);
            }
          }
        }
      }
    }
    expect(combinations).toBe(MACHINE_ACTIONS.length * ORDER_STATUSES.length * ACTORS.length * CHANNELS.length * 2);
    expect(disagreements).toEqual([]);
  });

  it('when an order is in a final status, then no action by anyone on any channel moves it, and every other status has a way on', () => {
    const movable = (status: OrderStatus) =>
      MACHINE_ACTIONS.some((action) =>
        ACTORS.some((actor) =>
          CHANNELS.some((channel) => checkTransition(action, { status, channel, actor, reason: 'x' }).ok),
        ),
      );
    expect(ORDER_STATUSES.filter((status) => !movable(status)).sort()).toEqual([...FINAL_STATUSES].sort());
    expect([...FINAL_STATUSES].sort()).toEqual([
      'cancelled',
      'completed',
      'delivered',
      'expired',
      'picked_up',
      'rejected',
    ]);
  });

  it('when an order ends early (reject, cancel, expire), then its holds are released, and its stock only if the kitchen had not started', () => {
    const releasing = MACHINE_ACTIONS.filter((action) => TRANSITIONS[action].releasesHolds).sort();
    expect(releasing).toEqual(['cancel', 'expire', 'reject']);
    expect([...STOCK_RETURNS_FROM].sort()).toEqual(['accepted', 'placed']);
  });
});

// --- over HTTP ----------------------------------------------------------------------------------

let now = new Date('2026-12-02T10:00:00Z'); // a Wednesday; the stores are open around the clock
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { clock: () => now, sandbox: true });
});
afterAll(async () => {
  await t?.close();
});

type HttpActor = Exclude<Actor, 'system'>;
const HTTP_ACTORS: HttpActor[] = ['customer', 'staff', 'courier'];
const REACHABLE: Record<Channel, OrderStatus[]> = {
  pickup: ['placed', 'accepted', 'preparing', 'ready', 'picked_up', 'rejected', 'cancelled', 'expired'],
  delivery: [
    'placed',
    'accepted',
    'preparing',
    'ready',
    'out_for_delivery',
    'delivered',
    'rejected',
    'cancelled',
    'expired',
  ],
  dine_in: ['placed', 'accepted', 'preparing', 'ready', 'completed', 'rejected', 'cancelled', 'expired'],
};

async function world(settings: Record<string, unknown> = {}) {
  const shop = await orderingStore(t, settings);
  const place = { organizationId: shop.organization.id, storeId: shop.store.id };
  const [guest, staff, staff2, courier, stranger] = await Promise.all([
    customer(t),
    staffOf(t, { ...place, role: 'staff' }),
    staffOf(t, { ...place, role: 'staff' }),
    staffOf(t, { ...place, role: 'courier' }),
    customer(t),
  ]);
  const tokens: Record<HttpActor, string> = { customer: guest.token, staff: staff.token, courier: courier.token };
  const bodyFor = (channel: Channel, extra: Record<string, unknown> = {}) => ({
    channel,
    lines: [margheritaLine(shop.ids)],
    ...(channel === 'delivery'
      ? {
          delivery: {
            address: { line1: '2 Side Street', city: 'Berlin', country: 'DE' },
            contact: { name: 'Ada', phone: '+49 30 1234567' },
          },
        }
      : {}),
    ...(channel === 'dine_in' ? { table_token: shop.table.qr_token } : {}),
    ...extra,
  });

  async function newOrder(channel: Channel, extra: Record<string, unknown> = {}) {
    const res = await placeOrder(t, guest.token, shop.store.id, bodyFor(channel, extra));
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string; status: OrderStatus; version: number; channel: Channel }>();
  }

  function act(
    orderId: string,
    action: OrderAction,
    who: HttpActor | string,
    options: { reason?: string; ifMatch?: string } = {},
  ) {
    const token = who in tokens ? tokens[who as HttpActor] : who;
    return t.app.inject({
      method: 'POST',
      url: `/v1/orders/${orderId}/transitions`,
      headers: { ...bearer(token), ...(options.ifMatch ? { 'if-match': options.ifMatch } : {}) },
      payload: { action, ...(options.reason ? { reason: options.reason } : {}) },
    });
  }

  /** The order as its store sees it, with its history, and the outbox events of it. */
  async function snapshot(orderId: string) {
    const res = await t.app.inject({ method: 'GET', url: `/v1/orders/${orderId}`, headers: bearer(staff.token) });
    expect(res.statusCode, res.body).toBe(200);
    const order = res.json<{
      status: OrderStatus;
      version: number;
      status_reason: string | null;
      history: Array<{ from_status: string | null; status: string; actor: string; reason: string | null }>;
    }>();
    const { rows } = await sql<{
      type: string;
    }>`SELECT type FROM outbox WHERE aggregate_type = 'order' AND aggregate_id = ${orderId} ORDER BY sequence`.execute(
      t.db.database.db,
    );
    return { ...order, events: rows.map((row) => row.type) };
  }

  /** Takes a legal action and checks it wrote exactly one history row and one outbox event. */
  async function move(orderId: string, action: OrderAction, who: HttpActor, reason?: string) {
    const before = await snapshot(orderId);
    const res = await act(orderId, action, who, { reason, ifMatch: `"${before.version}"` });
    expect(res.statusCode, `${action} by ${who} from ${before.status}: ${res.body}`).toBe(200);
    const rule = LIFECYCLE[action];
    expect(res.json()).toMatchObject({ status: rule.to, version: before.version + 1 });
    expect(res.headers.etag).toBe(`"${before.version + 1}"`);
    const after = await snapshot(orderId);
    expect(after.history).toEqual([
      ...before.history,
      expect.objectContaining({ from_status: before.status, status: rule.to, actor: who, reason: reason ?? null }),
    ]);
    expect(after.events).toEqual([...before.events, rule.event]);
    return after;
  }

  /** A new order of the channel moved (legally) into `status`. */
  async function orderIn(channel: Channel, status: OrderStatus): Promise<string> {
    if (status === 'expired') {
      const order = await newOrder(channel, { payment: { method: 'online' } });
      now = new Date(now.getTime() + 16 * 60_000);
      await t.modules.ordering.api.expireUnpaidOrders();
      expect((await snapshot(order.id)).status).toBe('expired');
      return order.id;
    }
    const { id } = await newOrder(channel);
    type Step = [OrderAction, HttpActor, string?];
    const ways: Record<Exclude<OrderStatus, 'expired'>, Step[]> = {
      placed: [],
      accepted: [['accept', 'staff']],
      preparing: [
        ['accept', 'staff'],
        ['start_preparing', 'staff'],
      ],
      ready: [
        ['accept', 'staff'],
        ['start_preparing', 'staff'],
        ['mark_ready', 'staff'],
      ],
      picked_up: [
        ['accept', 'staff'],
        ['start_preparing', 'staff'],
        ['mark_ready', 'staff'],
        ['hand_over', 'staff'],
      ],
      out_for_delivery: [
        ['accept', 'staff'],
        ['start_preparing', 'staff'],
        ['mark_ready', 'staff'],
        ['dispatch', 'courier'],
      ],
      delivered: [
        ['accept', 'staff'],
        ['start_preparing', 'staff'],
        ['mark_ready', 'staff'],
        ['dispatch', 'courier'],
        ['deliver', 'courier'],
      ],
      completed: [
        ['accept', 'staff'],
        ['start_preparing', 'staff'],
        ['mark_ready', 'staff'],
        ['complete', 'staff'],
      ],
      rejected: [['reject', 'staff', 'Out of dough']],
      cancelled: [['cancel', 'customer']],
    };
    const steps = ways[status];
    // The steps themselves are checked by the walks above; here they only set the order up.
    for (const [action, who, reason] of steps) {
      const res = await act(id, action, who, { reason });
      expect(res.statusCode, `${action} by ${who}: ${res.body}`).toBe(200);
    }
    return id;
  }

  return { shop, guest, staff, staff2, courier, stranger, tokens, newOrder, act, snapshot, move, orderIn };
}

const STATUS_CODES: Record<Exclude<Outcome, 'ok'>, [number, string]> = {
  forbidden: [403, 'FORBIDDEN'],
  invalid: [409, 'INVALID_ORDER_TRANSITION'],
  reason_required: [422, 'REASON_REQUIRED'],
};

describe('the lifecycle over HTTP', () => {
  it('when staff walk a pickup order through the kitchen, then it goes placed → accepted → preparing → ready → picked_up, one history row and one outbox event per step', async () => {
    const w = await world();
    const order = await w.newOrder('pickup');
    expect((await w.snapshot(order.id)).events).toEqual(['ordering.order.placed']);
    await w.move(order.id, 'accept', 'staff');
    await w.move(order.id, 'start_preparing', 'staff');
    await w.move(order.id, 'mark_ready', 'staff');
    const done = await w.move(order.id, 'hand_over', 'staff');
    expect(done.history.map((entry) => entry.status)).toEqual([
      'placed',
      'accepted',
      'preparing',
      'ready',
      'picked_up',
    ]);
  });

  it('when a delivery order is made and a courier takes it, then it goes … → ready → out_for_delivery → delivered with the courier as the actor', async () => {
    const w = await world();
    const order = await w.newOrder('delivery');
    await w.move(order.id, 'accept', 'staff');
    await w.move(order.id, 'start_preparing', 'staff');
    await w.move(order.id, 'mark_ready', 'staff');
    await w.move(order.id, 'dispatch', 'courier');
    const done = await w.move(order.id, 'deliver', 'courier');
    expect(done.history.map((entry) => `${entry.status}/${entry.actor}`)).toEqual([
      'placed/customer',
      'accepted/staff',
      'preparing/staff',
      'ready/staff',
      'out_for_delivery/courier',
      'delivered/courier',
    ]);
  });

  it('when a dine-in order comes from a table’s QR code, then it goes … → ready → completed', async () => {
    const w = await world();
    const order = await w.newOrder('dine_in');
    expect((await w.snapshot(order.id)).status).toBe('placed');
    for (const action of ['accept', 'start_preparing', 'mark_ready', 'complete'] as const)
      await w.move(order.id, action, 'staff');
  });

  it('when every action is tried by the customer, staff and a courier on orders in every status each channel can reach, then the API answers as the lifecycle says and only legal moves change the order', async () => {
    const w = await world();
    const cases = CHANNELS.flatMap((channel) => REACHABLE[channel].map((status) => ({ channel, status })));
    const ids = new Map<string, string>();
    const name = (c: { channel: Channel; status: OrderStatus }) => `${c.channel}/${c.status}`;
    // One order per (channel, status): the expired ones first (they move the clock), the rest together.
    for (const c of cases.filter((candidate) => candidate.status === 'expired'))
      ids.set(name(c), await w.orderIn(c.channel, c.status));
    await Promise.all(
      cases
        .filter((c) => c.status !== 'expired')
        .map(async (c) => ids.set(name(c), await w.orderIn(c.channel, c.status))),
    );
    const before = await Promise.all(cases.map((c) => w.snapshot(ids.get(name(c))!)));

    // Every refused attempt, all at once: each must get the lifecycle's answer, and none may change anything.
    const attempts = cases.flatMap((c) =>
      ORDER_ACTIONS.flatMap((action) =>
        HTTP_ACTORS.flatMap((actor) => {
          const withReason = expected(action, c.status, actor, c.channel, true);
          const withoutReason = expected(action, c.status, actor, c.channel, false);
          return [
            ...(withReason !== 'ok'
              ? [{ ...c, action, actor, reason: 'because' as string | undefined, want: withReason }]
              : []),
            ...(withoutReason === 'reason_required'
              ? [{ ...c, action, actor, reason: undefined, want: withoutReason }]
              : []),
          ];
        }),
      ),
    );
    const answers = await Promise.all(
      attempts.map((a) => w.act(ids.get(name(a))!, a.action, a.actor, { reason: a.reason })),
    );
    const wrong = attempts.flatMap((a, i) => {
      const res = answers[i]!;
      const [statusCode, code] = STATUS_CODES[a.want as Exclude<Outcome, 'ok'>];
      return res.statusCode === statusCode && res.json().code === code
        ? []
        : [
            `${a.action} by ${a.actor} on ${name(a)} (reason: ${a.reason ?? 'none'}): want ${statusCode} ${code}, got ${res.statusCode} ${res.body}`,
          ];
    });
    expect(wrong).toEqual([]);
    expect(attempts.length).toBeGreaterThan(600);
    expect(await Promise.all(cases.map((c) => w.snapshot(ids.get(name(c))!)))).toEqual(before);

    // Every legal move, each on an order of its own in the right status: one history row and one event each.
    const legal = cases.flatMap((c) =>
      ORDER_ACTIONS.flatMap((action) =>
        HTTP_ACTORS.filter((actor) => expected(action, c.status, actor, c.channel, true) === 'ok').map((actor) => ({
          ...c,
          action,
          actor,
        })),
      ),
    );
    // 3 channels × (accept, reject, start_preparing, mark_ready, 2 customer cancels, 4 staff cancels) + hand_over + dispatch and deliver (staff, courier) + complete
    expect(legal).toHaveLength(3 * 10 + 1 + 4 + 1);
    await Promise.all(
      legal.map(async (l) => {
        const id = await w.orderIn(l.channel, l.status);
        await w.move(
          id,
          l.action,
          l.actor,
          LIFECYCLE[l.action].reasonFrom?.includes(l.actor) ? 'Sorry: the oven broke' : undefined,
        );
      }),
    );
  });
});

describe('ending orders early', () => {
  async function stockAndSlot(w: Awaited<ReturnType<typeof world>>, slot: string) {
    const stock = await t.app.inject({
      method: 'GET',
      url: `/v1/stores/${w.shop.store.id}/stock?limit=100`,
      headers: bearer(w.shop.ownerToken),
    });
    const slots = await t.app.inject({ method: 'GET', url: `/v1/stores/${w.shop.store.id}/slots?date=2026-12-02` });
    return {
      stock: stock
        .json<{ data: Array<{ item_id: string; quantity: number }> }>()
        .data.find((row) => row.item_id === w.shop.ids.items.margherita)?.quantity,
      remaining: slots
        .json<{ slots: Array<{ starts_at: string; remaining: { orders: number | null } }> }>()
        .slots.find((candidate) => candidate.starts_at === slot)?.remaining.orders,
    };
  }

  it('when staff reject an order, then they must say why (422 REASON_REQUIRED), and once rejected its slot and stock are given back', async () => {
    now = new Date('2026-12-02T10:00:00Z');
    const w = await world({ capacity: { orders: 3, items: null } });
    const slot = '2026-12-02T12:00:00.000Z';
    const put = await t.app.inject({
      method: 'PUT',
      url: `/v1/stores/${w.shop.store.id}/stock/${w.shop.ids.items.margherita}`,
      headers: bearer(w.shop.ownerToken),
      payload: { quantity: 10 },
    });
    expect(put.statusCode, put.body).toBe(200);
    const order = await w.newOrder('pickup', { scheduled_for: slot });
    expect(await stockAndSlot(w, slot)).toEqual({ stock: 9, remaining: 2 });

    const bare = await w.act(order.id, 'reject', 'staff');
    expect(bare.statusCode).toBe(422);
    expect(bare.json()).toMatchObject({
      code: 'REASON_REQUIRED',
      errors: [expect.objectContaining({ path: '/reason' })],
    });
    const rejected = await w.move(order.id, 'reject', 'staff', 'Out of dough');
    expect(rejected.status_reason).toBe('Out of dough');
    expect(await stockAndSlot(w, slot)).toEqual({ stock: 10, remaining: 3 });
  });

  it('when the customer cancels before preparation, then it is cancelled without a reason and everything is given back; once the kitchen started, only the store can cancel, with a reason, and the food’s stock stays used', async () => {
    now = new Date('2026-12-02T10:00:00Z');
    const w = await world({ capacity: { orders: 3, items: null } });
    const slot = '2026-12-02T12:00:00.000Z';
    const put = await t.app.inject({
      method: 'PUT',
      url: `/v1/stores/${w.shop.store.id}/stock/${w.shop.ids.items.margherita}`,
      headers: bearer(w.shop.ownerToken),
      payload: { quantity: 10 },
    });
    expect(put.statusCode, put.body).toBe(200);

    const fresh = await w.newOrder('pickup', { scheduled_for: slot });
    await w.move(fresh.id, 'cancel', 'customer');
    const accepted = await w.newOrder('pickup', { scheduled_for: slot });
    await w.move(accepted.id, 'accept', 'staff');
    await w.move(accepted.id, 'cancel', 'customer');
    expect(await stockAndSlot(w, slot)).toEqual({ stock: 10, remaining: 3 });

    const cooking = await w.newOrder('pickup', { scheduled_for: slot });
    await w.move(cooking.id, 'accept', 'staff');
    await w.move(cooking.id, 'start_preparing', 'staff');
    expect((await w.act(cooking.id, 'cancel', 'customer')).json()).toMatchObject({
      status: 409,
      code: 'INVALID_ORDER_TRANSITION',
    });
    expect((await w.act(cooking.id, 'cancel', 'staff')).json()).toMatchObject({ status: 422, code: 'REASON_REQUIRED' });
    const cancelled = await w.move(cooking.id, 'cancel', 'staff', 'Customer never came');
    expect(cancelled.status_reason).toBe('Customer never came');
    expect(await stockAndSlot(w, slot)).toEqual({ stock: 9, remaining: 3 });
    expect(await t.modules.inventory.api.audit(t.db.database.db, { storeId: w.shop.store.id })).toEqual([]);
  });
});

describe('placement-time guards', () => {
  it('when the store accepts automatically, then a new order starts accepted, with the system as the acceptor in its history and its events', async () => {
    const w = await world({ auto_accept: true });
    const order = await w.newOrder('pickup');
    expect(order).toMatchObject({ status: 'accepted', version: 2 });
    const seen = await w.snapshot(order.id);
    expect(seen.history).toEqual([
      expect.objectContaining({ from_status: null, status: 'placed', actor: 'customer' }),
      expect.objectContaining({ from_status: 'placed', status: 'accepted', actor: 'system' }),
    ]);
    expect(seen.events).toEqual(['ordering.order.placed', 'ordering.order.accepted']);
    await w.move(order.id, 'start_preparing', 'staff');
  });

  it('when an online order still waits for its payment, then it cannot be accepted (even by an auto-accepting store), but can be rejected', async () => {
    const w = await world({ auto_accept: true });
    const order = await w.newOrder('pickup', { payment: { method: 'online' } });
    expect(order.status).toBe('placed');
    const before = await w.snapshot(order.id);
    expect((await w.act(order.id, 'accept', 'staff')).json()).toMatchObject({
      status: 409,
      code: 'INVALID_ORDER_TRANSITION',
    });
    expect(await w.snapshot(order.id)).toEqual(before);
    await w.move(order.id, 'reject', 'staff', 'Payment never arrived');
  });
});

describe('who may act, and when', () => {
  it('when the wrong people act, then a courier accepting or the customer starting preparation is 403, an unrelated customer gets 404, a stale If-Match 412, and nothing changes', async () => {
    const w = await world();
    const order = await w.newOrder('delivery');
    const before = await w.snapshot(order.id);
    expect((await w.act(order.id, 'accept', 'courier')).statusCode).toBe(403);
    expect((await w.act(order.id, 'reject', 'courier', { reason: 'no' })).statusCode).toBe(403);
    expect((await w.act(order.id, 'start_preparing', 'customer')).statusCode).toBe(403);
    expect((await w.act(order.id, 'accept', 'customer')).statusCode).toBe(403);
    for (const action of ORDER_ACTIONS) {
      const res = await w.act(order.id, action, w.stranger.token, { reason: 'x' });
      expect(res.statusCode, `${action} by a stranger`).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
    expect((await w.act(order.id, 'accept', 'staff', { ifMatch: '"7"' })).statusCode).toBe(412);
    expect((await w.act(order.id, 'accept', 'staff', { ifMatch: 'W/"2", "3"' })).statusCode).toBe(412);
    expect(await w.snapshot(order.id)).toEqual(before);
    await w.move(order.id, 'accept', 'staff'); // with If-Match "1"
    expect((await w.act(order.id, 'start_preparing', 'staff', { ifMatch: '"1"' })).statusCode).toBe(412);
    expect((await w.act(order.id, 'start_preparing', 'staff', { ifMatch: '*' })).statusCode).toBe(200);
  });

  it('when two staff members send start_preparing for the same order at the same time, then exactly one gets 200 and the other 409, and one history row and one event are written', async () => {
    const w = await world();
    for (let round = 0; round < 5; round++) {
      const order = await w.newOrder('pickup');
      await w.move(order.id, 'accept', 'staff');
      const before = await w.snapshot(order.id);
      const answers = await Promise.all([
        w.act(order.id, 'start_preparing', 'staff'),
        w.act(order.id, 'start_preparing', w.staff2.token),
      ]);
      expect(answers.map((res) => res.statusCode).sort()).toEqual([200, 409]);
      expect(answers.find((res) => res.statusCode === 409)!.json().code).toBe('INVALID_ORDER_TRANSITION');
      const after = await w.snapshot(order.id);
      expect(after).toMatchObject({ status: 'preparing', version: before.version + 1 });
      expect(after.history).toHaveLength(before.history.length + 1);
      expect(after.events).toEqual([...before.events, 'ordering.order.preparation_started']);
    }
  });
});
