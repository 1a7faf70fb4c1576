import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer, login, staffOf } from '../../test-support/identity-factories.js';
import { organizationWithStore } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const addMember = (token: string, organizationId: string, payload: object) =>
  t.app.inject({ method: 'POST', url: `/v1/organizations/${organizationId}/members`, headers: bearer(token), payload });

describe('staff invitations', () => {
  it('when an owner adds a person with no account, then they are invited and can set a password and act as staff', async () => {
    const brand = await organizationWithStore(t);
    const email = `new-${randomBytes(4).toString('hex')}@example.test`;
    const res = await addMember(brand.organization.owner.token, brand.organization.id, {
      email,
      role: 'staff',
      store_id: brand.store.id,
      name: 'Nia',
    });
    expect(res.statusCode).toBe(201);
    const member = res.json();
    expect(member).toMatchObject({
      role: 'staff',
      store_id: brand.store.id,
      status: 'invited',
      user: { email, name: 'Nia' },
    });
    expect(member.invitation.token).toMatch(/^inv_/);

    const accepted = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/invitations/acceptance',
      payload: { token: member.invitation.token, password: 'my own good password' },
    });
    expect(accepted.statusCode).toBe(200);
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(accepted.json().access_token) });
    expect(me.json().roles).toEqual([
      { role: 'staff', organization_id: brand.organization.id, store_id: brand.store.id },
    ]);

    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/invitations/acceptance',
      payload: { token: member.invitation.token, password: 'another good password' },
    });
    expect(again.statusCode).toBe(401);
    expect(again.json().code).toBe('INVALID_INVITATION');
    await expect(login(t, { email, password: 'my own good password' })).resolves.toMatchObject({
      token_type: 'Bearer',
    });
  });

  it('when an existing account is added, then no invitation is issued and the role shows on their next request', async () => {
    const brand = await organizationWithStore(t);
    const person = await customer(t);
    const res = await addMember(brand.organization.owner.token, brand.organization.id, {
      email: person.user.email,
      role: 'manager',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().invitation).toBeUndefined();
    expect(res.json().status).toBe('active');
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(person.token) });
    expect(me.json().roles).toEqual([{ role: 'manager', organization_id: brand.organization.id, store_id: null }]);
  });

  it('when the same role is granted twice, then 409 MEMBERSHIP_EXISTS', async () => {
    const brand = await organizationWithStore(t);
    const person = await customer(t);
    await addMember(brand.organization.owner.token, brand.organization.id, { email: person.user.email, role: 'staff' });
    const res = await addMember(brand.organization.owner.token, brand.organization.id, {
      email: person.user.email,
      role: 'staff',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('MEMBERSHIP_EXISTS');
  });

  it('when a manager tries to make someone a manager or owner, then 403; staff roles are fine', async () => {
    const brand = await organizationWithStore(t);
    const manager = await staffOf(t, { organizationId: brand.organization.id, role: 'manager' });
    const person = await customer(t);
    for (const role of ['manager', 'owner']) {
      const res = await addMember(manager.token, brand.organization.id, { email: person.user.email, role });
      expect(res.statusCode).toBe(403);
    }
    expect(
      (await addMember(manager.token, brand.organization.id, { email: person.user.email, role: 'courier' })).statusCode,
    ).toBe(201);
  });

  it('when a store of another organization is named, then 422 STORE_NOT_IN_ORGANIZATION', async () => {
    const mine = await organizationWithStore(t);
    const theirs = await organizationWithStore(t);
    const res = await addMember(mine.organization.owner.token, mine.organization.id, {
      email: 'x@example.test',
      role: 'staff',
      store_id: theirs.store.id,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('STORE_NOT_IN_ORGANIZATION');
  });

  it('when the last owner is removed, then 409 LAST_OWNER; with a second owner it works', async () => {
    const brand = await organizationWithStore(t);
    const list = await t.app.inject({
      method: 'GET',
      url: `/v1/organizations/${brand.organization.id}/members`,
      headers: bearer(brand.organization.owner.token),
    });
    const ownerMembership = list.json().data.find((member: { role: string }) => member.role === 'owner');
    const remove = () =>
      t.app.inject({
        method: 'DELETE',
        url: `/v1/organizations/${brand.organization.id}/members/${ownerMembership.id}`,
        headers: bearer(brand.organization.owner.token),
      });
    const refused = await remove();
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('LAST_OWNER');

    const second = await customer(t);
    await addMember(brand.organization.owner.token, brand.organization.id, { email: second.user.email, role: 'owner' });
    expect((await remove()).statusCode).toBe(204);
  });

  it('when two owners remove each other at the same time, then one owner remains', async () => {
    const brand = await organizationWithStore(t);
    const second = await customer(t);
    await addMember(brand.organization.owner.token, brand.organization.id, { email: second.user.email, role: 'owner' });
    const members = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/organizations/${brand.organization.id}/members`,
        headers: bearer(brand.organization.owner.token),
      })
    ).json().data as Array<{ id: string; user: { id: string } }>;
    const firstMembership = members.find((member) => member.user.id === brand.organization.owner.user.id)!;
    const secondMembership = members.find((member) => member.user.id === second.user.id)!;
    const results = await Promise.all([
      t.app.inject({
        method: 'DELETE',
        url: `/v1/organizations/${brand.organization.id}/members/${secondMembership.id}`,
        headers: bearer(brand.organization.owner.token),
      }),
      t.app.inject({
        method: 'DELETE',
        url: `/v1/organizations/${brand.organization.id}/members/${firstMembership.id}`,
        headers: bearer(second.token),
      }),
    ]);
    // Whichever lands second is refused: as the last owner (409), or because its caller has
    // just stopped being an owner (403). Either way the organization keeps exactly one owner.
    const codes = results.map((res) => res.statusCode).sort();
    expect(codes[0]).toBe(204);
    expect([403, 409]).toContain(codes[1]);
    const survivor = results[0]!.statusCode === 204 ? brand.organization.owner.token : second.token;
    const after = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/organizations/${brand.organization.id}/members`,
        headers: bearer(survivor),
      })
    ).json().data as Array<{ role: string }>;
    expect(after.filter((member) => member.role === 'owner')).toHaveLength(1);
  });

  it('when members are listed, then pages follow the cursor without repeats', async () => {
    const brand = await organizationWithStore(t);
    for (let i = 0; i < 4; i++) await staffOf(t, { organizationId: brand.organization.id, role: 'staff' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/organizations/${brand.organization.id}/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.app.inject({ method: 'GET', url, headers: bearer(brand.organization.owner.token) })).json();
      seen.push(...page.data.map((member: { id: string }) => member.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });
});

describe('organization isolation for staff routes', () => {
  it('when an owner of A touches members of B, then every route answers 404', async () => {
    const a = await organizationWithStore(t);
    const b = await organizationWithStore(t);
    const bMembers = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/organizations/${b.organization.id}/members`,
        headers: bearer(b.organization.owner.token),
      })
    ).json().data;
    const attempts = [
      t.app.inject({
        method: 'GET',
        url: `/v1/organizations/${b.organization.id}/members`,
        headers: bearer(a.organization.owner.token),
      }),
      addMember(a.organization.owner.token, b.organization.id, { email: 'spy@example.test', role: 'owner' }),
      t.app.inject({
        method: 'DELETE',
        url: `/v1/organizations/${b.organization.id}/members/${bMembers[0].id}`,
        headers: bearer(a.organization.owner.token),
      }),
      // B's membership id under A's organization: still nothing to find.
      t.app.inject({
        method: 'DELETE',
        url: `/v1/organizations/${a.organization.id}/members/${bMembers[0].id}`,
        headers: bearer(a.organization.owner.token),
      }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });

  it('when a customer calls a staff route, then 403 without learning whether the organization exists', async () => {
    const brand = await organizationWithStore(t);
    const person = await customer(t);
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/organizations/${brand.organization.id}/members`,
      headers: bearer(person.token),
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('member list cursors', () => {
  it('when a forged cursor is sent, then 400 INVALID_CURSOR rather than a database error', async () => {
    const brand = await organizationWithStore(t);
    const forged = Buffer.from(JSON.stringify({ id: "x' OR 1=1 --" })).toString('base64url');
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/organizations/${brand.organization.id}/members?cursor=${forged}`,
      headers: bearer(brand.organization.owner.token),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_CURSOR');
  });
});
