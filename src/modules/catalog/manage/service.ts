// Business rules of catalog management, put together: the brand-wide collections (one CRUD
// helper, five collections), the whole-catalog document, and the store-scoped settings and 86s.
// Brand-wide writes run the frame of catalog-edit.ts, store-scoped ones that of store-edit.ts.
import type { Db, Tx } from '../../../platform/db/index.js';
import type { EventAppender } from '../../../platform/events/index.js';
import type { TenancyApi } from '../../tenancy/index.js';
import type { CatalogEvents } from '../events.js';
import type { Invalidation } from '../storefront.js';
import { createCatalogEdits } from './catalog-edit.js';
import { catalogRepo } from './catalog-repo.js';
import { categories } from './categories.js';
import { collectionService } from './collection.js';
import { eightySixService } from './eighty-sixes.js';
import { items } from './items.js';
import { menus } from './menus.js';
import { modifierGroups } from './modifier-groups.js';
import { createStoreEdits } from './store-edit.js';
import { storeSettingsService } from './store-settings.js';
import { taxCategories } from './tax-categories.js';
import { wholeCatalogService } from './whole-catalog.js';

export interface ManagementServiceDeps {
  db: Db;
  events: EventAppender<CatalogEvents>;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  clock: () => Date;
  invalidate(change: Invalidation): Promise<void>;
}

export function createManagementService(deps: ManagementServiceDeps) {
  const edits = createCatalogEdits(deps);
  const stores = createStoreEdits(deps);
  return {
    ...wholeCatalogService(deps, edits),
    taxCategories: collectionService(edits, taxCategories),
    categories: collectionService(edits, categories),
    items: collectionService(edits, items),
    modifierGroups: collectionService(edits, modifierGroups),
    menus: collectionService(edits, menus),
    ...storeSettingsService(deps, stores),
    ...eightySixService(deps, stores),
    /** Module api: id, organization and name of an item; null for no such item. */
    findItem: (itemId: string, trx?: Tx) => catalogRepo.findItem(trx ?? deps.db, itemId),
  };
}

export type ManagementService = ReturnType<typeof createManagementService>;
