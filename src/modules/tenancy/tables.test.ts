import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { apiKey, bearer, staffOf } from '../../test-support/identity-factories.js';
import { createStore, organizationWithStore } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const tablesUrl = (storeId: string) => `/v1/stores/${storeId}/tables`;

describe('dining tables', () => {
  it('when a manager adds a table, then 201 with an unguessable 128-bit QR token; a duplicate label is 409', async () => {
    const { organization, store } = await organizationWithStore(t);
    const manager = await staffOf(t, { organizationId: organization.id, storeId: store.id, role: 'manager' });
    const add = (payload: object) =>
      t.app.inject({ method: 'POST', url: tablesUrl(store.id), headers: bearer(manager.token), payload });

    const res = await add({ label: 'Terrace 4', seats: 6 });
    expect(res.statusCode).toBe(201);
    const table = res.json();
    expect(table).toMatchObject({ organization_id: organization.id, store_id: store.id, label: 'Terrace 4', seats: 6 });
    expect(table.qr_token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(table.qr_token, 'base64url')).toHaveLength(16);
    expect(res.headers.location).toBe(`/v1/stores/${store.id}/tables/${table.id}`);
    expect((await add({ label: 'Bar' })).json()).toMatchObject({ seats: 2 });

    const duplicate = await add({ label: 'Terrace 4' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().code).toBe('TABLE_LABEL_TAKEN');
    expect((await add({ label: '', seats: 0 })).json().errors).toHaveLength(2);
  });

  it('when store staff list tables, then pages follow the cursor; staff may not add, and other stores’ staff may not look', async () => {
    const { organization, store, table } = await organizationWithStore(t);
    for (const label of ['A', 'B', 'C', 'D']) {
      await t.app.inject({
        method: 'POST',
        url: tablesUrl(store.id),
        headers: bearer(organization.owner.token),
        payload: { label },
      });
    }
    const staff = await staffOf(t, { organizationId: organization.id, storeId: store.id, role: 'staff' });
    const page1 = await t.app.inject({
      method: 'GET',
      url: `${tablesUrl(store.id)}?limit=3`,
      headers: bearer(staff.token),
    });
    expect(page1.statusCode).toBe(200);
    expect(page1.headers['cache-control']).toBe('private, no-store');
    const page2 = (
      await t.app.inject({
        method: 'GET',
        url: `${tablesUrl(store.id)}?limit=3&cursor=${page1.json().next_cursor}`,
        headers: bearer(staff.token),
      })
    ).json();
    const labels = [...page1.json().data, ...page2.data].map((row: { label: string }) => row.label);
    expect(labels).toEqual([table.label, 'A', 'B', 'C', 'D']);
    expect(page2.has_more).toBe(false);

    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: tablesUrl(store.id),
          headers: bearer(staff.token),
          payload: { label: 'E' },
        })
      ).statusCode,
    ).toBe(403);
    const other = await createStore(t, { organizationId: organization.id });
    const otherStaff = await staffOf(t, { organizationId: organization.id, storeId: other.id, role: 'staff' });
    expect(
      (await t.app.inject({ method: 'GET', url: tablesUrl(store.id), headers: bearer(otherStaff.token) })).statusCode,
    ).toBe(403);
    const courier = await staffOf(t, { organizationId: organization.id, role: 'courier' });
    expect(
      (await t.app.inject({ method: 'GET', url: tablesUrl(store.id), headers: bearer(courier.token) })).statusCode,
    ).toBe(403);
  });

  it('when a guest scans a table code, then the store and table come back, without the secret and uncached', async () => {
    const { organization, store, table } = await organizationWithStore(t);
    const res = await t.app.inject({ method: 'GET', url: `/v1/tables/${table.qr_token}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      table: { id: table.id, label: table.label, seats: 2 },
      store: expect.objectContaining({
        id: store.id,
        organization_id: organization.id,
        is_open_now: true,
        timezone: 'Europe/Berlin',
        currency: 'EUR',
      }),
    });
    expect(res.body).not.toContain(table.qr_token);
    expect((await t.app.inject({ method: 'GET', url: `/v1/tables/${'A'.repeat(22)}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/v1/tables/short' })).statusCode).toBe(400);
  });

  it('when a QR token is rotated, then the old code stops working and the new one works', async () => {
    const { organization, store, table } = await organizationWithStore(t);
    const rotated = await t.app.inject({
      method: 'POST',
      url: `${tablesUrl(store.id)}/${table.id}/qr-rotation`,
      headers: bearer(organization.owner.token),
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().qr_token).not.toBe(table.qr_token);
    expect((await t.app.inject({ method: 'GET', url: `/v1/tables/${table.qr_token}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/v1/tables/${rotated.json().qr_token}` })).statusCode).toBe(200);
  });

  it('when a table is relabelled, read and removed, then each answers as documented', async () => {
    const { organization, store, table } = await organizationWithStore(t);
    const url = `${tablesUrl(store.id)}/${table.id}`;
    const owner = bearer(organization.owner.token);
    await t.app.inject({ method: 'POST', url: tablesUrl(store.id), headers: owner, payload: { label: 'Window' } });

    const patched = await t.app.inject({
      method: 'PATCH',
      url,
      headers: owner,
      payload: { label: 'Garden 1', seats: 8 },
    });
    expect(patched.json()).toMatchObject({ label: 'Garden 1', seats: 8, qr_token: table.qr_token });
    expect(
      (await t.app.inject({ method: 'PATCH', url, headers: owner, payload: { label: 'Window' } })).json().code,
    ).toBe('TABLE_LABEL_TAKEN');
    expect((await t.app.inject({ method: 'PATCH', url, headers: owner, payload: {} })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url, headers: owner })).json().label).toBe('Garden 1');

    expect((await t.app.inject({ method: 'DELETE', url, headers: owner })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url, headers: owner })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url, headers: owner })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/v1/tables/${table.qr_token}` })).statusCode).toBe(404);
  });

  it('when a table is addressed through another store of the same organization, then 404', async () => {
    const { organization, table } = await organizationWithStore(t);
    const other = await createStore(t, { organizationId: organization.id });
    const res = await t.app.inject({
      method: 'GET',
      url: `${tablesUrl(other.id)}/${table.id}`,
      headers: bearer(organization.owner.token),
    });
    expect(res.statusCode).toBe(404);
  });

  it('when API keys are used, then stores:read lists tables and stores:write adds them', async () => {
    const { organization, store } = await organizationWithStore(t);
    const reader = await apiKey(t, organization.owner.token, organization.id, ['stores:read']);
    const writer = await apiKey(t, organization.owner.token, organization.id, ['stores:write']);
    expect((await t.app.inject({ method: 'GET', url: tablesUrl(store.id), headers: bearer(reader) })).statusCode).toBe(
      200,
    );
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: tablesUrl(store.id),
          headers: bearer(reader),
          payload: { label: 'K1' },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: tablesUrl(store.id),
          headers: bearer(writer),
          payload: { label: 'K1' },
        })
      ).statusCode,
    ).toBe(201);
  });
});
