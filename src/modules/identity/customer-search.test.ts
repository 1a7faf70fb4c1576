import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, createUser, customer, signIn, staffOf, type TestUser } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import { createStore, organizationWithStore, type TestOrganization } from '../../test-support/tenancy-factories.js';
import { waitFor } from '../../test-support/wait.js';

interface Hit {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  score: number;
}

describe('staff customer search', () => {
  let t: TestApp;
  let org: TestOrganization;
  let storeId: string;
  let otherOrg: TestOrganization;
  let margaret: TestUser;
  let jonathan: TestUser;
  let stranger: TestUser;
  let otherOrgCustomer: TestUser;

  const setPhone = (userId: string, phone: string) => t.modules.identity.api.setPhone(t.db.database.db, userId, phone);
  const link = (organizationId: string, userId: string) =>
    t.modules.identity.api.recordCustomer(t.db.database.db, { organizationId, userId });
  const searchAs = (token: string, q: string, organizationId = org.id) =>
    t.app.inject({
      method: 'GET',
      url: `/v1/organizations/${organizationId}/customers?q=${encodeURIComponent(q)}`,
      headers: bearer(token),
    });
  const names = (res: { json: <T>() => T }) => res.json<{ data: Hit[] }>().data.map((hit) => hit.name);

  beforeAll(async () => {
    t = await createTestApp();
    const created = await organizationWithStore(t);
    org = created.organization;
    storeId = created.store.id;
    otherOrg = (await organizationWithStore(t)).organization;
    margaret = await createUser(t, {
      name: 'Margaret Thompson',
      email: `margaret.thompson.${Date.now()}@mail.example`,
    });
    jonathan = await createUser(t, { name: 'Jonathan Miller', email: `jmiller.${Date.now()}@corp.example` });
    stranger = await createUser(t, { name: 'Margaret Stranger', email: `stranger.${Date.now()}@mail.example` });
    otherOrgCustomer = await createUser(t, {
      name: 'Margaret Elsewhere',
      email: `elsewhere.${Date.now()}@mail.example`,
    });
    await setPhone(margaret.id, '+49 30 1234-5678');
    await setPhone(jonathan.id, '+1 (212) 555-0199');
    await setPhone(stranger.id, '+49 30 1234-5679');
    await setPhone(otherOrgCustomer.id, '+49 30 1234-5670');
    await link(org.id, margaret.id);
    await link(org.id, jonathan.id);
    await link(org.id, jonathan.id); // idempotent
    await link(otherOrg.id, otherOrgCustomer.id);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('when staff search by partial phone digits, then the customer is found whatever the formatting', async () => {
    const staff = await staffOf(t, { organizationId: org.id, role: 'staff' });
    const res = await searchAs(staff.token, '1234-56');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.json<{ data: Hit[] }>().data).toEqual([
      {
        id: margaret.id,
        name: 'Margaret Thompson',
        email: margaret.email,
        phone: '+49 30 1234-5678',
        score: expect.any(Number),
      },
    ]);
    expect(names(await searchAs(staff.token, '5550199'))).toEqual(['Jonathan Miller']);
  });

  it('when a manager searches an email fragment, then the matching customer is found', async () => {
    const manager = await staffOf(t, { organizationId: org.id, role: 'manager' });
    expect(names(await searchAs(manager.token, 'corp.exa'))).toEqual(['Jonathan Miller']);
    expect(names(await searchAs(manager.token, 'JMILLER'))).toEqual(['Jonathan Miller']);
  });

  it('when store-level staff search a name with a typo, then the customer is found', async () => {
    const counter = await staffOf(t, { organizationId: org.id, storeId, role: 'staff' });
    expect(names(await searchAs(counter.token, 'Margret'))).toEqual(['Margaret Thompson']);
    expect(names(await searchAs(counter.token, 'jonathon miler'))).toEqual(['Jonathan Miller']);
  });

  it("when the owner searches, then people who are not this organization's customers never appear (other brands' customers, other users), even on a near-exact match", async () => {
    const res = await searchAs(org.owner.token, 'margaret');
    expect(names(res)).toEqual(['Margaret Thompson']);
    expect(names(await searchAs(org.owner.token, stranger.email))).toEqual([]);
    expect(names(await searchAs(org.owner.token, '1234-5670'))).toEqual([]);
    // The other brand finds its own customer, and not ours.
    expect(names(await searchAs(otherOrg.owner.token, 'margaret', otherOrg.id))).toEqual(['Margaret Elsewhere']);
  });

  it('when a customer searches, then 403; when staff of another organization search, then 404; a courier of the organization, 403; no token, 401', async () => {
    const someone = await customer(t);
    expect((await searchAs(someone.token, 'margaret')).statusCode).toBe(403);
    const otherStaff = await staffOf(t, { organizationId: otherOrg.id, role: 'manager' });
    const foreign = await searchAs(otherStaff.token, 'margaret');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 'NOT_FOUND' });
    const courier = await staffOf(t, { organizationId: org.id, role: 'courier' });
    expect((await searchAs(courier.token, 'margaret')).statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/organizations/${org.id}/customers?q=margaret` })).statusCode,
    ).toBe(401);
  });

  it('when q is shorter than 2 or longer than 100 characters, then 400', async () => {
    expect((await searchAs(org.owner.token, 'm')).statusCode).toBe(400);
    expect((await searchAs(org.owner.token, 'm'.repeat(101))).statusCode).toBe(400);
  });

  it('when LIKE wildcards are typed, then they match literally', async () => {
    expect(names(await searchAs(org.owner.token, '%%'))).toEqual([]);
    expect(names(await searchAs(org.owner.token, '___'))).toEqual([]);
  });

  it('when an organization has a second store, then its store-level staff may search too', async () => {
    const second = await createStore(t, { organizationId: org.id });
    const staff = await staffOf(t, { organizationId: org.id, storeId: second.id, role: 'staff' });
    expect((await searchAs(staff.token, 'margaret')).statusCode).toBe(200);
  });

  it('when a person places their first order at a store, then the relay makes them a customer of that brand and its staff find them', async () => {
    await t.startWorker();
    const shop = await orderingStore(t);
    const guest = await createUser(t, { name: 'Philippa Firstorder' });
    const token = await signIn(t, guest);
    expect(names(await searchAs(shop.ownerToken, 'philippa', shop.organization.id))).toEqual([]);
    const placed = await placeOrder(t, token, shop.store.id, { channel: 'pickup', lines: [margheritaLine(shop.ids)] });
    expect(placed.statusCode, placed.body).toBe(201);
    await waitFor('the customer to be recorded', async () => {
      const found = names(await searchAs(shop.ownerToken, 'philippa', shop.organization.id));
      return found.length > 0 ? found : undefined;
    }).then((found) => expect(found).toEqual(['Philippa Firstorder']));
    // Another brand's staff still do not see them.
    expect(names(await searchAs(org.owner.token, 'philippa'))).toEqual([]);
  });
});
