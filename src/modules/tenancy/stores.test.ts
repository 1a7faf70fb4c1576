import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { apiKey, bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization, createStore, middayZone, storeBody } from '../../test-support/tenancy-factories.js';
import { dateOfDayNumber, dayNumberOf, localDateAt, zonedInstant } from './hours.js';
import { rfc3339 } from './present.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

describe('public store directory', () => {
  it('when the directory is read page by page while stores are added, then every store appears exactly once', async () => {
    const org = await createOrganization(t);
    const first = [];
    for (let i = 0; i < 5; i++) first.push((await createStore(t, { organizationId: org.id })).id);

    const page1 = await get(`/v1/stores?org=${org.slug}&limit=2`);
    expect(page1.statusCode).toBe(200);
    expect(page1.json()).toMatchObject({ has_more: true });
    const late = (await createStore(t, { organizationId: org.id })).id; // arrives between pages
    const page2 = (await get(`/v1/stores?org=${org.slug}&limit=2&cursor=${page1.json().next_cursor}`)).json();
    const page3 = (await get(`/v1/stores?org=${org.slug}&limit=2&cursor=${page2.next_cursor}`)).json();

    const ids = [page1.json(), page2, page3].flatMap((page: { data: Array<{ id: string }> }) =>
      page.data.map((store) => store.id),
    );
    expect(ids).toEqual([...first, late]);
    expect(page3).toMatchObject({ has_more: false, next_cursor: null });
  });

  it('when filtered by ?org=, then only that organization’s stores are listed; an unknown slug lists none', async () => {
    const a = await createOrganization(t);
    const b = await createOrganization(t);
    const storeA = await createStore(t, { organizationId: a.id });
    await createStore(t, { organizationId: b.id });

    const listed = (await get(`/v1/stores?org=${a.slug}`)).json();
    expect(listed.data.map((store: { id: string }) => store.id)).toEqual([storeA.id]);
    expect(listed.data[0]).toMatchObject({ organization_id: a.id, is_open_now: true, closes_at: null });
    expect((await get('/v1/stores?org=no-such-brand')).json()).toEqual({
      data: [],
      next_cursor: null,
      has_more: false,
    });

    const everyone = (await get('/v1/stores?limit=100')).json();
    const orgs = new Set(everyone.data.map((store: { organization_id: string }) => store.organization_id));
    expect(orgs.has(a.id) && orgs.has(b.id)).toBe(true);
  });

  it('when the query is malformed, then 400 lists each bad parameter', async () => {
    const res = await get('/v1/stores?limit=101&org=Not_A_Slug&sort=name');
    expect(res.statusCode).toBe(400);
    const paths = res.json().errors.map((error: { path: string }) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['/querystring/limit', '/querystring/org', '/querystring/sort']));

    const cursor = await get(`/v1/stores?cursor=${Buffer.from('{"id":"nope"}').toString('base64url')}`);
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().code).toBe('INVALID_CURSOR');
  });
});

