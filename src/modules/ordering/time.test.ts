// Ordering against the clock: opening hours, last orders, scheduling, kitchen slots anchored to
// opening times, daylight-saving changeovers, the daily order number and unpaid expiry. The
// modules' clock is a variable the tests move; expected instants are written out in UTC (Berlin
// is UTC+1 in winter, UTC+2 in summer; Tokyo is UTC+9 all year).
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeeklyInterval } from '../tenancy/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import {
  margheritaLine,
  orderingStore,
  placeOrder,
  type OrderingSettingsPatch,
} from '../../test-support/ordering-factories.js';

const DAY = 86_400_000;
let now = new Date('2026-12-02T10:00:00Z');
const setNow = (iso: string) => {
  now = new Date(iso);
};

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { clock: () => now, sandbox: true });
});
afterAll(async () => {
  await t?.close();
});

const everyDay = (...intervals: Array<[string, string]>): WeeklyInterval[] =>
  [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) =>
    intervals.map(([opens_at, closes_at]) => ({ weekday, opens_at, closes_at })),
  );

type Shop = Awaited<ReturnType<typeof orderingStore>>;

async function shopWith(hours: WeeklyInterval[], settings: OrderingSettingsPatch = {}, timezone = 'Europe/Berlin') {
  const shop = await orderingStore(t, settings, { opening_hours: hours, timezone });
  const guest = await customer(t);
  const order = (extra: Record<string, unknown> = {}) =>
    placeOrder(t, guest.token, shop.store.id, { channel: 'pickup', lines: [margheritaLine(shop.ids)], ...extra });
  return { shop, guest, order };
}

async function slotsOf(shop: Shop, date: string) {
  const res = await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/slots?date=${date}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{
    date: string;
    timezone: string;
    slot_minutes: number;
    slots: Array<{ starts_at: string; ends_at: string; remaining: { orders: number | null }; orderable: boolean }>;
  }>().slots;
}

const starts = (slots: Array<{ starts_at: string }>) => slots.map((slot) => slot.starts_at);

/** Consecutive slots `minutes` apart in real (UTC) time from `first` to `last`. */
function run(first: string, last: string, minutes = 15): string[] {
  const out: string[] = [];
  for (let at = Date.parse(first); at <= Date.parse(last); at += minutes * 60_000) out.push(new Date(at).toISOString());
  return out;
}

function expectProblem(res: LightMyRequestResponse, code: string) {
  expect(res.statusCode, res.body).toBe(422);
  expect(res.json()).toMatchObject({ status: 422, code });
}

function expectPlaced(res: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{
    id: string;
    number: string;
    status: string;
    promised_at: string;
    slot_starts_at: string;
    scheduled_for: string | null;
    expires_at: string | null;
    payment: { method: string; status: string };
  }>();
}

const iso = (instant: string) => new Date(instant).toISOString();

describe('last orders and closed stores', () => {
  it('when an ASAP order comes one minute before the last-order cut-off (closing minus prep time), then it is placed, and one minute after it is refused LAST_ORDER_TIME_PASSED', async () => {
    const { shop, order } = await shopWith(everyDay(['11:00', '22:00'])); // prep 15: last orders 21:45 = 20:45Z
    const lastSlot = async () => (await slotsOf(shop, '2026-12-02')).at(-1)!;

    setNow('2026-12-02T20:44:00Z');
    expect(expectPlaced(await order())).toMatchObject({
      promised_at: iso('2026-12-02T20:59:00Z'),
      slot_starts_at: iso('2026-12-02T20:45:00Z'),
    });

    setNow('2026-12-02T20:45:00Z'); // exactly at the cut-off: ready exactly at closing
    expect(await lastSlot()).toMatchObject({
      starts_at: iso('2026-12-02T20:45:00Z'),
      ends_at: iso('2026-12-02T21:00:00Z'),
      orderable: true,
    });
    expect(expectPlaced(await order())).toMatchObject({
      promised_at: iso('2026-12-02T21:00:00Z'),
      slot_starts_at: iso('2026-12-02T20:45:00Z'),
    });

    setNow('2026-12-02T20:46:00Z');
    expect((await lastSlot()).orderable).toBe(false);
    const late = await order();
    expectProblem(late, 'LAST_ORDER_TIME_PASSED');
    expect(late.json().detail).toContain('21:45');
  });

  it('when an ASAP order comes while the store is closed (before opening, after closing), then it is refused STORE_CLOSED', async () => {
    const { order } = await shopWith(everyDay(['11:00', '22:00']));
    setNow('2026-12-02T09:59:00Z'); // 10:59 in Berlin
    expectProblem(await order(), 'STORE_CLOSED');
    setNow('2026-12-02T21:00:00Z'); // 22:00, closed
    expectProblem(await order(), 'STORE_CLOSED');
    setNow('2026-12-02T10:00:00Z'); // 11:00, just opened
    expect(expectPlaced(await order()).promised_at).toBe(iso('2026-12-02T10:15:00Z'));
  });
});

