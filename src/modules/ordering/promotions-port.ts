// What ordering needs from marketing: the discounts a basket gets (read before the transaction),
// and the redemptions held in the order's transaction, confirmed when it is paid or fulfilled,
// released by every path that ends it unpaid or refunds it whole (ADR 0027). Marketing's port
// satisfies it; ordering never touches its tables.
import type { Db, Tx } from '../../platform/db/index.js';
import type { BasketProblem } from './basket-schema.js';

export interface PromotionLine {
  line_no: number;
  item_id: string;
  variant_id: string | null;
  category_id: string | null;
  quantity: number;
  /** Item or variant price per unit, modifiers excluded. */
  unit_price: number;
  /** The line before discounts, modifier charges included. */
  gross: number;
}

export interface PromotionQuery {
  organizationId: string;
  storeId: string;
  timezone: string;
  currency: string;
  channel: 'pickup' | 'delivery' | 'dine_in';
  at: Date;
  fulfilmentAt: Date;
  /** id null + anonymous: a quote without sign-in (personal conditions checked at placement). */
  customer: { id: string | null; anonymous: boolean };
  /** Asked only when a candidate is for first (or returning) customers. */
  isFirstOrder(): Promise<boolean>;
  /** The customer's loyalty tier key at the brand (null: not a member); asked only for tier perks. */
  loyaltyTier(): Promise<string | null>;
  lines: PromotionLine[];
  deliveryFee: number;
  couponCode: string | null;
}

/** One redemption to hold: plain data, re-checked under lock by marketing. */
export interface RedemptionPlan {
  promotion_id: string;
  version: number;
  code_id: string | null;
  amount: number;
  units: number;
  day: string | null;
  customer_period: string | null;
}

export interface PromotionOutcome {
  /** What the customer sees and the order keeps. */
  discounts: Array<{ promotion_id: string; name: string; code: string | null; amount: number }>;
  /** Candidates that did not apply, and why (a quote shows them). */
  passed_over: Array<{ promotion_id: string; name: string; code: string | null; reason_code: string; reason: string }>;
  /** A code that does not apply (COUPON_*), on /coupon_code. */
  problems: BasketProblem[];
  /** By index of the query's lines. */
  lineDiscounts: number[];
  orderDiscounts: Array<{ code: string; amount: number }>;
  deliveryDiscount: number;
  plans: RedemptionPlan[];
}

export interface PromotionsPort {
  evaluate(query: PromotionQuery, ex?: Db): Promise<PromotionOutcome>;
  /** Holds every plan inside the order's transaction, or throws the problem (nothing held). */
  hold(
    trx: Tx,
    input: {
      organizationId: string;
      storeId: string;
      orderId: string;
      customerId: string | null;
      plans: RedemptionPlan[];
    },
  ): Promise<void>;
  /** The order was paid or fulfilled: its held redemptions are confirmed. Idempotent. */
  confirm(trx: Tx, orderId: string): Promise<void>;
  /** The order ended unpaid or was refunded whole: its redemptions are given back, once. */
  release(trx: Tx, orderId: string, reason: string): Promise<void>;
}

/** No marketing (tools that build ordering alone): no promotion ever applies, and a code is not found. */
export const NO_PROMOTIONS: PromotionsPort = {
  async evaluate(query) {
    return {
      discounts: [],
      passed_over: [],
      problems:
        query.couponCode === null
          ? []
          : [
              {
                code: 'COUPON_NOT_FOUND',
                path: '/coupon_code',
                message: `No promotion has the code ${query.couponCode}.`,
              },
            ],
      lineDiscounts: query.lines.map(() => 0),
      orderDiscounts: [],
      deliveryDiscount: 0,
      plans: [],
    };
  },
  async hold() {},
  async confirm() {},
  async release() {},
};
