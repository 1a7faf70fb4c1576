// (being built) Storefront: the resolved menu per store, channel and moment, cached (L1 + L2).
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/index.js';
import type { TenancyApi } from '../tenancy/index.js';

/** Which cached menus a committed write makes stale: a whole brand, or some of its stores. */
export interface Invalidation {
  organizationId: string;
  /** null: every store of the organization. */
  storeIds: string[] | null;
}

export interface StorefrontDeps {
  db: Db;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  redis: Redis | null;
  logger: Logger;
  clock: () => Date;
}

export function createStorefront(deps: StorefrontDeps) {
  void deps;
  const routes: FastifyPluginAsync = async () => undefined;
  return {
    routes,
    async invalidate(change: Invalidation): Promise<void> {
      void change;
    },
    async close(): Promise<void> {},
  };
}
