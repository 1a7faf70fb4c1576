// Schema building blocks shared by every module's routes: the problem document, pagination,
// ids. One source for validation, serialization, types and the OpenAPI document.
import { Type, type Static, type TSchema } from 'typebox';
import { BadRequestError } from './errors.js';

export const Uuid = Type.String({ format: 'uuid', maxLength: 36, description: 'UUIDv7' });
export const Timestamp = Type.String({ format: 'date-time', maxLength: 40, description: 'RFC 3339, UTC' });

// --- bounded numbers and strings (ADR 0021): every integer has a format and a range, every string a
// maximum length, so the contract says what the server accepts and a client what it can receive.

export const INT32_MAX = 2_147_483_647;
/** Integers JSON carries exactly (±2^53 − 1): the widest any Brigade field can be. */
export const SAFE_INTEGER_MAX = Number.MAX_SAFE_INTEGER;

/** The schema, or null (a field that is always present, possibly empty). */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

/** An integer in [minimum, maximum], `int32` when the range fits, `int64` otherwise. */
export function Int(minimum: number, maximum: number, options: { description?: string; default?: number } = {}) {
  const format = minimum >= -INT32_MAX - 1 && maximum <= INT32_MAX ? 'int32' : 'int64';
  return Type.Integer({ format, minimum, maximum, ...options });
}
/** How many of something a client orders or counts (units per line): 1..max. */
export const Quantity = (maximum = 999, options: { description?: string; default?: number } = {}) =>
  Int(1, maximum, options);
/** A count the server reports (items, rows, versions, positions): 0..int32 max. */
export const Count = (options: { description?: string } = {}) => Int(0, INT32_MAX, options);
/** A price a client sets (a menu item, a variant, an option) in minor units: 0..int32 max. */
export const Price = (options: { description?: string } = {}) =>
  Int(0, INT32_MAX, { description: 'Minor units', ...options });
/** An amount the server reports, in minor units: any safe integer (discounts and refunds included). */
export const MinorUnits = (options: { description?: string } = {}) =>
  Int(-SAFE_INTEGER_MAX, SAFE_INTEGER_MAX, { description: 'Minor units', ...options });

/** A name a person gives (an item, a store, a person): 1..maxLength characters; 100 or 200 as the DB checks. */
export const Name = (maxLength = 200, options: { description?: string } = {}) =>
  Type.String({ minLength: 1, maxLength, ...options });
/** Free text (notes, descriptions, reasons): up to maxLength characters. */
export const FreeText = (maxLength = 1000, options: { description?: string } = {}) =>
  Type.String({ maxLength, ...options });
/** A machine-readable code or key the server reports (an error code, a provider name, a slug). */
export const Code = (maxLength = 100, options: { description?: string } = {}) =>
  Type.String({ maxLength, pattern: '^[A-Za-z0-9_.:-]*$', ...options });
/** An opaque token or cursor: at most 512 characters. */
export const Token = (options: { description?: string } = {}) => Type.String({ maxLength: 512, ...options });
/** A URL the server reports. */
export const Url = (options: { description?: string } = {}) =>
  Type.String({ format: 'uri', maxLength: 2048, ...options });
export const CurrencyCode = Type.String({ minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$', description: 'ISO 4217' });
/** Store-local wall-clock time, HH:MM. */
export const LocalTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', maxLength: 5 });
/** A weekly window on the store's wall clock (platform/time/wall-clock.ts): a promotion's daypart, a delivery zone's hours. */
export const DaypartSchema = Type.Object(
  {
    days: Type.Array(Int(1, 7, { description: 'ISO weekday, 1 = Monday' }), { minItems: 1, maxItems: 7 }),
    from: { ...LocalTime, description: 'Store-local HH:MM the window opens' },
    to: Type.String({
      pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$',
      maxLength: 5,
      description: 'Store-local HH:MM the window closes (24:00: midnight); at or before `from`: runs past midnight',
    }),
  },
  { additionalProperties: false, description: 'A weekly window in the store’s time zone' },
);

/** A point on WGS 84 (a store, a delivery address, a courier). */
export const GeoPointSchema = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude, degrees' }),
    lng: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude, degrees' }),
  },
  { additionalProperties: false },
);
export type GeoPoint = Static<typeof GeoPointSchema>;

export const LocalDate = Type.String({ format: 'date', maxLength: 10 });

