// Drawing delivery zones over HTTP: who may, what is refused (no store location, the wrong
// currency, a polygon that crosses itself, a fee that leaves part of the zone unpriced), versions
// under If-Match, the audit trail, and the public list of zones in force.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastAudit } from '../../test-support/audit-factories.js';
import { storeWithMenu } from '../../test-support/catalog-factories.js';
import { bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';

let t: TestApp;
let world: Awaited<ReturnType<typeof storeWithMenu>>;
const MITTE = { lat: 52.5294, lng: 13.401 };
const eur = (amount: number) => ({ amount, currency: 'EUR' });
const circle = (radius_m: number, amount = 350) => ({
  name: `Within ${radius_m} m`,
  area: { type: 'circle', radius_m },
  fee: { type: 'fixed', amount: eur(amount) },
  minimum_order: eur(2000),
});

beforeAll(async () => {
  t = await createTestApp();
  world = await storeWithMenu(t, { location: MITTE });
});
afterAll(async () => {
  await t?.close();
});

const owner = () => world.organization.owner;
const zonesUrl = () => `/v1/stores/${world.store.id}/delivery-zones`;
const draw = (body: object, token = owner().token) =>
  t.app.inject({ method: 'POST', url: zonesUrl(), headers: bearer(token), payload: body });

describe('drawing a zone', () => {
  it('when the owner draws a circle, then it is 201 with its ETag, listed for anyone, and audited', async () => {
    const res = await draw(circle(4000));
    expect(res.statusCode, res.body).toBe(201);
    const zone = res.json();
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`${zonesUrl()}/${zone.id}`);
    expect(zone).toMatchObject({ version: 1, priority: 0, eta_allowance_minutes: 10, fee: { amount: eur(350) } });
    const list = await t.app.inject({ method: 'GET', url: zonesUrl() });
    expect(list.statusCode).toBe(200);
    expect(list.json().store_location).toEqual(MITTE);
    expect(list.json().data.map((z: { id: string }) => z.id)).toContain(zone.id);
    const entry = await lastAudit(t, owner(), world.organization.id, 'delivery.zone.created');
    expect(entry.target).toEqual({ type: 'delivery_zone', id: zone.id });
  });

  it('when a store has no location, then drawing is 422 STORE_LOCATION_REQUIRED', async () => {
    const elsewhere = await storeWithMenu(t);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${elsewhere.store.id}/delivery-zones`,
      headers: bearer(elsewhere.organization.owner.token),
      payload: circle(3000),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('STORE_LOCATION_REQUIRED');
  });

  it('when money is in another currency, then it is 422 CURRENCY_MISMATCH naming the field', async () => {
    const res = await draw({ ...circle(3000), minimum_order: { amount: 1500, currency: 'USD' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('CURRENCY_MISMATCH');
    expect(res.json().errors[0].path).toBe('/minimum_order/currency');
  });

  it('when a polygon crosses itself, then it is 422 DELIVERY_ZONE_INVALID and nothing is written', async () => {
    const before = (await t.app.inject({ method: 'GET', url: zonesUrl() })).json().data.length;
    const { lat, lng } = MITTE;
    const bowtie = [
      [lng - 0.01, lat - 0.01],
      [lng + 0.01, lat + 0.01],
      [lng + 0.01, lat - 0.01],
      [lng - 0.01, lat + 0.01],
      [lng - 0.01, lat - 0.01],
    ];
    const res = await draw({ ...circle(3000), area: { type: 'polygon', coordinates: [bowtie] } });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().code).toBe('DELIVERY_ZONE_INVALID');
    expect((await t.app.inject({ method: 'GET', url: zonesUrl() })).json().data.length).toBe(before);
  });

  it('when distance tiers stop short of the circle’s edge, then it is 422: the rest of the zone would have no fee', async () => {
    const res = await draw({
      ...circle(5000),
      fee: {
        type: 'distance_tiers',
        tiers: [
          { up_to_m: 2000, amount: eur(200) },
          { up_to_m: 4000, amount: eur(400) },
        ],
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('DELIVERY_ZONE_INVALID');
    expect(res.json().errors[0].path).toBe('/fee/tiers');
  });

  it('when basket tiers do not start at 0, then it is 422 (the smaller baskets would have no fee)', async () => {
    const res = await draw({
      ...circle(3000),
      fee: { type: 'basket_tiers', tiers: [{ from: eur(1000), amount: eur(200) }] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('DELIVERY_ZONE_INVALID');
  });

  it('when an unknown field is sent, then it is 400', async () => {
    const res = await draw({ ...circle(3000), colour: 'red' });
    expect(res.statusCode).toBe(400);
  });

  it('when floor staff, a customer or another brand’s owner draw, then it is 403, 403 and 404 (401 signed out)', async () => {
    const staff = await staffOf(t, { organizationId: world.organization.id, storeId: world.store.id, role: 'staff' });
    expect((await draw(circle(3000), staff.token)).statusCode).toBe(403);
    expect((await draw(circle(3000), (await customer(t)).token)).statusCode).toBe(403);
    const other = await storeWithMenu(t);
    expect((await draw(circle(3000), other.organization.owner.token)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: zonesUrl(), payload: circle(3000) })).statusCode).toBe(401);
  });

  it('when a store manager draws at their store, then it is 201', async () => {
    const manager = await staffOf(t, {
      organizationId: world.organization.id,
      storeId: world.store.id,
      role: 'manager',
    });
    expect((await draw(circle(2500), manager.token)).statusCode).toBe(201);
  });
});

describe('changing a zone', () => {
  it('when it is replaced with the current ETag, then the version goes up; a stale ETag is 412; removed, it leaves the list', async () => {
    const zone = (await draw(circle(3500))).json();
    const url = `${zonesUrl()}/${zone.id}`;
    const headers = { ...bearer(owner().token), 'if-match': '"1"' };
    const replaced = await t.app.inject({ method: 'PUT', url, headers, payload: circle(3500, 400) });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ id: zone.id, version: 2, fee: { amount: eur(400) } });
    expect(replaced.headers.etag).toBe('"2"');
    const stale = await t.app.inject({ method: 'PUT', url, headers, payload: circle(3500, 500) });
    expect(stale.statusCode).toBe(412);
    const entry = await lastAudit(t, owner(), world.organization.id, 'delivery.zone.replaced');
    expect(entry.target).toEqual({ type: 'delivery_zone', id: zone.id });

    const removed = await t.app.inject({
      method: 'DELETE',
      url,
      headers: { ...bearer(owner().token), 'if-match': '"2"' },
    });
    expect(removed.statusCode).toBe(204);
    const list = (await t.app.inject({ method: 'GET', url: zonesUrl() })).json().data as Array<{ id: string }>;
    expect(list.map((z) => z.id)).not.toContain(zone.id);
    expect((await t.app.inject({ method: 'DELETE', url, headers: bearer(owner().token) })).statusCode).toBe(404);
  });
});
