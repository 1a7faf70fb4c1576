// Request and response schemas of the tenancy routes: one source for validation, response
// serialization, TypeScript types and the OpenAPI document.
import { Type, type Static } from 'typebox';
import { FreeText, GeoPointSchema, Int, Page, PaginationQuery, Timestamp, Uuid } from '../../platform/http/schema.js';

const SLUG_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';
const Slug = Type.String({
  pattern: SLUG_PATTERN,
  minLength: 2,
  maxLength: 63,
  description: 'Lowercase letters, digits and single hyphens; used in public URLs',
  examples: ['demo-pizzeria'],
});
const Name = Type.String({ minLength: 1, maxLength: 200 });
const LocalDate = Type.String({
  format: 'date',
  maxLength: 10,
  description: 'Store-local calendar date, YYYY-MM-DD',
  examples: ['2026-12-25'],
});
const localTime = (description: string) =>
  Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', maxLength: 5, description, examples: ['09:00'] });
const LocalTime = localTime('Store-local wall time, HH:MM (24-hour)');
const ClosesAt = localTime(
  'Store-local HH:MM; at or before opens_at means the interval runs past midnight (equal: 24 hours)',
);

// A JSON-schema type list rather than anyOf: validation errors then name the real problem
// ("must match pattern") instead of "must match a schema in anyOf", and type coercion cannot
// turn null into "".
function NullableString(
  options: {
    pattern?: string;
    maxLength?: number;
    minLength?: number;
    format?: string;
    description?: string;
    examples?: string[];
  } = {},
) {
  return Type.Unsafe<string | null>({ ...options, type: ['string', 'null'] });
}

export const QR_TOKEN_PATTERN = '^[A-Za-z0-9_-]{22}$';

// --- shared pieces ---------------------------------------------------------------------------

export const WeeklyInterval = Type.Object(
  {
    weekday: Int(1, 7, { description: 'ISO weekday: 1 = Monday … 7 = Sunday' }),
    opens_at: LocalTime,
    closes_at: ClosesAt,
  },
  { additionalProperties: false },
);

export const DailyInterval = Type.Object({ opens_at: LocalTime, closes_at: ClosesAt }, { additionalProperties: false });

const WeeklyHours = Type.Array(WeeklyInterval, {
  maxItems: 70,
  description: 'Regular weekly opening hours in store-local time',
});

const AddressFields = {
  line1: Type.String({ minLength: 1, maxLength: 200 }),
  line2: Type.Optional(NullableString({ maxLength: 200 })),
  city: Type.String({ minLength: 1, maxLength: 100 }),
  region: Type.Optional(NullableString({ maxLength: 100 })),
  postal_code: Type.Optional(NullableString({ maxLength: 20 })),
  country: Type.String({ maxLength: 2, pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2', examples: ['DE'] }),
};
export const AddressInput = Type.Object(AddressFields, { additionalProperties: false });
export const Address = Type.Object({
  line1: FreeText(200),
  line2: NullableString({ maxLength: 200 }),
  city: FreeText(100),
  region: NullableString({ maxLength: 100 }),
  postal_code: NullableString({ maxLength: 20 }),
  country: Type.String({ maxLength: 2, pattern: '^[A-Z]{2}$' }),
});

const Phone = NullableString({
  pattern: '^\\+[0-9 ()./-]{7,30}$',
  maxLength: 31,
  description:
    'International format; spaces, dots, hyphens and parentheses are dropped and the result must be E.164 (+493012345678)',
  examples: ['+49 30 1234567'],
});
const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone name',
  examples: ['Europe/Berlin'],
});
const Currency = Type.String({
  pattern: '^[A-Z]{3}$',
  maxLength: 3,
  description: 'ISO 4217 currency code',
  examples: ['EUR'],
});

// --- organizations ---------------------------------------------------------------------------

