// The store representation follows the injected clock: opening state, cache lifetime and ETag
// all change when the store opens or closes, even though nothing was edited.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../../platform/auth/principal.js';
import { inTransaction } from '../../platform/db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { authenticateFrom, createBareServer } from '../../test-support/server.js';
import { createOrganization, createStore } from '../../test-support/tenancy-factories.js';
import { createTenancyModule } from './index.js';

let t: TestApp;
let app: FastifyInstance;
let now = new Date('2026-03-28T12:00:00Z');

beforeAll(async () => {
  t = await createTestApp();
  const tenancy = createTenancyModule({ db: t.db.database.db, identity: t.modules.identity, clock: () => now });
  const owner: UserPrincipal = { kind: 'user', userId: 'x', platformAdmin: true, grants: [] };
  app = await createBareServer({ authenticate: authenticateFrom({ admin: owner }) });
  await app.register(tenancy.routes, { prefix: '/v1' });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.close();
});

describe('store detail against the clock', () => {
  it('when a Berlin bar is read across the spring-forward night, then state, max-age and ETag follow the clock', async () => {
    const org = await createOrganization(t);
    const { id } = await createStore(t, {
      organizationId: org.id,
      timezone: 'Europe/Berlin',
      opening_hours: [{ weekday: 6, opens_at: '22:00', closes_at: '03:00' }],
    });
    const read = (headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url: `/v1/stores/${id}`, headers });

    now = new Date('2026-03-28T20:59:30Z'); // Saturday 21:59:30 CET, thirty seconds before opening
    const before = await read();
    expect(before.json()).toMatchObject({ is_open_now: false, next_open_at: '2026-03-28T21:00:00Z', closes_at: null });
    expect(before.headers['cache-control']).toBe('public, max-age=30');

    now = new Date('2026-03-29T00:30:00Z'); // 01:30 CET, open; closing is 03:00 CEST = 01:00Z
    const open = await read({ 'if-none-match': String(before.headers.etag) });
    expect(open.statusCode).toBe(200);
    expect(open.json()).toMatchObject({
      is_open_now: true,
      closes_at: '2026-03-29T01:00:00Z',
      next_open_at: '2026-04-04T20:00:00Z',
    });
    expect(open.headers.etag).not.toBe(before.headers.etag);
    expect(open.headers.etag).toMatch(/^"1-/);
    expect((await read({ 'if-none-match': String(open.headers.etag) })).statusCode).toBe(304);

    now = new Date('2026-03-29T01:00:00Z');
    const closed = await read({ 'if-none-match': String(open.headers.etag) });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ is_open_now: false, closes_at: null });
  });

  it('when an ETag read while open is sent as If-Match after closing time, then the write still succeeds', async () => {
    const org = await createOrganization(t);
    const { id } = await createStore(t, {
      organizationId: org.id,
      timezone: 'UTC',
      opening_hours: [{ weekday: 1, opens_at: '09:00', closes_at: '17:00' }],
    });
    now = new Date('2026-06-15T16:59:00Z');
    const etag = String((await app.inject({ method: 'GET', url: `/v1/stores/${id}` })).headers.etag);
    now = new Date('2026-06-15T17:01:00Z');
    const patch = await app.inject({
      method: 'PATCH',
      url: `/v1/stores/${id}`,
      headers: { authorization: 'Bearer admin', 'if-match': etag },
      payload: { name: 'Evening' },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toMatchObject({ name: 'Evening', is_open_now: false, next_open_at: '2026-06-22T09:00:00Z' });
  });

  it('when an exception date is judged, then "today" is the store’s local date from the clock', async () => {
    const org = await createOrganization(t);
    const { id } = await createStore(t, { organizationId: org.id, timezone: 'Pacific/Auckland' });
    now = new Date('2026-06-15T13:00:00Z'); // already 16 June in Auckland
    const put = (date: string) =>
      app.inject({
        method: 'PUT',
        url: `/v1/stores/${id}/hours-exceptions/${date}`,
        headers: { authorization: 'Bearer admin' },
        payload: { closed: true },
      });
    expect((await put('2026-06-15')).json().code).toBe('HOURS_EXCEPTION_IN_PAST');
    expect((await put('2026-06-16')).statusCode).toBe(201);
  });
});

