// Zone geometry and zone choice, on the demo's Brooklyn store: circles measured on the sphere with
// the edge included, polygons with holes and boundaries, the checks that keep a drawn area sound,
// and which of overlapping zones wins.
import { describe, expect, it } from 'vitest';
import { contains, distanceForFee, greatCircleMetres, validateArea, zoneAreaSquareMetres } from './geometry.js';
import type { GeoPoint, Ring, ZoneArea } from './model.js';
import { pickZone, type ZoneCandidate } from './pick-zone.js';

const store: GeoPoint = { lat: 40.7216, lng: -73.9573 };
/** Metres per degree of latitude on geometry's sphere (R = 6 371 008.8 m): about 111 195. */
const METRES_PER_DEGREE = (6_371_008.8 * Math.PI) / 180;
/** Moving north by d metres: along a meridian the great-circle distance is the latitude change. */
const north = (from: GeoPoint, metres: number): GeoPoint => ({
  lat: from.lat + metres / METRES_PER_DEGREE,
  lng: from.lng,
});
const circle = (radius_m: number): ZoneArea => ({ type: 'circle', radius_m });
const box = (minLng: number, minLat: number, maxLng: number, maxLat: number): Ring => [
  [minLng, minLat],
  [maxLng, minLat],
  [maxLng, maxLat],
  [minLng, maxLat],
  [minLng, minLat],
];
// Around the store, with a hole north-east of it.
const outer = box(-73.98, 40.7, -73.94, 40.74);
const hole = box(-73.95, 40.725, -73.945, 40.73);
const withHole: ZoneArea = { type: 'polygon', coordinates: [outer, hole] };
const polygonOf = (...coordinates: Ring[]): ZoneArea => ({ type: 'polygon', coordinates });
const paths = (area: ZoneArea, centre: GeoPoint = store) => validateArea(area, centre).map((i) => i.path);

describe('great-circle distance', () => {
  it('when two points straddle the antimeridian, then they are 0.2° apart, not the long way round', () => {
    const metres = greatCircleMetres({ lat: 0, lng: 179.9 }, { lat: 0, lng: -179.9 });
    expect(metres).toBeGreaterThan(22_230);
    expect(metres).toBeLessThan(22_250);
  });

  it('when moving north by d metres, then the distance is d', () => {
    expect(greatCircleMetres(store, north(store, 3000))).toBeCloseTo(3000, 2);
    expect(distanceForFee(withHole, store, north(store, 4500))).toBeCloseTo(4500, 2);
  });
});

describe('circles', () => {
  it('when a point is exactly at the radius, then it is inside (the edge counts)', () => {
    const edge = north(store, 3000);
    const exact = greatCircleMetres(store, edge);
    expect(exact).toBeCloseTo(3000, 2);
    expect(contains(circle(exact), store, edge)).toBe(true);
  });

  it('when a point is just inside or just outside the radius, then it is in or out', () => {
    const inside = north(store, 2999);
    const outside = north(store, 3001);
    expect(greatCircleMetres(store, inside)).toBeLessThan(3000);
    expect(greatCircleMetres(store, outside)).toBeGreaterThan(3000);
    expect(contains(circle(3000), store, inside)).toBe(true);
    expect(contains(circle(3000), store, outside)).toBe(false);
  });

  it('when a radius is fractional or out of 50..50000, then it is rejected', () => {
    expect(validateArea(circle(3000), store)).toEqual([]);
    expect(validateArea(circle(50), store)).toEqual([]);
    expect(validateArea(circle(50_000), store)).toEqual([]);
    for (const radius of [49, 50_001, 100.5, Number.NaN]) expect(paths(circle(radius))).toEqual(['/area/radius_m']);
  });
});

