// Whether a promotion may apply to a basket at all, before what it gives is worked out: its
// window, stores, channels, dayparts, who the customer is, the minimum order, its rules and its
// limits. The first condition that fails is the reason the quote shows (a stable code and words a
// guest understands: "minimum order 20.00", "not on delivery", "first order only").
import { formatMoney } from '../../platform/money.js';
import { inDaypart, wallTimeAt } from '../../platform/time/wall-clock.js';
import { matches, sumOf, type BasketLine } from './effects.js';
import { isCounted, type Channel, type Promotion, type Rule } from './model.js';

export interface EvaluationInput {
  /** When the order is placed (or quoted): the promotion's window is checked at this instant. */
  at: Date;
  /** When it will be made: dayparts and the flash sale's day are read at this instant, in the store's zone. */
  fulfilmentAt: Date;
  timezone: string;
  storeId: string;
  channel: Channel;
  currency: string;
  /**
   * Who orders. id null with anonymous: a quote without sign-in, for which the customer's own
   * conditions (first order, per-customer limits) are assumed met and checked at placement. id
   * null without anonymous: an order no customer is known for (a partner's), which such
   * promotions never apply to. firstOrder null: not asked (no candidate needs it). loyaltyTier:
   * the member's tier key, null for no member, absent when not asked (an anonymous quote).
   */
  customer: { id: string | null; anonymous: boolean; firstOrder: boolean | null; loyaltyTier?: string | null };
  lines: BasketLine[];
  deliveryFee: number;
  couponCode: string | null;
}

export interface Refusal {
  code: string;
  reason: string;
}

const DAY_NAMES = ['Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'];

/** What the customer's own standing is, for the conditions and limits that depend on them. */
export interface CustomerStanding {
  /** Uses (units, for a flash sale) in the promotion's current per-customer period. */
  uses: number;
}

export function refusalOf(promotion: Promotion, input: EvaluationInput, customer: CustomerStanding): Refusal | null {
  const { conditions } = promotion;
  const at = input.at.getTime();
  if (promotion.starts_at && at < promotion.starts_at.getTime())
    return { code: 'NOT_STARTED', reason: `valid from ${promotion.starts_at.toISOString()}` };
  if (promotion.ends_at && at >= promotion.ends_at.getTime())
    return { code: 'EXPIRED', reason: `ended ${promotion.ends_at.toISOString()}` };
  if (conditions.store_ids && !conditions.store_ids.includes(input.storeId))
    return { code: 'NOT_AT_THIS_STORE', reason: 'not at this store' };
  if (conditions.channels && !conditions.channels.includes(input.channel))
    return { code: 'NOT_ON_CHANNEL', reason: `not on ${input.channel.replace('_', '-')}` };
  if (conditions.dayparts && conditions.dayparts.length > 0) {
    const wall = wallTimeAt(input.fulfilmentAt, input.timezone);
    if (!conditions.dayparts.some((daypart) => inDaypart(wall, daypart)))
      return { code: 'OUTSIDE_HOURS', reason: `only ${describeDayparts(promotion)}` };
  }
  const personal = needsCustomer(promotion);
  if (personal && input.customer.id === null && !input.customer.anonymous)
    return { code: 'SIGN_IN_REQUIRED', reason: 'for signed-in customers only' };
  for (const segment of conditions.segments ?? []) {
    const first = input.customer.firstOrder;
    if (first === null) continue;
    if (segment === 'first_order' && !first) return { code: 'FIRST_ORDER_ONLY', reason: 'first order only' };
    if (segment === 'returning' && first) return { code: 'RETURNING_ONLY', reason: 'for returning customers only' };
  }
  const tiers = conditions.loyalty_tiers ?? [];
  const tier = input.customer.loyaltyTier;
  if (tiers.length > 0 && tier !== undefined && (tier === null || !tiers.includes(tier)))
    return { code: 'TIER_ONLY', reason: `for ${tiers.join(' and ')} members only` };
  const subtotal = sumOf(input.lines.map((line) => line.gross));
  if (conditions.min_subtotal !== undefined && subtotal < conditions.min_subtotal)
    return {
      code: 'MINIMUM_NOT_MET',
      reason: `minimum order ${formatMoney(conditions.min_subtotal, input.currency)}`,
    };
  for (const rule of conditions.rules ?? []) {
    const failed = ruleRefusal(rule, input, subtotal);
    if (failed) return failed;
  }
  if (isCounted(promotion)) {
    if (promotion.usage_limit !== null && promotion.uses >= promotion.usage_limit)
      return { code: 'LIMIT_REACHED', reason: 'fully redeemed' };
    if (promotion.budget !== null && promotion.discount_spent >= promotion.budget)
      return { code: 'BUDGET_SPENT', reason: 'its budget is spent' };
  }
  const customerLimit = customerLimitOf(promotion);
  if (customerLimit !== null && input.customer.id !== null && customer.uses >= customerLimit)
    return {
      code: 'CUSTOMER_LIMIT_REACHED',
      reason:
        promotion.effect.type === 'flash_sale'
          ? `${customerLimit} per customer per day, already taken`
          : `${customerLimit === 1 ? 'once' : `${customerLimit} times`} per customer, already used`,
    };
  return null;
}

