// Delivery-zone geometry: pure functions, no I/O, no clock. Whether an address is inside a zone,
// how far it is from the store for the fee, how large a zone is, and whether a drawn area is one we
// can trust at checkout. Validation runs once on write, so checkout can assume a sound shape.
//
// Circles are measured on the sphere (great-circle distance from the store, edge included), so
// they are right anywhere, the ±180° meridian included. Polygons are read as planar in lng/lat,
// as GeoJSON tools draw them; that is only sound for a polygon that does not cross ±180°, so
// validation rejects one whose longitudes span more than 180° (it would wrap the long way round
// the globe). A boundary counts as inside, for the outer ring and holes alike.
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { point, polygon } from '@turf/helpers';
import { kinks } from '@turf/kinks';
import type { GeoPoint, Ring, ZoneArea } from './model.js';

/** One problem with a zone body; `path` is a JSON pointer relative to the body. */
export interface ZoneIssue {
  path: string;
  message: string;
}

/** The IUGG mean Earth radius: the sphere that best fits WGS 84 on average. */
const EARTH_RADIUS_M = 6_371_008.8;
const MIN_RADIUS_M = 50;
const MAX_RADIUS_M = 50_000;
/** Below this a ring is a line or a point in practice, not an area anyone could deliver to. */
const MIN_RING_AREA_M2 = 1;

const toRadians = (degrees: number): number => (degrees * Math.PI) / 180;
const issue = (path: string, message: string): ZoneIssue => ({ path, message });
const ringPath = (ring: number, position?: number): string =>
  position === undefined ? `/area/coordinates/${ring}` : `/area/coordinates/${ring}/${position}`;

/** Haversine distance on the mean sphere. Periodic in longitude, so 179.9° to -179.9° is 0.2°. */
export function greatCircleMetres(a: GeoPoint, b: GeoPoint): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  // Rounding can push h a hair past 1 for antipodal points; asin would then be NaN.
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Turf throws on malformed rings: callers only pass areas that passed `validateArea`. */
function inRings(coordinates: Ring[], at: GeoPoint): boolean {
  return booleanPointInPolygon(point([at.lng, at.lat]), polygon(coordinates), { ignoreBoundary: false });
}

/** Whether `at` is in the zone; `centre` is the store's location, which a circle is drawn around. */
export function contains(area: ZoneArea, centre: GeoPoint, at: GeoPoint): boolean {
  switch (area.type) {
    case 'circle':
      return greatCircleMetres(centre, at) <= area.radius_m;
    case 'polygon':
      return inRings(area.coordinates, at);
  }
}

/**
 * The distance distance tiers are priced on: great-circle metres from the store, whatever the
 * area's shape. The area is taken so that a rule per shape (or a road distance) can come later
 * without changing callers.
 */
export function distanceForFee(_area: ZoneArea, centre: GeoPoint, at: GeoPoint): number {
  return greatCircleMetres(centre, at);
}

/**
 * The farthest any address in the zone can be from the store. For a polygon that is its farthest
 * outer vertex: distance from a point is convex, so its maximum over a polygon lies on a vertex
 * (exactly in the plane, and to well under a metre at delivery-zone sizes on the sphere).
 */
export function farthestReachMetres(area: ZoneArea, centre: GeoPoint): number {
  if (area.type === 'circle') return area.radius_m;
  const outer = area.coordinates[0] ?? [];
  return Math.max(0, ...outer.map(([lng, lat]) => greatCircleMetres(centre, { lat, lng })));
}

/**
 * Shoelace area of one ring on an equirectangular projection around `originLat`, in m². Planar
 * and without spherical excess: good to a fraction of a percent for a city-sized zone, which is
 * all that ranking zones by size and spotting degenerate rings need.
 */
export function ringAreaSquareMetres(ring: Ring, originLat: number): number {
  const metresPerDegree = EARTH_RADIUS_M * toRadians(1);
  const [lng0, lat0] = ring[0] ?? [0, 0];
  let twiceArea = 0;
  ring.forEach(([lng, lat], i) => {
    const previous = ring[i - 1];
    // Relative to the first vertex, so the products stay small and keep their precision.
    if (previous) twiceArea += (previous[0] - lng0) * (lat - lat0) - (lng - lng0) * (previous[1] - lat0);
  });
  return (Math.abs(twiceArea) / 2) * metresPerDegree ** 2 * Math.cos(toRadians(originLat));
}

/** A zone's area in m²: πr² for a circle; a polygon's outer ring less its holes. */
export function zoneAreaSquareMetres(area: ZoneArea, centre: GeoPoint): number {
  if (area.type === 'circle') return Math.PI * area.radius_m ** 2;
  const [outer = [], ...holes] = area.coordinates;
  const holeArea = holes.reduce((sum, hole) => sum + ringAreaSquareMetres(hole, centre.lat), 0);
  return Math.max(0, ringAreaSquareMetres(outer, centre.lat) - holeArea);
}

/** Problems with an area drawn around the store at `centre`; empty when it is sound. */
export function validateArea(area: ZoneArea, centre: GeoPoint): ZoneIssue[] {
  switch (area.type) {
    case 'circle':
      return radiusIssues(area.radius_m);
    case 'polygon':
      return polygonIssues(area.coordinates, centre);
    default:
      return [issue('/area/type', 'must be "circle" or "polygon"')];
  }
}

