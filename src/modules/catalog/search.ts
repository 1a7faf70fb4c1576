// Menu search (GET /v1/stores/{id}/menu/search): ranks and filters the items of the store's
// resolved menu — the same cached snapshot the menu route serves — in memory. No SQL of its own:
// availability and prices are the resolver's, and a write that invalidates the menu invalidates
// search with it. The index and the answers to repeated queries live as long as their snapshot.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CurrencyCode, FreeText, Int, Name, problems, Uuid } from '../../platform/http/schema.js';
import type { MenuSnapshot } from './menu-cache.js';
import type { Channel, ResolvedMenu } from './resolved-menu.js';
import { buildSearchIndex, searchTerms, type SearchHit, type SearchIndex } from './search-index.js';

export type { SearchHit } from './search-index.js';

/** What search needs of the storefront: its cached snapshots and their resolved menus. */
export interface SearchDeps {
  storefront: {
    snapshotAt(storeId: string, channel: Channel | null, at: Date): Promise<MenuSnapshot>;
    menuOf(snapshot: MenuSnapshot): ResolvedMenu;
  };
  clock: () => Date;
}

/** Distinct queries answered per snapshot and kept (the oldest goes first). */
const ANSWERS_PER_SNAPSHOT = 500;

interface SnapshotSearch {
  index: SearchIndex;
  answers: Map<string, SearchHit[]>;
}

export function createMenuSearch(deps: SearchDeps) {
  const bySnapshot = new WeakMap<MenuSnapshot, SnapshotSearch>();

  /** The best `limit` items of the store's menu (at `at`, default now) for `q`. Shared: do not modify. */
  return async function searchMenu(
    storeId: string,
    q: string,
    options: { channel?: Channel; limit?: number; at?: Date } = {},
  ): Promise<SearchHit[]> {
    // Unknown store: NotFoundError from the build, whatever the query.
    const snapshot = await deps.storefront.snapshotAt(storeId, options.channel ?? null, options.at ?? deps.clock());
    const terms = searchTerms(q);
    if (terms.length === 0) return [];
    let search = bySnapshot.get(snapshot);
    if (!search) {
      search = { index: buildSearchIndex(deps.storefront.menuOf(snapshot)), answers: new Map() };
      bySnapshot.set(snapshot, search);
    }
    const limit = options.limit ?? 20;
    const key = `${limit} ${terms.join(' ')}`;
    let hits = search.answers.get(key);
    if (!hits) {
      hits = search.index.search(terms, limit);
      if (search.answers.size >= ANSWERS_PER_SNAPSHOT) search.answers.delete(search.answers.keys().next().value!);
      search.answers.set(key, hits);
    }
    return hits;
  };
}

const SearchParams = Type.Object({ storeId: Uuid });
const SearchQuery = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        'Words to look for in item names, tags, descriptions and category names; typos in names are tolerated',
    }),
    channel: Type.Optional(
      Type.Union([Type.Literal('pickup'), Type.Literal('delivery'), Type.Literal('dine_in')], {
        description: 'Prices for this channel (default: the store price for every channel)',
      }),
    ),
    limit: Type.Optional(Int(1, 50, { default: 20 })),
  },
  { additionalProperties: false },
);
const Money = Type.Object({
  amount: Int(0, 100_000_000, { description: 'Minor units' }),
  currency: CurrencyCode,
});
const SearchResult = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Uuid,
      name: Name(200),
      description: Type.Union([FreeText(2000), Type.Null()]),
      tags: Type.Array(Type.String({ maxLength: 40, pattern: '^[a-z0-9_-]{1,40}$' }), { maxItems: 30 }),
      category: Type.Object({ id: Uuid, name: Name(100) }),
      price: Type.Object(Money.properties, {
        description: 'Effective price at this store and channel; the cheapest size when the item has sizes',
      }),
      score: Type.Number({ description: 'Relevance; higher is better' }),
    }),
    { maxItems: 50 },
  ),
});

export function searchRoutes(searchMenu: ReturnType<typeof createMenuSearch>): FastifyPluginAsync {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/stores/:storeId/menu/search',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'searchMenu',
          summary: 'Search the items orderable at a store now',
          description:
            'Full-text search over item names, tags and descriptions and category names, tolerant of typos in names ("margarita" finds "Margherita"). ' +
            "Every word must match. Only items of a menu the store publishes and serves now (in the store's time zone), and not 86'd, are returned, best match first (the top `limit` results; not paginated).",
          tags: ['catalog'],
          params: SearchParams,
          querystring: SearchQuery,
          response: { 200: SearchResult, ...problems(400, 404, 429) },
        },
      },
      async (request, reply) => {
        const data = await searchMenu(request.params.storeId, request.query.q, {
          channel: request.query.channel,
          limit: request.query.limit,
        });
        // Availability changes with the clock and 86s: short shared caching only.
        reply.header('cache-control', 'public, max-age=15');
        return { data };
      },
    );
  };
}
