import { describe, expect, it } from 'vitest';
import { ZoneClock } from '../../platform/time/zones.js';
import {
  dailyHoursProblems,
  dayNumberOf,
  isCountryCode,
  isCurrencyCode,
  isoWeekdayOf,
  localDateAt,
  nextLocalMidnight,
  normalizeTimeZone,
  openingState,
  weeklyHoursProblems,
  zonedInstant,
  type HoursException,
  type Schedule,
  type WeeklyInterval,
} from './hours.js';

const ALL_WEEK = [1, 2, 3, 4, 5, 6, 7];

function every(weekdays: number[], opens_at: string, closes_at: string): WeeklyInterval[] {
  return weekdays.map((weekday) => ({ weekday, opens_at, closes_at }));
}

function schedule(timezone: string, weekly: WeeklyInterval[], exceptions: HoursException[] = []): Schedule {
  return { timezone, weekly, exceptions };
}

const iso = (date: Date | null) => date?.toISOString() ?? null;
const at = (instant: string) => new Date(instant);

describe('local dates', () => {
  it('when a day number is taken, then the ISO weekday matches the calendar', () => {
    expect(isoWeekdayOf(dayNumberOf('2026-03-29')!)).toBe(7); // Sunday
    expect(isoWeekdayOf(dayNumberOf('2026-03-30')!)).toBe(1); // Monday
    expect(isoWeekdayOf(dayNumberOf('1969-12-29')!)).toBe(1); // before the epoch, too
  });

  it('when a date does not exist in the calendar, then it has no day number', () => {
    expect(dayNumberOf('2026-02-29')).toBeNull();
    expect(dayNumberOf('2028-02-29')).not.toBeNull();
    expect(dayNumberOf('2026-13-01')).toBeNull();
  });

  it('when the UTC date and the local date differ, then the local one is reported', () => {
    expect(localDateAt(at('2026-06-30T23:30:00Z'), 'Europe/Berlin')).toBe('2026-07-01');
    expect(localDateAt(at('2026-07-01T02:00:00Z'), 'America/New_York')).toBe('2026-06-30');
  });
});

