// Marketing owns promotions (automatic or by code, with their effects, conditions and budgets)
// and the redemption ledger that keeps them from over-redeeming. Ordering reaches it through the
// promotions port (quotes, placement, and every path that ends or refunds an order).
import { v7 as uuidv7 } from 'uuid';
import type { Db, Tx } from '../../platform/db/index.js';
import { codesRepo } from './codes-repo.js';
import { promotionsRepo, type PromotionFields } from './promotions-repo.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import { auditLedger, ordersHoldingRedemptions, type LedgerFinding } from './ledger-audit.js';
import { createPromotionsPort } from './port.js';
import { createLivePromotionCache, type LivePromotionCache } from './live-cache.js';
import { createPromotionManagement, type PromotionManagement, type PromotionManagementDeps } from './management.js';
import { marketingRoutes } from './routes.js';
import type { Executor } from './tables.js';

export type { LedgerFinding } from './ledger-audit.js';
export type { Promotion, Effect, Conditions } from './model.js';

export interface MarketingDeps {
  db: Db;
  /** Stores (time zones, the organization's stores) and catalog ids, for the management side. */
  tenancy: PromotionManagementDeps['tenancy'];
  catalog: PromotionManagementDeps['catalog'];
  clock?: () => Date;
}

export function createMarketingModule(deps: MarketingDeps) {
  const clock = deps.clock ?? (() => new Date());
  const cache = createLivePromotionCache();
  const port = createPromotionsPort({ db: deps.db, clock, cache });
  const management = forgettingWrites(createPromotionManagement({ ...deps, clock }), cache);
  const surface: ModuleSurface = { routes: marketingRoutes({ management }), jobs: [] };
  return {
    ...surface,
    /** Ordering's promotions port. */
    port,
    api: {
      /**
       * A promotion written as given, with its codes, inside the caller's transaction (the demo
       * seed: trusted data, so the management routes' rules are not run).
       */
      seedPromotion: async (
        trx: Tx,
        input: { organizationId: string; promotion: PromotionFields; codes?: string[] },
      ): Promise<string> => {
        const row = await promotionsRepo.insert(trx, {
          id: uuidv7(),
          organization_id: input.organizationId,
          ...input.promotion,
        });
        for (const code of input.codes ?? [])
          await codesRepo.insert(trx, {
            id: uuidv7(),
            organization_id: input.organizationId,
            promotion_id: row.id,
            code,
            usage_limit: null,
          });
        cache.forget(input.organizationId);
        return row.id;
      },
      /** Counters that disagree with the ledger, or limits passed; empty when sound (brigade check). */
      audit: (ex: Executor): Promise<LedgerFinding[]> => auditLedger(ex),
      /** The orders among these whose redemptions are still held or confirmed. */
      ordersHoldingRedemptions: (ex: Executor, orderIds: string[]) => ordersHoldingRedemptions(ex, orderIds),
    },
  };
}

/** Management as the routes use it, forgetting the organization's cached promotions after each write. */
function forgettingWrites(management: PromotionManagement, cache: LivePromotionCache): PromotionManagement {
  const after =
    <A extends [unknown, string, ...unknown[]], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await write(...args);
      } finally {
        cache.forget(args[1]);
      }
    };
  return {
    ...management,
    create: after(management.create),
    update: after(management.update),
    remove: after(management.remove),
  };
}

export type MarketingModule = ReturnType<typeof createMarketingModule>;
