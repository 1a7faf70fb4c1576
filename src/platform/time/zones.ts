// Time-zone arithmetic with no business rules: offsets of an IANA zone, and converting between
// instants and local wall times, DST-correct. Node 20 has no Temporal, so Intl does the lookups.
// Intl is slow (microseconds per call), so a zone's offset is sampled once a day across the
// window and transitions are located by bisection: every later conversion is plain arithmetic.
// Real zones never change offset twice within one day, which daily sampling needs.

const DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Offset of the zone from UTC at an instant, in ms (Europe/Berlin in summer: +7_200_000). */
export function offsetAt(zone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(instant / 1000) * 1000;
}

interface Segment {
  /** First instant (ms) at which `offset` applies. */
  start: number;
  offset: number;
}

/** Offset segments covering [from, to]; the first segment also covers everything before it. */
function offsetSegments(zone: string, from: number, to: number): Segment[] {
  const segments: Segment[] = [{ start: from, offset: offsetAt(zone, from) }];
  for (let probe = from + DAY; probe < to + DAY; probe += DAY) {
    const previous = segments[segments.length - 1]!;
    const offset = offsetAt(zone, probe);
    if (offset === previous.offset) continue;
    // The transition lies in (probe - DAY, probe]: bisect to the second.
    let lo = probe - DAY;
    let hi = probe;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (offsetAt(zone, mid) === previous.offset) lo = mid;
      else hi = mid;
    }
    segments.push({ start: hi, offset });
  }
  return segments;
}

const segmentCache = new Map<string, Segment[]>();
const SEGMENT_CACHE_MAX = 2000;

/** A zone's offsets around a window of local days, cached per zone and starting day. */
export class ZoneClock {
  private readonly segments: Segment[];

  constructor(
    readonly zone: string,
    firstDay: number,
    lastDay: number,
  ) {
    const key = `${zone}|${firstDay}|${lastDay}`;
    let segments = segmentCache.get(key);
    if (!segments) {
      // Two days of margin: wall times are up to ±14 h away from UTC.
      segments = offsetSegments(zone, (firstDay - 2) * DAY, (lastDay + 2) * DAY);
      if (segmentCache.size >= SEGMENT_CACHE_MAX) segmentCache.clear();
      segmentCache.set(key, segments);
    }
    this.segments = segments;
  }

  offsetAt(instant: number): number {
    let offset = this.segments[0]!.offset;
    for (const segment of this.segments) {
      if (segment.start > instant) break;
      offset = segment.offset;
    }
    return offset;
  }

  /** Wall time (ms, as if UTC) of an instant. */
  wallOf(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /**
   * The instant a wall time names. Ambiguous (clocks fall back): the earlier instant.
   * Nonexistent (clocks spring forward): the first valid instant after the gap, i.e. the
   * transition itself (02:30 on a 02:00→03:00 night opens at 03:00).
   */
  instantOf(wall: number): number {
    const candidates: number[] = [];
    for (let i = 0; i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const end = this.segments[i + 1]?.start ?? Number.POSITIVE_INFINITY;
      const instant = wall - segment.offset;
      if ((i === 0 || instant >= segment.start) && instant < end) candidates.push(instant);
    }
    if (candidates.length > 0) return Math.min(...candidates);
    for (let i = 1; i < this.segments.length; i++) {
      const before = this.segments[i - 1]!;
      const after = this.segments[i]!;
      if (wall >= after.start + before.offset && wall < after.start + after.offset) return after.start;
    }
    // Unreachable for windows built around the wall time; fall back to the plain offset.
    return wall - this.offsetAt(wall);
  }
}

/**
 * The instant a wall time (ms since the epoch, as if the zone were UTC) names: ambiguous wall
 * times take the earlier instant, nonexistent ones the transition itself.
 */
export function instantOfWall(zone: string, wall: number): number {
  const day = Math.floor(wall / DAY);
  return new ZoneClock(zone, day, day).instantOf(wall);
}
