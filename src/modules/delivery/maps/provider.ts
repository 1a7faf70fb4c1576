// What the delivery module asks of a maps service, whichever one is configured: where a guest's
// address is, and how far a courier rides to get there. Also the plain geometry every provider
// can fall back on when it has no routing of its own.
import { greatCircleMetres } from '../geometry.js';
import type { GeoPoint } from '../model.js';

export type { GeoPoint } from '../model.js';
export { greatCircleMetres };

/** A delivery address as the guest gave it. */
export interface PostalAddress {
  line1: string;
  /** Flat, floor, buzzer: for the courier, not for the geocoder. */
  line2?: string;
  city: string;
  region?: string;
  postal_code?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface TravelEstimate {
  distance_m: number;
  duration_s: number;
}

export interface MapsProvider {
  readonly name: string;
  /**
   * Where an address is, or null when the provider cannot place it. Throws
   * DependencyUnavailableError (src/platform/resilience/outbound.ts) when the provider is down.
   */
  geocode(address: PostalAddress): Promise<GeoPoint | null>;
  /** Travel between two points: distance in metres and duration in seconds. */
  route(from: GeoPoint, to: GeoPoint): Promise<TravelEstimate>;
}

/**
 * A city courier on a bike or scooter, stops at lights included. Used to promise a delivery
 * time when no routing service gives a better one.
 */
export const AVERAGE_COURIER_SPEED_KMH = 18;

/**
 * Streets are not straight lines: in a city grid the ride is typically 1.2–1.4 times the
 * crow-flies distance (blocks, one-way streets, bridges). 1.3 keeps estimates honest without a
 * routing service; it errs a little long, so fees and delivery times are not under-quoted.
 */
const STREET_DETOUR_FACTOR = 1.3;

/** A courier's ride without a routing service: the street-adjusted distance at `speedKmh`. */
export function estimateRoute(from: GeoPoint, to: GeoPoint, speedKmh: number): TravelEstimate {
  if (!Number.isFinite(speedKmh) || speedKmh <= 0) throw new RangeError(`speedKmh must be positive, got ${speedKmh}`);
  const metres = greatCircleMetres(from, to) * STREET_DETOUR_FACTOR;
  const metresPerSecond = (speedKmh * 1000) / 3600;
  return { distance_m: Math.round(metres), duration_s: Math.round(metres / metresPerSecond) };
}
