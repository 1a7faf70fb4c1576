import { describe, expect, it } from 'vitest';
import { instantOfWall } from '../../platform/time/zones.js';
import { availabilityAt } from './availability.js';

const ms = (iso: string) => new Date(iso).getTime();

describe('menu windows', () => {
  it('when a local time falls in a spring-forward gap, then it names the transition; an ambiguous one names the earlier instant', () => {
    // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00Z).
    expect(instantOfWall('Europe/Berlin', ms('2026-03-29T02:30:00Z'))).toBe(ms('2026-03-29T01:00:00Z'));
    // Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET (01:00Z); 02:30 happens twice.
    expect(instantOfWall('Europe/Berlin', ms('2026-10-25T02:30:00Z'))).toBe(ms('2026-10-25T00:30:00Z'));
    expect(instantOfWall('America/New_York', ms('2026-07-01T12:00:00Z'))).toBe(ms('2026-07-01T16:00:00Z'));
  });

  it('when the clocks fall back during a window, then it lasts its local hours (one hour longer in real time)', () => {
    const windows = [{ weekday: 6, starts_at: '22:00:00', ends_at: '04:00:00' }]; // Saturday night
    const at = ms('2026-10-25T00:00:00Z'); // 02:00 CEST on Sunday
    const result = availabilityAt('Europe/Berlin', windows, at);
    expect(result).toEqual({ available: true, since: ms('2026-10-24T20:00:00Z'), until: ms('2026-10-25T03:00:00Z') });
  });

  it('when no window is open, then `until` is the next opening and `since` the last closing', () => {
    const windows = [
      { weekday: 1, starts_at: '07:00', ends_at: '11:00' },
      { weekday: 1, starts_at: '17:00', ends_at: '22:00' },
    ];
    const result = availabilityAt('Europe/Berlin', windows, ms('2026-06-01T12:00:00Z')); // Monday 14:00 CEST
    expect(result).toEqual({ available: false, since: ms('2026-06-01T09:00:00Z'), until: ms('2026-06-01T15:00:00Z') });
  });
});
