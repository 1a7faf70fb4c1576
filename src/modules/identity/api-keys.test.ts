import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, staffOf } from '../../test-support/identity-factories.js';
import { organizationWithStore } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const createKey = (token: string, organizationId: string, payload: object) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/organizations/${organizationId}/api-keys`,
    headers: bearer(token),
    payload,
  });

describe('API keys', () => {
  it('when an owner creates a key, then the secret is shown once, works as a Bearer credential and is tracked', async () => {
    const brand = await organizationWithStore(t);
    const res = await createKey(brand.organization.owner.token, brand.organization.id, {
      name: 'POS bridge',
      scopes: ['staff:read'],
    });
    expect(res.statusCode).toBe(201);
    const key = res.json();
    expect(key.secret).toMatch(/^bk_live_/);
    expect(key.secret.startsWith(key.prefix)).toBe(true);
    expect(key.last_used_at).toBeNull();

    const members = await t.app.inject({
      method: 'GET',
      url: `/v1/organizations/${brand.organization.id}/members`,
      headers: bearer(key.secret),
    });
    expect(members.statusCode).toBe(200);

    const list = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/organizations/${brand.organization.id}/api-keys`,
        headers: bearer(brand.organization.owner.token),
      })
    ).json();
    expect(list.data).toHaveLength(1);
    expect(list.data[0].secret).toBeUndefined();
    expect(list.data[0].last_used_at).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(key.secret);
  });

  it('when a key lacks the scope a route needs, then 403 INSUFFICIENT_SCOPE', async () => {
    const brand = await organizationWithStore(t);
    const key = (
      await createKey(brand.organization.owner.token, brand.organization.id, {
        name: 'read stores',
        scopes: ['stores:read'],
      })
    ).json();
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/organizations/${brand.organization.id}/members`,
      headers: bearer(key.secret),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('INSUFFICIENT_SCOPE');
  });

  it('when a key tries to create keys or read /v1/me, then it is refused: keys do not mint keys', async () => {
    const brand = await organizationWithStore(t);
    const key = (
      await createKey(brand.organization.owner.token, brand.organization.id, { name: 'k', scopes: ['staff:read'] })
    ).json();
    expect(
      (await createKey(key.secret, brand.organization.id, { name: 'child', scopes: ['staff:read'] })).statusCode,
    ).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.secret) })).statusCode).toBe(403);
  });

  it('when a key is revoked, then it stops working at once', async () => {
    const brand = await organizationWithStore(t);
    const key = (
      await createKey(brand.organization.owner.token, brand.organization.id, { name: 'k', scopes: ['staff:read'] })
    ).json();
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/v1/organizations/${brand.organization.id}/api-keys/${key.id}`,
      headers: bearer(brand.organization.owner.token),
    });
    expect(revoke.statusCode).toBe(204);
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/organizations/${brand.organization.id}/members`,
      headers: bearer(key.secret),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('INVALID_API_KEY');
  });

  it('when an unknown scope is asked for, then 400 names the field', async () => {
    const brand = await organizationWithStore(t);
    const res = await createKey(brand.organization.owner.token, brand.organization.id, {
      name: 'k',
      scopes: ['everything'],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('/body/scopes/0');
  });

  it('when staff (not manager) tries to create a key, then 403', async () => {
    const brand = await organizationWithStore(t);
    const staff = await staffOf(t, { organizationId: brand.organization.id, storeId: brand.store.id, role: 'staff' });
    expect(
      (await createKey(staff.token, brand.organization.id, { name: 'k', scopes: ['staff:read'] })).statusCode,
    ).toBe(403);
  });

  it('when a key of organization A is used on organization B, or A lists/revokes B keys, then 404', async () => {
    const a = await organizationWithStore(t);
    const b = await organizationWithStore(t);
    const aKey = (
      await createKey(a.organization.owner.token, a.organization.id, { name: 'a', scopes: ['staff:read'] })
    ).json();
    const bKey = (
      await createKey(b.organization.owner.token, b.organization.id, { name: 'b', scopes: ['staff:read'] })
    ).json();
    const attempts = await Promise.all([
      t.app.inject({
        method: 'GET',
        url: `/v1/organizations/${b.organization.id}/members`,
        headers: bearer(aKey.secret),
      }),
      t.app.inject({
        method: 'GET',
        url: `/v1/organizations/${b.organization.id}/api-keys`,
        headers: bearer(a.organization.owner.token),
      }),
      t.app.inject({
        method: 'DELETE',
        url: `/v1/organizations/${b.organization.id}/api-keys/${bKey.id}`,
        headers: bearer(a.organization.owner.token),
      }),
      t.app.inject({
        method: 'DELETE',
        url: `/v1/organizations/${a.organization.id}/api-keys/${bKey.id}`,
        headers: bearer(a.organization.owner.token),
      }),
    ]);
    expect(attempts.map((res) => res.statusCode)).toEqual([404, 404, 404, 404]);
    // B's key still works: nothing of A's reached it.
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/organizations/${b.organization.id}/members`,
          headers: bearer(bKey.secret),
        })
      ).statusCode,
    ).toBe(200);
  });
});
