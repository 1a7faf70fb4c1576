// Menu availability windows: pure functions, no I/O. A window is a weekday and a store-local
// start and end time ("ends <= starts" runs past midnight; equal: 24 hours); an instant is in it
// when its local wall time is. DST-correct: windows are laid out in wall time and converted to
// instants with the zone's real offsets (a nonexistent start opens at the transition; an
// ambiguous one is the earlier instant), with the same zone arithmetic as tenancy's opening hours.
import { instantOfWall, offsetAt } from '../../platform/time/zones.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface AvailabilityWindow {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** "HH:MM" or "HH:MM:SS" (PostgreSQL `time`). */
  starts_at: string;
  ends_at: string;
}

export interface Availability {
  available: boolean;
  /** Latest instant <= at where the answer may have changed (at - horizon when none in sight). */
  since: number;
  /** Earliest instant > at where the answer may change (at + horizon when none in sight). */
  until: number;
}

/** How far around `at` windows are laid out; callers treat results as valid only within it. */
export const HORIZON_MS = 20 * 3_600_000;

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':');
  return Number(hours) * 60 + Number(minutes);
}

function isoWeekdayOf(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

/** Concrete [start, end) instants of the windows starting on local days [firstDay, lastDay], merged. */
export function windowIntervals(
  zone: string,
  windows: AvailabilityWindow[],
  firstDay: number,
  lastDay: number,
): Array<[number, number]> {
  const raw: Array<[number, number]> = [];
  for (let day = firstDay; day <= lastDay; day++) {
    const weekday = isoWeekdayOf(day);
    for (const window of windows) {
      if (window.weekday !== weekday) continue;
      const starts = minutesOf(window.starts_at);
      const ends = minutesOf(window.ends_at);
      const length = ends > starts ? ends - starts : ends + 1440 - starts;
      const startWall = day * DAY + starts * MINUTE;
      const start = instantOfWall(zone, startWall);
      const end = instantOfWall(zone, startWall + length * MINUTE);
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
  return merged;
}

/** Is a menu with these windows served at `at`, and between which instants is that answer constant? */
export function availabilityAt(zone: string, windows: AvailabilityWindow[], at: number): Availability {
  if (windows.length === 0) return { available: true, since: at - HORIZON_MS, until: at + HORIZON_MS };
  const today = Math.floor((at + offsetAt(zone, at)) / DAY);
  // A window lasts at most 24 h, so windows starting two days back can still be running.
  const intervals = windowIntervals(zone, windows, today - 2, today + 2);
  let since = at - HORIZON_MS;
  let until = at + HORIZON_MS;
  let available = false;
  for (const [start, end] of intervals) {
    if (start <= at && at < end) available = true;
    for (const boundary of [start, end]) {
      if (boundary <= at && boundary > since) since = boundary;
      if (boundary > at && boundary < until) until = boundary;
    }
  }
  return { available, since, until };
}