/** Money everywhere: integer minor units plus the ISO 4217 currency, never floats. */
export const MoneySchema = Type.Object(
  {
    amount: MinorUnits(),
    currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217' }),
  },
  { additionalProperties: false },
);
/** Money a client sends: 0..maximum minor units (a tip, a refund), so pricing never sees a huge or negative figure. */
export const MoneyInput = (maximum: number, options: { description?: string } = {}) =>
  Type.Object(
    {
      amount: Int(0, maximum, { description: 'Minor units' }),
      currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217' }),
    },
    { additionalProperties: false, ...options },
  );
/** The largest tip or refund a request may name: 10,000,000 minor units (100,000.00 in a two-decimal currency). */
export const MAX_REQUEST_AMOUNT = 10_000_000;
export interface Money {
  amount: number;
  currency: string;
}

export const ProblemSchema = Type.Object(
  {
    type: Url(),
    title: FreeText(200),
    status: Int(400, 599),
    detail: Type.Optional(FreeText(2000)),
    code: Code(100, { description: 'Stable machine-readable error code' }),
    request_id: Type.String({ maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          path: FreeText(1024),
          message: FreeText(1000),
          code: Type.Optional(Code(100, { description: 'This problem’s own stable code, when a request has several' })),
        }),
        { maxItems: 1000 },
      ),
    ),
  },
  { $id: 'Problem', title: 'Problem (RFC 9457)' },
);

const PROBLEM_REF = Type.Unsafe<Static<typeof ProblemSchema>>(Type.Ref('Problem'));
const STATUS_TEXT: Record<number, string> = {
  400: 'Malformed request or failed validation (VALIDATION_FAILED, MALFORMED_REQUEST)',
  401: 'Missing, invalid or expired credentials',
  403: 'Authenticated but not allowed',
  404: 'Not found (also for resources of another organization)',
  409: 'Conflict with the current state',
  412: 'If-Match did not match the current ETag',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Valid request that cannot be carried out',
  429: 'Rate limited',
  500: 'Unexpected failure (a problem without internals: no stack trace, no SQL)',
  503: 'Overloaded or a dependency is down',
};

/** Problem responses for the OpenAPI document, e.g. `...problems(400, 401, 404)`. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(
    statuses.map((status) => [status, { ...PROBLEM_REF, description: STATUS_TEXT[status] ?? 'Problem' }]),
  );
}

export const PaginationQuery = {
  limit: Type.Optional(Int(1, 100, { default: 20 })),
  cursor: Type.Optional(Token({ description: 'Opaque cursor from a previous page' })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item, { maxItems: 100 }),
    next_cursor: Type.Union([Token(), Type.Null()]),
    has_more: Type.Boolean(),
  });
}

export interface PageOf<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

/** Cursors are base64url JSON of the sort key; opaque to clients, validated on the way back in. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * Decodes a cursor holding the string fields `fields`. `isValid` checks their values (say, that
 * an id is a UUID), so a forged cursor is a 400 here and never reaches SQL as a bad cast.
 * Without `isValid`, every field must be a UUID.
 */
export function decodeCursor<K extends string>(
  cursor: string | undefined,
  fields: readonly K[],
  isValid: (key: Record<K, string>) => boolean = (key) => fields.every((field) => isUuid(key[field])),
): Record<K, string> | null {
  if (cursor === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      fields.every((field) => typeof (parsed as Record<string, unknown>)[field] === 'string')
    ) {
      const key = parsed as Record<K, string>;
      if (isValid(key)) return key;
    }
  } catch {
    // fall through to the error below
  }
  throw new BadRequestError('INVALID_CURSOR', 'The cursor is not one this API issued.', [
    { path: '/querystring/cursor', message: 'is not a valid cursor' },
  ]);
}

/** Fetch `limit + 1` rows, then call this: it trims the extra row and builds the page. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  keyOf: (row: Row) => Record<string, string>,
): PageOf<Item> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(toItem),
    next_cursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
    has_more: hasMore,
  };
}

/** The If-Match request header of a conditional write (read with platform/http/conditional.ts). */
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'ETag from a previous read: the write happens only if it is still current (else 412)',
    }),
  ),
});

/** The response of a write that answers 204. */
export const NO_CONTENT = { 204: Type.Null({ description: 'Done; no body' }) };
