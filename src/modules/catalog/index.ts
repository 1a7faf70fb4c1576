// Catalog owns what a brand sells — categories, items, variants, modifiers, menus and their hours,
// store and channel prices, taxes, 86'ing — and the storefront's resolved, cached menu and search.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import type { TenancyApi } from '../tenancy/index.js';
import type { CatalogEvents } from './events.js';
import { createGraphqlHost } from './graphql-host.js';
import { storefrontMenuGraphql } from './graphql-menu.js';
import { createCatalogManagement } from './manage.js';
import type { MenuContributor } from './menu-contributors.js';
import { createMenuSearch, searchRoutes } from './search.js';
import { createStorefront } from './storefront.js';

export type { CatalogEvents } from './events.js';
export type { CatalogDocument } from './manage.js';
export type { Channel, ResolvedMenu, ResolvedItem, ResolvedGroup, ResolvedOption } from './resolved-menu.js';
export type { MenuAdjustment, MenuContributor, MenuMoment, PricedThing } from './menu-contributors.js';
/** pg_trgm's word_similarity in memory (identity's customer search scores names it keeps sealed). */
export { trigramsOf, wordSimilarity } from './trigram-similarity.js';

export interface CatalogDeps {
  db: Db;
  events: EventAppender<CatalogEvents>;
  /** Store basics (organization, time zone, currency). */
  tenancy: { api: Pick<TenancyApi, 'findStore' | 'storeIdsOf'> };
  /** Shared L2 cache and cross-node invalidation when set; memory only otherwise. */
  redis: Redis | null;
  logger: Logger;
  clock?: () => Date;
  /**
   * What other modules add to every resolved menu (promotions, loyalty rewards, ingredient 86s),
   * in order; none by default. See menu-contributors.ts and ADR 0017.
   */
  menuContributors?: readonly MenuContributor[];
}

export function createCatalogModule(deps: CatalogDeps) {
  const clock = deps.clock ?? (() => new Date());
  const storefront = createStorefront({
    db: deps.db,
    tenancy: deps.tenancy,
    redis: deps.redis,
    logger: deps.logger,
    clock,
    contributors: deps.menuContributors ?? [],
  });
  const management = createCatalogManagement({
    db: deps.db,
    events: deps.events,
    tenancy: deps.tenancy,
    clock,
    invalidate: storefront.invalidate,
  });
  const searchMenu = createMenuSearch({ storefront, clock });

  const surface: ModuleSurface = {
    routes: async (app) => {
      await app.register(management.routes);
      await app.register(storefront.routes);
      await app.register(searchRoutes(searchMenu));
    },
    jobs: [],
  };
  return {
    ...surface,
    /** The /graphql host serving the storefront menu view (mounted by the app, with other modules' extensions). */
    graphql: createGraphqlHost(storefrontMenuGraphql({ tenancy: deps.tenancy, menuAt: storefront.menuAt, clock })),
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
