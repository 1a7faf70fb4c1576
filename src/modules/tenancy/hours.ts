// Opening hours: pure functions, no I/O. Weekly hours and exceptions are store-local wall times
// ("HH:MM" in the store's IANA zone); everything a client sees is a UTC instant computed here.
// Node 20 has no Temporal, so zone offsets come from Intl, sampled once per zone and window.

import { offsetAt, ZoneClock } from '../../platform/time/zones.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK_MINUTES = 7 * 1440;

/** How far ahead next_open_at / closes_at are searched (in local days after today). */
export const LOOKAHEAD_DAYS = 14;

export interface WeeklyInterval {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  opens_at: string;
  /** <= opens_at: the interval runs past midnight into the next day (equal: 24 hours). */
  closes_at: string;
}

export interface DailyInterval {
  opens_at: string;
  closes_at: string;
}

export interface HoursException {
  /** Store-local date, YYYY-MM-DD. */
  date: string;
  closed: boolean;
  intervals: DailyInterval[];
}

export interface Schedule {
  timezone: string;
  weekly: WeeklyInterval[];
  exceptions: HoursException[];
}

export interface OpenInterval {
  opensAt: Date;
  closesAt: Date;
}

export interface OpeningState {
  isOpenNow: boolean;
  /** The next opening after now: when open, the one after the current interval closes. */
  nextOpenAt: Date | null;
  /** When open, the end of the current interval; null when closed or open past the horizon. */
  closesAt: Date | null;
  /** The next instant at which isOpenNow flips (for cache lifetimes); null if none in sight. */
  changesAt: Date | null;
}

// ---------------------------------------------------------------------------------------------
// Wall-clock arithmetic. A "local day" is a day number (days since 1970-01-01 on the wall
// calendar); a "wall" value is milliseconds of wall time as if the zone were UTC.

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isHhmm(value: string): boolean {
  return HHMM.test(value);
}

