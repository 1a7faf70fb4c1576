// The order before it exists: every check that needs no lock, on cached reads, before any
// transaction. Is the table the store's, the store open at the fulfilment time, the basket right
// against the menu then, the stock there, the order small enough for a slot? And what does it
// cost? A quote shows the draft; placement refuses a draft with problems and writes the rest.
import { UnprocessableError } from '../../platform/http/errors.js';
import { localDateAt, type StoreBasics } from '../tenancy/index.js';
import { checkBasket, type CheckedBasket } from './basket.js';
import type { BasketProblem, OrderBody } from './basket-schema.js';
import type { DeliveryTerms } from './delivery-port.js';
import type { PlacementDeps } from './placement-ports.js';
import { priceWithPromotions, type BasketCustomer } from './order-promotions.js';
import { priceOrder, type PriceBreakdown } from './pricing.js';
import type { PromotionOutcome } from './promotions-port.js';
import type { OrderReward } from './rewards-port.js';
import { poolOf, type StoreOrderingSettings } from './settings.js';
import { planFulfilment, type FulfilmentPlan } from './slots.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

/** Everything known about a basket before the transaction. */
export interface OrderDraft {
  store: StoreBasics;
  settings: StoreOrderingSettings;
  plan: FulfilmentPlan;
  basket: CheckedBasket;
  pricing: PriceBreakdown;
  /** The promotions that apply (and the ones that did not), and the redemptions to hold. */
  promotions: PromotionOutcome;
  /** The loyalty reward as given (its points are held in the order's transaction), or null. */
  reward: OrderReward | null;
  problems: BasketProblem[];
  tableId: string | null;
  /** The delivery's zone, fee and ETA; null when not a delivery or the store draws no zones. */
  deliveryTerms: DeliveryTerms | null;
}

/** A 422 carrying every problem of the basket; the top-level code is the first one's. */
export function basketError(problems: BasketProblem[]): UnprocessableError {
  const first = problems[0]!;
  const detail =
    problems.length === 1
      ? first.message
      : `${first.message} (and ${problems.length - 1} more problem(s), listed in errors)`;
  return new UnprocessableError(
    first.code,
    detail,
    problems.map((problem) => ({ path: problem.path, message: problem.message, code: problem.code })),
  );
}

/** The options a line picked, with the option that opened each nested group (or null). */
export function parentLookup(basket: CheckedBasket, lineNo: number) {
  return (groupId: string, optionId: string) => basket.parents.get(`${lineNo}:${groupId}:${optionId}`) ?? null;
}

type DraftDeps = Pick<
  PlacementDeps,
  'clock' | 'store' | 'menu' | 'stock' | 'kitchen' | 'promotions' | 'rewards' | 'deliveryTerms' | 'hasOrderedAt'
>;

/** Whether the draft is for a quote (which holds its delivery terms) or for placement. */
export interface DraftPurpose {
  hold: boolean;
}

