// Delivery terms as a customer meets them through quotes and orders: the zone that takes an
// address (the inner ring before the outer one), its fee in the totals, its minimum, an address
// outside every zone or not on the map, a zone's own hours, and the quote's 5-minute hold
// (honoured after the zone's fee changed, priced again once it expired, and at another address).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeWithMenu } from '../../test-support/catalog-factories.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';

let t: TestApp;
let world: Awaited<ReturnType<typeof storeWithMenu>>;
let guest: { token: string };
let inner: string;
let now = new Date('2026-12-08T12:00:00Z');
const MITTE = { lat: 52.5294, lng: 13.401 };
const eur = (amount: number) => ({ amount, currency: 'EUR' });
/** A point `metres` due north of the store. */
const north = (metres: number) => ({ lat: MITTE.lat + (metres * 180) / (Math.PI * 6_371_008.8), lng: MITTE.lng });
const contact = { name: 'Ada', phone: '+49 30 1234567' };
const address = { line1: 'Alexanderplatz 1', city: 'Berlin', country: 'DE' };

beforeAll(async () => {
  t = await createTestApp({}, { clock: () => now });
  world = await storeWithMenu(t, { location: MITTE });
  guest = await customer(t);
  const draw = async (body: object) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${world.store.id}/delivery-zones`,
      headers: bearer(world.organization.owner.token),
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  inner = await draw({
    name: 'Within 3 km',
    priority: 2,
    area: { type: 'circle', radius_m: 3000 },
    fee: { type: 'fixed', amount: eur(299) },
    minimum_order: eur(1500),
    eta_allowance_minutes: 5,
  });
  await draw({
    name: '3 to 6 km',
    priority: 1,
    area: { type: 'circle', radius_m: 6000 },
    fee: { type: 'fixed', amount: eur(499) },
    minimum_order: eur(2500),
  });
});
afterAll(async () => {
  await t?.close();
});

/** Small Margheritas (9.00 each) to a place. */
const basket = (quantity: number, delivery: object) => ({
  channel: 'delivery',
  lines: [margheritaLine(world.ids, quantity)],
  delivery: { address, contact, ...delivery },
});
async function quote(body: object) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/stores/${world.store.id}/quotes`,
    headers: bearer(guest.token),
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const codes = (q: { problems: Array<{ code: string }> }) => q.problems.map((p) => p.code);

describe('which zone, what fee', () => {
  it('when the address is geocoded inside 3 km, then the inner zone’s fee is in the totals, with an ETA and a 5-minute hold', async () => {
    const q = await quote(basket(2, {}));
    expect(q.orderable, JSON.stringify(q.problems)).toBe(true);
    expect(q.delivery).toMatchObject({ zone_id: inner, fee: eur(299), quote_status: 'new' });
    expect(q.totals.delivery_fee).toEqual(eur(299));
    expect(q.totals.total.amount).toBe(2 * 900 + 299);
    expect(new Date(q.delivery.quote_expires_at).getTime()).toBe(now.getTime() + 5 * 60_000);
    // Ready after the kitchen's prep, then the zone's 5 minutes, then about 1.2 km × 1.3 at 18 km/h.
    const eta = new Date(q.delivery.eta).getTime();
    expect(eta).toBeGreaterThan(new Date(q.promised_at).getTime() + 5 * 60_000);
    expect(eta).toBeLessThan(new Date(q.promised_at).getTime() + 20 * 60_000);
  });

  it('when the location is 4.5 km out, then the outer zone applies with its own fee and minimum', async () => {
    const far = basket(3, { location: north(4500) });
    const q = await quote(far);
    expect(q.delivery.fee).toEqual(eur(499));
    expect(q.orderable).toBe(true);
    const small = await quote(basket(2, { location: north(4500) }));
    expect(codes(small)).toEqual(['BELOW_DELIVERY_MINIMUM']);
    expect(small.problems[0].message).toContain('25.00 EUR');
    expect(small.problems[0].message).toContain('7.00 EUR more');
  });

  it('when the basket is under the inner zone’s minimum, then the quote says BELOW_DELIVERY_MINIMUM and placing is 422', async () => {
    const q = await quote(basket(1, {}));
    expect(codes(q)).toEqual(['BELOW_DELIVERY_MINIMUM']);
    expect(q.problems[0].message).toContain('15.00 EUR');
    const res = await placeOrder(t, guest.token, world.store.id, basket(1, {}));
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('BELOW_DELIVERY_MINIMUM');
  });

  it('when the place is past every zone, then it is OUTSIDE_DELIVERY_AREA; an address the map does not know is ADDRESS_NOT_LOCATED', async () => {
    expect(codes(await quote(basket(3, { location: north(7000) })))).toEqual(['OUTSIDE_DELIVERY_AREA']);
    const nowhere = { ...basket(3, {}), delivery: { address: { ...address, line1: 'Nirgendwo 9' }, contact } };
    const q = await quote(nowhere);
    expect(codes(q)).toEqual(['ADDRESS_NOT_LOCATED']);
    expect(q.problems[0].path).toBe('/delivery/address');
  });

  it('when a zone has hours of its own, then outside them it does not deliver (the outer zone takes the address)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${world.store.id}/delivery-zones`,
      headers: bearer(world.organization.owner.token),
      payload: {
        name: 'Evening express',
        priority: 5,
        area: { type: 'circle', radius_m: 2000 },
        fee: { type: 'fixed', amount: eur(99) },
        minimum_order: eur(0),
        hours: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '20:00', to: '23:00' }],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    // 12:00 UTC is 13:00 in Berlin: not evening, so the inner zone takes it.
    expect((await quote(basket(2, { location: north(1000) }))).delivery.zone_id).toBe(inner);
    const evening = now;
    now = new Date('2026-12-08T19:30:00Z');
    try {
      expect((await quote(basket(2, { location: north(1000) }))).delivery.zone_id).toBe(res.json().id);
    } finally {
      now = evening;
    }
  });
});

