// The promotions engine: a pure function from a basket and the promotions' standing (read just
// before) to the discounts. The stacking rule, stated once:
// - Candidates are the organization's live automatic promotions and, with a code, its promotion;
//   they are taken by priority (highest first), then oldest first, then by id.
// - A candidate applies when its conditions hold (eligibility.ts), it gives something on what the
//   earlier ones left, and it combines: a promotion that does not combine applies only alone, so
//   once one has applied, a non-combinable candidate loses, and after a non-combinable one nothing
//   else applies. The loser is listed with the reason (NOT_COMBINABLE, "does not combine with …").
// - Each effect works on what the earlier ones left (effects.ts); its amount is capped by its
//   max_discount and what is left of its budget.
// A code that does not apply, for whatever reason, is a quote problem on /coupon_code.
import { capAmounts, computeEffect, BasketState, totalOf, type EffectAmounts } from './effects.js';
import { customerLimitOf, refusalOf, type EvaluationInput, type Refusal } from './eligibility.js';
import type { Promotion } from './model.js';
import { localDateAt } from '../tenancy/index.js';

export type { EvaluationInput } from './eligibility.js';
export type { BasketLine } from './effects.js';

/** A code as looked up (case-insensitively) in the organization. */
export interface CodeStanding {
  id: string;
  code: string;
  promotion_id: string;
  usage_limit: number | null;
  uses: number;
}

/** What the ledger said when the quote was computed; placement re-checks all of it under lock. */
export interface Standing {
  promotions: Promotion[];
  coupon: CodeStanding | null;
  /** promotion id → uses (units, for flash sales) in its current per-customer period. */
  customerUses: Map<string, number>;
  /** flash sale promotion id → units left in the store's pool of the day. */
  poolLeft: Map<string, number>;
}

export interface AppliedPromotion {
  promotion: Promotion;
  code: { id: string; code: string } | null;
  amount: number;
  amounts: EffectAmounts;
  /** The per-customer period this use counts in ('' = lifetime, a local date for a flash sale), null when not limited. */
  customerPeriod: string | null;
  /** The flash sale's local day at the store. */
  day: string | null;
}

export interface PassedOver {
  promotion_id: string;
  name: string;
  code: string | null;
  reason_code: string;
  reason: string;
}

export interface CouponProblem {
  code: 'COUPON_NOT_FOUND' | 'COUPON_EXPIRED' | 'COUPON_NOT_APPLICABLE' | 'COUPON_LIMIT_REACHED';
  path: '/coupon_code';
  message: string;
}

export interface Evaluation {
  applied: AppliedPromotion[];
  passedOver: PassedOver[];
  problems: CouponProblem[];
  /** By index of input.lines: the line-level discounts. */
  lineDiscounts: number[];
  /** Order-level discounts, split over the lines by pricing. */
  orderDiscounts: Array<{ code: string; amount: number }>;
  deliveryDiscount: number;
}

const LIMIT_CODES = new Set(['LIMIT_REACHED', 'BUDGET_SPENT', 'CUSTOMER_LIMIT_REACHED']);

function couponProblem(code: string, refusal: Refusal): CouponProblem {
  const message = `The code ${code} does not apply: ${refusal.reason}.`;
  if (refusal.code === 'EXPIRED')
    return { code: 'COUPON_EXPIRED', path: '/coupon_code', message: `The code ${code} has expired.` };
  if (LIMIT_CODES.has(refusal.code)) return { code: 'COUPON_LIMIT_REACHED', path: '/coupon_code', message };
  return { code: 'COUPON_NOT_APPLICABLE', path: '/coupon_code', message };
}