describe('wall time to instant', () => {
  it('when Berlin springs forward on 2026-03-29, then times in the gap open at 03:00 CEST', () => {
    expect(iso(zonedInstant('2026-03-29', '01:59', 'Europe/Berlin'))).toBe('2026-03-29T00:59:00.000Z');
    expect(iso(zonedInstant('2026-03-29', '02:00', 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(zonedInstant('2026-03-29', '02:30', 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(zonedInstant('2026-03-29', '03:00', 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(zonedInstant('2026-03-29', '03:01', 'Europe/Berlin'))).toBe('2026-03-29T01:01:00.000Z');
  });

  it('when Berlin falls back on 2026-10-25, then an ambiguous time takes the earlier instant', () => {
    expect(iso(zonedInstant('2026-10-25', '02:30', 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(zonedInstant('2026-10-25', '03:00', 'Europe/Berlin'))).toBe('2026-10-25T02:00:00.000Z');
    expect(iso(zonedInstant('2026-10-25', '01:59', 'Europe/Berlin'))).toBe('2026-10-24T23:59:00.000Z');
  });

  it('when New York springs forward on 2026-03-08 and falls back on 2026-11-01, then the same rules hold', () => {
    expect(iso(zonedInstant('2026-03-08', '02:30', 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(zonedInstant('2026-03-08', '01:30', 'America/New_York'))).toBe('2026-03-08T06:30:00.000Z');
    expect(iso(zonedInstant('2026-11-01', '01:30', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(zonedInstant('2026-11-01', '02:00', 'America/New_York'))).toBe('2026-11-01T07:00:00.000Z');
  });

  it('when a zone moves by half an hour (Lord Howe), then the gap and the overlap are half an hour', () => {
    // Lord Howe: +10:30 → +11:00 at 02:00 local on 2026-10-04; back at 02:00 local on 2026-04-05.
    expect(iso(zonedInstant('2026-10-04', '02:15', 'Australia/Lord_Howe'))).toBe('2026-10-03T15:30:00.000Z');
    expect(iso(zonedInstant('2026-04-05', '01:45', 'Australia/Lord_Howe'))).toBe('2026-04-04T14:45:00.000Z');
  });

  it('when every quarter hour around each 2026 transition is converted, then it agrees with a brute-force Intl oracle', () => {
    // A deterministic stand-in for a property test: an oracle that knows nothing of segments.
    const zones = [
      'Europe/Berlin',
      'America/New_York',
      'Australia/Lord_Howe',
      'Europe/Dublin',
      'America/Santiago',
      'Pacific/Chatham',
      'Asia/Kolkata',
    ];
    const HOUR = 3_600_000;
    const DAYMS = 86_400_000;
    const formats = new Map(
      zones.map((zone) => [
        zone,
        new Intl.DateTimeFormat('en-US', {
          timeZone: zone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        }),
      ]),
    );
    const wallOf = (zone: string, instant: number) => {
      const parts: Record<string, number> = Object.fromEntries(
        formats
          .get(zone)!
          .formatToParts(instant)
          .filter((part) => part.type !== 'literal')
          .map((part) => [part.type, Number(part.value)]),
      );
      return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    };
    const oracle = (zone: string, wall: number) => {
      const offsets = new Set<number>();
      for (let h = -30; h <= 30; h += 3) offsets.add(wallOf(zone, wall + h * HOUR) - (wall + h * HOUR));
      const valid = [...offsets].map((offset) => wall - offset).filter((instant) => wallOf(zone, instant) === wall);
      if (valid.length > 0) return Math.min(...valid);
      // In a gap: the first instant whose wall time is past the requested one.
      let lo = wall - 15 * HOUR;
      let hi = wall + 15 * HOUR;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (wallOf(zone, mid) > wall) hi = mid;
        else lo = mid;
      }
      return hi;
    };
    let checked = 0;
    for (const zone of zones) {
      const transitionDays: number[] = [];
      for (let day = dayNumberOf('2026-01-01')!; day <= dayNumberOf('2026-12-31')!; day++) {
        const noon = day * DAYMS + 12 * HOUR;
        if (wallOf(zone, noon) - noon !== wallOf(zone, noon - DAYMS) - (noon - DAYMS))
          transitionDays.push(day - 1, day);
      }
      // Zones without DST still get a few ordinary days checked.
      const days =
        transitionDays.length > 0 ? transitionDays : [dayNumberOf('2026-03-29')!, dayNumberOf('2026-10-25')!];
      for (const day of days) {
        const clock = new ZoneClock(zone, day, day + 1);
        for (let minute = 0; minute < 1440; minute += 15) {
          const wall = day * DAYMS + minute * 60_000;
          expect({ zone, wall: new Date(wall).toISOString(), instant: clock.instantOf(wall) }).toEqual({
            zone,
            wall: new Date(wall).toISOString(),
            instant: oracle(zone, wall),
          });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('opening state', () => {
  it('when a Berlin bar is open over the spring-forward night, then it closes at 03:00 CEST', () => {
    const bar = schedule('Europe/Berlin', every([6], '22:00', '03:00'));
    const state = openingState(bar, at('2026-03-29T00:30:00Z')); // 01:30 CET
    expect(state.isOpenNow).toBe(true);
    expect(iso(state.closesAt)).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST, five real hours after opening
    expect(iso(state.nextOpenAt)).toBe('2026-04-04T20:00:00.000Z'); // next Saturday 22:00 CEST
  });

  it('when a Berlin store opens inside the spring-forward gap, then it opens at 03:00 CEST', () => {
    const early = schedule('Europe/Berlin', every([7], '02:30', '06:00'));
    const before = openingState(early, at('2026-03-28T23:00:00Z'));
    expect(before.isOpenNow).toBe(false);
    expect(iso(before.nextOpenAt)).toBe('2026-03-29T01:00:00.000Z');
    expect(openingState(early, at('2026-03-29T01:00:00Z')).isOpenNow).toBe(true);
    expect(iso(openingState(early, at('2026-03-29T01:00:00Z')).closesAt)).toBe('2026-03-29T04:00:00.000Z');
  });

  it('when a Berlin bar is open over the fall-back night, then it closes at 03:00 CET, an hour later in real time', () => {
    const bar = schedule('Europe/Berlin', every([6], '22:00', '03:00'));
    const state = openingState(bar, at('2026-10-25T00:45:00Z')); // 02:45 CEST, first pass
    expect(state.isOpenNow).toBe(true);
    expect(iso(state.closesAt)).toBe('2026-10-25T02:00:00.000Z');
    expect(openingState(bar, at('2026-10-25T01:45:00Z')).isOpenNow).toBe(true); // 02:45 CET, second pass
    expect(openingState(bar, at('2026-10-25T02:00:00Z')).isOpenNow).toBe(false);
  });

  it('when a store opens at an ambiguous fall-back time, then it opens at the earlier instant', () => {
    const early = schedule('Europe/Berlin', every([7], '02:30', '05:00'));
    expect(iso(openingState(early, at('2026-10-24T20:00:00Z')).nextOpenAt)).toBe('2026-10-25T00:30:00.000Z');
  });

  it('when New York springs forward and falls back, then opening and closing instants follow the clock', () => {
    const diner = schedule('America/New_York', every(ALL_WEEK, '06:00', '02:30'));
    // Saturday 2026-03-07 06:00 EST; the 02:30 close on Sunday falls in the gap: 03:00 EDT.
    const spring = openingState(diner, at('2026-03-08T06:45:00Z')); // 01:45 EST
    expect(spring.isOpenNow).toBe(true);
    expect(iso(spring.closesAt)).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(spring.nextOpenAt)).toBe('2026-03-08T10:00:00.000Z'); // 06:00 EDT
    // Saturday 2026-10-31 06:00 EDT until Sunday 02:30 EST (02:30 is not ambiguous, 01:30 is).
    const fall = openingState(diner, at('2026-11-01T05:30:00Z')); // 01:30 EDT
    expect(fall.isOpenNow).toBe(true);
    expect(iso(fall.closesAt)).toBe('2026-11-01T07:30:00.000Z');
    expect(iso(fall.nextOpenAt)).toBe('2026-11-01T11:00:00.000Z'); // 06:00 EST
  });

  it('when an interval runs past midnight, then it is open after midnight and closed after closing', () => {
    const late = schedule('Europe/Berlin', [
      { weekday: 5, opens_at: '18:00', closes_at: '02:00' },
      { weekday: 6, opens_at: '12:00', closes_at: '15:00' },
    ]);
    // Saturday 2026-06-13 01:00 CEST: still Friday's hours.
    const after = openingState(late, at('2026-06-12T23:00:00Z'));
    expect(after).toMatchObject({ isOpenNow: true });
    expect(iso(after.closesAt)).toBe('2026-06-13T00:00:00.000Z');
    expect(iso(after.nextOpenAt)).toBe('2026-06-13T10:00:00.000Z');
    const closed = openingState(late, at('2026-06-13T01:00:00Z'));
    expect(closed.isOpenNow).toBe(false);
    expect(closed.closesAt).toBeNull();
    expect(iso(closed.nextOpenAt)).toBe('2026-06-13T10:00:00.000Z');
  });

  it('when an interval closes at midnight, then it closes at the start of the next day', () => {
    const evening = schedule('UTC', every([1], '18:00', '00:00'));
    expect(iso(openingState(evening, at('2026-06-15T23:59:00Z')).closesAt)).toBe('2026-06-16T00:00:00.000Z');
  });

  it('when intervals of consecutive days touch, then they count as one opening', () => {
    const late = schedule('UTC', [
      { weekday: 1, opens_at: '20:00', closes_at: '02:00' },
      { weekday: 2, opens_at: '02:00', closes_at: '04:00' },
    ]);
    const state = openingState(late, at('2026-06-15T23:00:00Z')); // Monday
    expect(iso(state.closesAt)).toBe('2026-06-16T04:00:00.000Z');
  });

  it('when an exception closes a day, then the store stays closed and opens on the next regular day', () => {
    const weekdays = schedule('Europe/Berlin', every([1, 2, 3, 4, 5], '09:00', '17:00'), [
      { date: '2026-12-24', closed: true, intervals: [] },
      { date: '2026-12-25', closed: true, intervals: [] },
    ]);
    const christmasEve = openingState(weekdays, at('2026-12-24T10:00:00Z')); // Thursday 11:00 CET
    expect(christmasEve.isOpenNow).toBe(false);
    expect(iso(christmasEve.nextOpenAt)).toBe('2026-12-28T08:00:00.000Z'); // Monday 09:00 CET
  });

  it('when an exception adds special hours, then they replace the regular ones for that date only', () => {
    const weekdays = schedule('Europe/Berlin', every([1, 2, 3, 4, 5], '09:00', '17:00'), [
      { date: '2026-06-14', closed: false, intervals: [{ opens_at: '10:00', closes_at: '14:00' }] }, // a Sunday
      {
        date: '2026-06-15',
        closed: false,
        intervals: [
          { opens_at: '12:00', closes_at: '13:00' },
          { opens_at: '18:00', closes_at: '01:00' },
        ],
      },
    ]);
    const sunday = openingState(weekdays, at('2026-06-14T07:00:00Z')); // Sunday 09:00 CEST
    expect(sunday.isOpenNow).toBe(false);
    expect(iso(sunday.nextOpenAt)).toBe('2026-06-14T08:00:00.000Z');
    expect(iso(openingState(weekdays, at('2026-06-14T09:00:00Z')).closesAt)).toBe('2026-06-14T12:00:00.000Z');
    // Monday: not 09:00 as usual, but 12:00–13:00 and 18:00–01:00.
    const monday = openingState(weekdays, at('2026-06-15T07:30:00Z'));
    expect(monday.isOpenNow).toBe(false);
    expect(iso(monday.nextOpenAt)).toBe('2026-06-15T10:00:00.000Z');
    const night = openingState(weekdays, at('2026-06-15T22:30:00Z'));
    expect(night.isOpenNow).toBe(true);
    expect(iso(night.closesAt)).toBe('2026-06-15T23:00:00.000Z');
    expect(iso(night.nextOpenAt)).toBe('2026-06-16T07:00:00.000Z'); // Tuesday back to normal
  });

  it('when the day after a past-midnight opening is closed by exception, then the night still runs to its end', () => {
    const bar = schedule('UTC', every([5], '20:00', '03:00'), [{ date: '2026-06-13', closed: true, intervals: [] }]);
    const state = openingState(bar, at('2026-06-13T01:00:00Z'));
    expect(state.isOpenNow).toBe(true);
    expect(iso(state.closesAt)).toBe('2026-06-13T03:00:00.000Z');
  });

  it('when a store is open around the clock, then it is open with no closing time in sight', () => {
    const always = schedule('America/New_York', every(ALL_WEEK, '00:00', '00:00'));
    for (const instant of ['2026-03-08T07:30:00Z', '2026-11-01T06:30:00Z', '2026-07-04T12:00:00Z']) {
      const state = openingState(always, at(instant));
      expect(state).toEqual({ isOpenNow: true, closesAt: null, nextOpenAt: null, changesAt: null });
    }
  });

  it('when a 24-hour store closes for a holiday, then it closes at local midnight and reopens the day after', () => {
    const always = schedule('Europe/Berlin', every(ALL_WEEK, '00:00', '00:00'), [
      { date: '2026-12-25', closed: true, intervals: [] },
    ]);
    const state = openingState(always, at('2026-12-20T12:00:00Z'));
    expect(state.isOpenNow).toBe(true);
    expect(iso(state.closesAt)).toBe('2026-12-24T23:00:00.000Z');
    expect(iso(state.nextOpenAt)).toBe('2026-12-25T23:00:00.000Z');
  });

  it('when a store has no hours, then it is closed and never opens', () => {
    expect(openingState(schedule('UTC', []), at('2026-06-15T12:00:00Z'))).toEqual({
      isOpenNow: false,
      closesAt: null,
      nextOpenAt: null,
      changesAt: null,
    });
  });

  it('when the only opening is beyond the look-ahead, then next_open_at is null; within it, it is found', () => {
    const pop = (date: string) =>
      schedule('UTC', [], [{ date, closed: false, intervals: [{ opens_at: '10:00', closes_at: '12:00' }] }]);
    expect(openingState(pop('2026-07-10'), at('2026-06-15T12:00:00Z')).nextOpenAt).toBeNull();
    expect(iso(openingState(pop('2026-06-29'), at('2026-06-15T12:00:00Z')).nextOpenAt)).toBe(
      '2026-06-29T10:00:00.000Z',
    );
  });

  it('when asked for the next local midnight, then it is midnight in the store zone', () => {
    expect(iso(nextLocalMidnight(at('2026-06-15T12:00:00Z'), 'Europe/Berlin'))).toBe('2026-06-15T22:00:00.000Z');
    expect(iso(nextLocalMidnight(at('2026-06-15T12:00:00Z'), 'America/New_York'))).toBe('2026-06-16T04:00:00.000Z');
  });
});

describe('hours validation', () => {
  it('when weekly intervals overlap, including past midnight and across Sunday into Monday, then each overlap is reported', () => {
    const problems = weeklyHoursProblems([
      { weekday: 1, opens_at: '09:00', closes_at: '17:00' },
      { weekday: 1, opens_at: '16:00', closes_at: '18:00' }, // overlaps /0
      { weekday: 2, opens_at: '20:00', closes_at: '03:00' },
      { weekday: 3, opens_at: '02:00', closes_at: '05:00' }, // overlaps /2 after midnight
      { weekday: 7, opens_at: '22:00', closes_at: '09:30' }, // overlaps /0 on Monday morning
      { weekday: 4, opens_at: '10:00', closes_at: '12:00' },
      { weekday: 4, opens_at: '12:00', closes_at: '14:00' }, // touches, fine
    ]);
    expect(problems).toEqual([
      { path: '/1', message: 'overlaps /0 (Monday 09:00–17:00)' },
      { path: '/3', message: 'overlaps /2 (Tuesday 20:00–03:00)' },
      { path: '/4', message: 'overlaps /0 (Monday 09:00–17:00)' },
    ]);
  });

  it('when a 24-hour day sits next to another interval of that day, then it overlaps', () => {
    expect(weeklyHoursProblems([...every([1], '00:00', '00:00'), ...every([1], '10:00', '11:00')])).toHaveLength(1);
    expect(weeklyHoursProblems(every(ALL_WEEK, '00:00', '00:00'))).toEqual([]);
  });

  it('when a day of special hours overlaps itself, then it is reported', () => {
    expect(
      dailyHoursProblems([
        { opens_at: '18:00', closes_at: '01:00' },
        { opens_at: '23:00', closes_at: '23:30' },
        { opens_at: '10:00', closes_at: '12:00' },
      ]),
    ).toEqual([{ path: '/1', message: 'overlaps /0 (18:00–01:00)' }]);
  });
});

describe('zone, currency and country names', () => {
  it('when a zone is an IANA name in any case, then its canonical spelling is kept', () => {
    expect(normalizeTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(normalizeTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(normalizeTimeZone('UTC')).toBe('UTC');
    expect(normalizeTimeZone('Europe/Kyiv')).toBe('Europe/Kyiv');
  });

  it('when a zone is unknown or an offset, then it is refused', () => {
    expect(normalizeTimeZone('Mars/Olympus_Mons')).toBeNull();
    expect(normalizeTimeZone('+01:00')).toBeNull();
    expect(normalizeTimeZone('')).toBeNull();
  });

  it('when a currency or country is checked, then only current ISO codes pass', () => {
    expect(isCurrencyCode('EUR')).toBe(true);
    expect(isCurrencyCode('DEM')).toBe(false);
    expect(isCurrencyCode('eur')).toBe(false);
    expect(isCountryCode('DE')).toBe(true);
    expect(isCountryCode('XX')).toBe(false);
    expect(isCountryCode('ZZ')).toBe(false);
  });
});
