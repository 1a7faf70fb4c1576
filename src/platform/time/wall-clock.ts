// Where an instant falls in a store's week: its ISO weekday and minute of the day on the store's
// wall clock. Dayparts are wall-clock windows (a promotion's lunch deal, a delivery zone's own
// hours), so a 11:00–14:00 window starts at 11:00 local on the day clocks change too (an hour
// that does not exist is simply never matched).
import { offsetAt } from './zones.js';

/** A weekly wall-clock window: ISO weekdays (1 = Monday) and [from, to) as "HH:MM". */
export interface Daypart {
  days: number[];
  from: string;
  to: string;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

export interface WallTime {
  /** 1 = Monday … 7 = Sunday */
  weekday: number;
  /** 0..1439 */
  minute: number;
}

export function wallTimeAt(instant: Date, zone: string): WallTime {
  const wall = instant.getTime() + offsetAt(zone, instant.getTime());
  const day = Math.floor(wall / DAY);
  // Day 0 (1970-01-01) was a Thursday, ISO weekday 4.
  return { weekday: ((((day + 3) % 7) + 7) % 7) + 1, minute: Math.floor((wall - day * DAY) / MINUTE) };
}

/** "HH:MM" as minutes after midnight (validated on write: 00:00..23:59, or 24:00 as an end). */
export function minuteOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/**
 * Whether a wall time lies in a daypart: [from, to) on one of its days; a window whose end is
 * at or before its start runs past midnight, and its early-morning part belongs to the day before.
 */
export function inDaypart(at: WallTime, daypart: Daypart): boolean {
  const from = minuteOf(daypart.from);
  const to = minuteOf(daypart.to);
  if (from < to) return daypart.days.includes(at.weekday) && at.minute >= from && at.minute < to;
  if (at.minute >= from) return daypart.days.includes(at.weekday);
  const dayBefore = at.weekday === 1 ? 7 : at.weekday - 1;
  return at.minute < to && daypart.days.includes(dayBefore);
}