export const Organization = Type.Object({
  id: Uuid,
  slug: Type.String({ pattern: SLUG_PATTERN, maxLength: 63 }),
  name: Name,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Organization = Static<typeof Organization>;

export const CreateOrganizationBody = Type.Object({ slug: Slug, name: Name }, { additionalProperties: false });
export type CreateOrganizationBody = Static<typeof CreateOrganizationBody>;

export const UpdateOrganizationBody = Type.Object(
  { slug: Type.Optional(Slug), name: Type.Optional(Name) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateOrganizationBody = Static<typeof UpdateOrganizationBody>;

export const OrganizationParams = Type.Object({ organizationId: Uuid });

// --- stores ----------------------------------------------------------------------------------

export const HoursException = Type.Object({
  id: Uuid,
  date: LocalDate,
  closed: Type.Boolean({ description: 'Closed all day; otherwise `intervals` replace the regular hours' }),
  intervals: Type.Array(DailyInterval, { maxItems: 10 }),
  note: NullableString({ maxLength: 200, description: 'Shown to guests, e.g. "Christmas Day"' }),
});
export type HoursException = Static<typeof HoursException>;

const OpeningFields = {
  is_open_now: Type.Boolean(),
  next_open_at: NullableString({
    format: 'date-time',
    maxLength: 40,
    description:
      'RFC 3339, UTC. The next opening after now (when open: the one after closes_at); null if none within 14 days.',
  }),
  closes_at: NullableString({
    format: 'date-time',
    maxLength: 40,
    description:
      'RFC 3339, UTC. When open: the end of the current opening; null when closed, or when it does not close within 14 days.',
  }),
};

/** WGS 84 degrees. */
const LocationField = Type.Union([GeoPointSchema, Type.Null()], {
  description: 'Where the store is; a store needs one before it can have delivery zones',
});

const StoreFields = {
  id: Uuid,
  organization_id: Uuid,
  name: Name,
  address: Address,
  phone: NullableString({ maxLength: 31, pattern: '^\\+[0-9]{7,30}$' }),
  timezone: { ...TimeZone, description: 'IANA time zone of the store; opening hours are in this zone' },
  currency: Currency,
  location: LocationField,
};

export const StoreSummary = Type.Object({ ...StoreFields, ...OpeningFields });
export type StoreSummary = Static<typeof StoreSummary>;

export const Store = Type.Object({
  ...StoreFields,
  opening_hours: Type.Array(WeeklyInterval, { maxItems: 70 }),
  hours_exceptions: Type.Array(HoursException, {
    maxItems: 61,
    description: 'Exceptions from today (store-local) for the next 60 days',
  }),
  ...OpeningFields,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Store = Static<typeof Store>;

export const CreateStoreBody = Type.Object(
  {
    name: Name,
    address: AddressInput,
    phone: Type.Optional(Phone),
    timezone: TimeZone,
    currency: Currency,
    location: Type.Optional(LocationField),
    opening_hours: Type.Optional(WeeklyHours),
  },
  { additionalProperties: false },
);
export type CreateStoreBody = Static<typeof CreateStoreBody>;

export const UpdateStoreBody = Type.Object(
  {
    name: Type.Optional(Name),
    address: Type.Optional(AddressInput),
    phone: Type.Optional(Phone),
    timezone: Type.Optional(TimeZone),
    currency: Type.Optional(Currency),
    location: Type.Optional(LocationField),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateStoreBody = Static<typeof UpdateStoreBody>;

export const OpeningHoursBody = Type.Object({ opening_hours: WeeklyHours }, { additionalProperties: false });
export type OpeningHoursBody = Static<typeof OpeningHoursBody>;

export const HoursExceptionBody = Type.Object(
  {
    closed: Type.Boolean({
      description: 'true: closed all day (send no intervals); false: open during `intervals` only',
    }),
    intervals: Type.Optional(Type.Array(DailyInterval, { maxItems: 10 })),
    note: Type.Optional(
      NullableString({ maxLength: 200, description: 'Public: shown to guests with the store, e.g. "Christmas Day"' }),
    ),
  },
  { additionalProperties: false },
);
export type HoursExceptionBody = Static<typeof HoursExceptionBody>;

export const StoreParams = Type.Object({ storeId: Uuid });
export const HoursExceptionParams = Type.Object({ storeId: Uuid, date: LocalDate });

export const DirectoryQuery = Type.Object(
  {
    ...PaginationQuery,
    org: Type.Optional(
      Type.String({
        pattern: SLUG_PATTERN,
        maxLength: 63,
        description: 'Only stores of the organization with this slug',
      }),
    ),
  },
  { additionalProperties: false },
);
export type DirectoryQuery = Static<typeof DirectoryQuery>;

export const HoursExceptionsQuery = Type.Object(
  {
    ...PaginationQuery,
    from: Type.Optional(
      Type.String({
        format: 'date',
        maxLength: 10,
        description: 'First date to list, YYYY-MM-DD (default: today, store-local)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type HoursExceptionsQuery = Static<typeof HoursExceptionsQuery>;

export const StorePage = Page(StoreSummary);
export const HoursExceptionPage = Page(HoursException);

// --- tables ----------------------------------------------------------------------------------

export const DiningTable = Type.Object({
  id: Uuid,
  organization_id: Uuid,
  store_id: Uuid,
  label: Type.String({ maxLength: 50 }),
  seats: Int(1, 100),
  qr_token: Type.String({
    pattern: QR_TOKEN_PATTERN,
    maxLength: 22,
    description: 'Secret printed in the table QR code; rotate it if a code leaks',
  }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type DiningTable = Static<typeof DiningTable>;

const Label = Type.String({ minLength: 1, maxLength: 50, description: 'Unique within the store', examples: ['T12'] });
const Seats = Int(1, 100);

export const CreateTableBody = Type.Object(
  { label: Label, seats: Type.Optional(Seats) },
  { additionalProperties: false },
);
export type CreateTableBody = Static<typeof CreateTableBody>;

export const UpdateTableBody = Type.Object(
  { label: Type.Optional(Label), seats: Type.Optional(Seats) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateTableBody = Static<typeof UpdateTableBody>;

export const TableParams = Type.Object({ storeId: Uuid, tableId: Uuid });
export const TablesQuery = Type.Object({ ...PaginationQuery }, { additionalProperties: false });
export const TablePage = Page(DiningTable);

export const QrParams = Type.Object({
  qrToken: Type.String({ pattern: QR_TOKEN_PATTERN, maxLength: 22, description: 'Token from the table QR code' }),
});

/** What a guest's phone learns from scanning a table: where it is, not the table's secret. */
export const ScannedTable = Type.Object({
  table: Type.Object({ id: Uuid, label: Type.String({ maxLength: 50 }), seats: Int(1, 100) }),
  store: StoreSummary,
});
export type ScannedTable = Static<typeof ScannedTable>;

// --- headers ---------------------------------------------------------------------------------

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ maxLength: 512, description: 'ETag from a previous read; 412 when the resource changed since' }),
  ),
});
export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({ maxLength: 2048, description: 'ETag(s) of a cached copy; 304 when still current' }),
  ),
});
