// Catalog management: CRUD of the brand catalog with validation and ETags, whole-catalog
// import/export, and the store-scoped settings (published menus, taxes, prices, 86s).
import type { Db, Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import type { CatalogEvents } from './events.js';
import type { CatalogDocument, ImportReport } from './manage/document-schema.js';
import { catalogRepo } from './manage/catalog-repo.js';
import { managementRoutes } from './manage/routes.js';
import { createManagementService } from './manage/service.js';
import type { Invalidation } from './storefront.js';

export type { CatalogDocument, ImportReport } from './manage/document-schema.js';

export interface ManagementDeps {
  db: Db;
  events: EventAppender<CatalogEvents>;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  clock: () => Date;
  /** Called after a committed catalog write: drops the affected stores' cached menus on every node. */
  invalidate(change: Invalidation): Promise<void>;
}

export function createCatalogManagement(deps: ManagementDeps) {
  const service = createManagementService(deps);
  return {
    routes: managementRoutes(service),
    service,
    /** What the demo seed, test factories and other modules may call. */
    api: {
      /**
       * Imports a whole catalog document into the organization inside the caller's transaction
       * (validated like PUT /v1/organizations/{id}/catalog: ValidationError lists every problem).
       * Matches by ref, so importing the same document twice changes nothing the second time.
       * Bumps catalog_versions and appends catalog.catalog.changed when something changed; the
       * cached menus of the brand are dropped once the caller commits.
       */
      async importCatalog(trx: Tx, organizationId: string, document: CatalogDocument): Promise<ImportReport> {
        return service.importIn(trx, organizationId, document);
      },
      /** Publishes these menus (by id, in order) at the store, replacing what it published. */
      async publishMenus(
        trx: Tx,
        input: { organizationId: string; storeId: string; menuIds: string[] },
      ): Promise<void> {
        await service.publishMenusIn(trx, input.organizationId, input.storeId, input.menuIds);
      },
      /** Tax settings and/or price overrides of a store (each given part replaces the old one). */
      async setStoreCatalogSettings(
        trx: Tx,
        input: {
          organizationId: string;
          storeId: string;
          taxSettings?: { prices_include_tax: boolean; rates: Array<{ tax_category_id: string; rate_bps: number }> };
          priceOverrides?: Array<{
            item_id: string | null;
            variant_id: string | null;
            option_id: string | null;
            channel: 'pickup' | 'delivery' | 'dine_in' | null;
            price: number;
          }>;
        },
      ): Promise<void> {
        await service.storeSettingsIn(trx, input.organizationId, input.storeId, input);
      },
      /**
       * 86s the item at the store because its tracked stock ran out (reason 'sold_out', no end),
       * inside the caller's transaction, unless an 86 of it is in force already. True when one
       * was written. The caller drops the store's cached menus once it commits.
       */
      markSoldOut: (trx: Tx, input: { organizationId: string; storeId: string; itemId: string }): Promise<boolean> =>
        service.markSoldOutIn(trx, input),
      /** Lifts the item's sold-out 86 at the store (a manual 86 stays). True when there was one. */
      clearSoldOut: (trx: Tx, input: { storeId: string; itemId: string }): Promise<boolean> =>
        service.clearSoldOutIn(trx, input),
      /** id, organization_id and name of an item; null for no such item. */
      findItem: (itemId: string, trx?: Tx) => service.findItem(itemId, trx),
      /**
       * Which of these item, category and variant ids are the brand's (marketing checks the ids a
       * promotion names on write). Ids of another brand, or of no row, are left out.
       */
      async catalogIdsOf(
        organizationId: string,
        ids: { itemIds: string[]; categoryIds: string[]; variantIds: string[] },
        trx?: Tx,
      ): Promise<{ itemIds: Set<string>; categoryIds: Set<string>; variantIds: Set<string> }> {
        const ex = trx ?? deps.db;
        return {
          itemIds: await catalogRepo.idsOfOrganization(ex, 'items', organizationId, ids.itemIds),
          categoryIds: await catalogRepo.idsOfOrganization(ex, 'categories', organizationId, ids.categoryIds),
          variantIds: await catalogRepo.idsOfOrganization(ex, 'item_variants', organizationId, ids.variantIds),
        };
      },
      /** The category of each of these items of the brand (items of another brand are left out). */
      categoriesOfItems: (organizationId: string, itemIds: string[], trx?: Tx) =>
        catalogRepo.categoriesOfItems(trx ?? deps.db, organizationId, itemIds),
      /** The menu, category, item, group and option ids of the brand by ref (for seeds and tests). */
      idsByRef: (organizationId: string, trx?: Tx) => service.idsByRef(organizationId, trx),
    },
  };
}
