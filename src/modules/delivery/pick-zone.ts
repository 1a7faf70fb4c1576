// Which of a store's delivery zones applies to an address: pure, no I/O, no clock. Zones may
// overlap on purpose (a cheap inner ring inside a dearer outer one), so one must win, and the same
// zones and address must always give the same winner, or quotes and orders would disagree.
//
// Of the zones that contain the address, the highest priority wins: that is the manager's explicit
// word. On a tie the smaller zone wins, because a smaller zone that contains the address is the more
// specific statement about it (a tight zone drawn inside a broad one is an exception to it, not a
// rival). Then the older zone, which was there first and is what customers were already quoted;
// then the id, only so the answer never depends on the order the zones were loaded in.
import { contains, zoneAreaSquareMetres } from './geometry.js';
import type { GeoPoint, ZoneArea } from './model.js';

export interface ZoneCandidate {
  id: string;
  version: number;
  priority: number;
  area: ZoneArea;
  created_at: Date;
}

interface Ranked<Z> {
  zone: Z;
  /** Square metres (πr², or the polygon less its holes on a local projection). */
  size: number;
}

/** Code-unit order, not locale order: the same on every machine and every Node build. */
function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareRanked<Z extends ZoneCandidate>(a: Ranked<Z>, b: Ranked<Z>): number {
  return (
    b.zone.priority - a.zone.priority ||
    a.size - b.size ||
    a.zone.created_at.getTime() - b.zone.created_at.getTime() ||
    compareIds(a.zone.id, b.zone.id)
  );
}

/**
 * The zone that applies at `point` for a store at `centre` (circles are drawn around it), or null
 * when none contains the point. Zones are assumed to have passed `validateArea`.
 */
export function pickZone<Z extends ZoneCandidate>(zones: Z[], centre: GeoPoint, point: GeoPoint): Z | null {
  let best: Ranked<Z> | null = null;
  for (const zone of zones) {
    if (!contains(zone.area, centre, point)) continue;
    const candidate = { zone, size: zoneAreaSquareMetres(zone.area, centre) };
    if (best === null || compareRanked(candidate, best) < 0) best = candidate;
  }
  return best?.zone ?? null;
}
