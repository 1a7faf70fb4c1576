import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { apiKey, bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization, createStore, storeBody } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const found = (token: string | null, payload: object) =>
  t.app.inject({ method: 'POST', url: '/v1/organizations', headers: token ? bearer(token) : {}, payload });

describe('organizations', () => {
  it('when a signed-in person founds an organization, then 201 with Location, and they own it', async () => {
    const founder = await customer(t);
    const res = await found(founder.token, { slug: 'pizza-pronto', name: 'Pizza Pronto' });
    expect(res.statusCode).toBe(201);
    const org = res.json();
    expect(org).toEqual({
      id: expect.any(String),
      slug: 'pizza-pronto',
      name: 'Pizza Pronto',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(res.headers.location).toBe(`/v1/organizations/${org.id}`);

    // Owner rights take effect on the next request: the founder may open a store.
    const store = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${org.id}/stores`,
      headers: bearer(founder.token),
      payload: storeBody(),
    });
    expect(store.statusCode).toBe(201);
    const me = (await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(founder.token) })).json();
    expect(JSON.stringify(me)).toContain(org.id);
  });

  it('when the slug is taken, then 409 ORGANIZATION_SLUG_TAKEN and nothing is created', async () => {
    const first = await customer(t);
    const second = await customer(t);
    expect((await found(first.token, { slug: 'taken-slug', name: 'First' })).statusCode).toBe(201);
    const res = await found(second.token, { slug: 'taken-slug', name: 'Second' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ORGANIZATION_SLUG_TAKEN');
  });

  it('when the body is invalid, then 400 lists every bad field', async () => {
    const person = await customer(t);
    const res = await found(person.token, { slug: 'Not A Slug!', extra: true });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((error: { path: string }) => error.path)).toEqual(
      expect.arrayContaining(['/body/slug', '/body/name', '/body/extra']),
    );
  });

  it('when no one is signed in, then 401; an API key may not found organizations', async () => {
    expect((await found(null, { slug: 'anon-brand', name: 'Anon' })).statusCode).toBe(401);
    const org = await createOrganization(t);
    const key = await apiKey(t, org.owner.token, org.id, ['organizations:read']);
    expect((await found(key, { slug: 'keyed-brand', name: 'Keyed' })).statusCode).toBe(403);
  });

  it('when people with a role in the organization read it, then 200 with an ETag; outsiders and customers get 404', async () => {
    const org = await createOrganization(t);
    const { id: storeId } = await createStore(t, { organizationId: org.id });
    const read = (token: string) =>
      t.app.inject({ method: 'GET', url: `/v1/organizations/${org.id}`, headers: bearer(token) });

    const byOwner = await read(org.owner.token);
    expect(byOwner.statusCode).toBe(200);
    expect(byOwner.json()).toMatchObject({ id: org.id, slug: org.slug });
    expect(byOwner.headers.etag).toBe('"1"');
    expect(byOwner.headers['cache-control']).toBe('private, no-store');
    expect((await read((await staffOf(t, { organizationId: org.id, storeId, role: 'staff' })).token)).statusCode).toBe(
      200,
    );
    expect((await read(await apiKey(t, org.owner.token, org.id, ['organizations:read']))).statusCode).toBe(200);
    expect((await read(await apiKey(t, org.owner.token, org.id, ['stores:read']))).statusCode).toBe(403);

    const outsider = await createOrganization(t);
    expect((await read(outsider.owner.token)).statusCode).toBe(404);
    expect((await read((await customer(t)).token)).statusCode).toBe(403); // no role anywhere: stopped at the door
  });

  it('when the owner renames it with the current ETag, then 200; a stale ETag is 412; a taken slug is 409; managers get 403', async () => {
    const org = await createOrganization(t);
    const other = await createOrganization(t);
    const patch = (token: string, payload: object, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'PATCH',
        url: `/v1/organizations/${org.id}`,
        headers: { ...bearer(token), ...headers },
        payload,
      });

    const renamed = await patch(
      org.owner.token,
      { name: 'Renamed Brand', slug: `${org.slug}-new` },
      { 'if-match': '"1"' },
    );
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Renamed Brand', slug: `${org.slug}-new` });
    expect(renamed.headers.etag).toBe('"2"');

    const stale = await patch(org.owner.token, { name: 'Lost' }, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    const taken = await patch(org.owner.token, { slug: other.slug });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('ORGANIZATION_SLUG_TAKEN');

    const manager = await staffOf(t, { organizationId: org.id, role: 'manager' });
    expect((await patch(manager.token, { name: 'By manager' })).statusCode).toBe(403);
    expect((await patch(org.owner.token, {})).statusCode).toBe(400);
  });
});

describe('API documentation', () => {
  it('when the OpenAPI document is read, then every tenancy operation is named, summarized, tagged and lists its problems', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operations = Object.entries(
      doc.paths as Record<
        string,
        Record<
          string,
          {
            operationId?: string;
            summary?: string;
            tags?: string[];
            responses: Record<string, unknown>;
            security?: unknown[];
          }
        >
      >,
    )
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({
          route: `${method.toUpperCase()} ${path}`,
          ...operation,
        })),
      )
      .filter((operation) =>
        [
          'createOrganization',
          'getOrganization',
          'updateOrganization',
          'createStore',
          'listStores',
          'getStore',
          'updateStore',
          'replaceStoreOpeningHours',
          'listStoreHoursExceptions',
          'setStoreHoursException',
          'deleteStoreHoursException',
          'createTable',
          'listTables',
          'getTable',
          'updateTable',
          'deleteTable',
          'rotateTableQrToken',
          'scanTable',
        ].includes(operation.operationId ?? ''),
      );
    expect(operations).toHaveLength(18);
    for (const operation of operations) {
      expect(operation.summary, operation.route).toBeTruthy();
      expect(['organizations', 'stores']).toContain(operation.tags?.[0]);
      expect(
        Object.keys(operation.responses).some((status) => status.startsWith('4')),
        operation.route,
      ).toBe(true);
      const isPublic = ['listStores', 'getStore', 'scanTable'].includes(operation.operationId!);
      // Public operations say "no credentials" with an empty requirement (docs-responses.ts).
      expect(operation.security, operation.route).toEqual(isPublic ? [{}] : [{ bearer: [] }]);
    }
  });
});
