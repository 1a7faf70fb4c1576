// Storefront GraphQL (mercurius) at /graphql: store → menus → categories → items → modifier
// groups → options (→ child group → options …). Public, read-only. Every list field is a
// mercurius loader, so each level of a query is one SQL query whatever the number of parents:
// a full menu costs a constant number of queries however many items it has. Menus, items and
// options are resolved for a store, channel and moment (`menus(channel, at)`): only menus served
// then, items and options not 86'd there, effective (store/channel) prices.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { GraphQLError } from 'graphql';
import { sql } from 'kysely';
import mercurius, { type MercuriusLoaders } from 'mercurius';
import type { Db } from '../../platform/db/index.js';
import { mergeResolvers, subscriptionAuthentication, type GraphqlHostOptions } from '../../platform/http/graphql.js';
import type { TenancyApi } from '../tenancy/index.js';
import { costLimitRule } from './graphql-cost.js';
import { CHANNELS, effectivePrice, eightySixed, menuServedAt, type Channel } from './search-sql.js';

export const GRAPHQL_LIMITS = {
  /** Deep enough for store → … → option → childGroup → options → childGroup → options → name. */
  queryDepth: 12,
  /** Selected fields per operation (aliases and fragment spreads counted). */
  maxCost: 300,
} as const;

export const storefrontSchema = /* GraphQL */ `
  "Money in minor units of an ISO 4217 currency."
  type Money {
    amount: Int!
    currency: String!
  }

  enum Channel {
    pickup
    delivery
    dine_in
  }

  type Query {
    "A store by id; null when there is none."
    store(id: ID!): Store
  }

  type Store {
    id: ID!
    name: String!
    "IANA time zone; menus are served by the store's local time."
    timezone: String!
    currency: String!
    "Menus served at \`at\` (RFC 3339, default now), priced for \`channel\` (default: the store price for every channel)."
    menus(channel: Channel, at: String): [Menu!]!
  }

  type Menu {
    id: ID!
    name: String!
    categories: [Category!]!
  }

  type Category {
    id: ID!
    name: String!
    description: String
    "Items not 86'd at the store."
    items: [Item!]!
  }

  type Item {
    id: ID!
    name: String!
    description: String
    imageUrl: String
    tags: [String!]!
    allergens: [String!]!
    "Effective price when the item has no variants."
    price: Money!
    variants: [Variant!]!
    modifierGroups: [ModifierGroup!]!
  }

  type Variant {
    id: ID!
    name: String!
    price: Money!
  }

  type ModifierGroup {
    id: ID!
    name: String!
    min: Int!
    max: Int!
    freeQuantity: Int!
    "Options available at the store (not switched off, not 86'd)."
    options: [ModifierOption!]!
  }

  type ModifierOption {
    id: ID!
    name: String!
    price: Money!
    maxQuantity: Int!
    "The group this option opens (nested modifiers, e.g. a combo's drink)."
    childGroup: ModifierGroup
  }
`;

/** Where and when a subtree is resolved; carried down from Store.menus to every object. */
interface Scope {
  storeId: string;
  currency: string;
  channel: Channel | '*';
  at: Date;
}
interface StoreObj {
  id: string;
  name: string;
  timezone: string;
  currency: string;
}
interface Scoped {
  id: string;
  scope: Scope;
}
interface OptionObj extends Scoped {
  childGroupId: string | null;
}

type Query<T, P = unknown> = { obj: T; params: P };

/** Runs `load` once per distinct scope among the queries, then answers each query in order. */
async function perScope<T extends Scoped, R>(
  queries: Query<T>[],
  load: (scope: Scope, ids: string[]) => Promise<Map<string, R>>,
  empty: R,
): Promise<R[]> {
  const groups = new Map<string, { scope: Scope; ids: string[] }>();
  const keyOf = (scope: Scope) => `${scope.storeId}|${scope.channel}|${scope.at.toISOString()}`;
  for (const { obj } of queries) {
    const key = keyOf(obj.scope);
    const group = groups.get(key) ?? { scope: obj.scope, ids: [] };
    group.ids.push(obj.id);
    groups.set(key, group);
  }
  const results = new Map<string, Map<string, R>>();
  await Promise.all(
    [...groups].map(async ([key, group]) => results.set(key, await load(group.scope, [...new Set(group.ids)]))),
  );
  return queries.map(({ obj }) => results.get(keyOf(obj.scope))?.get(obj.id) ?? empty);
}

function groupRows<Row extends { parent_id: string }, R>(rows: Row[], map: (row: Row) => R): Map<string, R[]> {
  const grouped = new Map<string, R[]>();
  for (const row of rows) {
    const list = grouped.get(row.parent_id) ?? [];
    list.push(map(row));
    grouped.set(row.parent_id, list);
  }
  return grouped;
}

const money = (amount: number, scope: Scope) => ({ amount, currency: scope.currency });