describe('split lunch and dinner hours', () => {
  it('when the store closes between lunch and dinner, then ASAP at 15:00 is STORE_CLOSED, an order scheduled for 18:00 is promised at 18:00, and the day’s slots start at 11:30 and 17:30 with none between', async () => {
    const { shop, order } = await shopWith(everyDay(['11:30', '14:30'], ['17:30', '22:00']));
    setNow('2026-12-02T14:00:00Z'); // Wednesday 15:00 in Berlin

    expectProblem(await order(), 'STORE_CLOSED');
    const dinner = expectPlaced(await order({ scheduled_for: '2026-12-02T17:00:00Z' })); // 18:00
    expect(dinner).toMatchObject({
      status: 'placed',
      scheduled_for: iso('2026-12-02T17:00:00Z'),
      promised_at: iso('2026-12-02T17:00:00Z'),
      slot_starts_at: iso('2026-12-02T17:00:00Z'),
    });
    expectProblem(await order({ scheduled_for: '2026-12-02T15:30:00Z' }), 'STORE_CLOSED'); // 16:30, between the two
    expectProblem(await order({ scheduled_for: '2026-12-02T16:35:00Z' }), 'STORE_CLOSED'); // 17:35: open, but not before opening + prep

    const slots = await slotsOf(shop, '2026-12-02');
    expect(starts(slots)).toEqual([
      ...run('2026-12-02T10:30:00Z', '2026-12-02T13:15:00Z'),
      ...run('2026-12-02T16:30:00Z', '2026-12-02T20:45:00Z'),
    ]);
    expect(slots[11]!.ends_at).toBe(iso('2026-12-02T13:30:00Z')); // lunch's last slot ends at 14:30
    expect(slots.find((slot) => slot.starts_at === iso('2026-12-02T17:00:00Z'))?.remaining.orders).toBeNull(); // no capacity limit set
  });

  it('when a store opens at an odd time, then its slots are cut from the opening time, not from midnight', async () => {
    const { shop, order } = await shopWith(everyDay(['11:10', '13:00']), { slot_minutes: 20 });
    setNow('2026-12-02T08:00:00Z');
    expect(starts(await slotsOf(shop, '2026-12-02'))).toEqual(run('2026-12-02T10:10:00Z', '2026-12-02T11:50:00Z', 20));
    // 12:00 lies in the 11:50 slot.
    expect(expectPlaced(await order({ scheduled_for: '2026-12-02T11:00:00Z' }))).toMatchObject({
      slot_starts_at: iso('2026-12-02T10:50:00Z'),
      promised_at: iso('2026-12-02T11:00:00Z'),
    });
  });
});

