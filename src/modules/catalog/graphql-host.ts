// The /graphql host (mercurius): one endpoint, public and read-only for the storefront, with a
// depth limit and a cost limit. Its own schema is a view (the storefront menu, graphql-menu.ts);
// other modules' GraphQL (the ordering subscription) comes in as extensions in the registration
// options, from the app, so this module never imports them.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import mercurius, { type IResolvers } from 'mercurius';
import {
  mergeResolvers,
  noIntrospectionRule,
  subscriptionAuthentication,
  type GraphqlHostOptions,
} from '../../platform/http/graphql.js';
import { costLimitRule } from './graphql-cost.js';

export const GRAPHQL_LIMITS = {
  /** A full menu down to a nested group's options (store → … → option → childGroup → options → name), and room to spare. */
  queryDepth: 12,
  /** Selected fields per operation (aliases and fragment spreads counted). */
  maxCost: 300,
} as const;

/** A query of GRAPHQL_LIMITS.maxCost fields fits many times over. */
const MAX_QUERY_LENGTH = 50_000;

/** mercurius's POST body schema (routes.js), with bounds. */
const GRAPHQL_BODY = {
  type: 'object',
  properties: {
    query: { type: 'string', maxLength: MAX_QUERY_LENGTH },
    persisted: { type: 'boolean' },
    operationName: { type: ['string', 'null'], maxLength: 200 },
    variables: { type: ['object', 'null'] },
    extensions: { type: 'object' },
  },
};
/** mercurius's response schema (routes.js), with bounds; serialization is the same. */
const GRAPHQL_RESPONSE = {
  type: 'object',
  properties: {
    data: { type: ['object', 'null'], additionalProperties: true },
    errors: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['message'],
        properties: {
          message: { type: 'string', maxLength: 10_000 },
          locations: {
            type: 'array',
            maxItems: 1000,
            items: {
              type: 'object',
              properties: {
                line: { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_QUERY_LENGTH },
                column: { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_QUERY_LENGTH },
              },
            },
          },
          path: {
            type: 'array',
            maxItems: 100,
            items: { type: 'string', maxLength: 200 },
          },
          extensions: {
            type: 'object',
            properties: { code: { type: 'string', maxLength: 100, pattern: '^[A-Za-z0-9_]*$' } },
            additionalProperties: true,
          },
        },
      },
    },
    extensions: { type: 'object', additionalProperties: true },
  },
};

/** The schema the host serves before extensions: SDL and its resolvers. */
export interface GraphqlView {
  typeDefs: string;
  resolvers: IResolvers;
}

export function createGraphqlHost(view: GraphqlView): FastifyPluginAsync<GraphqlHostOptions> {
  return async function graphqlPlugin(app: FastifyInstance, options: GraphqlHostOptions) {
    const extensions = options.extensions ?? [];
    const introspection = options.introspection ?? true;
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
                `Public, read-only GraphQL over the resolved storefront menu (${introspection ? 'the schema is introspectable' : 'introspection is off in production'}). Limits: query depth ${GRAPHQL_LIMITS.queryDepth}, ` +
                `at most ${GRAPHQL_LIMITS.maxCost} selected fields per operation (aliases and fragment spreads counted). Errors follow GraphQL over HTTP, not RFC 9457.` +
                (subscriptions
                  ? ' Subscriptions run over a WebSocket on GET /graphql (graphql-transport-ws or graphql-ws protocol); send `{"authorization": "Bearer <token>"}` as the connection_init payload.'
                  : ''),
              tags: ['catalog'],
              // mercurius's own schemas (routes.js), each string, integer and array bounded.
              body: GRAPHQL_BODY,
              response: { ...(route.schema?.response as object | undefined), '2xx': GRAPHQL_RESPONSE },
            }
          : { hide: true }),
      };
    });
    await app.register(mercurius, {
      schema: [view.typeDefs, ...extensions.map((extension) => extension.typeDefs)],
      resolvers: mergeResolvers([view.resolvers, ...extensions.map((extension) => extension.resolvers)]),
      subscription: subscriptions && options.authenticate ? subscriptionAuthentication(options.authenticate) : false,
      path: '/graphql',
      graphiql: false,
      queryDepth: GRAPHQL_LIMITS.queryDepth,
      // Without introspection, a query naming __schema or __type fails validation (a GraphQL error, 400).
      validationRules: [costLimitRule(GRAPHQL_LIMITS.maxCost), ...(introspection ? [] : [noIntrospectionRule])],
    });
  };
}
