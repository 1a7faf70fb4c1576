// What inventory needs from outside: its database, its events, and the two modules it leans on.
import type { Db } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import type { CatalogApi, CatalogModule } from '../catalog/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import type { InventoryEvents } from './events.js';

export interface InventoryServiceDeps {
  db: Db;
  events: EventAppender<InventoryEvents>;
  /** The sold-out 86s, the item check, and dropping a store's cached menus after commit. */
  catalog: {
    api: Pick<CatalogApi, 'markSoldOut' | 'clearSoldOut' | 'findItem'>;
    invalidate: CatalogModule['invalidate'];
  };
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
}