interface GroupRow {
  parent_id: string;
  id: string;
  name: string;
  min_select: number;
  max_select: number;
  free_quantity: number;
}
const presentGroup = (row: GroupRow, scope: Scope) => ({
  id: row.id,
  name: row.name,
  min: row.min_select,
  max: row.max_select,
  freeQuantity: row.free_quantity,
  scope,
});

export interface GraphqlDeps {
  db: Db;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  clock: () => Date;
}

/**
 * The /graphql host. Other modules' GraphQL (the ordering subscription) comes in as extensions in
 * the registration options, from the app: this module never imports them.
 */
export function createStorefrontGraphql(deps: GraphqlDeps): FastifyPluginAsync<GraphqlHostOptions> {
  const { db } = deps;
  const p = (scope: Scope) => ({
    store: sql`${scope.storeId}::uuid`,
    channel: sql`${scope.channel}::text`,
    at: sql`${scope.at}::timestamptz`,
  });

  const resolvers = {
    Query: {
      async store(_root: unknown, args: { id: string }) {
        const store = await deps.tenancy.api.findStore(args.id);
        return store ? { id: store.id, name: store.name, timezone: store.timezone, currency: store.currency } : null;
      },
    },
  };

  const loaders: MercuriusLoaders = {
    Store: {
      async menus(queries: Query<StoreObj, { channel?: Channel | null; at?: string | null }>[]) {
        return Promise.all(
          queries.map(async ({ obj, params }) => {
            let at = deps.clock();
            if (params.at != null) {
              at = new Date(params.at);
              if (!/^\d{4}-\d{2}-\d{2}T/.test(params.at) || Number.isNaN(at.getTime())) {
                throw new GraphQLError('`at` must be an RFC 3339 timestamp, e.g. 2026-11-21T12:00:00Z.', {
                  extensions: { code: 'BAD_USER_INPUT' },
                });
              }
            }
            const channel = params.channel ?? '*';
            if (channel !== '*' && !CHANNELS.includes(channel))
              throw new GraphQLError('Unknown channel.', { extensions: { code: 'BAD_USER_INPUT' } });
            const scope: Scope = { storeId: obj.id, currency: obj.currency, channel, at };
            const local = sql`(${at}::timestamptz AT TIME ZONE ${obj.timezone})`;
            const { rows } = await sql<{ id: string; name: string }>`
              SELECT m.id, m.name FROM store_menus sm JOIN menus m ON m.id = sm.menu_id
              WHERE sm.store_id = ${obj.id} AND ${menuServedAt(sql`m.id`, local)}
              ORDER BY sm.position, m.id
            `.execute(db);
            return rows.map((row) => ({ ...row, scope }));
          }),
        );
      },
    },
    Menu: {
      async categories(queries: Query<Scoped>[]) {
        return perScope(
          queries,
          async (scope, ids) => {
            const { rows } = await sql<{ parent_id: string; id: string; name: string; description: string | null }>`
            SELECT mc.menu_id AS parent_id, c.id, c.name, c.description
            FROM menu_categories mc JOIN categories c ON c.id = mc.category_id
            WHERE mc.menu_id = ANY(${ids}::uuid[])
            ORDER BY mc.position, c.position, c.id
          `.execute(db);
            return groupRows(rows, (row) => ({ id: row.id, name: row.name, description: row.description, scope }));
          },
          [],
        );
      },
    },
    Category: {
      async items(queries: Query<Scoped>[]) {
        return perScope(
          queries,
          async (scope, ids) => {
            const s = p(scope);
            const { rows } = await sql<{
              parent_id: string;
              id: string;
              name: string;
              description: string | null;
              image_url: string | null;
              tags: string[];
              allergens: string[];
              price: number;
            }>`
            SELECT i.category_id AS parent_id, i.id, i.name, i.description, i.image_url, i.tags, i.allergens,
              ${effectivePrice(sql`i.id`, sql`i.price`, s.store, s.channel)} AS price
            FROM items i
            WHERE i.category_id = ANY(${ids}::uuid[]) AND NOT ${eightySixed(sql`i.id`, s.store, s.at)}
            ORDER BY i.position, i.id
          `.execute(db);
            return groupRows(rows, (row) => ({
              id: row.id,
              name: row.name,
              description: row.description,
              imageUrl: row.image_url,
              tags: row.tags,
              allergens: row.allergens,
              price: money(row.price, scope),
              scope,
            }));
          },
          [],
        );
      },
    },
    Item: {
      async variants(queries: Query<Scoped>[]) {
        return perScope(
          queries,
          async (scope, ids) => {
            const s = p(scope);
            const { rows } = await sql<{ parent_id: string; id: string; name: string; price: number }>`
            SELECT v.item_id AS parent_id, v.id, v.name, ${effectivePrice(sql`v.id`, sql`v.price`, s.store, s.channel)} AS price
            FROM item_variants v WHERE v.item_id = ANY(${ids}::uuid[])
            ORDER BY v.position, v.id
          `.execute(db);
            return groupRows(rows, (row) => ({ id: row.id, name: row.name, price: money(row.price, scope) }));
          },
          [],
        );
      },
      async modifierGroups(queries: Query<Scoped>[]) {
        return perScope(
          queries,
          async (scope, ids) => {
            const { rows } = await sql<GroupRow>`
            SELECT img.item_id AS parent_id, g.id, g.name, g.min_select, g.max_select, g.free_quantity
            FROM item_modifier_groups img JOIN modifier_groups g ON g.id = img.group_id
            WHERE img.item_id = ANY(${ids}::uuid[])
            ORDER BY img.position, g.id
          `.execute(db);
            return groupRows(rows, (row) => presentGroup(row, scope));
          },
          [],
        );
      },
    },
    ModifierGroup: {
      async options(queries: Query<Scoped>[]) {
        return perScope(
          queries,
          async (scope, ids) => {
            const s = p(scope);
            const { rows } = await sql<{
              parent_id: string;
              id: string;
              name: string;
              price: number;
              max_quantity: number;
              child_group_id: string | null;
            }>`
            SELECT o.group_id AS parent_id, o.id, o.name, o.max_quantity, o.child_group_id,
              ${effectivePrice(sql`o.id`, sql`o.price`, s.store, s.channel)} AS price
            FROM modifier_options o
            WHERE o.group_id = ANY(${ids}::uuid[]) AND o.is_available AND NOT ${eightySixed(sql`o.id`, s.store, s.at)}
            ORDER BY o.position, o.id
          `.execute(db);
            return groupRows(rows, (row): OptionObj & Record<string, unknown> => ({
              id: row.id,
              name: row.name,
              price: money(row.price, scope),
              maxQuantity: row.max_quantity,
              childGroupId: row.child_group_id,
              scope,
            }));
          },
          [],
        );
      },
    },
    ModifierOption: {
      async childGroup(queries: Query<OptionObj>[]) {
        const ids = [...new Set(queries.map(({ obj }) => obj.childGroupId).filter((id): id is string => id !== null))];
        if (ids.length === 0) return queries.map(() => null);
        const { rows } = await sql<Omit<GroupRow, 'parent_id'>>`
          SELECT g.id, g.name, g.min_select, g.max_select, g.free_quantity FROM modifier_groups g WHERE g.id = ANY(${ids}::uuid[])
        `.execute(db);
        const byId = new Map(rows.map((row) => [row.id, row]));
        return queries.map(({ obj }) => {
          const row = obj.childGroupId === null ? undefined : byId.get(obj.childGroupId);
          return row ? presentGroup({ ...row, parent_id: obj.id }, obj.scope) : null;
        });
      },
    },
  };

  return async function graphqlPlugin(app: FastifyInstance, options: GraphqlHostOptions) {
    const extensions = options.extensions ?? [];
    // Subscriptions (WebSocket on GET /graphql) only when an extension has some and there is an
    // authenticate to check their callers with.
    const subscriptions =
      options.authenticate !== undefined && extensions.some((extension) => 'Subscription' in extension.resolvers);
    // mercurius registers its own routes: the storefront API is public, declared so explicitly
    // (this plugin is encapsulated, so the hook sees only these routes).
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' };
      // Documented once, as POST; the GET form (queries in the URL) stays out of the document.
      const post = route.method === 'POST';
      route.schema = {
        ...route.schema,
        ...(post
          ? {
              operationId: 'graphql',
              summary: 'Storefront GraphQL: stores, menus, categories, items, modifiers',
              description:
                `Public, read-only GraphQL over the resolved storefront menu (the schema is introspectable). Limits: query depth ${GRAPHQL_LIMITS.queryDepth}, ` +
                `at most ${GRAPHQL_LIMITS.maxCost} selected fields per operation (aliases and fragment spreads counted). Errors follow GraphQL over HTTP, not RFC 9457.` +
                (subscriptions
                  ? ' Subscriptions run over a WebSocket on GET /graphql (graphql-transport-ws or graphql-ws protocol); send `{"authorization": "Bearer <token>"}` as the connection_init payload.'
                  : ''),
              tags: ['catalog'],
            }
          : { hide: true }),
      };
    });
    await app.register(mercurius, {
      schema: [storefrontSchema, ...extensions.map((extension) => extension.typeDefs)],
      resolvers: mergeResolvers([resolvers, ...extensions.map((extension) => extension.resolvers)]),
      loaders,
      subscription: subscriptions && options.authenticate ? subscriptionAuthentication(options.authenticate) : false,
      path: '/graphql',
      graphiql: false,
      queryDepth: GRAPHQL_LIMITS.queryDepth,
      validationRules: [costLimitRule(GRAPHQL_LIMITS.maxCost)],
    });
  };
}
