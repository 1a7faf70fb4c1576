import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries } from '../../test-support/audit-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { staffOf } from '../../test-support/identity-factories.js';
import { setStock, stockedStore } from '../../test-support/inventory-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('inventory management writes in the audit log', () => {
  it('when a manager sets, changes and stops tracking stock, then each change is an inventory.stock.set entry with before and after', async () => {
    const world = await stockedStore(t);
    const owner = { token: world.owner };
    const manager = await staffOf(t, { organizationId: world.organizationId, storeId: world.storeId, role: 'manager' });
    const itemId = world.items.lemonade;
    await setStock(t, manager.token, world.storeId, itemId, 12);
    await setStock(t, manager.token, world.storeId, itemId, 12);
    await setStock(t, manager.token, world.storeId, itemId, 5);
    await setStock(t, manager.token, world.storeId, itemId, null);

    const entries = await auditEntries(t, owner, world.organizationId, {
      action: 'inventory.stock.set',
      target_id: itemId,
    });
    // Setting the count it already had changes nothing and records nothing.
    expect(entries.map((entry) => entry.changes)).toEqual([
      { before: { quantity: 5 }, after: { quantity: null } },
      { before: { quantity: 12 }, after: { quantity: 5 } },
      { before: { quantity: null }, after: { quantity: 12 } },
    ]);
    expect(entries.every((entry) => entry.store_id === world.storeId && entry.actor.id === manager.user.id)).toBe(true);
    expect(entries[0]!.target).toEqual({ type: 'item', id: itemId });
  });
});
