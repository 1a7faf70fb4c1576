import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, lastAudit } from '../../test-support/audit-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const transition = (token: string, orderId: string, action: string) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/orders/${orderId}/transitions`,
    headers: bearer(token),
    payload: { action },
  });

async function cashOrder(own: Awaited<ReturnType<typeof orderingStore>>, token: string) {
  const res = await placeOrder(t, token, own.store.id, {
    channel: 'pickup',
    lines: [margheritaLine(own.ids)],
    payment: { method: 'cash' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

describe('ordering staff writes in the audit log', () => {
  it('when staff accept and advance an order, then each transition is an entry by that person; a customer’s own cancel is not', async () => {
    const own = await orderingStore(t);
    const owner = own.organization.owner;
    const cook = await staffOf(t, { organizationId: own.organization.id, storeId: own.store.id, role: 'staff' });
    const buyer = await customer(t);
    const orderId = await cashOrder(own, buyer.token);
    for (const action of ['accept', 'start_preparing', 'mark_ready'])
      expect((await transition(cook.token, orderId, action)).statusCode).toBe(200);

    const entries = await auditEntries(t, owner, own.organization.id, { target_id: orderId });
    expect(entries.map((entry) => [entry.action, entry.actor.id])).toEqual([
      ['ordering.order.marked_ready', cook.user.id],
      ['ordering.order.preparation_started', cook.user.id],
      ['ordering.order.accepted', cook.user.id],
    ]);
    expect(entries[2]!).toMatchObject({
      store_id: own.store.id,
      target: { type: 'order', id: orderId },
      changes: { before: { status: 'placed' }, after: { status: 'accepted' } },
    });

    const cancelled = await cashOrder(own, buyer.token);
    expect((await transition(buyer.token, cancelled, 'cancel')).statusCode).toBe(200);
    expect(await auditEntries(t, owner, own.organization.id, { target_id: cancelled })).toEqual([]);
  });

  it('when an owner changes the store’s ordering settings, then the entry holds the change', async () => {
    const own = await orderingStore(t, { prep_minutes: 25 });
    const entry = await lastAudit(t, own.organization.owner, own.organization.id, 'ordering.settings.updated');
    expect(entry).toMatchObject({ store_id: own.store.id, changes: { after: { prep_minutes: 25 } } });
  });
});
