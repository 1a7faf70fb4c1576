// Request and response schemas of the loyalty program's terms and its rewards: one source for
// validation, serialization, TypeScript types and the OpenAPI document. The shapes mirror
// model.ts (Accrual, Tier, RewardEffect); what a JSON schema cannot say (tiers ascending from 0,
// unique keys, a multiplier's window, ids of the brand) is checked by program.ts (422).
//
// Points are whole numbers; multipliers are basis points (10000 = ×1, 15000 = ×1.5); amounts are
// minor units of the currency of the store where the order is placed.
import { Type, type Static } from 'typebox';
import {
  Count,
  FreeText,
  Int,
  INT32_MAX,
  Name,
  Nullable,
  Page,
  PaginationQuery,
  Timestamp,
  Uuid,
} from '../../platform/http/schema.js';

const closed = { additionalProperties: false } as const;

/** How many bonuses, multipliers, tiers or item ids one list may hold. */
export const MAX_LIST = 100;
/** The largest multiplier a program may set: ×10. */
export const MAX_MULTIPLIER_BPS = 100_000;

const Points = (description: string) => Int(0, 1_000_000, { description });
const Multiplier = (description: string) =>
  Int(10_000, MAX_MULTIPLIER_BPS, { description: `${description}; basis points, 10000 = ×1 (at most ×10)` });

export const AccrualSchema = Type.Object(
  {
    points_per_unit: Int(0, 10_000, {
      description: 'Points per whole major unit (dollar, euro) of food: subtotal minus discounts, floored',
    }),
    per_visit: Type.Optional(Points('Points for every fulfilled order')),
    per_item: Type.Optional(
      Type.Array(Type.Object({ item_id: Uuid, points: Points('Extra points per unit of the item') }, closed), {
        maxItems: MAX_LIST,
      }),
    ),
    per_category: Type.Optional(
      Type.Array(
        Type.Object({ category_id: Uuid, points: Points('Extra points per unit of an item in the category') }, closed),
        { maxItems: MAX_LIST },
      ),
    ),
    multipliers: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Name(100),
            starts_at: Timestamp,
            ends_at: Timestamp,
            multiplier_bps: Multiplier('By when the order was placed; the largest in force applies'),
          },
          closed,
        ),
        { maxItems: MAX_LIST, description: 'Time-boxed multipliers (double points week)' },
      ),
    ),
  },
  { ...closed, description: 'How points are earned on a fulfilled order (never on tax, tip or the delivery fee)' },
);

export const TierSchema = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9][a-z0-9_-]*$', description: 'Stable key' }),
    name: Name(100),
    threshold: Int(0, INT32_MAX, { description: 'The qualifying measure needed over the window' }),
    multiplier_bps: Multiplier('Accrual multiplier of the tier'),
    perks: Type.Array(FreeText(200), { maxItems: 20, description: 'What members of the tier get, in words' }),
  },
  closed,
);

const terms = {
  name: Name(100),
  accrual: AccrualSchema,
  lock_days: Int(0, 365, { description: 'Days before earned points can be spent (0: at once)' }),
  expiry_months: Nullable(Int(1, 120, { description: 'Months until earned points expire; null: never' })),
  tier_measure: Type.Union([Type.Literal('points'), Type.Literal('orders')], {
    description: 'What qualifies for a tier: points earned, or orders that earned, over the window',
  }),
  tier_window_days: Int(1, 3650, { description: 'The rolling window of the qualifying measure' }),
  tiers: Type.Array(TierSchema, {
    minItems: 1,
    maxItems: 20,
    description: 'Ascending by threshold, the first at 0 (where every member starts)',
  }),
};

export const PutProgramBody = Type.Object(
  {
    ...terms,
    active: Type.Optional(
      Type.Boolean({ description: 'Default true; an inactive program takes no members and earns nothing' }),
    ),
    join_at_sign_up: Type.Optional(Type.Boolean({ description: 'Default false' })),
  },
  closed,
);
export type PutProgramBody = Static<typeof PutProgramBody>;

export const RewardEffectSchema = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal('free_item'),
        item_ids: Type.Array(Uuid, { minItems: 1, maxItems: MAX_LIST, description: 'One unit of one of these, free' }),
      },
      { ...closed, description: 'One unit of one of the items free (the dearest in the basket)' },
    ),
    Type.Object(
      { type: Type.Literal('amount_off'), amount: Int(1, INT32_MAX, { description: 'Off the food; minor units' }) },
      { ...closed, description: 'A fixed amount off the food' },
    ),
  ],
  { description: 'What the reward gives, by `type`' },
);

export const PublicRewardSchema = Type.Object({
  id: Uuid,
  name: Name(100),
  description: Nullable(FreeText(500)),
  points: Int(1, 10_000_000, { description: 'What the reward costs in points' }),
  effect: RewardEffectSchema,
});
export type PublicRewardOut = Static<typeof PublicRewardSchema>;

export const ProgramSchema = Type.Object({
  organization_id: Uuid,
  ...terms,
  active: Type.Boolean(),
  join_at_sign_up: Type.Boolean(),
  rewards: Type.Array(PublicRewardSchema, { maxItems: 1000, description: 'The active rewards, cheapest first' }),
  version: Count({ description: 'Also the ETag' }),
  updated_at: Timestamp,
});
export type ProgramOut = Static<typeof ProgramSchema>;

const rewardFields = {
  name: Name(100),
  description: Nullable(FreeText(500)),
  points: Int(1, 10_000_000, { description: 'What the reward costs in points' }),
  effect: RewardEffectSchema,
  cost: Int(0, INT32_MAX, {
    description: 'What one redemption costs the brand, in minor units (the liability report values points with it)',
  }),
  active: Type.Boolean(),
};

export const CreateRewardBody = Type.Object(
  {
    name: rewardFields.name,
    points: rewardFields.points,
    effect: rewardFields.effect,
    description: Type.Optional(rewardFields.description),
    cost: Type.Optional(rewardFields.cost),
    active: Type.Optional(rewardFields.active),
  },
  closed,
);
export type CreateRewardBody = Static<typeof CreateRewardBody>;

export const PatchRewardBody = Type.Object(
  {
    name: Type.Optional(rewardFields.name),
    points: Type.Optional(rewardFields.points),
    effect: Type.Optional(rewardFields.effect),
    description: Type.Optional(rewardFields.description),
    cost: Type.Optional(rewardFields.cost),
    active: Type.Optional(rewardFields.active),
  },
  { ...closed, minProperties: 1, description: 'Fields given replace the old ones (effect whole)' },
);
export type PatchRewardBody = Static<typeof PatchRewardBody>;

export const RewardSchema = Type.Object({
  id: Uuid,
  organization_id: Uuid,
  ...rewardFields,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type RewardOut = Static<typeof RewardSchema>;
export const RewardPage = Page(RewardSchema);

export const OrganizationParams = Type.Object({ organizationId: Uuid });
export const RewardParams = Type.Object({ organizationId: Uuid, rewardId: Uuid });
export const RewardListQuery = Type.Object({ ...PaginationQuery }, closed);
export type RewardListQuery = Static<typeof RewardListQuery>;

export { IfMatchHeaders } from '../../platform/http/schema.js';