describe('hours exceptions', () => {
  // Dates a month after the real today: tenancy checks exception dates against the real clock.
  // Tokyo has no daylight saving time, so local times are UTC + 9 whatever the date.
  const dateIn = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
  const holiday = dateIn(31);
  const shortDay = dateIn(30);
  const tokyo = (date: string, hhmm: string) => new Date(Date.parse(`${date}T${hhmm}:00+09:00`)).toISOString();

  it('when the store is closed for a holiday and has special hours the day before, then orders and slots follow the exceptions', async () => {
    const { shop, order } = await shopWith(everyDay(['11:00', '22:00']), {}, 'Asia/Tokyo');
    const setException = async (date: string, payload: Record<string, unknown>) => {
      const res = await t.app.inject({
        method: 'PUT',
        url: `/v1/stores/${shop.store.id}/hours-exceptions/${date}`,
        headers: bearer(shop.ownerToken),
        payload,
      });
      expect(res.statusCode, res.body).toBe(201);
    };
    await setException(holiday, { closed: true, note: 'Holiday' });
    await setException(shortDay, { closed: false, intervals: [{ opens_at: '10:00', closes_at: '14:00' }] });
    setNow(tokyo(dateIn(28), '12:00'));

    // Closed all day: nothing can be scheduled, and there are no slots.
    expectProblem(await order({ scheduled_for: tokyo(holiday, '12:00') }), 'STORE_CLOSED');
    expectProblem(await order({ scheduled_for: tokyo(holiday, '19:00') }), 'STORE_CLOSED');
    expect(await slotsOf(shop, holiday)).toEqual([]);
    // The regular hours still hold the day after.
    expect(starts(await slotsOf(shop, dateIn(32)))[0]).toBe(tokyo(dateIn(32), '11:00'));

    // Special hours 10:00–14:00 replace 11:00–22:00.
    const slots = await slotsOf(shop, shortDay);
    expect(starts(slots)).toEqual(run(tokyo(shortDay, '10:00'), tokyo(shortDay, '13:45')));
    expect(expectPlaced(await order({ scheduled_for: tokyo(shortDay, '10:30') })).promised_at).toBe(
      tokyo(shortDay, '10:30'),
    );
    expectProblem(await order({ scheduled_for: tokyo(shortDay, '18:00') }), 'STORE_CLOSED');
    // ASAP on that day: open at 13:00, closed at 14:30, last orders at 13:45.
    setNow(tokyo(shortDay, '13:00'));
    expectPlaced(await order());
    setNow(tokyo(shortDay, '13:46'));
    expectProblem(await order(), 'LAST_ORDER_TIME_PASSED');
    setNow(tokyo(shortDay, '14:30'));
    expectProblem(await order(), 'STORE_CLOSED');
  });
});

