// HTTP shapes of delivery zones: what a manager sends to draw one and what anyone reads back.
// Money is `{amount, currency}` in the store's currency like everywhere else; the module stores
// minor units (model.ts) and checks the currency on write.
import { Type, type Static } from 'typebox';
import {
  DaypartSchema,
  GeoPointSchema,
  Int,
  MoneySchema,
  Name,
  Nullable,
  Timestamp,
  Uuid,
} from '../../platform/http/schema.js';

const closed = { additionalProperties: false } as const;

const Position = Type.Array(Type.Number(), {
  minItems: 2,
  maxItems: 2,
  description: '[lng, lat] (GeoJSON order), degrees',
});
const Circle = Type.Object(
  {
    type: Type.Literal('circle'),
    radius_m: Int(50, 50_000, { description: 'Great-circle distance from the store, metres (edge included)' }),
  },
  { ...closed, description: 'Everything within a distance of the store' },
);
const Polygon = Type.Object(
  {
    type: Type.Literal('polygon'),
    coordinates: Type.Array(Type.Array(Position, { minItems: 4, maxItems: 500 }), {
      minItems: 1,
      maxItems: 20,
      description:
        'GeoJSON polygon: the outer ring, then holes; each ring closed (first position = last), not crossing itself, and not crossing ±180° longitude. The store must be inside.',
    }),
  },
  { ...closed, description: 'A drawn area, with holes' },
);
export const ZoneAreaSchema = Type.Union([Circle, Polygon]);

const Fixed = Type.Object({ type: Type.Literal('fixed'), amount: MoneySchema }, { ...closed, description: 'One fee' });
const DistanceTiers = Type.Object(
  {
    type: Type.Literal('distance_tiers'),
    tiers: Type.Array(
      Type.Object(
        { up_to_m: Int(1, 100_000), amount: MoneySchema },
        { ...closed, description: 'Up to this far (inclusive)' },
      ),
      { minItems: 1, maxItems: 20, description: 'Ascending `up_to_m`; the last must reach the edge of the area' },
    ),
  },
  { ...closed, description: 'By great-circle distance from the store' },
);
const BasketTiers = Type.Object(
  {
    type: Type.Literal('basket_tiers'),
    tiers: Type.Array(
      Type.Object({ from: MoneySchema, amount: MoneySchema }, { ...closed, description: 'From this food subtotal on' }),
      { minItems: 1, maxItems: 20, description: 'Ascending `from`, the first at 0' },
    ),
  },
  { ...closed, description: 'By the food subtotal (before discounts)' },
);
export const ZoneFeeSchema = Type.Union([Fixed, DistanceTiers, BasketTiers]);

export const ZoneBody = Type.Object(
  {
    name: Name(100),
    priority: Type.Optional(
      Int(-1000, 1000, { default: 0, description: 'Where zones overlap, the higher priority applies' }),
    ),
    area: ZoneAreaSchema,
    fee: ZoneFeeSchema,
    free_above: Type.Optional(
      Type.Union([MoneySchema, Type.Null()], { description: 'No fee from this food subtotal on (before discounts)' }),
    ),
    minimum_order: MoneySchema,
    eta_allowance_minutes: Type.Optional(
      Int(0, 240, { default: 10, description: 'Minutes from the order being ready to the courier leaving' }),
    ),
    hours: Type.Optional(
      Type.Union([Type.Array(DaypartSchema, { minItems: 1, maxItems: 20 }), Type.Null()], {
        description:
          'When the zone is in force, on the store’s wall clock (by the time the order is ready); null: whenever the store delivers',
      }),
    ),
  },
  closed,
);
export type ZoneBody = Static<typeof ZoneBody>;

export const Zone = Type.Object(
  {
    id: Uuid,
    store_id: Uuid,
    version: Int(1, 2_147_483_647, { description: 'Bumped by every change; the ETag' }),
    name: Name(100),
    priority: Int(-1000, 1000),
    area: ZoneAreaSchema,
    fee: ZoneFeeSchema,
    free_above: Nullable(MoneySchema),
    minimum_order: MoneySchema,
    eta_allowance_minutes: Int(0, 240),
    hours: Nullable(Type.Array(DaypartSchema, { maxItems: 20 })),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  closed,
);
export type Zone = Static<typeof Zone>;

export const ZoneList = Type.Object(
  {
    data: Type.Array(Zone, { maxItems: 100 }),
    store_location: Type.Union([GeoPointSchema, Type.Null()], {
      description: 'Where circles and distances are measured from',
    }),
  },
  closed,
);

export const StoreParams = Type.Object({ storeId: Uuid }, closed);
export const ZoneParams = Type.Object({ storeId: Uuid, zoneId: Uuid }, closed);
