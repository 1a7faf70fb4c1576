import type { FastifyPluginAsync } from 'fastify';
import type { DispatchLoop } from '../dispatch/loop.js';
import type { JobDefinition } from '../jobs/queue.js';
import type { GraphqlExtension } from './graphql.js';

/** What a module hands to the app: its routes (mounted under /v1) and its background jobs. */
export interface ModuleSurface {
  routes: FastifyPluginAsync;
  jobs: JobDefinition[];
  /** GraphQL the module adds to /graphql (types, resolvers, subscriptions); the app hands it to the host. */
  graphqlExtension?: GraphqlExtension;
  /** Senders the worker role runs (webhooks, emails, SMS): started with the relay, stopped before it. */
  loops?: DispatchLoop[];
}
