// The demo brand's campaigns (issue 13; the walkthrough and outside checks rely on these facts):
// - WELCOME10: 10% off the subtotal of a customer's first order at Demo Pizzeria, once per
//   customer, any store, any channel;
// - "Pizza + drink": any pizza with any drink for 10.00, at both stores;
// - the Brooklyn flash sale: Tiramisù at half price, 25 units a day, 1 per customer, all day.
import type { Tx } from '../platform/db/index.js';
import type { Modules } from '../modules.js';

export const DEMO_WELCOME_CODE = 'WELCOME10';

const base = {
  description: null,
  advertised: true,
  active: true,
  starts_at: null,
  ends_at: null,
  max_discount: null,
  usage_limit: null,
  budget: null,
  per_customer_limit: null,
};

export async function seedDemoPromotions(
  trx: Tx,
  modules: Modules,
  input: {
    organizationId: string;
    brooklynId: string;
    categories: { pizza: string; drinks: string };
    tiramisuId: string;
  },
): Promise<void> {
  const { marketing } = modules;
  const { organizationId } = input;
  // Unit-level deals go first (higher priority); the welcome discount then takes 10% of what is left.
  await marketing.api.seedPromotion(trx, {
    organizationId,
    promotion: {
      ...base,
      name: 'Tiramisù flash sale',
      description: 'Half price, 25 a day, one per customer.',
      kind: 'automatic',
      priority: 100,
      combinable: true,
      conditions: { store_ids: [input.brooklynId] },
      effect: {
        type: 'flash_sale',
        item_id: input.tiramisuId,
        percent_bps: 5000,
        units_per_day: 25,
        per_customer_per_day: 1,
      },
    },
  });
  await marketing.api.seedPromotion(trx, {
    organizationId,
    promotion: {
      ...base,
      name: 'Pizza + drink',
      description: 'Any pizza with any drink for 10.00.',
      kind: 'automatic',
      priority: 50,
      combinable: true,
      conditions: {},
      effect: {
        type: 'combo',
        components: [
          { target: { category_ids: [input.categories.pizza] }, quantity: 1 },
          { target: { category_ids: [input.categories.drinks] }, quantity: 1 },
        ],
        price: 1000,
      },
    },
  });
  await marketing.api.seedPromotion(trx, {
    organizationId,
    promotion: {
      ...base,
      name: 'Welcome: 10% off your first order',
      kind: 'code',
      priority: 10,
      combinable: true,
      per_customer_limit: 1,
      conditions: { segments: ['first_order'] },
      effect: { type: 'order_percentage', percent_bps: 1000 },
    },
    codes: [DEMO_WELCOME_CODE],
  });
}