describe('daylight saving time in Berlin', () => {
  it('when slots are listed on the changeover days, then a 10:00 opening is 08:00Z on 2026-03-29 (spring forward) and 09:00Z on 2026-10-25 (fall back)', async () => {
    const { shop } = await shopWith(everyDay(['10:00', '16:00']));
    setNow('2026-03-20T12:00:00Z');
    expect(starts(await slotsOf(shop, '2026-03-28'))).toEqual(run('2026-03-28T09:00:00Z', '2026-03-28T14:45:00Z')); // CET
    expect(starts(await slotsOf(shop, '2026-03-29'))).toEqual(run('2026-03-29T08:00:00Z', '2026-03-29T13:45:00Z')); // CEST
    expect(starts(await slotsOf(shop, '2026-10-24'))).toEqual(run('2026-10-24T08:00:00Z', '2026-10-24T13:45:00Z')); // CEST
    expect(starts(await slotsOf(shop, '2026-10-25'))).toEqual(run('2026-10-25T09:00:00Z', '2026-10-25T14:45:00Z')); // CET
  });

  it('when a store is open past midnight across the changeover, then the night has 9 hours of slots in spring and 11 in autumn, with no slot in the skipped hour and two in the repeated one', async () => {
    const { shop, order } = await shopWith(everyDay(['18:00', '04:00']), { capacity: { orders: 1, items: null } });
    setNow('2026-03-20T12:00:00Z');
    // 18:00 CET (17:00Z) to 04:00 CEST (02:00Z): 02:00–03:00 local never happens.
    const spring = await slotsOf(shop, '2026-03-28');
    expect(starts(spring)).toEqual(run('2026-03-28T17:00:00Z', '2026-03-29T01:45:00Z'));
    expect(spring).toHaveLength(36);
    expect(spring[spring.length - 1]!.ends_at).toBe(iso('2026-03-29T02:00:00Z'));
    // 18:00 CEST (16:00Z) to 04:00 CET (03:00Z): 02:00–03:00 local happens twice.
    const autumn = await slotsOf(shop, '2026-10-24');
    expect(starts(autumn)).toEqual(run('2026-10-24T16:00:00Z', '2026-10-25T02:45:00Z'));
    expect(autumn).toHaveLength(44);
    expect(autumn[autumn.length - 1]!.ends_at).toBe(iso('2026-10-25T03:00:00Z'));

    // Scheduling into those nights: 03:30 CEST exists once; 02:30 happens twice in autumn, and
    // each is a slot of its own (capacity 1 each, so both orders fit).
    setNow('2026-03-27T12:00:00Z');
    expect(expectPlaced(await order({ scheduled_for: '2026-03-29T01:30:00Z' }))).toMatchObject({
      slot_starts_at: iso('2026-03-29T01:30:00Z'),
      promised_at: iso('2026-03-29T01:30:00Z'),
    });
    expectProblem(await order({ scheduled_for: '2026-03-29T02:30:00Z' }), 'STORE_CLOSED'); // 04:30 CEST, closed
    setNow('2026-10-22T12:00:00Z');
    expect(expectPlaced(await order({ scheduled_for: '2026-10-25T00:30:00Z' })).slot_starts_at).toBe(
      iso('2026-10-25T00:30:00Z'),
    ); // 02:30 CEST
    expect(expectPlaced(await order({ scheduled_for: '2026-10-25T01:30:00Z' })).slot_starts_at).toBe(
      iso('2026-10-25T01:30:00Z'),
    ); // 02:30 CET
    expectProblem(await order({ scheduled_for: '2026-10-25T01:40:00Z' }), 'SLOT_FULL');
  });

  it('when ASAP orders come near closing on the changeover days, then the last-order cut-off is closing minus prep time in the local time of that moment', async () => {
    const night = await shopWith(everyDay(['18:00', '04:00']));
    // Spring: closing 04:00 CEST = 02:00Z, last orders 03:45 = 01:45Z.
    setNow('2026-03-29T01:44:00Z');
    expect(expectPlaced(await night.order()).promised_at).toBe(iso('2026-03-29T01:59:00Z'));
    setNow('2026-03-29T01:46:00Z');
    const spring = await night.order();
    expectProblem(spring, 'LAST_ORDER_TIME_PASSED');
    expect(spring.json().detail).toContain('03:45');
    // Autumn: closing 04:00 CET = 03:00Z, last orders 03:45 = 02:45Z (an hour later in UTC).
    setNow('2026-10-25T02:44:00Z');
    expect(expectPlaced(await night.order()).promised_at).toBe(iso('2026-10-25T02:59:00Z'));
    setNow('2026-10-25T02:46:00Z');
    expectProblem(await night.order(), 'LAST_ORDER_TIME_PASSED');

    const day = await shopWith(everyDay(['10:00', '16:00']));
    setNow('2026-03-29T07:59:00Z'); // 09:59 CEST
    expectProblem(await day.order(), 'STORE_CLOSED');
    setNow('2026-03-29T13:44:00Z'); // 15:44 CEST
    expectPlaced(await day.order());
    setNow('2026-03-29T13:46:00Z');
    expectProblem(await day.order(), 'LAST_ORDER_TIME_PASSED');
    setNow('2026-10-25T14:44:00Z'); // 15:44 CET
    expectPlaced(await day.order());
    setNow('2026-10-25T14:46:00Z');
    expectProblem(await day.order(), 'LAST_ORDER_TIME_PASSED');
  });
});

