// (being built) Catalog management: CRUD, validation, ETags, import/export, 86, prices, taxes.
import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import type { CatalogEvents } from './events.js';
import type { Invalidation } from './storefront.js';

export interface ManagementDeps {
  db: Db;
  events: EventAppender<CatalogEvents>;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  clock: () => Date;
  /** Called after a committed catalog write: drops the affected stores' cached menus on every node. */
  invalidate(change: Invalidation): Promise<void>;
}

export function createCatalogManagement(deps: ManagementDeps) {
  void deps;
  const routes: FastifyPluginAsync = async () => undefined;
  return { routes, api: {} };
}
