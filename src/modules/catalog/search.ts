// (being built) Menu search (full text + trigram) and the storefront GraphQL schema.
import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../platform/db/index.js';
import type { TenancyApi } from '../tenancy/index.js';

export interface SearchDeps {
  db: Db;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  clock: () => Date;
}

export function createCatalogSearch(deps: SearchDeps) {
  void deps;
  const routes: FastifyPluginAsync = async () => undefined;
  return { routes, graphql: null };
}