describe('the quote holds', () => {
  it('when the order is placed within the hold, then it keeps the quoted fee even though the zone’s fee went up; the geocoded place is kept with the address', async () => {
    const body = basket(2, {});
    const q = await quote(body);
    const zone = (await t.app.inject({ method: 'GET', url: `/v1/stores/${world.store.id}/delivery-zones` }))
      .json()
      .data.find((z: { id: string }) => z.id === inner);
    const raised = await t.app.inject({
      method: 'PUT',
      url: `/v1/stores/${world.store.id}/delivery-zones/${inner}`,
      headers: { ...bearer(world.organization.owner.token), 'if-match': `"${zone.version}"` },
      payload: {
        name: zone.name,
        priority: zone.priority,
        area: zone.area,
        fee: { type: 'fixed', amount: eur(399) },
        minimum_order: zone.minimum_order,
        eta_allowance_minutes: zone.eta_allowance_minutes,
      },
    });
    expect(raised.statusCode, raised.body).toBe(200);

    const held = { ...body, delivery: { ...body.delivery, quote_id: q.delivery.quote_id } };
    const placed = await placeOrder(t, guest.token, world.store.id, held);
    expect(placed.statusCode, placed.body).toBe(201);
    const order = placed.json();
    expect(order.totals.delivery_fee).toEqual(eur(299));
    expect(order.delivery_terms).toMatchObject({ zone_id: inner, fee: eur(299), quote_status: 'honoured' });
    expect(order.delivery_terms.eta).toBe(q.delivery.eta);
    expect(order.delivery.location).toEqual({ lat: 52.5219, lng: 13.4132 });

    // The same quote after its 5 minutes: priced again at today's fee, and the order says so.
    now = new Date(now.getTime() + 5 * 60_000 + 1000);
    const late = await placeOrder(t, guest.token, world.store.id, held);
    expect(late.statusCode, late.body).toBe(201);
    expect(late.json().delivery_terms).toMatchObject({ fee: eur(399), quote_status: 'expired' });
    expect(late.json().totals.delivery_fee).toEqual(eur(399));
  });

  it('when the quote was for another address or basket, or another customer holds it, then the order is priced again (changed)', async () => {
    const body = basket(2, {});
    const q = await quote(body);
    const withQuote = (delivery: object, quantity = 2) => ({
      ...basket(quantity, delivery),
      delivery: { ...basket(quantity, delivery).delivery, quote_id: q.delivery.quote_id },
    });
    const moved = await placeOrder(t, guest.token, world.store.id, withQuote({ location: north(500) }));
    expect(moved.json().delivery_terms.quote_status).toBe('changed');
    const bigger = await placeOrder(t, guest.token, world.store.id, withQuote({}, 3));
    expect(bigger.json().delivery_terms.quote_status).toBe('changed');
    const stranger = await customer(t);
    const theirs = await placeOrder(t, stranger.token, world.store.id, withQuote({}));
    expect(theirs.json().delivery_terms.quote_status).toBe('changed');
  });

  it('when a customer erases themselves, then the quotes they held (each with the place they asked for) go with them', async () => {
    const person = await customer(t);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${world.store.id}/quotes`,
      headers: bearer(person.token),
      payload: basket(2, {}),
    });
    const quoteId = res.json().delivery.quote_id as string;
    const held = () =>
      sql<{ n: number }>`SELECT count(*)::int AS n FROM delivery_quotes WHERE id = ${quoteId}`.execute(
        t.db.database.db,
      );
    expect((await held()).rows[0]!.n).toBe(1);
    const erased = await t.app.inject({
      method: 'DELETE',
      url: '/v1/me',
      headers: bearer(person.token),
      payload: { password: person.user.password },
    });
    expect(erased.statusCode, erased.body).toBe(204);
    expect((await held()).rows[0]!.n).toBe(0);
  });

  it('when the kitchen’s first slot is full, then the next order’s ETA counts from the later slot it was given', async () => {
    const shop = await orderingStore(t, { capacity: { orders: 1, items: null } }, { location: MITTE });
    const zone = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${shop.store.id}/delivery-zones`,
      headers: bearer(shop.ownerToken),
      payload: {
        name: 'Mitte',
        area: { type: 'circle', radius_m: 4000 },
        fee: { type: 'fixed', amount: eur(350) },
        minimum_order: eur(0),
      },
    });
    expect(zone.statusCode, zone.body).toBe(201);
    const order = async () => {
      const res = await placeOrder(t, guest.token, shop.store.id, {
        channel: 'delivery',
        lines: [margheritaLine(shop.ids)],
        delivery: { address, contact },
      });
      expect(res.statusCode, res.body).toBe(201);
      const placed = res.json();
      return { promised: Date.parse(placed.promised_at), eta: Date.parse(placed.delivery_terms.eta) };
    };
    const first = await order();
    const second = await order();
    expect(second.promised).toBeGreaterThan(first.promised);
    expect(second.eta - second.promised).toBe(first.eta - first.promised);
  });

  it('when a store draws no zones, then delivery stays free, anywhere, without terms', async () => {
    const plain = await storeWithMenu(t);
    const res = await placeOrder(t, guest.token, plain.store.id, {
      channel: 'delivery',
      lines: [margheritaLine(plain.ids)],
      delivery: { address: { line1: 'Nirgendwo 9', city: 'Berlin', country: 'DE' }, contact },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().delivery_terms).toBeNull();
    expect(res.json().totals.delivery_fee).toEqual(eur(0));
  });
});