describe('polygons', () => {
  it('when a point is in the hole, then it is outside; in the ring or on a boundary, then inside', () => {
    expect(validateArea(withHole, store)).toEqual([]);
    expect(contains(withHole, store, { lng: -73.9475, lat: 40.7275 })).toBe(false); // in the hole
    expect(contains(withHole, store, { lng: -73.96, lat: 40.71 })).toBe(true);
    expect(contains(withHole, store, { lng: -73.98, lat: 40.72 })).toBe(true); // on the west edge
    expect(contains(withHole, store, { lng: -73.94, lat: 40.74 })).toBe(true); // an outer corner
    expect(contains(withHole, store, { lng: -73.95, lat: 40.7275 })).toBe(true); // on the hole's edge
    expect(contains(withHole, store, { lng: -73.99, lat: 40.72 })).toBe(false);
  });

  it('when a ring crosses itself (a bowtie), then it is rejected', () => {
    const bowtie: Ring = [
      [-73.98, 40.7],
      [-73.94, 40.74],
      [-73.94, 40.7],
      [-73.98, 40.74],
      [-73.98, 40.7],
    ];
    const issues = validateArea(polygonOf(bowtie), store);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('/area/coordinates/0');
    expect(issues[0]?.message).toMatch(/crosses itself/);
  });

  it('when a ring visits a vertex twice, or lies on one line, then it is rejected', () => {
    const figureEight: Ring = [
      [-73.98, 40.7],
      [-73.96, 40.72],
      [-73.94, 40.7],
      [-73.94, 40.74],
      [-73.96, 40.72],
      [-73.98, 40.74],
      [-73.98, 40.7],
    ];
    expect(paths(polygonOf(figureEight))).toEqual(['/area/coordinates/0/4']);
    const flat: Ring = [
      [-73.98, 40.7216],
      [-73.95, 40.7216],
      [-73.94, 40.7216],
      [-73.98, 40.7216],
    ];
    expect(validateArea(polygonOf(flat), store)[0]?.message).toMatch(/no area/);
  });

  it('when a ring is not closed, is short, or has a bad position, then the path names it', () => {
    expect(paths(polygonOf(outer.slice(0, 4).concat([[-73.97, 40.7]])))).toEqual(['/area/coordinates/0/4']);
    expect(paths(polygonOf(outer.slice(0, 3)))).toEqual(['/area/coordinates/0']);
    const bad = outer.map((p, i): [number, number] => (i === 2 ? [-200, 40.74] : p));
    expect(paths(polygonOf(bad))).toEqual(['/area/coordinates/0/2']);
    expect(paths(polygonOf(outer, [...hole.slice(0, 2), [Number.NaN, 1], ...hole.slice(3)]))).toEqual([
      '/area/coordinates/1/2',
    ]);
    expect(paths(polygonOf())).toEqual(['/area/coordinates']);
  });

  it('when a hole reaches outside the outer ring, then that vertex is named', () => {
    const leaking = box(-73.95, 40.725, -73.93, 40.73); // its east side is past -73.94
    expect(paths(polygonOf(outer, leaking))).toEqual(['/area/coordinates/1/1']);
  });

  it('when the store is outside the polygon or in a hole, then it is rejected as a mistake', () => {
    const elsewhere = validateArea(polygonOf(box(-73.9, 40.6, -73.8, 40.65)), store);
    expect(elsewhere).toEqual([{ path: '/area/coordinates', message: expect.stringMatching(/store/) }]);
    const aroundStore = box(-73.96, 40.72, -73.955, 40.725);
    expect(validateArea(polygonOf(outer, aroundStore), store)).toEqual([
      { path: '/area/coordinates/1', message: expect.stringMatching(/store/) },
    ]);
  });

  it('when a polygon spans more than 180° of longitude, then it is rejected (it would cross ±180°)', () => {
    const wide = polygonOf(box(-100, 0, 100, 10));
    expect(validateArea(wide, { lat: 5, lng: 0 })).toEqual([
      { path: '/area/coordinates/0', message: expect.stringMatching(/±180°/) },
    ]);
    expect(validateArea(polygonOf(box(179.5, -1, 179.99, 1)), { lat: 0, lng: 179.9 })).toEqual([]);
  });

  it('when sizing a polygon, then it is its outer ring less its holes, in m²', () => {
    const squareMetresPerSquareDegree = METRES_PER_DEGREE ** 2 * Math.cos((store.lat * Math.PI) / 180);
    const expected = (0.04 * 0.04 - 0.005 * 0.005) * squareMetresPerSquareDegree;
    expect(zoneAreaSquareMetres(withHole, store) / expected).toBeCloseTo(1, 6);
    expect(zoneAreaSquareMetres(circle(1000), store)).toBeCloseTo(Math.PI * 1e6, 3);
  });
});

describe('choosing a zone', () => {
  const zone = (id: string, priority: number, area: ZoneArea, created = '2026-01-01T00:00:00Z'): ZoneCandidate => ({
    id,
    version: 1,
    priority,
    area,
    created_at: new Date(created),
  });
  // The demo: "within 3 km, fee 2.99, minimum 15" over "3 to 6 km, fee 4.99, minimum 25".
  const demo = [zone('six-km', 1, circle(6000)), zone('three-km', 2, circle(3000))];

  it('when zones overlap, then the higher priority wins; past every zone, none', () => {
    expect(pickZone(demo, store, north(store, 1000))?.id).toBe('three-km');
    expect(pickZone(demo, store, north(store, 4500))?.id).toBe('six-km');
    expect(pickZone(demo, store, north(store, 7000))).toBeNull();
    expect(pickZone([], store, store)).toBeNull();
  });

  it('when priorities tie, then the smaller zone wins, then the older, then the smaller id', () => {
    const wide = zone('wide', 0, circle(6000), '2025-01-01T00:00:00Z');
    const tight = zone('tight', 0, withHole, '2026-06-01T00:00:00Z');
    const at = { lng: -73.96, lat: 40.71 };
    expect(pickZone([wide, tight], store, at)?.id).toBe('tight');
    expect(pickZone([tight, wide], store, at)?.id).toBe('tight');
    const older = zone('b', 0, circle(3000), '2025-01-01T00:00:00Z');
    const newer = zone('a', 0, circle(3000), '2026-01-01T00:00:00Z');
    expect(pickZone([newer, older], store, at)?.id).toBe('b');
    expect(pickZone([zone('b', 0, circle(3000)), zone('a', 0, circle(3000))], store, at)?.id).toBe('a');
  });
});
