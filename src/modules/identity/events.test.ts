import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../../platform/events/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import { organizationWithStore } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const memberEvents = async (organizationId: string) =>
  (await readOutbox(t.db.database.db, { aggregate: { type: 'organization', id: organizationId } })).filter((row) =>
    row.type.startsWith('identity.member.'),
  );

describe('identity domain events', () => {
  it('when staff add and remove a member over HTTP, then member.added and member.removed are appended with ids only: no email, name or invitation token', async () => {
    const brand = await organizationWithStore(t);
    const email = `invitee-${randomBytes(4).toString('hex')}@example.test`;
    const added = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${brand.organization.id}/members`,
      headers: bearer(brand.organization.owner.token),
      payload: { email, role: 'staff', store_id: brand.store.id, name: 'Nia Invitee' },
    });
    expect(added.statusCode).toBe(201);
    const member = added.json();
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/v1/organizations/${brand.organization.id}/members/${member.id}`,
      headers: bearer(brand.organization.owner.token),
    });
    expect(removed.statusCode).toBe(204);

    const rows = await memberEvents(brand.organization.id);
    const data = {
      membership_id: member.id,
      organization_id: brand.organization.id,
      store_id: brand.store.id,
      user_id: member.user.id,
      role: 'staff',
    };
    expect(rows.map((row) => ({ type: row.type, data: row.data }))).toEqual([
      {
        type: 'identity.member.added',
        data: expect.objectContaining({ role: 'owner', user_id: brand.organization.owner.user.id }),
      },
      { type: 'identity.member.added', data },
      { type: 'identity.member.removed', data },
    ]);
    const everything = JSON.stringify(rows);
    for (const secret of [email, 'Nia Invitee', member.invitation.token]) expect(everything).not.toContain(secret);
  });

  it('when another module grants a role outside a transaction, then the grant and its event still commit together', async () => {
    const brand = await organizationWithStore(t);
    const manager = await staffOf(t, { organizationId: brand.organization.id, role: 'manager' });
    const rows = await memberEvents(brand.organization.id);
    expect(rows.at(-1)!.data).toMatchObject({ user_id: manager.user.id, role: 'manager', store_id: null });
  });

  it('when a grant is refused (already a member), then no event is appended', async () => {
    const brand = await organizationWithStore(t);
    const person = await customer(t);
    const add = () =>
      t.app.inject({
        method: 'POST',
        url: `/v1/organizations/${brand.organization.id}/members`,
        headers: bearer(brand.organization.owner.token),
        payload: { email: person.user.email, role: 'staff' },
      });
    expect((await add()).statusCode).toBe(201);
    expect((await add()).statusCode).toBe(409);
    expect(
      (await memberEvents(brand.organization.id)).filter(
        (row) => (row.data as { user_id: string }).user_id === person.user.id,
      ),
    ).toHaveLength(1);
  });
});
