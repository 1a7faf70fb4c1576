// A basket's promotions, between checking it and pricing it: the lines as marketing sees them
// (what each is, its category on the menu, what it costs before discounts), the promotions port's
// answer, and the price with those discounts in it. Quotes and placement both go through here,
// so a customer is placed at the price they were quoted. A loyalty reward (reward_id) comes after
// the promotions, on what they left.
import type { ResolvedMenu } from '../catalog/index.js';
import type { StoreBasics } from '../tenancy/index.js';
import type { CheckedBasket } from './basket.js';
import type { OrderBody } from './basket-schema.js';
import { withinPricingRange } from './pricing-guard.js';
import { priceOrder, type PriceBreakdown, type PricingInput } from './pricing.js';
import type { PromotionOutcome, PromotionsPort } from './promotions-port.js';
import type { RewardOutcome, RewardsPort } from './rewards-port.js';

/** Who the basket is for: a customer's id, or none (anonymous: a quote without sign-in). */
export interface BasketCustomer {
  id: string | null;
  anonymous: boolean;
}

export interface PromotionsDeps {
  promotions: PromotionsPort;
  rewards: RewardsPort;
  /** Whether the customer already ordered at the brand (asked only for first-order promotions). */
  hasOrderedAt(customerId: string, organizationId: string): Promise<boolean>;
}

function categoriesOf(menu: ResolvedMenu): Map<string, string> {
  const categories = new Map<string, string>();
  for (const section of menu.menus)
    for (const category of section.categories)
      for (const item of category.items) if (!categories.has(item.id)) categories.set(item.id, category.id);
  return categories;
}

export async function priceWithPromotions(
  deps: PromotionsDeps,
  input: {
    store: StoreBasics;
    body: OrderBody;
    menu: ResolvedMenu;
    basket: CheckedBasket;
    customer: BasketCustomer;
    at: Date;
    fulfilmentAt: Date;
    pricing: Omit<PricingInput, 'lines'>;
  },
): Promise<{ pricing: PriceBreakdown; promotions: PromotionOutcome; reward: RewardOutcome | null }> {
  const { store, body, basket, customer } = input;
  const base = withinPricingRange(() => priceOrder({ ...input.pricing, lines: basket.lines }));
  const categories = categoriesOf(input.menu);
  const promotions = await deps.promotions.evaluate({
    organizationId: store.organization_id,
    storeId: store.id,
    timezone: store.timezone,
    currency: store.currency,
    channel: body.channel,
    at: input.at,
    fulfilmentAt: input.fulfilmentAt,
    customer,
    isFirstOrder: async () =>
      customer.id === null ? false : !(await deps.hasOrderedAt(customer.id, store.organization_id)),
    loyaltyTier: async () => (customer.id === null ? null : deps.rewards.tierOf(store.organization_id, customer.id)),
    lines: basket.lines.map((line, i) => ({
      line_no: line.line_no,
      item_id: line.item_id,
      variant_id: line.variant_id,
      category_id: categories.get(line.item_id) ?? null,
      quantity: line.quantity,
      unit_price: line.unit_price,
      gross: base.lines[i]!.gross,
    })),
    deliveryFee: input.pricing.delivery_fee,
    couponCode: body.coupon_code ?? null,
  });
  const reward =
    body.reward_id === undefined
      ? null
      : await deps.rewards.evaluate({
          organizationId: store.organization_id,
          currency: store.currency,
          customer,
          rewardId: body.reward_id,
          lines: basket.lines.map((line, i) => ({
            item_id: line.item_id,
            quantity: line.quantity,
            gross: base.lines[i]!.gross,
            discount: promotions.lineDiscounts[i] ?? 0,
          })),
          promotionOrderDiscounts: promotions.orderDiscounts.reduce((sum, d) => sum + d.amount, 0),
        });
  if (promotions.discounts.length === 0 && !reward?.reward) return { pricing: base, promotions, reward };
  const rewardLines = reward?.lineDiscounts ?? [];
  const rewardOrder = reward?.orderDiscount ? [{ code: 'REWARD', amount: reward.orderDiscount }] : [];
  const pricing = withinPricingRange(() =>
    priceOrder({
      ...input.pricing,
      lines: basket.lines.map((line, i) => ({
        ...line,
        discount: (promotions.lineDiscounts[i] ?? 0) + (rewardLines[i] ?? 0),
      })),
      order_discounts: [...promotions.orderDiscounts, ...rewardOrder],
      delivery_discount: promotions.deliveryDiscount,
    }),
  );
  return { pricing, promotions, reward };
}
