// Geocoding with Nominatim (OpenStreetMap), self-hosted or the public instance. Calls go through
// Brigade's outbound policy (timeout, retries, breaker) as destination `maps:nominatim`; the
// public instance's usage policy requires an identifying User-Agent, so one is always sent.
import type { GeoPoint } from '../model.js';
import { DependencyUnavailableError, type Outbound } from '../../../platform/resilience/outbound.js';
import { AVERAGE_COURIER_SPEED_KMH, estimateRoute, type MapsProvider, type PostalAddress } from './provider.js';

const DESTINATION = 'maps:nominatim';

export interface NominatimOptions {
  /** e.g. https://nominatim.openstreetmap.org, without /search. */
  baseUrl: string;
  userAgent: string;
  outbound: Outbound;
}

/** The structured-search URL for an address. */
export function nominatimSearchUrl(baseUrl: string, address: PostalAddress): string {
  const query = new URLSearchParams({ format: 'jsonv2', limit: '1', addressdetails: '0' });
  // line2 (flat, buzzer) is left out: it is for the courier, and it only confuses the geocoder.
  query.set('street', address.line1.trim());
  query.set('city', address.city.trim());
  if (address.postal_code?.trim()) query.set('postalcode', address.postal_code.trim());
  if (address.region?.trim()) query.set('state', address.region.trim());
  query.set('countrycodes', address.country.trim().toLowerCase());
  return `${baseUrl.replace(/\/+$/, '')}/search?${query.toString()}`;
}

/** Nominatim sends coordinates as decimal strings; anything else is not its answer. */
function coordinate(value: unknown, limit: number): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) && Math.abs(parsed) <= limit ? parsed : null;
}

/** The first match of a search answer, null for "no match", undefined when it is not a search answer at all. */
function firstMatch(body: unknown): GeoPoint | null | undefined {
  if (!Array.isArray(body)) return undefined;
  if (body.length === 0) return null;
  const first: unknown = body[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const { lat, lon } = first as { lat?: unknown; lon?: unknown };
  const latitude = coordinate(lat, 90);
  const longitude = coordinate(lon, 180);
  if (latitude === null || longitude === null) return undefined;
  return { lat: latitude, lng: longitude };
}

export function createNominatimMaps(options: NominatimOptions): MapsProvider {
  const failed = (cause: unknown) => new DependencyUnavailableError('DEPENDENCY_FAILED', DESTINATION, cause);

  return {
    name: 'nominatim',
    async geocode(address) {
      // A search reads, never writes: safe to retry. 5xx and 429 are thrown by outbound already.
      const response = await options.outbound.request(DESTINATION, nominatimSearchUrl(options.baseUrl, address), {
        method: 'GET',
        headers: { 'User-Agent': options.userAgent, Accept: 'application/json' },
        idempotent: true,
      });
      if (!response.ok) {
        // Any other refusal (400, 403 for a missing User-Agent…) means our request is wrong, not
        // that the address is unknown (that is a 200 with []): the guest is not to blame.
        await response.body?.cancel();
        throw failed(new Error(`nominatim answered ${response.status}`));
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch (error) {
        throw failed(error);
      }
      const match = firstMatch(body);
      if (match === undefined) throw failed(new Error('nominatim answered with an unexpected body'));
      return match;
    },
    // Nominatim only geocodes; it has no routing. The courier's ride is estimated from the
    // great-circle distance instead, which needs no further call.
    route(from, to) {
      return Promise.resolve(estimateRoute(from, to, AVERAGE_COURIER_SPEED_KMH));
    },
  };
}
