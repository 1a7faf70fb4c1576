// Marketing as ordering's promotions port: evaluate reads the standing and runs the engine; the
// ledger holds, confirms and releases inside ordering's transactions.
import type { Db } from '../../platform/db/index.js';
import type { PromotionOutcome, PromotionQuery, PromotionsPort } from '../ordering/index.js';
import { localDateAt } from '../tenancy/index.js';
import { evaluatePromotions, type Evaluation } from './engine.js';
import { confirmRedemptions, holdRedemptions, releaseRedemptions } from './ledger.js';
import type { LivePromotionCache } from './live-cache.js';
import { readStanding } from './standing.js';

export function createPromotionsPort(deps: { db: Db; clock: () => Date; cache: LivePromotionCache }): PromotionsPort {
  return {
    async evaluate(query: PromotionQuery, ex: Db = deps.db): Promise<PromotionOutcome> {
      const day = localDateAt(query.fulfilmentAt, query.timezone);
      const standing = await readStanding(
        ex,
        {
          organizationId: query.organizationId,
          storeId: query.storeId,
          at: query.at,
          day,
          customerId: query.customer.id,
          couponCode: query.couponCode,
          itemIds: query.lines.map((line) => line.item_id),
        },
        deps.cache,
      );
      // Only asked when a candidate is for first (or returning) customers of the brand.
      const segmented = standing.promotions.some((p) => (p.conditions.segments?.length ?? 0) > 0);
      const firstOrder = segmented && query.customer.id !== null ? await query.isFirstOrder() : null;
      // Tier perks: the member's tier, asked only when a candidate is for some tiers.
      const tiered = standing.promotions.some((p) => (p.conditions.loyalty_tiers?.length ?? 0) > 0);
      const loyaltyTier = !tiered || query.customer.anonymous ? undefined : await query.loyaltyTier();
      const evaluation = evaluatePromotions(
        {
          at: query.at,
          fulfilmentAt: query.fulfilmentAt,
          timezone: query.timezone,
          storeId: query.storeId,
          channel: query.channel,
          currency: query.currency,
          customer: {
            ...query.customer,
            firstOrder,
            ...(loyaltyTier === undefined ? {} : { loyaltyTier }),
          },
          lines: query.lines,
          deliveryFee: query.deliveryFee,
          couponCode: query.couponCode,
        },
        standing,
      );
      return outcomeOf(evaluation);
    },
    hold: async (trx, input) => {
      await holdRedemptions(trx, { ...input, at: deps.clock() });
      // A limited promotion's counters moved: this process reads them afresh.
      if (input.plans.length > 0) deps.cache.forget(input.organizationId);
    },
    confirm: (trx, orderId) => confirmRedemptions(trx, orderId, deps.clock()),
    release: async (trx, orderId, reason) => {
      const organizationId = await releaseRedemptions(trx, orderId, reason, deps.clock());
      if (organizationId !== null) deps.cache.forget(organizationId);
    },
  };
}

function outcomeOf(evaluation: Evaluation): PromotionOutcome {
  return {
    discounts: evaluation.applied.map((a) => ({
      promotion_id: a.promotion.id,
      name: a.promotion.name,
      code: a.code?.code ?? null,
      amount: a.amount,
    })),
    passed_over: evaluation.passedOver,
    problems: evaluation.problems,
    lineDiscounts: evaluation.lineDiscounts,
    orderDiscounts: evaluation.orderDiscounts,
    deliveryDiscount: evaluation.deliveryDiscount,
    plans: evaluation.applied.map((a) => ({
      promotion_id: a.promotion.id,
      version: a.promotion.version,
      code_id: a.code?.id ?? null,
      amount: a.amount,
      units: a.amounts.units,
      day: a.day,
      customer_period: a.customerPeriod,
    })),
  };
}