describe('scheduling window', () => {
  it('when scheduled_for is sooner than the prep time, then SCHEDULED_TOO_SOON; beyond schedule_days_ahead, SCHEDULED_TOO_FAR; at both edges it is placed', async () => {
    const { order } = await shopWith(everyDay(['00:00', '00:00']), { schedule_days_ahead: 7 });
    setNow('2026-12-02T10:00:00Z');
    const soon = await order({ scheduled_for: '2026-12-02T10:10:00Z' });
    expectProblem(soon, 'SCHEDULED_TOO_SOON');
    expect(soon.json().errors).toEqual([
      expect.objectContaining({ path: '/scheduled_for', code: 'SCHEDULED_TOO_SOON' }),
    ]);
    expectPlaced(await order({ scheduled_for: '2026-12-02T10:15:00Z' }));
    expectPlaced(await order({ scheduled_for: '2026-12-09T10:00:00Z' }));
    expectProblem(await order({ scheduled_for: '2026-12-09T10:15:00Z' }), 'SCHEDULED_TOO_FAR');
    expectProblem(await order({ scheduled_for: '2026-12-20T12:00:00Z' }), 'SCHEDULED_TOO_FAR');
  });
});

describe('ASAP orders and kitchen capacity', () => {
  it('when slots fill up, then each ASAP order lands in the earliest slot with room after now + prep time, and none is promised beyond asap_max_wait_minutes (SLOT_FULL instead)', async () => {
    const { shop, order } = await shopWith(everyDay(['11:00', '22:00']), {
      capacity: { orders: 1, items: null },
      asap_max_wait_minutes: 30,
    });
    setNow('2026-12-02T11:05:00Z'); // 12:05 in Berlin: ready at 12:20 at the earliest, at 12:50 at the latest

    const promised = [];
    for (let i = 0; i < 3; i++) {
      const placed = expectPlaced(await order());
      promised.push([placed.slot_starts_at, placed.promised_at]);
    }
    expect(promised).toEqual([
      [iso('2026-12-02T11:15:00Z'), iso('2026-12-02T11:20:00Z')], // the 12:15 slot, ready at 12:20 (never before now + prep)
      [iso('2026-12-02T11:30:00Z'), iso('2026-12-02T11:30:00Z')],
      [iso('2026-12-02T11:45:00Z'), iso('2026-12-02T11:45:00Z')],
    ]);
    const full = await order();
    expectProblem(full, 'SLOT_FULL'); // the 13:00 slot starts beyond 12:50
    const quote = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${shop.store.id}/quotes`,
      payload: { channel: 'pickup', lines: [margheritaLine(shop.ids)] },
    });
    expect(quote.json()).toMatchObject({
      orderable: false,
      promised_at: null,
      problems: [expect.objectContaining({ code: 'SLOT_FULL' })],
    });
    // Later slots are still free to schedule into.
    expectPlaced(await order({ scheduled_for: '2026-12-02T12:00:00Z' }));

    // Time moves on: the window moves with it.
    setNow('2026-12-02T11:35:00Z'); // ready at 12:50 earliest; 12:45 slot is full, 13:00 has been taken by the scheduled order
    expect(expectPlaced(await order())).toMatchObject({
      slot_starts_at: iso('2026-12-02T12:15:00Z'),
      promised_at: iso('2026-12-02T12:15:00Z'),
    });
  });
});

describe('order numbers', () => {
  it('when the store’s local day changes, then the order number starts again at A-001 (even though it is still the same day in UTC)', async () => {
    const { shop, order } = await shopWith(everyDay(['00:00', '00:00']));
    const staff = await staffOf(t, { organizationId: shop.organization.id, storeId: shop.store.id, role: 'staff' });
    setNow('2026-12-02T22:30:00Z'); // 23:30 on 2 December in Berlin
    const first = expectPlaced(await order());
    expect(first.number).toBe('A-001');
    expect(expectPlaced(await order()).number).toBe('A-002');

    setNow('2026-12-02T23:30:00Z'); // 00:30 on 3 December in Berlin, still 2 December in UTC
    // Yesterday's order moving on does not carry the old count over.
    const accepted = await t.app.inject({
      method: 'POST',
      url: `/v1/orders/${first.id}/transitions`,
      headers: bearer(staff.token),
      payload: { action: 'accept' },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(expectPlaced(await order()).number).toBe('A-001');
    expect(expectPlaced(await order()).number).toBe('A-002');
  });
});

describe('unpaid online orders', () => {
  it('when an online order stays unpaid past unpaid_expiry_minutes, then the expiry job expires it (actor system) and gives back its slot and stock, while a cash order never expires', async () => {
    const { shop, guest, order } = await shopWith(everyDay(['00:00', '00:00']), {
      capacity: { orders: 1, items: null },
    });
    const margherita = shop.ids.items.margherita!;
    const stock = async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/stores/${shop.store.id}/stock?limit=100`,
        headers: bearer(shop.ownerToken),
      });
      expect(res.statusCode, res.body).toBe(200);
      return res
        .json<{ data: Array<{ item_id: string; quantity: number | null }> }>()
        .data.find((row) => row.item_id === margherita)?.quantity;
    };
    const remaining = async (slot: string) =>
      (await slotsOf(shop, '2026-12-02')).find((candidate) => candidate.starts_at === slot)?.remaining.orders;
    setNow('2026-12-02T10:00:00Z');
    const setStock = await t.app.inject({
      method: 'PUT',
      url: `/v1/stores/${shop.store.id}/stock/${margherita}`,
      headers: bearer(shop.ownerToken),
      payload: { quantity: 5 },
    });
    expect(setStock.statusCode, setStock.body).toBe(200);

    const onlineSlot = iso('2026-12-02T12:00:00Z');
    const cashSlot = iso('2026-12-02T12:15:00Z');
    const online = expectPlaced(await order({ scheduled_for: onlineSlot, payment: { method: 'online' } }));
    const cash = expectPlaced(await order({ scheduled_for: cashSlot, lines: [margheritaLine(shop.ids, 2)] }));
    expect(online).toMatchObject({
      status: 'placed',
      payment: { method: 'online', status: 'awaiting' },
      expires_at: iso('2026-12-02T10:15:00Z'),
    });
    expect(cash).toMatchObject({
      status: 'placed',
      payment: { method: 'cash', status: 'not_required' },
      expires_at: null,
    });
    expect(await stock()).toBe(2);
    expect(await remaining(onlineSlot)).toBe(0);

    setNow('2026-12-02T10:14:00Z');
    expect(await t.modules.ordering.api.expireUnpaidOrders()).toBe(0);
    setNow('2026-12-02T10:16:00Z');
    expect(await t.modules.ordering.api.expireUnpaidOrders()).toBe(1);
    expect(await t.modules.ordering.api.expireUnpaidOrders()).toBe(0); // nothing left to do

    const read = async (id: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/orders/${id}`, headers: bearer(guest.token) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{
        status: string;
        expires_at: string | null;
        history: Array<{ status: string; actor: string; from_status: string | null }>;
      }>();
    };
    const expired = await read(online.id);
    expect(expired.status).toBe('expired');
    expect(expired.history).toEqual([
      expect.objectContaining({ status: 'placed', actor: 'customer' }),
      expect.objectContaining({ from_status: 'placed', status: 'expired', actor: 'system' }),
    ]);
    expect(await remaining(onlineSlot)).toBe(1);
    expect(await stock()).toBe(3);
    expect(await t.modules.inventory.api.audit(t.db.database.db, { storeId: shop.store.id })).toEqual([]);
    // The freed slot takes a new order.
    expectPlaced(await order({ scheduled_for: onlineSlot }));

    setNow('2026-12-05T10:00:00Z');
    expect(await t.modules.ordering.api.expireUnpaidOrders()).toBe(0);
    expect((await read(cash.id)).status).toBe('placed');
  });
});
