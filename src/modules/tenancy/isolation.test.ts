// Organization isolation: people and API keys of organization A must get 404 for every
// resource of organization B addressed by id (never revealing that it exists), must not change
// it, and must never see B's rows in their lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { apiKey, bearer, staffOf } from '../../test-support/identity-factories.js';
import { organizationWithStore, storeBody } from '../../test-support/tenancy-factories.js';

let t: TestApp;
let a: Awaited<ReturnType<typeof organizationWithStore>>;
let b: Awaited<ReturnType<typeof organizationWithStore>>;
let bDate: string;

beforeAll(async () => {
  t = await createTestApp();
  a = await organizationWithStore(t);
  b = await organizationWithStore(t);
  bDate = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  const put = await t.app.inject({
    method: 'PUT',
    url: `/v1/stores/${b.store.id}/hours-exceptions/${bDate}`,
    headers: bearer(b.organization.owner.token),
    payload: { closed: true },
  });
  expect(put.statusCode).toBe(201);
});
afterAll(async () => {
  await t.close();
});

/** Every tenancy route that addresses an organization-B resource by id. */
function requestsAtB(): Array<{ method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: object }> {
  const org = `/v1/organizations/${b.organization.id}`;
  const store = `/v1/stores/${b.store.id}`;
  const table = `${store}/tables/${b.table.id}`;
  return [
    { method: 'GET', url: org },
    { method: 'PATCH', url: org, payload: { name: 'Hijacked' } },
    { method: 'POST', url: `${org}/stores`, payload: storeBody() },
    { method: 'PATCH', url: store, payload: { name: 'Hijacked' } },
    { method: 'PUT', url: `${store}/opening-hours`, payload: { opening_hours: [] } },
    { method: 'GET', url: `${store}/hours-exceptions` },
    {
      method: 'PUT',
      url: `${store}/hours-exceptions/${bDate}`,
      payload: { closed: false, intervals: [{ opens_at: '01:00', closes_at: '02:00' }] },
    },
    { method: 'DELETE', url: `${store}/hours-exceptions/${bDate}` },
    { method: 'POST', url: `${store}/tables`, payload: { label: 'Intruder' } },
    { method: 'GET', url: `${store}/tables` },
    { method: 'GET', url: table },
    { method: 'PATCH', url: table, payload: { label: 'Hijacked' } },
    { method: 'POST', url: `${table}/qr-rotation` },
    { method: 'DELETE', url: table },
    // A's own store in the path, B's table id: still not found.
    { method: 'GET', url: `/v1/stores/${a.store.id}/tables/${b.table.id}` },
    { method: 'PATCH', url: `/v1/stores/${a.store.id}/tables/${b.table.id}`, payload: { seats: 9 } },
    { method: 'DELETE', url: `/v1/stores/${a.store.id}/tables/${b.table.id}` },
    { method: 'POST', url: `/v1/stores/${a.store.id}/tables/${b.table.id}/qr-rotation` },
  ];
}

async function expectBUntouched() {
  const store = (await t.app.inject({ method: 'GET', url: `/v1/stores/${b.store.id}` })).json();
  expect(store.name).not.toBe('Hijacked');
  expect(store.opening_hours).toHaveLength(7);
  expect(store.hours_exceptions).toEqual([expect.objectContaining({ date: bDate, closed: true })]);
  const tables = (
    await t.app.inject({
      method: 'GET',
      url: `/v1/stores/${b.store.id}/tables`,
      headers: bearer(b.organization.owner.token),
    })
  ).json();
  expect(tables.data).toEqual([
    expect.objectContaining({ id: b.table.id, label: b.table.label, seats: 2, qr_token: b.table.qr_token }),
  ]);
  const org = (
    await t.app.inject({
      method: 'GET',
      url: `/v1/organizations/${b.organization.id}`,
      headers: bearer(b.organization.owner.token),
    })
  ).json();
  expect(org.name).not.toBe('Hijacked');
}

describe('organization isolation', () => {
  it('when the owner of A addresses any B resource by id, then every route answers 404 and B is unchanged', async () => {
    for (const request of requestsAtB()) {
      const res = await t.app.inject({ ...request, headers: bearer(a.organization.owner.token) });
      expect({ route: `${request.method} ${request.url}`, status: res.statusCode, code: res.json().code }).toEqual({
        route: `${request.method} ${request.url}`,
        status: 404,
        code: 'NOT_FOUND',
      });
    }
    await expectBUntouched();
  });

  it('when an org-wide manager of A does the same, then 404 wherever managers may act, and B is unchanged', async () => {
    const manager = await staffOf(t, { organizationId: a.organization.id, role: 'manager' });
    for (const request of requestsAtB()) {
      const res = await t.app.inject({ ...request, headers: bearer(manager.token) });
      // Renaming an organization is for owners only: the door refuses managers before any lookup.
      const expected =
        request.method === 'PATCH' && request.url === `/v1/organizations/${b.organization.id}` ? 403 : 404;
      expect({ route: `${request.method} ${request.url}`, status: res.statusCode }).toEqual({
        route: `${request.method} ${request.url}`,
        status: expected,
      });
    }
    await expectBUntouched();
  });

  it('when an API key of A with every tenancy scope addresses B, then 404 everywhere it is let in', async () => {
    const key = await apiKey(t, a.organization.owner.token, a.organization.id, [
      'organizations:read',
      'stores:read',
      'stores:write',
    ]);
    for (const request of requestsAtB()) {
      const res = await t.app.inject({ ...request, headers: bearer(key) });
      // API keys may not rename organizations at all (owner-only, no scope).
      const expected =
        request.method === 'PATCH' && request.url === `/v1/organizations/${b.organization.id}` ? 403 : 404;
      expect({ route: `${request.method} ${request.url}`, status: res.statusCode }).toEqual({
        route: `${request.method} ${request.url}`,
        status: expected,
      });
    }
    await expectBUntouched();
  });

  it('when A lists its own tables and exceptions, and the directory filtered to A, then no B row ever appears', async () => {
    const owner = bearer(a.organization.owner.token);
    const bIds = [b.organization.id, b.store.id, b.table.id, b.table.qr_token];
    const lists = await Promise.all([
      t.app.inject({ method: 'GET', url: `/v1/stores/${a.store.id}/tables?limit=100`, headers: owner }),
      t.app.inject({ method: 'GET', url: `/v1/stores/${a.store.id}/hours-exceptions?limit=100`, headers: owner }),
      t.app.inject({ method: 'GET', url: `/v1/stores?org=${a.organization.slug}&limit=100` }),
    ]);
    for (const list of lists) {
      expect(list.statusCode).toBe(200);
      for (const id of bIds) expect(list.body).not.toContain(id);
    }
    expect(lists[0]!.json().data.map((row: { id: string }) => row.id)).toEqual([a.table.id]);
    expect(lists[2]!.json().data.map((row: { id: string }) => row.id)).toEqual([a.store.id]);
  });
});
