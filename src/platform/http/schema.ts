// Schema building blocks shared by every module's routes: the problem document, pagination,
// ids. One source for validation, serialization, types and the OpenAPI document.
import { Type, type Static, type TSchema } from 'typebox';
import { BadRequestError } from './errors.js';

export const Uuid = Type.String({ format: 'uuid', description: 'UUIDv7' });
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339, UTC' });

/** Money everywhere: integer minor units plus the ISO 4217 currency, never floats. */
export const MoneySchema = Type.Object(
  {
    amount: Type.Integer({ description: 'Minor units' }),
    currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217' }),
  },
  { additionalProperties: false },
);
export interface Money {
  amount: number;
  currency: string;
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    request_id: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String(),
          message: Type.String(),
          code: Type.Optional(
            Type.String({ description: 'This problem’s own stable code, when a request has several' }),
          ),
        }),
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
  503: 'Overloaded or a dependency is down',
};

/** Problem responses for the OpenAPI document, e.g. `...problems(400, 401, 404)`. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(
    statuses.map((status) => [status, { ...PROBLEM_REF, description: STATUS_TEXT[status] ?? 'Problem' }]),
  );
}

export const PaginationQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from a previous page' })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()]),
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