export function minutesOf(hhmm: string): number {
  const match = HHMM.exec(hhmm);
  if (!match) throw new RangeError(`Not an HH:MM time: ${hhmm}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Day number of a YYYY-MM-DD date, or null when it is not a real calendar date. */
export function dayNumberOf(date: string): number | null {
  const match = ISO_DATE.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return ms / DAY;
}

export function dateOfDayNumber(dayNumber: number): string {
  return new Date(dayNumber * DAY).toISOString().slice(0, 10);
}

/** ISO weekday (1 = Monday) of a day number; day 0 (1970-01-01) was a Thursday. */
export function isoWeekdayOf(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

/** The instant of a store-local date and time, e.g. ('2026-03-29', '02:30', 'Europe/Berlin'). */
export function zonedInstant(date: string, time: string, zone: string): Date {
  const day = dayNumberOf(date);
  if (day === null) throw new RangeError(`Not a calendar date: ${date}`);
  const clock = new ZoneClock(zone, day, day + 1);
  return new Date(clock.instantOf(day * DAY + minutesOf(time) * MINUTE));
}

/** The store-local calendar date (YYYY-MM-DD) at an instant. */
export function localDateAt(instant: Date, zone: string): string {
  const wall = instant.getTime() + offsetAt(zone, instant.getTime());
  return dateOfDayNumber(Math.floor(wall / DAY));
}

// ---------------------------------------------------------------------------------------------
// Schedules.

function intervalsOfDay(schedule: Schedule, exceptions: Map<string, HoursException>, day: number): DailyInterval[] {
  const exception = exceptions.get(dateOfDayNumber(day));
  if (exception) return exception.closed ? [] : exception.intervals;
  const weekday = isoWeekdayOf(day);
  return schedule.weekly.filter((interval) => interval.weekday === weekday);
}

/** Interval length in minutes: past midnight when closes <= opens (equal: a full day). */
function lengthInMinutes(interval: DailyInterval): number {
  const opens = minutesOf(interval.opens_at);
  const closes = minutesOf(interval.closes_at);
  return closes > opens ? closes - opens : closes + 1440 - opens;
}

/**
 * Concrete open intervals for the intervals that start on local days [firstDay, lastDay],
 * merged where they touch or overlap, in order. An exception replaces the hours that start on
 * its date; the tail of the previous evening's past-midnight interval is left alone.
 */
export function openIntervalsForDays(schedule: Schedule, firstDay: number, lastDay: number): OpenInterval[] {
  // Same window as openingState's horizon, so both share one cached offset table.
  const clock = new ZoneClock(schedule.timezone, firstDay, lastDay + 1);
  const exceptions = new Map(schedule.exceptions.map((exception) => [exception.date, exception]));
  const raw: Array<[number, number]> = [];
  for (let day = firstDay; day <= lastDay; day++) {
    for (const interval of intervalsOfDay(schedule, exceptions, day)) {
      const opensWall = day * DAY + minutesOf(interval.opens_at) * MINUTE;
      const start = clock.instantOf(opensWall);
      const end = clock.instantOf(opensWall + lengthInMinutes(interval) * MINUTE);
      // A short interval inside a spring-forward gap collapses to nothing.
      if (end > start) raw.push([start, end]);
    }
  }
  raw.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of raw) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged.map(([start, end]) => ({ opensAt: new Date(start), closesAt: new Date(end) }));
}

/** Open now? Until when? When next? Searched up to LOOKAHEAD_DAYS local days ahead. */
export function openingState(schedule: Schedule, now: Date, lookaheadDays = LOOKAHEAD_DAYS): OpeningState {
  const at = now.getTime();
  const today = Math.floor((at + offsetAt(schedule.timezone, at)) / DAY);
  const lastDay = today + lookaheadDays;
  const intervals = openIntervalsForDays(schedule, today - 1, lastDay);
  // Intervals of days after lastDay were not generated: an interval reaching that far may
  // continue, so its end is not a known closing time.
  const horizon = new ZoneClock(schedule.timezone, today - 1, lastDay + 1).instantOf((lastDay + 1) * DAY);

  const current = intervals.find((interval) => interval.opensAt.getTime() <= at && at < interval.closesAt.getTime());
  if (current) {
    const closesAt = current.closesAt.getTime() < horizon ? current.closesAt : null;
    const next = closesAt ? intervals.find((interval) => interval.opensAt.getTime() > closesAt.getTime()) : undefined;
    return { isOpenNow: true, closesAt, nextOpenAt: next?.opensAt ?? null, changesAt: closesAt };
  }
  const next = intervals.find((interval) => interval.opensAt.getTime() > at);
  return { isOpenNow: false, closesAt: null, nextOpenAt: next?.opensAt ?? null, changesAt: next?.opensAt ?? null };
}

/** Is the store open at this instant (for scheduled orders)? */
export function isOpenAt(schedule: Schedule, at: Date): boolean {
  return openingState(schedule, at, 1).isOpenNow;
}

/** The next store-local midnight after an instant (when "upcoming exceptions" change). */
export function nextLocalMidnight(instant: Date, zone: string): Date {
  const today = Math.floor((instant.getTime() + offsetAt(zone, instant.getTime())) / DAY);
  return new Date(new ZoneClock(zone, today + 1, today + 2).instantOf((today + 1) * DAY));
}

// ---------------------------------------------------------------------------------------------
// Validation of hours a client sends. Formats are checked by the request schema; these rules
// need the whole list. Every problem is reported, with a JSON Pointer into the request.

export interface HoursProblem {
  /** Pointer relative to the list, e.g. "/3". */
  path: string;
  message: string;
}

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function describe(interval: WeeklyInterval): string {
  return `${WEEKDAY_NAMES[interval.weekday - 1] ?? '?'} ${interval.opens_at}–${interval.closes_at}`;
}

/** Weekly intervals must not overlap, including a past-midnight tail into the next day. */
export function weeklyHoursProblems(weekly: WeeklyInterval[]): HoursProblem[] {
  const problems: HoursProblem[] = [];
  const placed = weekly.map((interval) => ({
    start: (interval.weekday - 1) * 1440 + minutesOf(interval.opens_at),
    length: lengthInMinutes(interval),
  }));
  for (let j = 0; j < weekly.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = placed[i]!;
      const b = placed[j]!;
      const overlaps =
        (((b.start - a.start) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES < a.length ||
        (((a.start - b.start) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES < b.length;
      if (overlaps) {
        problems.push({ path: `/${j}`, message: `overlaps /${i} (${describe(weekly[i]!)})` });
        break;
      }
    }
  }
  return problems;
}

/** One day's intervals (an exception's) must not overlap each other. */
export function dailyHoursProblems(intervals: DailyInterval[]): HoursProblem[] {
  const problems: HoursProblem[] = [];
  const placed = intervals.map((interval) => {
    const start = minutesOf(interval.opens_at);
    return { start, end: start + lengthInMinutes(interval) };
  });
  for (let j = 0; j < intervals.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = placed[i]!;
      const b = placed[j]!;
      if (a.start < b.end && b.start < a.end) {
        problems.push({
          path: `/${j}`,
          message: `overlaps /${i} (${intervals[i]!.opens_at}–${intervals[i]!.closes_at})`,
        });
        break;
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Zone and currency names.

const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * The IANA zone name to store, or null when Intl does not know it. Case is normalized to the
 * canonical spelling; a valid alias (Europe/Kyiv where ICU says Europe/Kiev) is kept as sent.
 */
export function normalizeTimeZone(name: string): string | null {
  if (!ZONE_NAME.test(name)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

let currencies: Set<string> | undefined;

/** ISO 4217 codes in current use, as ICU knows them. */
export function isCurrencyCode(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

let regions: Intl.DisplayNames | undefined;

/** ISO 3166-1 alpha-2 country codes known to ICU ("ZZ" is ICU's unknown region). */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || code === 'ZZ') return false;
  regions ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  return regions.of(code) !== undefined;
}
