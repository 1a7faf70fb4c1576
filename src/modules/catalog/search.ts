// Menu search (full text + trigram typo tolerance, ranked, only what is orderable at the store
// now) and the storefront GraphQL endpoint.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { NotFoundError } from '../../platform/http/errors.js';
import { problems, Uuid } from '../../platform/http/schema.js';
import type { TenancyApi } from '../tenancy/index.js';
import { createStorefrontGraphql } from './graphql.js';
import { effectivePrice, eightySixed, menuServedAt, type Channel } from './search-sql.js';

export interface SearchDeps {
  db: Db;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  clock: () => Date;
}

/** Typo tolerance: a query word this close (pg_trgm word_similarity) to a word of the name matches. */
const WORD_SIMILARITY = 0.45;
const MAX_TERMS = 8;

/** Lowercased words of the query: letters and digits only, so they are safe inside a tsquery. */
export function searchTerms(q: string): string[] {
  return q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((term) => term !== '')
    .slice(0, MAX_TERMS);
}

export interface SearchHit {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  category: { id: string; name: string };
  price: { amount: number; currency: string };
  score: number;
}

export function createMenuSearch(deps: SearchDeps) {
  return async function searchMenu(
    storeId: string,
    q: string,
    options: { channel?: Channel; limit?: number; at?: Date } = {},
  ): Promise<SearchHit[]> {
    const store = await deps.tenancy.api.findStore(storeId);
    if (!store) throw new NotFoundError('store');
    const terms = searchTerms(q);
    if (terms.length === 0) return [];
    const phrase = terms.join(' ');
    // Any word (prefix) for candidates; every word must then match the item, its tags or
    // description, its category's name, or (typo) a word of its name.
    const anyTerm = terms.map((term) => `${term}:*`).join(' | ');
    const at = options.at ?? deps.clock();
    const channel = options.channel ?? '*';
    const limit = options.limit ?? 20;
    const local = sql`(${at}::timestamptz AT TIME ZONE ${store.timezone})`;
    const tsq = sql`to_tsquery('simple', ${anyTerm})`;
    const categoryMatches = sql`to_tsvector('simple', c.name) @@ ${tsq}`;

    return inTransaction(deps.db, async (trx) => {
      // The `<%` operator (GIN-indexed) compares against this threshold; local to this transaction.
      await sql`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(WORD_SIMILARITY)}, true)`.execute(trx);
      const { rows } = await sql<{
        id: string;
        name: string;
        description: string | null;
        tags: string[];
        category_id: string;
        category_name: string;
        price: number;
        score: number;
      }>`
        WITH live_categories AS (
          SELECT DISTINCT mc.category_id
          FROM store_menus sm JOIN menu_categories mc ON mc.menu_id = sm.menu_id
          WHERE sm.store_id = ${storeId} AND ${menuServedAt(sql`sm.menu_id`, local)}
        ),
        matched_categories AS (
          SELECT c.id FROM categories c
          WHERE c.id IN (SELECT category_id FROM live_categories) AND c.organization_id = ${store.organization_id} AND ${categoryMatches}
        ),
        -- Candidates: one index per way of matching (GIN full text, GIN trigram, category btree).
        candidates AS (
          SELECT i.id FROM items i WHERE i.organization_id = ${store.organization_id} AND i.search @@ ${tsq}
          UNION
          SELECT i.id FROM items i WHERE i.organization_id = ${store.organization_id} AND ${phrase} <% lower(i.name)
          UNION
          SELECT i.id FROM items i WHERE i.organization_id = ${store.organization_id} AND i.category_id IN (SELECT id FROM matched_categories)
        )
        SELECT i.id, i.name, i.description, i.tags, c.id AS category_id, c.name AS category_name,
          COALESCE(
            (SELECT min(${effectivePrice(sql`v.id`, sql`v.price`, sql`${storeId}::uuid`, sql`${channel}::text`)}) FROM item_variants v WHERE v.item_id = i.id),
            ${effectivePrice(sql`i.id`, sql`i.price`, sql`${storeId}::uuid`, sql`${channel}::text`)}
          ) AS price,
          (
            ts_rank(i.search, ${tsq})
            + word_similarity(${phrase}, lower(i.name))
            + CASE WHEN lower(i.name) = ${phrase} THEN 1 ELSE 0 END
            + CASE WHEN ${categoryMatches} THEN 0.1 ELSE 0 END
          )::float8 AS score
        FROM candidates JOIN items i ON i.id = candidates.id JOIN categories c ON c.id = i.category_id
        WHERE i.category_id IN (SELECT category_id FROM live_categories)
          AND NOT EXISTS (
            SELECT 1 FROM unnest(${terms}::text[]) AS term
            WHERE NOT (
              i.search @@ to_tsquery('simple', term || ':*')
              OR to_tsvector('simple', c.name) @@ to_tsquery('simple', term || ':*')
              OR (length(term) >= 3 AND word_similarity(term, lower(i.name)) >= ${WORD_SIMILARITY})
            )
          )
          AND NOT ${eightySixed(sql`i.id`, sql`${storeId}::uuid`, sql`${at}::timestamptz`)}
        ORDER BY score DESC, i.name, i.id
        LIMIT ${limit}
      `.execute(trx);
      return rows.map((row) => ({
        id: row.id,
        name: row.name,
        description: row.description,
        tags: row.tags,
        category: { id: row.category_id, name: row.category_name },
        price: { amount: row.price, currency: store.currency },
        score: Math.round(row.score * 10_000) / 10_000,
      }));
    });
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
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
  },
  { additionalProperties: false },
);
const Money = Type.Object({
  amount: Type.Integer({ description: 'Minor units' }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
});
const SearchResult = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Uuid,
      name: Type.String(),
      description: Type.Union([Type.String(), Type.Null()]),
      tags: Type.Array(Type.String()),
      category: Type.Object({ id: Uuid, name: Type.String() }),
      price: Type.Object(Money.properties, {
        description: 'Effective price at this store and channel; the cheapest size when the item has sizes',
      }),
      score: Type.Number({ description: 'Relevance; higher is better' }),
    }),
  ),
});

export function createCatalogSearch(deps: SearchDeps) {
  const searchMenu = createMenuSearch(deps);

  const routes: FastifyPluginAsync = async (instance: FastifyInstance) => {
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

  return { routes, graphql: createStorefrontGraphql(deps), searchMenu };
}