const byPriority = (a: Promotion, b: Promotion) =>
  b.priority - a.priority ||
  a.created_at.getTime() - b.created_at.getTime() ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function evaluatePromotions(input: EvaluationInput, standing: Standing): Evaluation {
  const state = new BasketState(input.lines, input.deliveryFee);
  const applied: AppliedPromotion[] = [];
  const passedOver: PassedOver[] = [];
  const problems: CouponProblem[] = [];
  const coupon = input.couponCode === null ? null : standing.coupon;
  const couponPromotionId = coupon?.promotion_id ?? null;
  const day = localDateAt(input.fulfilmentAt, input.timezone);

  if (input.couponCode !== null) {
    const promotion = standing.promotions.find((p) => p.id === couponPromotionId);
    if (!coupon || !promotion)
      problems.push({
        code: 'COUPON_NOT_FOUND',
        path: '/coupon_code',
        message: `No promotion has the code ${input.couponCode}.`,
      });
    else if (coupon.usage_limit !== null && coupon.uses >= coupon.usage_limit)
      problems.push(couponProblem(coupon.code, { code: 'LIMIT_REACHED', reason: 'it has been used' }));
  }
  const couponUsable = problems.length === 0;

  const candidates = standing.promotions
    .filter((p) => p.kind === 'automatic' || (couponUsable && p.id === couponPromotionId))
    .sort(byPriority);
  for (const promotion of candidates) {
    const code = promotion.id === couponPromotionId && coupon ? { id: coupon.id, code: coupon.code } : null;
    const refuse = (refusal: Refusal) => {
      passedOver.push({
        promotion_id: promotion.id,
        name: promotion.name,
        code: code?.code ?? null,
        reason_code: refusal.code,
        reason: refusal.reason,
      });
      if (code) problems.push(couponProblem(code.code, refusal));
    };
    const customerUses = standing.customerUses.get(promotion.id) ?? 0;
    const refusal = refusalOf(promotion, input, { uses: customerUses });
    if (refusal) {
      refuse(refusal);
      continue;
    }
    const blocker = applied.find((a) => !a.promotion.combinable || !promotion.combinable);
    if (blocker) {
      refuse({ code: 'NOT_COMBINABLE', reason: `does not combine with ${blocker.promotion.name}` });
      continue;
    }
    const effect = promotion.effect;
    let unitAllowance = 0;
    if (effect.type === 'flash_sale') {
      const poolLeft = standing.poolLeft.get(promotion.id) ?? effect.units_per_day;
      unitAllowance = Math.max(0, Math.min(poolLeft, effect.per_customer_per_day - customerUses));
      if (poolLeft === 0 && input.lines.some((line) => line.item_id === effect.item_id)) {
        refuse({ code: 'SOLD_OUT', reason: 'sold out for today' });
        continue;
      }
    }
    const computed = computeEffect(effect, { state, unitAllowance });
    let amounts = computed.amounts;
    // Line-level discounts never take more than the order has left after order-level ones.
    const lineTotal = amounts.lines.reduce((a, b) => a + b, 0);
    if (lineTotal > state.headroom())
      amounts = capAmounts(amounts, state.headroom() + amounts.order + amounts.delivery, input.lines);
    if (promotion.max_discount !== null) amounts = capAmounts(amounts, promotion.max_discount, input.lines);
    if (promotion.budget !== null)
      amounts = capAmounts(amounts, Math.max(0, promotion.budget - promotion.discount_spent), input.lines);
    const amount = totalOf(amounts);
    if (amount === 0) {
      refuse({
        code: 'NOTHING_TO_DISCOUNT',
        reason: effect.type === 'delivery_fee' ? 'no delivery fee to take off' : 'nothing in the basket it applies to',
      });
      continue;
    }
    state.apply(amounts, computed.claims);
    applied.push({
      promotion,
      code,
      amount,
      amounts,
      customerPeriod: customerLimitOf(promotion) === null ? null : effect.type === 'flash_sale' ? day : '',
      day: effect.type === 'flash_sale' ? day : null,
    });
  }

  const lineDiscounts = input.lines.map((_, i) => applied.reduce((total, a) => total + a.amounts.lines[i]!, 0));
  return {
    applied,
    passedOver,
    problems,
    lineDiscounts,
    orderDiscounts: applied
      .filter((a) => a.amounts.order > 0)
      .map((a) => ({ code: a.promotion.id, amount: a.amounts.order })),
    deliveryDiscount: applied.reduce((total, a) => total + a.amounts.delivery, 0),
  };
}
