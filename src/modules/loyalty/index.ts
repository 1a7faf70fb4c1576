// Loyalty owns the brand's membership program: its accrual rules, tiers and rewards, the members,
// and the points ledger an auditor can replay (ADR 0029). Ordering reaches it through the rewards
// port (quotes, placement, fulfilment and every path that ends or refunds an order); points are
// earned and clawed back from the outbox, never inside a request.
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import type { Db, Tx } from '../../platform/db/index.js';
import type { EventBus } from '../../platform/events/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import type { CatalogApi } from '../catalog/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import type { IdentityEvents } from '../identity/index.js';
import type { OrderingEvents } from '../ordering/index.js';
import type { PaymentsEvents } from '../payments/index.js';
import { awardPoints, clawBack, type AccrualDeps } from './accrual.js';
import { auditLoyalty, type LoyaltyFinding } from './audit.js';
import { expireLots, vestPending } from './expiry.js';
import { ordersHoldingRewards } from './holds.js';
import { credit } from './ledger.js';
import { expiryOf, type Program, type RewardEffect } from './model.js';
import { createRewardsPort } from './port.js';
import { loyaltyRepo } from './repo.js';
import { loyaltyRoutes } from './routes.js';
import { loyaltyTables, type Executor } from './tables.js';
import { evaluateTiers } from './tier-job.js';

export type { LoyaltyFinding } from './audit.js';
export type { LoyaltyOrderFacts } from './accrual.js';
export type { Program, Reward, RewardEffect, Tier } from './model.js';

/** The fulfilment events: an order earns on whichever its channel ends with. */
const FULFILMENT_EVENTS = ['ordering.order.picked_up', 'ordering.order.delivered', 'ordering.order.completed'] as const;

export interface LoyaltyDeps {
  db: Db;
  bus: EventBus<OrderingEvents & PaymentsEvents & IdentityEvents>;
  catalog: { api: Pick<CatalogApi, 'catalogIdsOf' | 'categoriesOfItems'> };
  /** The stores' currencies, for the liability report's value (routes.ts); without it the report gives no value. */
  tenancy?: { api: Pick<TenancyApi, 'storeIdsOf' | 'findStore'> };
  /** The order's facts (ordering is built after loyalty: read through a function). */
  orderFacts: AccrualDeps['orderFacts'];
  logger: Logger;
  clock?: () => Date;
}

export function createLoyaltyModule(deps: LoyaltyDeps) {
  const clock = deps.clock ?? (() => new Date());
  const accrual: AccrualDeps = {
    orderFacts: deps.orderFacts,
    categoriesOf: (organizationId, itemIds, trx) => deps.catalog.api.categoriesOfItems(organizationId, itemIds, trx),
  };
  for (const type of FULFILMENT_EVENTS)
    deps.bus.subscribe(type, 'loyalty.award-points', async (event, { trx }) => {
      await awardPoints(accrual, trx, event.data.order_id, new Date(event.time));
    });
  deps.bus.subscribe('payments.refund.succeeded', 'loyalty.claw-back-refunded-points', async (event, { trx }) => {
    await clawBack(accrual, trx, {
      orderId: event.data.order_id,
      refundId: event.data.refund_id,
      refundAmount: event.data.refund_amount,
      at: new Date(event.time),
    });
  });

  // Programs that enrol at sign-up (the demo's, in development) take every new account, its
  // consent recorded as given at sign-up.
  deps.bus.subscribe('identity.user.signed_up', 'loyalty.join-at-sign-up', async (event, { trx }) => {
    for (const program of await loyaltyRepo.programsJoinedAtSignUp(trx))
      await loyaltyRepo.join(trx, {
        organizationId: program.organization_id,
        customerId: event.data.user_id,
        consent: 'sign_up',
        firstTier: program.tiers[0]!.key,
        at: new Date(event.time),
      });
  });

  const surface: ModuleSurface = {
    routes: loyaltyRoutes({ db: deps.db, clock, catalog: deps.catalog, tenancy: deps.tenancy }),
    jobs: [
      {
        name: 'loyalty.vest-and-expire-points',
        policy: 'singleton',
        cron: '*/5 * * * *',
        runOnStart: true,
        async handler() {
          const now = clock();
          const vested = await vestPending(deps.db, now);
          const expired = await expireLots(deps.db, now);
          if (vested > 0 || expired > 0) deps.logger.info({ vested, expired }, 'loyalty points vested and expired');
        },
      },
      {
        name: 'loyalty.evaluate-tiers',
        policy: 'singleton',
        cron: '23 3 * * *',
        async handler() {
          const changed = await evaluateTiers(deps.db, clock());
          if (changed > 0) deps.logger.info({ changed }, 'loyalty tiers re-evaluated');
        },
      },
    ],
  };

  return {
    ...surface,
    /** Ordering's rewards port. */
    port: createRewardsPort({ db: deps.db, clock }),
    api: {
      /** The program as given, inside the caller's transaction (the demo seed: trusted data). */
      seedProgram: async (trx: Tx, program: Omit<Program, 'version'>): Promise<void> => {
        await loyaltyTables(trx)
          .insertInto('loyalty_programs')
          .values({ ...program, accrual: JSON.stringify(program.accrual), tiers: JSON.stringify(program.tiers) })
          .execute();
      },
      seedReward: async (
        trx: Tx,
        reward: { organizationId: string; name: string; points: number; effect: RewardEffect; cost: number },
      ): Promise<string> => {
        const id = uuidv7();
        await loyaltyTables(trx)
          .insertInto('loyalty_rewards')
          .values({
            id,
            organization_id: reward.organizationId,
            name: reward.name,
            description: null,
            points: reward.points,
            effect: JSON.stringify(reward.effect),
            cost: reward.cost,
            active: true,
            deleted_at: null,
          })
          .execute();
        return id;
      },
      /** A member enrolled by the seed, with a starting balance (an adjustment lot). */
      seedMember: async (
        trx: Tx,
        input: { organizationId: string; customerId: string; points: number; reason: string },
      ): Promise<void> => {
        const program = await loyaltyRepo.findProgram(trx, input.organizationId);
        if (!program) throw new Error('seedMember needs the program first');
        const at = clock();
        const { member } = await loyaltyRepo.join(trx, {
          organizationId: input.organizationId,
          customerId: input.customerId,
          consent: 'demo',
          firstTier: program.tiers[0]!.key,
          at,
        });
        if (input.points > 0)
          await credit(trx, member, {
            kind: 'adjust',
            points: input.points,
            reason: input.reason,
            availableAt: at,
            expiresAt: expiryOf(at, program.expiry_months),
            at,
          });
      },
      /** The sweeps and the tier evaluation at `now` (what the jobs run; tests pass their clock). */
      vestPending: (now: Date) => vestPending(deps.db, now),
      expireLots: (now: Date) => expireLots(deps.db, now),
      evaluateTiers: (now: Date) => evaluateTiers(deps.db, now),
      /** The ledger replayed: empty when sound (brigade check). */
      audit: (ex: Executor): Promise<LoyaltyFinding[]> => auditLoyalty(ex),
      /** Orders among these whose reward still holds points. */
      ordersHoldingRewards: (ex: Executor, orderIds: string[]) => ordersHoldingRewards(ex, orderIds),
    },
  };
}

export type LoyaltyModule = ReturnType<typeof createLoyaltyModule>;