function radiusIssues(radius: number): ZoneIssue[] {
  if (Number.isInteger(radius) && radius >= MIN_RADIUS_M && radius <= MAX_RADIUS_M) return [];
  return [issue('/area/radius_m', `must be a whole number of metres from ${MIN_RADIUS_M} to ${MAX_RADIUS_M}`)];
}

function polygonIssues(coordinates: Ring[], centre: GeoPoint): ZoneIssue[] {
  if (coordinates.length === 0) return [issue('/area/coordinates', 'needs at least the outer ring')];
  // Crossings of an unclosed ring mean nothing, and turf cannot even build it: shape comes first.
  const shape = coordinates.flatMap(ringShapeIssues);
  if (shape.length > 0) return shape;
  const outer = coordinates[0] ?? [];
  const geometry = [...coordinates.flatMap(ringSimplicityIssues), ...holeIssues(coordinates), ...spanIssues(outer)];
  // Whether the store is inside a polygon that crosses itself or wraps the globe is moot.
  if (geometry.length > 0) return geometry;
  return storeIssues(coordinates, centre);
}

function isPosition(position: readonly number[]): boolean {
  const [lng, lat] = position;
  if (position.length !== 2 || lng === undefined || lat === undefined) return false;
  return Number.isFinite(lng) && Number.isFinite(lat) && Math.abs(lng) <= 180 && Math.abs(lat) <= 90;
}

const samePosition = (a: readonly number[], b: readonly number[]): boolean => a[0] === b[0] && a[1] === b[1];

/** Enough positions, each a real [lng, lat], and closed. */
function ringShapeIssues(ring: Ring, r: number): ZoneIssue[] {
  if (ring.length < 4) return [issue(ringPath(r), 'a ring needs at least 4 positions (3 corners and the closing one)')];
  const bad = ring.flatMap((position, p) =>
    isPosition(position)
      ? []
      : [issue(ringPath(r, p), 'must be [lng, lat] with lng in -180..180 and lat in -90..90 degrees')],
  );
  if (bad.length > 0) return bad;
  const first = ring[0] ?? [];
  const last = ring[ring.length - 1] ?? [];
  if (samePosition(first, last)) return [];
  return [issue(ringPath(r, ring.length - 1), 'the ring is not closed: its last position must equal the first')];
}

/** A simple loop: no vertex visited twice, some area, and no edge crossing or touching another. */
function ringSimplicityIssues(ring: Ring, r: number): ZoneIssue[] {
  const open = ring.slice(0, -1); // the closing position repeats the first by design
  const repeat = open.findIndex((position, p) => open.findIndex((other) => samePosition(other, position)) !== p);
  if (repeat >= 0) return [issue(ringPath(r, repeat), 'repeats an earlier position: a ring must not touch itself')];
  const crossing = kinks(polygon([ring])).features[0];
  if (crossing) {
    const [lng, lat] = crossing.geometry.coordinates;
    return [issue(ringPath(r), `the ring crosses itself near [${lng}, ${lat}]: it must be a simple loop`)];
  }
  // After the crossings: a bowtie's lobes cancel to no area too, and "crosses itself" is the truer
  // word for it. Kinks misses collinear edges (a flat ring), which this catches.
  const [, firstLat = 0] = ring[0] ?? [];
  if (ringAreaSquareMetres(ring, firstLat) >= MIN_RING_AREA_M2) return [];
  return [issue(ringPath(r), 'the ring encloses no area: its positions lie on one line')];
}

/** Every hole vertex inside (or on) the outer ring: a hole can only cut from the area it is in. */
function holeIssues(coordinates: Ring[]): ZoneIssue[] {
  const [outer, ...holes] = coordinates;
  if (!outer) return [];
  const outerPolygon = polygon([outer]);
  return holes.flatMap((hole, h) => {
    const outside = hole.findIndex(([lng, lat]) => !booleanPointInPolygon(point([lng, lat]), outerPolygon));
    if (outside < 0) return [];
    return [issue(ringPath(h + 1, outside), 'this hole vertex lies outside the outer ring: a hole must be inside it')];
  });
}

function spanIssues(outer: Ring): ZoneIssue[] {
  const longitudes = outer.map(([lng]) => lng);
  const span = Math.max(...longitudes) - Math.min(...longitudes);
  if (span <= 180) return [];
  return [
    issue(
      ringPath(0),
      `spans ${span}° of longitude: a polygon is read as planar lng/lat, so it must not cross ±180° (draw one on each side)`,
    ),
  ];
}

/** A zone that does not contain its own store is a drawing mistake, not a delivery area. */
function storeIssues(coordinates: Ring[], centre: GeoPoint): ZoneIssue[] {
  const [outer, ...holes] = coordinates;
  if (!outer) return [];
  if (!inRings([outer], centre)) {
    return [
      issue('/area/coordinates', "the polygon does not contain the store's location: a zone must include its store"),
    ];
  }
  const at = point([centre.lng, centre.lat]);
  // On a hole's edge counts as inside the zone, as everywhere else: only strictly inside is wrong.
  const hole = holes.findIndex((ring) => booleanPointInPolygon(at, polygon([ring]), { ignoreBoundary: true }));
  if (hole < 0) return [];
  return [issue(ringPath(hole + 1), "this hole contains the store's location: a zone must include its store")];
}
