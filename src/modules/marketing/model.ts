// What a promotion is, as data: where and when it applies (conditions) and what it gives (effect).
// The management routes validate these shapes on write (schema.ts, rules.ts); the engine
// (engine.ts) reads them on every quote. Amounts are integer minor units of the store's currency,
// rates basis points (1000 = 10%).

import type { Daypart } from '../../platform/time/wall-clock.js';

export type Channel = 'pickup' | 'delivery' | 'dine_in';

/** What a promotion code may look like (the migration's CHECK says the same). */
export const CODE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$';

/** Which order lines an effect looks at: a line matches when any list names it. */
export interface LineTarget {
  item_ids?: string[];
  category_ids?: string[];
  variant_ids?: string[];
}

/** A window of the week in the store's time zone: ISO weekdays (1 = Monday), "HH:MM" local times; to < from runs past midnight. */
export type { Daypart } from '../../platform/time/wall-clock.js';

/** Who the promotion is for. first_order: the customer's first order at the brand. */
export type Segment = 'first_order' | 'returning';

/**
 * A rule as data: an attribute of the order, an operator, values. Validated on write against the
 * attribute's allowed operators and value type (rules.ts); every rule must hold.
 *   subtotal       gte | lte                  [minor units]
 *   item_quantity  gte                        [count]          (units of matching lines; with `target`)
 *   channel        in | not_in                [channel]
 *   store          in | not_in                [store id]
 *   item           includes_any | excludes    [item id]
 *   category       includes_any | excludes    [category id]
 *   weekday        in                         [1..7]           (at the fulfilment time, store's zone)
 */
export interface Rule {
  attribute: 'subtotal' | 'item_quantity' | 'channel' | 'store' | 'item' | 'category' | 'weekday';
  operator: 'gte' | 'lte' | 'in' | 'not_in' | 'includes_any' | 'excludes';
  values: Array<string | number>;
  target?: LineTarget;
}

export interface Conditions {
  /** Only at these stores (absent = every store of the organization). */
  store_ids?: string[];
  channels?: Channel[];
  dayparts?: Daypart[];
  segments?: Segment[];
  /** Only for members of the brand's loyalty program in one of these tiers (tier keys, e.g. `gold`). */
  loyalty_tiers?: string[];
  /** The subtotal (before any discount) must reach this. */
  min_subtotal?: number;
  rules?: Rule[];
}

/** A part of a combo: `quantity` units of lines matching `target`. */
export interface ComboComponent {
  target: LineTarget;
  quantity: number;
}

export type Effect =
  /** A share of what is left of the whole order. */
  | { type: 'order_percentage'; percent_bps: number }
  /** A fixed amount off the order (capped at what is left). */
  | { type: 'order_fixed'; amount: number }
  /** A share of matching lines. */
  | { type: 'line_percentage'; percent_bps: number; target: LineTarget }
  /** A fixed amount off each matching unit. */
  | { type: 'line_fixed'; amount_per_unit: number; target: LineTarget }
  /** Off the delivery fee: a share of it, or a fixed amount (capped at the fee). */
  | { type: 'delivery_fee'; percent_bps?: number; amount?: number }
  /** Buy `buy.quantity` of buy.target, get `get.quantity` of get.target `percent_bps` off (10000 = free), as often as the basket allows. */
  | {
      type: 'buy_x_get_y';
      buy: ComboComponent;
      get: ComboComponent;
      percent_bps: number;
      /** At most this many free groups per order (absent = no limit). */
      max_applications?: number;
    }
  /** Units matching every component, sold together at `price` (modifier charges stay on top). */
  | { type: 'combo'; components: ComboComponent[]; price: number; max_applications?: number }
  /** Matching units at this unit price (when cheaper). */
  | { type: 'fixed_price'; target: LineTarget; price: number }
  /**
   * A unit pool per store and local day (reset at the store's midnight), each unit at a share off
   * or at a price, at most `per_customer_per_day` units per customer per day.
   */
  | {
      type: 'flash_sale';
      item_id: string;
      percent_bps?: number;
      price?: number;
      units_per_day: number;
      per_customer_per_day: number;
    };

export type EffectType = Effect['type'];

/** A promotion as the engine reads it (one row of `promotions`, live and not deleted). */
export interface Promotion {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  kind: 'automatic' | 'code';
  advertised: boolean;
  active: boolean;
  priority: number;
  combinable: boolean;
  starts_at: Date | null;
  ends_at: Date | null;
  conditions: Conditions;
  effect: Effect;
  max_discount: number | null;
  usage_limit: number | null;
  budget: number | null;
  per_customer_limit: number | null;
  uses: number;
  discount_spent: number;
  /** Bumped by every write: placement refuses a promotion that changed since it was priced. */
  version: number;
  created_at: Date;
}

/** Whether the promotion's counters are the enforcement point (it has a total limit or a budget). */
export const isCounted = (p: Pick<Promotion, 'usage_limit' | 'budget'>): boolean =>
  p.usage_limit !== null || p.budget !== null;