describe('module api', () => {
  it('when the api creates a store with past-midnight hours, then isStoreOpenAt, findStore and findTable agree', async () => {
    const org = await createOrganization(t);
    const tenancy = t.modules.tenancy.api;
    const { store, table } = await inTransaction(t.db.database.db, async (trx) => {
      const created = await tenancy.createStore(trx, {
        organizationId: org.id,
        name: 'Late Night',
        address: { line1: 'Broadway 1', city: 'New York', region: 'NY', country: 'US' },
        phone: '+1 212 555 0100',
        timezone: 'America/New_York',
        currency: 'USD',
        opening_hours: [{ weekday: 6, opens_at: '20:00', closes_at: '04:00' }],
      });
      return {
        store: created,
        table: await tenancy.addTable(trx, { organizationId: org.id, storeId: created.id, label: '7', seats: 4 }),
      };
    });

    expect(await tenancy.findStore(store.id)).toEqual({
      id: store.id,
      organization_id: org.id,
      name: 'Late Night',
      timezone: 'America/New_York',
      currency: 'USD',
      version: 1,
      location: null,
    });
    expect(await tenancy.findStore('not-a-uuid')).toBeNull();
    expect(await tenancy.findTable(table.id)).toEqual({
      id: table.id,
      organization_id: org.id,
      store_id: store.id,
      label: '7',
      seats: 4,
    });
    // Saturday 2026-10-31 20:00 EDT until Sunday 04:00 EST: the night of the fall-back is 9 hours.
    expect(await tenancy.isStoreOpenAt(store.id, new Date('2026-11-01T00:00:00Z'))).toBe(true);
    expect(await tenancy.isStoreOpenAt(store.id, new Date('2026-11-01T08:59:00Z'))).toBe(true);
    expect(await tenancy.isStoreOpenAt(store.id, new Date('2026-11-01T09:00:00Z'))).toBe(false);
  });

  it('when the api is given invalid store data, then it throws a validation error naming every field', async () => {
    const org = await createOrganization(t);
    const attempt = inTransaction(t.db.database.db, (trx) =>
      t.modules.tenancy.api.createStore(trx, {
        organizationId: org.id,
        name: 'Bad',
        address: { line1: 'x', city: 'y', country: 'DE' },
        timezone: 'Berlin',
        currency: 'EURO',
        opening_hours: [{ weekday: 0, opens_at: '9:00', closes_at: '17:00' }],
      }),
    );
    await expect(attempt).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [
        { path: '/body/timezone', message: expect.any(String) },
        { path: '/body/currency', message: expect.any(String) },
        { path: '/body/opening_hours/0/weekday', message: expect.any(String) },
        { path: '/body/opening_hours/0/opens_at', message: expect.any(String) },
      ],
    });
  });

  it('when an organization is deleted by slug, then its stores and tables go with it', async () => {
    const org = await createOrganization(t);
    const { id } = await createStore(t, { organizationId: org.id });
    const { id: tableId } = await inTransaction(t.db.database.db, (trx) =>
      t.modules.tenancy.api.addTable(trx, { organizationId: org.id, storeId: id, label: 'X' }),
    );
    expect(
      await inTransaction(t.db.database.db, (trx) => t.modules.tenancy.api.deleteOrganizationBySlug(trx, org.slug)),
    ).toBe(true);
    expect(await t.modules.tenancy.api.findStore(id)).toBeNull();
    expect(await t.modules.tenancy.api.findTable(tableId)).toBeNull();
    expect(
      await inTransaction(t.db.database.db, (trx) => t.modules.tenancy.api.findOrganizationBySlug(trx, org.slug)),
    ).toBeNull();
    expect(
      await inTransaction(t.db.database.db, (trx) => t.modules.tenancy.api.deleteOrganizationBySlug(trx, org.slug)),
    ).toBe(false);
  });

  it('when the api creates an organization with a taken slug, then ConflictError ORGANIZATION_SLUG_TAKEN', async () => {
    const org = await createOrganization(t);
    const attempt = inTransaction(t.db.database.db, (trx) =>
      t.modules.tenancy.api.createOrganization(trx, { slug: org.slug, name: 'Copy', ownerUserId: org.owner.user.id }),
    );
    await expect(attempt).rejects.toMatchObject({ status: 409, code: 'ORGANIZATION_SLUG_TAKEN' });
  });
});