describe('store detail', () => {
  it('when a store is read, then it has its fields, opening state, a strong ETag and public caching', async () => {
    const org = await createOrganization(t);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${org.id}/stores`,
      headers: bearer(org.owner.token),
      payload: storeBody({
        phone: '+49 (30) 123-4567',
        address: {
          line1: 'Torstraße 1',
          line2: 'Hinterhof',
          city: 'Berlin',
          region: 'BE',
          postal_code: '10119',
          country: 'DE',
        },
      }),
    });
    const id = res.json().id;

    const read = await get(`/v1/stores/${id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({
      id,
      organization_id: org.id,
      name: 'Pasta Place',
      address: {
        line1: 'Torstraße 1',
        line2: 'Hinterhof',
        city: 'Berlin',
        region: 'BE',
        postal_code: '10119',
        country: 'DE',
      },
      phone: '+49301234567',
      timezone: 'Europe/Berlin',
      currency: 'EUR',
      location: null,
      opening_hours: [],
      hours_exceptions: [],
      is_open_now: false,
      next_open_at: null,
      closes_at: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      updated_at: expect.any(String),
    });
    expect(read.headers.etag).toMatch(/^"1-[A-Za-z0-9_-]+"$/);
    expect(read.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    expect(Number(/max-age=(\d+)/.exec(String(read.headers['cache-control']))![1])).toBeLessThanOrEqual(60);
  });

  it('when If-None-Match carries the current ETag, then 304 with no body; after an edit, 200 with a new ETag', async () => {
    const org = await createOrganization(t);
    const { id } = await createStore(t, { organizationId: org.id });
    const first = await get(`/v1/stores/${id}`);
    const etag = String(first.headers.etag);

    const cached = await get(`/v1/stores/${id}`, { 'if-none-match': etag });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    expect(cached.headers.etag).toBe(etag);
    expect((await get(`/v1/stores/${id}`, { 'if-none-match': `"other", W/${etag}` })).statusCode).toBe(304);

    await t.app.inject({
      method: 'PATCH',
      url: `/v1/stores/${id}`,
      headers: bearer(org.owner.token),
      payload: { name: 'Renamed' },
    });
    const fresh = await get(`/v1/stores/${id}`, { 'if-none-match': etag });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers.etag).not.toBe(etag);
    expect(fresh.json().name).toBe('Renamed');
  });

  it('when today is closed by an exception, then the store is closed now, reopens at local midnight and lists the exception', async () => {
    const zone = middayZone();
    const org = await createOrganization(t);
    const { id } = await createStore(t, { organizationId: org.id, timezone: zone });
    const today = localDateAt(new Date(), zone);
    const tomorrow = dateOfDayNumber(dayNumberOf(today)! + 1);
    expect((await get(`/v1/stores/${id}`)).json()).toMatchObject({ is_open_now: true, closes_at: null });

    const closed = await t.app.inject({
      method: 'PUT',
      url: `/v1/stores/${id}/hours-exceptions/${today}`,
      headers: bearer(org.owner.token),
      payload: { closed: true, note: 'Staff party' },
    });
    expect(closed.statusCode).toBe(201);

    const store = (await get(`/v1/stores/${id}`)).json();
    expect(store.is_open_now).toBe(false);
    expect(store.closes_at).toBeNull();
    expect(store.next_open_at).toBe(rfc3339(zonedInstant(tomorrow, '00:00', zone)));
    expect(store.hours_exceptions).toEqual([
      { id: expect.any(String), date: today, closed: true, intervals: [], note: 'Staff party' },
    ]);
  });

  it('when the store is open, then closes_at is the end of today’s hours and next_open_at the opening after', async () => {
    const zone = middayZone();
    const org = await createOrganization(t);
    const today = localDateAt(new Date(), zone);
    const { id } = await createStore(t, { organizationId: org.id, timezone: zone, opening_hours: [] });
    await t.app.inject({
      method: 'PUT',
      url: `/v1/stores/${id}/hours-exceptions/${today}`,
      headers: bearer(org.owner.token),
      payload: {
        closed: false,
        intervals: [
          { opens_at: '06:00', closes_at: '18:00' },
          { opens_at: '20:00', closes_at: '02:00' },
        ],
      },
    });
    const store = (await get(`/v1/stores/${id}`)).json();
    expect(store).toMatchObject({
      is_open_now: true,
      closes_at: rfc3339(zonedInstant(today, '18:00', zone)),
      next_open_at: rfc3339(zonedInstant(today, '20:00', zone)),
    });
  });

  it('when the store does not exist, then 404; when the id is not a UUID, then 400', async () => {
    expect((await get('/v1/stores/01900000-0000-7000-8000-000000000000')).statusCode).toBe(404);
    const bad = await get('/v1/stores/42');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('/params/storeId');
  });
});

describe('creating stores', () => {
  it('when the owner creates a store, then 201 with Location, ETag and the store', async () => {
    const org = await createOrganization(t);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${org.id}/stores`,
      headers: bearer(org.owner.token),
      payload: storeBody({ opening_hours: [{ weekday: 5, opens_at: '18:00', closes_at: '02:00' }] }),
    });
    expect(res.statusCode).toBe(201);
    const store = res.json();
    expect(res.headers.location).toBe(`/v1/stores/${store.id}`);
    expect(res.headers.etag).toMatch(/^"1-/);
    expect(store.opening_hours).toEqual([{ weekday: 5, opens_at: '18:00', closes_at: '02:00' }]);
    expect((await get(`/v1/stores/${store.id}`)).statusCode).toBe(200);
  });

  it('when an org-wide manager creates a store, then 201; a store manager, staff or customer gets 403', async () => {
    const org = await createOrganization(t);
    const { id: storeId } = await createStore(t, { organizationId: org.id });
    const post = (token: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/organizations/${org.id}/stores`,
        headers: bearer(token),
        payload: storeBody(),
      });

    expect((await post((await staffOf(t, { organizationId: org.id, role: 'manager' })).token)).statusCode).toBe(201);
    expect(
      (await post((await staffOf(t, { organizationId: org.id, storeId, role: 'manager' })).token)).statusCode,
    ).toBe(403);
    expect((await post((await staffOf(t, { organizationId: org.id, role: 'staff' })).token)).statusCode).toBe(403);
    expect((await post((await customer(t)).token)).statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: `/v1/organizations/${org.id}/stores`, payload: storeBody() }))
        .statusCode,
    ).toBe(401);
  });

  it('when an API key has stores:write, then it creates stores; with only stores:read, 403 INSUFFICIENT_SCOPE', async () => {
    const org = await createOrganization(t);
    const writer = await apiKey(t, org.owner.token, org.id, ['stores:write']);
    const reader = await apiKey(t, org.owner.token, org.id, ['stores:read']);
    const post = (key: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/organizations/${org.id}/stores`,
        headers: bearer(key),
        payload: storeBody(),
      });

    expect((await post(writer)).statusCode).toBe(201);
    const refused = await post(reader);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('INSUFFICIENT_SCOPE');
  });

  it('when the body has bad formats, then 400 lists every bad field at once', async () => {
    const org = await createOrganization(t);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${org.id}/stores`,
      headers: bearer(org.owner.token),
      payload: {
        name: '',
        address: { city: 'Berlin', country: 'de' },
        timezone: 'Europe/Berlin',
        currency: 'euro',
        opening_hours: [
          { weekday: 8, opens_at: '09:00', closes_at: '17:00' },
          { weekday: 1, opens_at: '25:00', closes_at: '9am' },
          { weekday: 2, opens_at: '09:00', closes_at: '17:00', note: 'x' },
        ],
        colour: 'red',
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    const paths = res.json().errors.map((error: { path: string }) => error.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/body/name',
        '/body/address/line1',
        '/body/address/country',
        '/body/currency',
        '/body/opening_hours/0/weekday',
        '/body/opening_hours/1/opens_at',
        '/body/opening_hours/1/closes_at',
        '/body/opening_hours/2/note',
        '/body/colour',
      ]),
    );
  });

  it('when zone, currency, country and hours are well-formed but wrong, then 400 lists every one', async () => {
    const org = await createOrganization(t);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${org.id}/stores`,
      headers: bearer(org.owner.token),
      payload: storeBody({
        timezone: 'Mars/Olympus_Mons',
        currency: 'XYZ',
        phone: '+0 123 456 789',
        address: { line1: 'Somewhere 1', city: 'Nowhere', country: 'XX' },
        opening_hours: [
          { weekday: 1, opens_at: '09:00', closes_at: '17:00' },
          { weekday: 1, opens_at: '12:00', closes_at: '14:00' },
          { weekday: 7, opens_at: '20:00', closes_at: '10:00' },
        ],
      }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { path: '/body/phone', message: expect.stringContaining('E.164') },
      { path: '/body/timezone', message: expect.stringContaining('IANA') },
      { path: '/body/currency', message: expect.stringContaining('ISO 4217') },
      { path: '/body/address/country', message: expect.stringContaining('ISO 3166-1') },
      { path: '/body/opening_hours/1', message: 'overlaps /0 (Monday 09:00–17:00)' },
      { path: '/body/opening_hours/2', message: 'overlaps /0 (Monday 09:00–17:00)' },
    ]);
  });

  it('when a time zone is sent in the wrong case, then it is stored in its canonical spelling', async () => {
    const org = await createOrganization(t);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${org.id}/stores`,
      headers: bearer(org.owner.token),
      payload: storeBody({ timezone: 'america/new_york' }),
    });
    expect(res.json().timezone).toBe('America/New_York');
  });
});

