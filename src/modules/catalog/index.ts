// Catalog owns what a brand sells — categories, items, variants, modifiers, menus and their hours,
// store and channel prices, taxes, 86'ing — and the storefront's resolved, cached menu and search.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import type { TenancyApi } from '../tenancy/index.js';
import type { CatalogEvents } from './events.js';
import { createCatalogManagement } from './manage.js';
import { createCatalogSearch } from './search.js';
import { createStorefront } from './storefront.js';

export type { CatalogEvents } from './events.js';
export type { CatalogDocument } from './manage.js';
export type { Channel, ResolvedMenu, ResolvedItem, ResolvedGroup, ResolvedOption } from './storefront-resolve.js';

export interface CatalogDeps {
  db: Db;
  events: EventAppender<CatalogEvents>;
  /** Store basics (organization, time zone, currency). */
  tenancy: { api: Pick<TenancyApi, 'findStore' | 'storeIdsOf'> };
  /** Shared L2 cache and cross-node invalidation when set; memory only otherwise. */
  redis: Redis | null;
  logger: Logger;
  clock?: () => Date;
}

export function createCatalogModule(deps: CatalogDeps) {
  const clock = deps.clock ?? (() => new Date());
  const storefront = createStorefront({
    db: deps.db,
    tenancy: deps.tenancy,
    redis: deps.redis,
    logger: deps.logger,
    clock,
  });
  const management = createCatalogManagement({
    db: deps.db,
    events: deps.events,
    tenancy: deps.tenancy,
    clock,
    invalidate: storefront.invalidate,
  });
  const search = createCatalogSearch({ db: deps.db, tenancy: deps.tenancy, clock });

  const surface: ModuleSurface = {
    routes: async (app) => {
      await app.register(management.routes);
      await app.register(storefront.routes);
      await app.register(search.routes);
    },
    jobs: [],
  };
  return {
    ...surface,
    /** Storefront GraphQL (mounted at /graphql by the app). */
    graphql: search.graphql,
    api: management.api,
    /**
     * The resolved menu of a store for a channel at a moment, as the storefront serves it (from
     * the cache): what ordering validates and prices a basket against.
     */
    menuAt: storefront.menuAt,
    /** Drops cached storefront menus (every node, through the cache bus when Redis is set). */
    invalidate: storefront.invalidate,
    close: storefront.close,
  };
}

export type CatalogModule = ReturnType<typeof createCatalogModule>;
export type CatalogApi = CatalogModule['api'];
