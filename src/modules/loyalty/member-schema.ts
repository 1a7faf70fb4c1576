// Request and response schemas of the member side (a customer's standing and activity, joining
// and leaving), the staff's member lookup and point adjustments, and the liability report.
import { Type, type Static } from 'typebox';
import {
  Count,
  CurrencyCode,
  FreeText,
  INT32_MAX,
  Int,
  LocalDate,
  MinorUnits,
  Name,
  Nullable,
  Page,
  PaginationQuery,
  SAFE_INTEGER_MAX,
  Timestamp,
  Uuid,
} from '../../platform/http/schema.js';

const closed = { additionalProperties: false } as const;
const PointsOut = (description: string) => Int(0, INT32_MAX, { description });
/** A brand-wide sum of points: past int32 in principle. */
const TotalPoints = (description: string) => Int(0, SAFE_INTEGER_MAX, { description });
const TierKey = Type.String({ maxLength: 40 });

export const TierStanding = Type.Object({
  key: TierKey,
  name: Name(100),
  multiplier_bps: Int(10_000, 100_000, { description: '10000 = ×1' }),
  perks: Type.Array(FreeText(200), { maxItems: 20 }),
  since: Timestamp,
});

export const NextTier = Type.Object({
  key: TierKey,
  name: Name(100),
  threshold: PointsOut('The qualifying measure it needs over the window'),
  remaining: PointsOut('What the member still needs (0: reached; the upgrade comes with the next evaluation)'),
});

export const StandingSchema = Type.Object({
  organization_id: Uuid,
  program_name: Name(100),
  status: Type.Union([Type.Literal('active'), Type.Literal('left')]),
  points_available: PointsOut('Spendable now: the balance minus points in their lock period and points held'),
  points_pending: PointsOut('Earned, still in the lock period'),
  points_held: PointsOut('Held by rewards on open orders'),
  debt: PointsOut('Points clawed back that the balance could not cover; repaid from the next points earned'),
  tier: TierStanding,
  next_tier: Nullable(NextTier),
  expiring: Type.Array(Type.Object({ points: PointsOut('Points left of lots expiring that day'), on: LocalDate }), {
    maxItems: 100,
    description: 'Points expiring in the next 90 days, by UTC date, soonest first',
  }),
  joined_at: Timestamp,
});
export type StandingOut = Static<typeof StandingSchema>;
export const StandingList = Type.Object({ data: Type.Array(StandingSchema, { maxItems: 1000 }) });

export const ActivityEntrySchema = Type.Object({
  id: Uuid,
  kind: Type.Union([
    Type.Literal('earn'),
    Type.Literal('redeem'),
    Type.Literal('adjust'),
    Type.Literal('expire'),
    Type.Literal('clawback'),
  ]),
  points: Int(-INT32_MAX, INT32_MAX, { description: 'Signed: credits positive, debits negative' }),
  order_id: Nullable(Uuid),
  reward_id: Nullable(Uuid),
  reason: Nullable(FreeText(500)),
  created_at: Timestamp,
  expires_at: Nullable({ ...Timestamp, description: 'A credit’s expiry (null: never, or not a credit)' }),
  available_at: Nullable({ ...Timestamp, description: 'When a credit’s points become spendable (null: not a credit)' }),
});
export type ActivityEntryOut = Static<typeof ActivityEntrySchema>;
export const ActivityPage = Page(ActivityEntrySchema);
export const ActivityQuery = Type.Object({ ...PaginationQuery }, closed);
export type ActivityQuery = Static<typeof ActivityQuery>;

export const MemberSchema = Type.Object({
  member_id: Uuid,
  customer_id: Uuid,
  consent: Type.Union([Type.Literal('join'), Type.Literal('sign_up'), Type.Literal('demo')]),
  standing: StandingSchema,
  balance: PointsOut('The sum of the member’s entries'),
  tier_changes: Type.Array(
    Type.Object({
      from_tier: Nullable(TierKey),
      to_tier: TierKey,
      reason: Type.Union([Type.Literal('joined'), Type.Literal('upgrade'), Type.Literal('downgrade')]),
      qualifying: Count({ description: 'The measure that decided it' }),
      changed_at: Timestamp,
    }),
    { maxItems: 20, description: 'The latest tier changes, newest first (at most 20)' },
  ),
});
export type MemberOut = Static<typeof MemberSchema>;

export const MemberParams = Type.Object({ organizationId: Uuid, customerId: Uuid });
export const MyProgramParams = Type.Object({ organizationId: Uuid });

export const MAX_ADJUSTMENT = 10_000_000;
export const AdjustmentBody = Type.Object(
  {
    points: Int(-MAX_ADJUSTMENT, MAX_ADJUSTMENT, {
      description: 'Non-zero: positive credits a new lot, negative takes from the oldest lots',
    }),
    reason: Type.String({ minLength: 3, maxLength: 500, description: 'Why, for the member and the audit log' }),
  },
  closed,
);
export type AdjustmentBody = Static<typeof AdjustmentBody>;

export const LiabilitySchema = Type.Object({
  organization_id: Uuid,
  as_of: Timestamp,
  members: Count({ description: 'Active members' }),
  points_outstanding: TotalPoints('Every member’s balance (those who left keep theirs if they join again)'),
  points_pending: TotalPoints('Of them, still in their lock period'),
  points_held: TotalPoints('Of them, held by rewards on open orders'),
  debt: TotalPoints('Points owed from claw-backs the balances could not cover'),
  expiring_30_days: TotalPoints('Points left of lots expiring in the next 30 days'),
  valuation: Nullable(
    Type.Object({
      reward_id: Uuid,
      reward_name: Name(100),
      points: Int(1, 10_000_000),
      cost: Int(0, INT32_MAX, { description: 'Minor units per redemption' }),
    }),
  ),
  value: Nullable(
    Type.Object(
      { amount: MinorUnits(), currency: CurrencyCode },
      { description: 'points_outstanding × cost ÷ points of `valuation`, floored; null without a single currency' },
    ),
  ),
  currencies: Type.Array(CurrencyCode, { maxItems: 200, description: 'The currencies of the brand’s stores' }),
});
export type LiabilityOut = Static<typeof LiabilitySchema>;
