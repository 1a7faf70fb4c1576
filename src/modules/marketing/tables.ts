// Marketing's tables as Kysely sees them (migrations/0015_marketing.sql is the truth).
import type { Generated, Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';
import type { Conditions, Effect } from './model.js';

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
export type MarketingTables = {
  promotions: {
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
    uses: Generated<number>;
    /** bigint, parsed to a number by the pool (sums stay far below 2^53). */
    discount_spent: Generated<number>;
    version: Generated<number>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
    deleted_at: Date | null;
  };
  promotion_codes: {
    id: string;
    organization_id: string;
    promotion_id: string;
    code: string;
    code_key: Generated<string>;
    usage_limit: number | null;
    uses: Generated<number>;
    created_at: Generated<Date>;
  };
  promotion_customer_uses: {
    promotion_id: string;
    customer_id: string;
    period: string;
    uses: number;
    use_limit: number;
  };
  flash_sale_pools: {
    promotion_id: string;
    store_id: string;
    day: string;
    pool: number;
    taken: number;
  };
  promotion_redemptions: {
    id: string;
    organization_id: string;
    promotion_id: string;
    code_id: string | null;
    order_id: string;
    store_id: string;
    customer_id: string | null;
    amount: number;
    units: number;
    day: string | null;
    customer_period: string | null;
    counted: boolean;
    status: 'held' | 'confirmed' | 'released';
    held_at: Date;
    confirmed_at: Date | null;
    released_at: Date | null;
    release_reason: string | null;
  };
};

export type Executor = Kysely<PlatformTables>;
export const marketingTables = (ex: Executor) => ex.withTables<MarketingTables>();

export type PromotionRow = {
  [K in keyof MarketingTables['promotions']]: MarketingTables['promotions'][K] extends Generated<infer T>
    ? T
    : MarketingTables['promotions'][K];
};