/** Whether the promotion depends on knowing the customer (segments, tiers or per-customer limits). */
export function needsCustomer(promotion: Promotion): boolean {
  return (
    (promotion.conditions.segments?.length ?? 0) > 0 ||
    (promotion.conditions.loyalty_tiers?.length ?? 0) > 0 ||
    customerLimitOf(promotion) !== null
  );
}

/** The per-customer limit in the promotion's period: uses, or units per day for a flash sale. */
export function customerLimitOf(promotion: Promotion): number | null {
  return promotion.effect.type === 'flash_sale' ? promotion.effect.per_customer_per_day : promotion.per_customer_limit;
}

function ruleRefusal(rule: Rule, input: EvaluationInput, subtotal: number): Refusal | null {
  const values = rule.values;
  const fail = (reason: string): Refusal => ({ code: 'RULE_NOT_MET', reason });
  switch (rule.attribute) {
    case 'subtotal': {
      const bound = Number(values[0]);
      if (rule.operator === 'gte' && subtotal < bound)
        return fail(`minimum order ${formatMoney(bound, input.currency)}`);
      if (rule.operator === 'lte' && subtotal > bound)
        return fail(`orders up to ${formatMoney(bound, input.currency)}`);
      return null;
    }
    case 'item_quantity': {
      const target = rule.target ?? {};
      const units = sumOf(input.lines.filter((line) => matches(line, target)).map((line) => line.quantity));
      return units < Number(values[0]) ? fail(`needs at least ${values[0]} matching item(s)`) : null;
    }
    case 'channel':
    case 'store': {
      const value = rule.attribute === 'channel' ? input.channel : input.storeId;
      const listed = values.includes(value);
      if (rule.operator === 'in' ? listed : !listed) return null;
      return fail(rule.attribute === 'channel' ? `not on ${input.channel.replace('_', '-')}` : 'not at this store');
    }
    case 'item':
    case 'category': {
      const ids = input.lines.map((line) => (rule.attribute === 'item' ? line.item_id : line.category_id));
      const present = ids.some((id) => id !== null && values.includes(id));
      if (rule.operator === 'includes_any' && !present) return fail(`needs a qualifying ${rule.attribute}`);
      if (rule.operator === 'excludes' && present)
        return fail(`not with some ${rule.attribute === 'item' ? 'items' : 'categories'} in the basket`);
      return null;
    }
    case 'weekday': {
      const { weekday } = wallTimeAt(input.fulfilmentAt, input.timezone);
      return values.includes(weekday)
        ? null
        : fail(`only on ${values.map((day) => DAY_NAMES[Number(day) - 1]).join(', ')}`);
    }
  }
}

function describeDayparts(promotion: Promotion): string {
  return (promotion.conditions.dayparts ?? [])
    .map((daypart) => {
      const days = daypart.days.length === 7 ? 'every day' : daypart.days.map((day) => DAY_NAMES[day - 1]).join(', ');
      return `${days} ${daypart.from}–${daypart.to}`;
    })
    .join('; ');
}