describe('editing stores', () => {
  it('when PATCH carries the current ETag, then 200 and a new ETag; a stale ETag is 412; no If-Match applies unconditionally', async () => {
    const org = await createOrganization(t);
    const { id } = await createStore(t, { organizationId: org.id });
    const etag = String((await get(`/v1/stores/${id}`)).headers.etag);
    const patch = (payload: object, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'PATCH',
        url: `/v1/stores/${id}`,
        headers: { ...bearer(org.owner.token), ...headers },
        payload,
      });

    const updated = await patch({ name: 'New name', phone: '+4930111111', currency: 'CHF' }, { 'if-match': etag });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ name: 'New name', phone: '+4930111111', currency: 'CHF' });
    expect(updated.headers.etag).toMatch(/^"2-/);

    const stale = await patch({ name: 'Lost update' }, { 'if-match': etag });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('PRECONDITION_FAILED');
    expect((await get(`/v1/stores/${id}`)).json().name).toBe('New name');

    expect((await patch({ phone: null })).json().phone).toBeNull();
    expect((await patch({ name: 'Any' }, { 'if-match': '*' })).statusCode).toBe(200);
    expect((await patch({ name: 'Weak' }, { 'if-match': `W/${String(updated.headers.etag)}` })).statusCode).toBe(412);
  });

  it('when PATCH is empty or invalid, then 400', async () => {
    const org = await createOrganization(t);
    const { id } = await createStore(t, { organizationId: org.id });
    const patch = (payload: object) =>
      t.app.inject({ method: 'PATCH', url: `/v1/stores/${id}`, headers: bearer(org.owner.token), payload });
    expect((await patch({})).statusCode).toBe(400);
    const bad = await patch({ timezone: 'Nowhere/Land', currency: 'ABC' });
    expect(bad.json().errors.map((error: { path: string }) => error.path)).toEqual([
      '/body/timezone',
      '/body/currency',
    ]);
  });

  it('when the store’s own manager edits it, then 200; staff, or a manager of another store of the org, get 403', async () => {
    const org = await createOrganization(t);
    const { id } = await createStore(t, { organizationId: org.id });
    const { id: otherId } = await createStore(t, { organizationId: org.id });
    const patch = (token: string) =>
      t.app.inject({
        method: 'PATCH',
        url: `/v1/stores/${id}`,
        headers: bearer(token),
        payload: { name: 'By someone' },
      });

    expect(
      (await patch((await staffOf(t, { organizationId: org.id, storeId: id, role: 'manager' })).token)).statusCode,
    ).toBe(200);
    expect(
      (await patch((await staffOf(t, { organizationId: org.id, storeId: otherId, role: 'manager' })).token)).statusCode,
    ).toBe(403);
    expect(
      (await patch((await staffOf(t, { organizationId: org.id, storeId: id, role: 'staff' })).token)).statusCode,
    ).toBe(403);
    expect((await patch((await staffOf(t, { organizationId: org.id, role: 'courier' })).token)).statusCode).toBe(403);
  });

  it('when weekly hours are replaced, then the store shows them and its ETag moves on; overlaps and stale ETags are refused', async () => {
    const org = await createOrganization(t);
    const { id } = await createStore(t, { organizationId: org.id });
    const etag = String((await get(`/v1/stores/${id}`)).headers.etag);
    const put = (opening_hours: object[], headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'PUT',
        url: `/v1/stores/${id}/opening-hours`,
        headers: { ...bearer(org.owner.token), ...headers },
        payload: { opening_hours },
      });

    const hours = [
      { weekday: 6, opens_at: '12:00', closes_at: '01:00' },
      { weekday: 1, opens_at: '11:30', closes_at: '14:30' },
      { weekday: 1, opens_at: '17:30', closes_at: '22:00' },
    ];
    const replaced = await put(hours, { 'if-match': etag });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().opening_hours).toEqual([hours[1], hours[2], hours[0]]);
    expect(replaced.headers.etag).not.toBe(etag);

    expect((await put([], { 'if-match': etag })).statusCode).toBe(412);
    const overlapping = await put([
      { weekday: 7, opens_at: '18:00', closes_at: '03:00' },
      { weekday: 1, opens_at: '02:00', closes_at: '04:00' },
      { weekday: 3, opens_at: '00:00', closes_at: '00:00' },
      { weekday: 3, opens_at: '10:00', closes_at: '11:00' },
    ]);
    expect(overlapping.statusCode).toBe(400);
    expect(overlapping.json().errors).toEqual([
      { path: '/body/opening_hours/1', message: 'overlaps /0 (Sunday 18:00–03:00)' },
      { path: '/body/opening_hours/3', message: 'overlaps /2 (Wednesday 00:00–00:00)' },
    ]);
    expect((await get(`/v1/stores/${id}`)).json().opening_hours).toHaveLength(3);
  });

  it('when exceptions are set, replaced, listed and removed, then each step answers as documented', async () => {
    const zone = middayZone();
    const org = await createOrganization(t);
    const { id } = await createStore(t, { organizationId: org.id, timezone: zone });
    const today = dayNumberOf(localDateAt(new Date(), zone))!;
    const [d1, d2, d3] = [1, 2, 3].map((n) => dateOfDayNumber(today + n));
    const put = (date: string, payload: object) =>
      t.app.inject({
        method: 'PUT',
        url: `/v1/stores/${id}/hours-exceptions/${date}`,
        headers: bearer(org.owner.token),
        payload,
      });

    const created = await put(d1!, { closed: true });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe(`/v1/stores/${id}/hours-exceptions/${d1}`);
    const replaced = await put(d1!, {
      closed: false,
      intervals: [{ opens_at: '10:00', closes_at: '14:00' }],
      note: 'Short day',
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toEqual({
      id: created.json().id,
      date: d1,
      closed: false,
      intervals: [{ opens_at: '10:00', closes_at: '14:00' }],
      note: 'Short day',
    });
    await put(d2!, { closed: true });
    await put(d3!, { closed: true });

    const staff = await staffOf(t, { organizationId: org.id, storeId: id, role: 'staff' });
    const page1 = (await get(`/v1/stores/${id}/hours-exceptions?limit=2`, bearer(staff.token))).json();
    expect(page1.data.map((exception: { date: string }) => exception.date)).toEqual([d1, d2]);
    const page2 = (
      await get(`/v1/stores/${id}/hours-exceptions?limit=2&cursor=${page1.next_cursor}`, bearer(staff.token))
    ).json();
    expect(page2).toMatchObject({ data: [{ date: d3 }], has_more: false });
    expect((await get(`/v1/stores/${id}/hours-exceptions?from=${d3}`, bearer(staff.token))).json().data).toHaveLength(
      1,
    );
    expect(
      (await get(`/v1/stores/${id}`)).json().hours_exceptions.map((exception: { date: string }) => exception.date),
    ).toEqual([d1, d2, d3]);

    const del = (date: string) =>
      t.app.inject({
        method: 'DELETE',
        url: `/v1/stores/${id}/hours-exceptions/${date}`,
        headers: bearer(org.owner.token),
      });
    expect((await del(d2!)).statusCode).toBe(204);
    expect((await del(d2!)).statusCode).toBe(404);
    expect((await get(`/v1/stores/${id}`)).json().hours_exceptions).toHaveLength(2);
  });

  it('when an exception is inconsistent, in the past or overlapping, then it is refused with the reason', async () => {
    const zone = middayZone();
    const org = await createOrganization(t);
    const { id } = await createStore(t, { organizationId: org.id, timezone: zone });
    const today = dayNumberOf(localDateAt(new Date(), zone))!;
    const put = (date: string, payload: object) =>
      t.app.inject({
        method: 'PUT',
        url: `/v1/stores/${id}/hours-exceptions/${date}`,
        headers: bearer(org.owner.token),
        payload,
      });
    const tomorrow = dateOfDayNumber(today + 1);

    const both = await put(tomorrow, { closed: true, intervals: [{ opens_at: '10:00', closes_at: '12:00' }] });
    expect(both.statusCode).toBe(400);
    expect(both.json().errors).toEqual([{ path: '/body/intervals', message: 'must be empty when closed is true' }]);
    expect((await put(tomorrow, { closed: false })).json().errors[0].path).toBe('/body/intervals');
    const overlap = await put(tomorrow, {
      closed: false,
      intervals: [
        { opens_at: '18:00', closes_at: '02:00' },
        { opens_at: '19:00', closes_at: '20:00' },
      ],
    });
    expect(overlap.json().errors).toEqual([{ path: '/body/intervals/1', message: 'overlaps /0 (18:00–02:00)' }]);

    const past = await put(dateOfDayNumber(today - 1), { closed: true });
    expect(past.statusCode).toBe(422);
    expect(past.json().code).toBe('HOURS_EXCEPTION_IN_PAST');
    expect((await put(dateOfDayNumber(today + 800), { closed: true })).json().code).toBe(
      'HOURS_EXCEPTION_TOO_FAR_AHEAD',
    );
    expect((await put('2026-02-30', { closed: true })).statusCode).toBe(400);
  });
});
