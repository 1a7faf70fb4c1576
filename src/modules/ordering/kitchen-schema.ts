// How a store takes orders as the API shows it: kitchen slots with their capacity, and the
// store's ordering settings. One source for validation, types and OpenAPI.
import { Type, type Static } from 'typebox';
import { Count, Int, LocalDate, Timestamp, Uuid } from '../../platform/http/schema.js';
import { ChannelSchema } from './schema.js';

// --- slots and settings -------------------------------------------------------------------------

const Capacity = Type.Object(
  {
    orders: Type.Union([Int(1, 1000), Type.Null()], {
      description: 'Orders per slot; null: no limit',
    }),
    items: Type.Union([Int(1, 10000), Type.Null()], {
      description: 'Items per slot; null: no limit',
    }),
  },
  { additionalProperties: false },
);
export type Capacity = Static<typeof Capacity>;

export const SlotsQuery = Type.Object(
  {
    date: Type.Optional(
      Type.String({
        format: 'date',
        maxLength: 10,
        description: 'Store-local date (YYYY-MM-DD); default: today at the store',
      }),
    ),
    channel: Type.Optional(ChannelSchema),
  },
  { additionalProperties: false },
);

export const SlotList = Type.Object({
  store_id: Uuid,
  date: LocalDate,
  channel: ChannelSchema,
  timezone: Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_+/-]+$', description: 'IANA time zone' }),
  slot_minutes: Int(5, 60),
  slots: Type.Array(
    Type.Object({
      starts_at: Timestamp,
      ends_at: Timestamp,
      capacity: Capacity,
      remaining: Type.Object({
        orders: Type.Union([Count(), Type.Null()]),
        items: Type.Union([Count(), Type.Null()]),
      }),
      orderable: Type.Boolean({
        description: 'Can still be chosen now: not too soon for the prep time, and with room',
      }),
    }),
    {
      maxItems: 288,
      description: 'Slots anchored to each opening time of the day, in order (at most 288 five-minute slots)',
    },
  ),
});

const settingsFields = {
  prep_minutes: Int(0, 240, {
    description: 'From order to ready; the last-order cut-off is closing time minus this',
  }),
  slot_minutes: Type.Union([
    Type.Literal(5),
    Type.Literal(10),
    Type.Literal(15),
    Type.Literal(20),
    Type.Literal(30),
    Type.Literal(60),
  ]),
  capacity: Capacity,
  channel_capacity: Type.Object(
    { pickup: Type.Optional(Capacity), delivery: Type.Optional(Capacity), dine_in: Type.Optional(Capacity) },
    { additionalProperties: false, description: 'Channels with a capacity pool of their own' },
  ),
  asap_max_wait_minutes: Int(0, 720, {
    description: 'An ASAP order is refused rather than promised later than this past its earliest ready time',
  }),
  schedule_days_ahead: Int(0, 60),
  auto_accept: Type.Boolean({ description: 'Accept orders as soon as they are placed (and paid, when paid online)' }),
  service_charge_bps: Int(0, 5000, {
    description: 'Of the discounted subtotal, in basis points',
  }),
  service_charge_channels: Type.Array(ChannelSchema, { uniqueItems: true, maxItems: 3 }),
  service_charge_min_items: Int(0, 9999, {
    description: 'Charged from this many items (large parties); 0: always',
  }),
  unpaid_expiry_minutes: Int(1, 1440),
  max_line_quantity: Int(1, 999),
  max_order_items: Int(1, 9999),
};

export const OrderingSettingsSchema = Type.Object({ store_id: Uuid, ...settingsFields });
export type OrderingSettings = Static<typeof OrderingSettingsSchema>;
export const OrderingSettingsPatch = Type.Partial(Type.Object(settingsFields, { additionalProperties: false }), {
  additionalProperties: false,
});
export type OrderingSettingsPatch = Static<typeof OrderingSettingsPatch>;
