// Management built directly with a recording `invalidate`, to see exactly which stores each
// committed write makes stale (and that refused writes invalidate nothing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../../platform/auth/principal.js';
import { createEventAppender } from '../../platform/events/index.js';
import { storeWithMenu } from '../../test-support/catalog-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import type { CatalogEvents } from './events.js';
import { createCatalogManagement } from './manage.js';
import type { Invalidation } from './storefront.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

function management() {
  const calls: Invalidation[] = [];
  const { service } = createCatalogManagement({
    db: t.db.database.db,
    events: createEventAppender<CatalogEvents>(),
    tenancy: t.modules.tenancy,
    clock: () => new Date(),
    invalidate: async (change) => void calls.push(change),
  });
  return { service, calls };
}

const ownerOf = (organizationId: string, userId: string): UserPrincipal => ({
  kind: 'user',
  userId,
  platformAdmin: false,
  grants: [{ role: 'owner', organizationId, storeId: null }],
});

describe('cache invalidation after catalog writes', () => {
  it('when brand-wide writes commit, then invalidate is called once each for every store of the brand (storeIds null)', async () => {
    const { organization, ids } = await storeWithMenu(t);
    const { service, calls } = management();
    const owner = ownerOf(organization.id, organization.owner.user.id);
    await service.items.update(owner, ids.items.diavola!, { price: 1000 }, null);
    await service.categories.create(owner, organization.id, { name: 'Sides' });
    await service.menus.remove(owner, ids.menus['late-night']!, null);
    expect(calls).toEqual([1, 2, 3].map(() => ({ organizationId: organization.id, storeIds: null })));
  });

  it('when store-scoped writes commit, then only that store is invalidated', async () => {
    const { organization, store, ids } = await storeWithMenu(t);
    const { service, calls } = management();
    const owner = ownerOf(organization.id, organization.owner.user.id);
    const row = await service.eightySix(owner, store.id, { option_id: ids.options['base/white'] });
    await service.unEightySix(owner, store.id, row.id);
    await service.publishMenus(owner, store.id, [ids.menus['all-day']!]);
    await service.replacePriceOverrides(owner, store.id, [{ item_id: ids.items.lemonade!, channel: null, price: 300 }]);
    await service.replaceTaxSettings(owner, store.id, { prices_include_tax: true, rates: [] });
    expect(calls).toEqual([1, 2, 3, 4, 5].map(() => ({ organizationId: organization.id, storeIds: [store.id] })));
  });

  it('when a write is refused or changes nothing, then nothing is invalidated', async () => {
    const { organization, ids } = await storeWithMenu(t);
    const { service, calls } = management();
    const owner = ownerOf(organization.id, organization.owner.user.id);
    await expect(service.items.update(owner, ids.items.diavola!, { price: 1 }, [42])).rejects.toMatchObject({
      status: 412,
    });
    await expect(
      service.modifierGroups.update(owner, ids.modifier_groups.base!, { min_select: 5, max_select: 5 }, null),
    ).rejects.toMatchObject({ status: 400 });
    const exported = await service.exportCatalog(owner, organization.id);
    const report = await service.importCatalog(owner, organization.id, exported.document, null);
    expect(report.changed).toBe(false);
    expect(calls).toEqual([]);
  });
});
