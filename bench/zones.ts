// Zone lookup for a delivery basket, in the process: how long pickZone takes to find the zone of
// an address among 500 zones (circles and 24-vertex polygons around one store, worse than the
// 100-per-store cap allows), and among 100. run.ts reports it with the HTTP scenarios (a quote's
// end-to-end cost, the SQL read of the store's zones included, is the delivery quote scenario);
// alone: npx tsx bench/zones.ts.
import { performance } from 'node:perf_hooks';
import { pickZone, type Ring, type ZoneArea, type ZoneCandidate } from '../src/modules/delivery/index.js';

const CENTRE = { lat: 40.7216, lng: -73.9573 };
const METRES_PER_DEGREE = 111_195;

/** A deterministic pseudo-random sequence, so every run measures the same zones and points. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function polygonAround(radius: number, random: () => number): ZoneArea {
  const ring: Ring = [];
  for (let i = 0; i < 24; i++) {
    const angle = (i / 24) * 2 * Math.PI;
    const r = radius * (0.7 + 0.3 * random());
    ring.push([
      CENTRE.lng + (r * Math.cos(angle)) / (METRES_PER_DEGREE * Math.cos((CENTRE.lat * Math.PI) / 180)),
      CENTRE.lat + (r * Math.sin(angle)) / METRES_PER_DEGREE,
    ]);
  }
  ring.push(ring[0]!);
  return { type: 'polygon', coordinates: [ring] };
}

function zones(count: number): ZoneCandidate[] {
  const random = sequence(count);
  return Array.from({ length: count }, (_, i) => {
    const radius = 500 + Math.floor(random() * 8000);
    return {
      id: `zone-${i}`,
      version: 1,
      priority: Math.floor(random() * 10),
      area: i % 2 === 0 ? { type: 'circle', radius_m: radius } : polygonAround(radius, random),
      created_at: new Date(1_700_000_000_000 + i),
    };
  });
}

export interface ZoneLookup {
  zones: number;
  p50Us: string;
  p99Us: string;
  maxUs: string;
  found: number;
  lookups: number;
}

export function measureZoneLookup(count: number, lookups = 20_000): ZoneLookup {
  const list = zones(count);
  const random = sequence(7);
  const points = Array.from({ length: lookups }, () => ({
    lat: CENTRE.lat + ((random() - 0.5) * 16_000) / METRES_PER_DEGREE,
    lng: CENTRE.lng + ((random() - 0.5) * 16_000) / METRES_PER_DEGREE,
  }));
  for (const point of points.slice(0, 2000)) pickZone(list, CENTRE, point); // warm up
  const times: number[] = [];
  let found = 0;
  for (const point of points) {
    const start = performance.now();
    if (pickZone(list, CENTRE, point)) found++;
    times.push((performance.now() - start) * 1000);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  return { zones: count, p50Us: at(0.5), p99Us: at(0.99), maxUs: at(1), found, lookups };
}

export const describeLookup = (r: ZoneLookup) =>
  `${r.zones} zones: p50 ${r.p50Us} µs, p99 ${r.p99Us} µs, max ${r.maxUs} µs (${r.found} of ${r.lookups} addresses in a zone)`;

if (import.meta.url === `file://${process.argv[1]}`)
  for (const count of [100, 500]) console.log(describeLookup(measureZoneLookup(count)));
