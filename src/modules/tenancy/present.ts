// Rows to API representations. A store's representation depends on the clock (open now or
// not), so presenting one also says how long it stays true, for Cache-Control.
import type { DateWindow, ExceptionRow, OrganizationRow, StoreRow, TableRow } from './repo.js';
import { dateOfDayNumber, dayNumberOf, localDateAt, nextLocalMidnight, openingState, type Schedule } from './hours.js';
import type { DiningTable, HoursException, Organization, Store, StoreSummary } from './schema.js';

const DAY = 86_400_000;
/** Public store responses are cached at most this long, and never past a change of state. */
export const MAX_STORE_CACHE_SECONDS = 60;
/** How far ahead the store detail lists hours exceptions. */
export const UPCOMING_EXCEPTION_DAYS = 60;

/** RFC 3339 UTC with second precision: 2026-11-21T12:00:00Z. */
export function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * The local dates whose exceptions a store read needs: a day either side of UTC covers every
 * zone (offsets stay within ±14 h), plus the look-ahead or the upcoming list.
 */
export function exceptionWindow(now: Date, daysAhead: number): DateWindow {
  const today = Math.floor(now.getTime() / DAY);
  return { from: dateOfDayNumber(today - 2), to: dateOfDayNumber(today + daysAhead + 2) };
}

export function presentOrganization(row: OrganizationRow): Organization {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}

export function presentException(row: ExceptionRow): HoursException {
  return { id: row.id, date: row.date, closed: row.closed, intervals: row.intervals, note: row.note };
}

function scheduleOf(row: StoreRow): Schedule {
  return { timezone: row.timezone, weekly: row.opening_hours, exceptions: row.exceptions };
}

export interface Presented<T> {
  body: T;
  /** Seconds the body stays correct (until the store opens/closes or the local date turns). */
  freshForSeconds: number;
}

export function presentStoreSummary(row: StoreRow, now: Date): Presented<StoreSummary> {
  const state = openingState(scheduleOf(row), now);
  const changes = [state.changesAt, nextLocalMidnight(now, row.timezone)].filter((at): at is Date => at !== null);
  const untilChange = Math.min(...changes.map((at) => Math.floor((at.getTime() - now.getTime()) / 1000)));
  return {
    body: {
      id: row.id,
      organization_id: row.organization_id,
      name: row.name,
      address: row.address,
      phone: row.phone,
      timezone: row.timezone,
      currency: row.currency,
      location: row.location,
      is_open_now: state.isOpenNow,
      next_open_at: state.nextOpenAt ? rfc3339(state.nextOpenAt) : null,
      closes_at: state.closesAt ? rfc3339(state.closesAt) : null,
    },
    freshForSeconds: Math.max(0, Math.min(MAX_STORE_CACHE_SECONDS, untilChange)),
  };
}

export function presentStore(row: StoreRow, now: Date): Presented<Store> {
  const summary = presentStoreSummary(row, now);
  const today = localDateAt(now, row.timezone);
  const last = dateOfDayNumber(dayNumberOf(today)! + UPCOMING_EXCEPTION_DAYS);
  const { is_open_now, next_open_at, closes_at, ...fields } = summary.body;
  return {
    body: {
      ...fields,
      opening_hours: row.opening_hours,
      hours_exceptions: row.exceptions
        .filter((exception) => exception.date >= today && exception.date <= last)
        .map(presentException),
      is_open_now,
      next_open_at,
      closes_at,
      created_at: rfc3339(row.created_at),
      updated_at: rfc3339(row.updated_at),
    },
    freshForSeconds: summary.freshForSeconds,
  };
}

export function presentTable(row: TableRow): DiningTable {
  return {
    id: row.id,
    organization_id: row.organization_id,
    store_id: row.store_id,
    label: row.label,
    seats: row.seats,
    qr_token: row.qr_token,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}
