import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../../platform/events/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, createUser, signIn } from '../../test-support/identity-factories.js';
import { createOrganization, createStore, middayZone, storeBody } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const eventsOf = (aggregate: { type: string; id: string }) => readOutbox(t.db.database.db, { aggregate });
const summary = async (aggregate: { type: string; id: string }) =>
  (await eventsOf(aggregate)).map((row) => ({ type: row.type, data: row.data }));

describe('tenancy domain events', () => {
  it('when an organization is founded over HTTP, then organization.created and the owner’s member.added are appended, in that order, without personal data', async () => {
    const founder = await createUser(t, { name: 'Founder' });
    const slug = `events-${randomBytes(4).toString('hex')}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/organizations',
      headers: bearer(await signIn(t, founder)),
      payload: { slug, name: 'Event Kitchen' },
    });
    expect(res.statusCode).toBe(201);
    const organizationId = res.json().id;

    const rows = await eventsOf({ type: 'organization', id: organizationId });
    expect(rows.map((row) => row.type)).toEqual(['tenancy.organization.created', 'identity.member.added']);
    expect(rows[0]).toMatchObject({
      source: '/brigade/tenancy',
      subject: `organization/${organizationId}`,
      data: { organization_id: organizationId, slug },
    });
    expect(rows[1]!.data).toEqual({
      membership_id: expect.any(String),
      organization_id: organizationId,
      store_id: null,
      user_id: founder.id,
      role: 'owner',
    });
    expect(rows[1]!.source).toBe('/brigade/identity');
    expect(JSON.stringify(rows)).not.toContain(founder.email);
  });

  it('when an organization is renamed, then organization.updated names what changed and the new version', async () => {
    const org = await createOrganization(t);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/organizations/${org.id}`,
      headers: bearer(org.owner.token),
      payload: { name: 'Renamed' },
    });
    expect(res.statusCode).toBe(200);
    const rows = await summary({ type: 'organization', id: org.id });
    expect(rows.at(-1)).toEqual({
      type: 'tenancy.organization.updated',
      data: { organization_id: org.id, version: 2, changed: ['name'] },
    });
  });

  it('when a store is opened over HTTP, then tenancy.store.created carries ids and settings, not the address or phone', async () => {
    const org = await createOrganization(t);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${org.id}/stores`,
      headers: bearer(org.owner.token),
      payload: storeBody({
        phone: '+49 30 1234567',
        opening_hours: [{ weekday: 5, opens_at: '18:00', closes_at: '02:00' }],
      }),
    });
    expect(res.statusCode).toBe(201);
    const storeId = res.json().id;

    const rows = await eventsOf({ type: 'store', id: storeId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'tenancy.store.created',
      source: '/brigade/tenancy',
      subject: `store/${storeId}`,
      state: 'pending',
      data: { store_id: storeId, organization_id: org.id, timezone: 'Europe/Berlin', currency: 'EUR' },
    });
    expect(JSON.stringify(rows[0]!.data)).not.toMatch(/Torstra|4930|Pasta/);
  });

  it('when settings, weekly hours or an hours exception change, then each appends store.updated with what changed and the ETag version', async () => {
    const org = await createOrganization(t);
    const zone = middayZone();
    const { id } = await createStore(t, { organizationId: org.id, timezone: zone });
    const owner = bearer(org.owner.token);

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/v1/stores/${id}`,
      headers: owner,
      payload: { name: 'New name', phone: '+4930111111' },
    });
    expect(patched.headers.etag).toMatch(/^"2-/);
    const hours = await t.app.inject({
      method: 'PUT',
      url: `/v1/stores/${id}/opening-hours`,
      headers: owner,
      payload: { opening_hours: [{ weekday: 1, opens_at: '09:00', closes_at: '17:00' }] },
    });
    expect(hours.statusCode).toBe(200);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
    const exception = await t.app.inject({
      method: 'PUT',
      url: `/v1/stores/${id}/hours-exceptions/${today}`,
      headers: owner,
      payload: { closed: true },
    });
    expect(exception.statusCode).toBe(201);

    const base = { store_id: id, organization_id: org.id };
    expect(await summary({ type: 'store', id })).toEqual([
      { type: 'tenancy.store.created', data: expect.objectContaining(base) },
      { type: 'tenancy.store.updated', data: { ...base, version: 2, changed: ['name', 'phone'] } },
      { type: 'tenancy.store.updated', data: { ...base, version: 3, changed: ['opening_hours'] } },
      { type: 'tenancy.store.updated', data: { ...base, version: 4, changed: ['hours_exceptions'] } },
    ]);
  });

  it('when a write is refused (stale If-Match, taken label), then no event is appended', async () => {
    const org = await createOrganization(t);
    const { id } = await createStore(t, { organizationId: org.id });
    const owner = bearer(org.owner.token);
    const before = (await eventsOf({ type: 'store', id })).length;

    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/v1/stores/${id}`,
      headers: { ...owner, 'if-match': '"7-nope"' },
      payload: { name: 'Lost update' },
    });
    expect(stale.statusCode).toBe(412);
    expect(
      (await t.app.inject({ method: 'POST', url: `/v1/stores/${id}/tables`, headers: owner, payload: { label: 'T1' } }))
        .statusCode,
    ).toBe(201);
    expect(
      (await t.app.inject({ method: 'POST', url: `/v1/stores/${id}/tables`, headers: owner, payload: { label: 'T1' } }))
        .statusCode,
    ).toBe(409);

    expect((await eventsOf({ type: 'store', id })).map((row) => row.type).slice(before)).toEqual([
      'tenancy.table.added',
    ]);
  });

  it('when a table is added, changed, re-coded and removed, then table events follow the store’s, and no QR token is ever in them', async () => {
    const org = await createOrganization(t);
    const { id: storeId } = await createStore(t, { organizationId: org.id });
    const owner = bearer(org.owner.token);
    const added = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${storeId}/tables`,
      headers: owner,
      payload: { label: 'Terrace 4', seats: 6 },
    });
    const table = added.json();
    const url = `/v1/stores/${storeId}/tables/${table.id}`;
    const patched = await t.app.inject({ method: 'PATCH', url, headers: owner, payload: { seats: 8 } });
    const rotated = await t.app.inject({ method: 'POST', url: `${url}/qr-rotation`, headers: owner });
    expect((await t.app.inject({ method: 'DELETE', url, headers: owner })).statusCode).toBe(204);

    const base = { table_id: table.id, store_id: storeId, organization_id: org.id };
    const rows = await eventsOf({ type: 'store', id: storeId });
    expect(rows.map((row) => ({ type: row.type, data: row.data }))).toEqual([
      { type: 'tenancy.store.created', data: expect.any(Object) },
      { type: 'tenancy.table.added', data: { ...base, label: 'Terrace 4', seats: 6 } },
      { type: 'tenancy.table.updated', data: { ...base, changed: ['seats'] } },
      { type: 'tenancy.table.updated', data: { ...base, changed: ['qr_token'] } },
      { type: 'tenancy.table.removed', data: base },
    ]);
    const everything = JSON.stringify(rows);
    for (const token of [table.qr_token, patched.json().qr_token, rotated.json().qr_token])
      expect(everything).not.toContain(token);
  });
});