export async function draftOrder(
  deps: DraftDeps,
  store: StoreBasics,
  body: OrderBody,
  customer: BasketCustomer,
  purpose: DraftPurpose,
): Promise<OrderDraft> {
  const storeId = store.id;
  const settings = await deps.kitchen.settingsOf(storeId);
  const now = deps.clock().getTime();
  const problems: BasketProblem[] = [];

  let tableId: string | null = null;
  if (body.channel === 'dine_in') {
    const table = body.table_token ? await deps.store.findTableByQrToken(body.table_token) : null;
    if (!body.table_token)
      problems.push({
        code: 'TABLE_REQUIRED',
        path: '/table_token',
        message: 'Dine-in orders need the table’s QR token.',
      });
    else if (!table || table.store_id !== storeId)
      problems.push({
        code: 'TABLE_UNKNOWN',
        path: '/table_token',
        message: 'This QR code is not a table of this store (it may have been replaced).',
      });
    else tableId = table.id;
  } else if (body.table_token !== undefined) {
    problems.push({
      code: 'TABLE_NOT_APPLICABLE',
      path: '/table_token',
      message: 'Only dine-in orders are for a table.',
    });
  }
  if (body.channel === 'delivery' && !body.delivery)
    problems.push({
      code: 'DELIVERY_DETAILS_REQUIRED',
      path: '/delivery',
      message: 'Delivery orders need an address and a contact.',
    });
  if (body.channel !== 'delivery' && body.delivery)
    problems.push({
      code: 'DELIVERY_NOT_APPLICABLE',
      path: '/delivery',
      message: 'Only delivery orders have delivery details.',
    });
  if (body.expected_total && body.expected_total.currency !== store.currency)
    problems.push({
      code: 'CURRENCY_MISMATCH',
      path: '/expected_total/currency',
      message: `This store charges in ${store.currency}.`,
    });
  if (body.tip && body.tip.currency !== store.currency)
    problems.push({
      code: 'CURRENCY_MISMATCH',
      path: '/tip/currency',
      message: `This store charges in ${store.currency}.`,
    });

  const scheduledFor = body.scheduled_for === undefined ? null : new Date(body.scheduled_for).getTime();
  const firstDay = localDateAt(new Date(now - DAY), store.timezone);
  const lastDay = localDateAt(new Date(Math.max(now, scheduledFor ?? now) + DAY), store.timezone);
  const opening = await deps.store.openIntervals(storeId, firstDay, lastDay);
  const plan = planFulfilment({
    now,
    scheduledFor,
    intervals: opening?.intervals ?? [],
    rules: settings,
    timezone: store.timezone,
  });
  if (!plan.ok) problems.push(plan.problem);

  // The menu at the fulfilment time: what is served when the order will be made.
  const menuTime = plan.ok ? plan.readyAt : (scheduledFor ?? now + settings.prepMinutes * MINUTE);
  const menu = await deps.menu.menuAt(storeId, body.channel, new Date(menuTime));
  const basket = checkBasket(menu, body.lines, settings);
  problems.push(...(await stockProblems(deps, storeId, body, basket)));

  const { capacity } = poolOf(settings, body.channel);
  if (capacity.items !== null && basket.itemCount > capacity.items) {
    problems.push({
      code: 'ORDER_TOO_LARGE',
      path: '/lines',
      message: `The kitchen takes at most ${capacity.items} items per ${settings.slotMinutes}-minute slot; split the order or call the store.`,
    });
  }
  if (plan.ok && plan.candidates.length === 0)
    problems.push({
      code: 'SLOT_FULL',
      path: plan.scheduled ? '/scheduled_for' : '',
      message: 'No kitchen slot is open for this time.',
    });

  const itemCount = basket.lines.reduce((sum, line) => sum + line.quantity, 0);
  const serviceCharged =
    settings.serviceChargeChannels.includes(body.channel) && itemCount >= settings.serviceChargeMinItems;
  const delivery = await deliveryTermsOf(deps, { store, body, basket, customer, purpose, menu, readyAt: menuTime });
  if (plan.ok) problems.push(...delivery.problems);
  const deliveryTerms = delivery.terms;
  const { pricing, promotions, reward } = await priceWithPromotions(deps, {
    store,
    body,
    menu,
    basket,
    customer,
    at: new Date(now),
    fulfilmentAt: new Date(menuTime),
    pricing: {
      currency: store.currency,
      prices_include_tax: menu.prices_include_tax,
      service_charge_bps: serviceCharged ? settings.serviceChargeBps : 0,
      delivery_fee: deliveryTerms?.fee ?? 0,
      tip: body.tip?.amount ?? 0,
    },
  });
  problems.push(...promotions.problems, ...(reward?.problems ?? []));
  return {
    store,
    settings,
    plan,
    basket,
    pricing,
    promotions,
    reward: reward?.reward ?? null,
    problems,
    tableId,
    deliveryTerms,
  };
}

/**
 * The delivery zone, fee and ETA (the delivery module's terms.ts, through the port). The minimum
 * and basket tiers compare the food subtotal before discounts. Its problems are shown only when
 * the store can take the order then: a closed store is the problem to fix first, not the address.
 */
async function deliveryTermsOf(
  deps: DraftDeps,
  input: {
    store: StoreBasics;
    body: OrderBody;
    basket: CheckedBasket;
    customer: BasketCustomer;
    purpose: DraftPurpose;
    menu: { prices_include_tax: boolean };
    readyAt: number;
  },
) {
  const { body } = input;
  if (body.channel !== 'delivery' || !body.delivery) return { terms: null, problems: [] };
  const food = priceOrder({
    currency: input.store.currency,
    prices_include_tax: input.menu.prices_include_tax,
    lines: input.basket.lines,
    service_charge_bps: 0,
    delivery_fee: 0,
    tip: 0,
  });
  return deps.deliveryTerms.termsFor({
    store: input.store,
    customerId: input.customer.id,
    delivery: body.delivery,
    basketValue: food.subtotal,
    readyAt: new Date(input.readyAt),
    hold: input.purpose.hold,
  });
}

/**
 * Tracked stock, read without locks (the transaction enforces it): a sold-out item is 86'd and
 * so missing from the menu, but it is reported as the stock problem it is, whether or not the
 * cached menu has caught up yet; and a quote can say how many are left.
 */
async function stockProblems(
  deps: DraftDeps,
  storeId: string,
  body: OrderBody,
  basket: CheckedBasket,
): Promise<BasketProblem[]> {
  const levels = await deps.stock.levelsOf(storeId, [...new Set(body.lines.map((line) => line.item_id))]);
  const shortage = (lineNo: number, left: number): BasketProblem => ({
    code: 'INSUFFICIENT_STOCK',
    path: `/lines/${lineNo}/quantity`,
    message:
      left === 0 ? 'Sold out at this store: must be <= 0.' : `Only ${left} left at this store: must be <= ${left}.`,
  });
  const problems = basket.problems.map((problem) => {
    const lineNo = /^\/lines\/(\d+)\/item_id$/.exec(problem.path)?.[1];
    const left = lineNo === undefined ? undefined : levels.get(body.lines[Number(lineNo)]!.item_id);
    return problem.code === 'ITEM_UNAVAILABLE' && left === 0 ? shortage(Number(lineNo), 0) : problem;
  });
  for (const line of basket.lines) {
    const left = levels.get(line.item_id);
    if (left !== undefined && (basket.units.get(line.item_id) ?? 0) > left) problems.push(shortage(line.line_no, left));
  }
  return problems;
}
