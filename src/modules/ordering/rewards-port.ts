// What ordering needs from loyalty: what a reward (`reward_id`) takes off a basket, read before
// the transaction; its points held in the order's transaction, spent when the order is fulfilled,
// released by every path that ends it unfulfilled, given back when it is refunded whole (ADR 0029).
// Loyalty's port satisfies it; ordering never touches its tables.
import type { Db, Tx } from '../../platform/db/index.js';
import type { BasketProblem } from './basket-schema.js';
import type { BasketCustomer } from './order-promotions.js';

export interface RewardQuery {
  organizationId: string;
  currency: string;
  customer: BasketCustomer;
  rewardId: string;
  lines: Array<{ item_id: string; quantity: number; gross: number; discount: number }>;
  /** What order-level promotions already took off the food. */
  promotionOrderDiscounts: number;
}

/** The reward an order is given, as the customer sees it and the order keeps it. */
export interface OrderReward {
  reward_id: string;
  name: string;
  points: number;
  amount: number;
}

export interface RewardOutcome {
  reward: OrderReward | null;
  /** LOYALTY_NOT_MEMBER, INSUFFICIENT_POINTS, REWARD_NOT_FOUND, REWARD_NOT_APPLICABLE, on /reward_id. */
  problems: BasketProblem[];
  /** By index of the query's lines. */
  lineDiscounts: number[];
  orderDiscount: number;
}

export interface RewardsPort {
  evaluate(query: RewardQuery, ex?: Db): Promise<RewardOutcome>;
  /** The customer's tier key in the brand's program, null when not a member (marketing's tier perks). */
  tierOf(organizationId: string, customerId: string): Promise<string | null>;
  /** Holds the reward's points inside the order's transaction, or throws the problem (nothing held). */
  hold(
    trx: Tx,
    input: { organizationId: string; orderId: string; customerId: string | null; reward: OrderReward },
  ): Promise<void>;
  /** The order was fulfilled: its held points are spent (oldest lots first). Idempotent. */
  spend(trx: Tx, orderId: string): Promise<void>;
  /** The order ended unfulfilled (held points go back) or was refunded whole (spent points are given back). Once. */
  release(trx: Tx, orderId: string, reason: string): Promise<void>;
}

/** No loyalty (tools that build ordering alone): no reward exists. */
export const NO_REWARDS: RewardsPort = {
  async evaluate(query) {
    return {
      reward: null,
      problems: [{ code: 'REWARD_NOT_FOUND', path: '/reward_id', message: `No reward has the id ${query.rewardId}.` }],
      lineDiscounts: query.lines.map(() => 0),
      orderDiscount: 0,
    };
  },
  async tierOf() {
    return null;
  },
  async hold() {},
  async spend() {},
  async release() {},
};
