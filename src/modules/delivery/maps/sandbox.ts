// A maps provider for development, demos and tests: a fixed book of addresses around the two
// demo stores, no network, same answer every time. Distances in the notes are great-circle
// metres to that area's store (greatCircleMetres), so demo zones can be drawn around them.
import type { GeoPoint } from '../model.js';
import { AVERAGE_COURIER_SPEED_KMH, estimateRoute, type MapsProvider, type PostalAddress } from './provider.js';

export interface SandboxAddress {
  address: PostalAddress;
  location: GeoPoint;
  note: string;
}

const brooklyn = (line1: string, lat: number, lng: number, note: string): SandboxAddress => ({
  address: { line1, city: 'Brooklyn', country: 'US' },
  location: { lat, lng },
  note,
});
const berlin = (line1: string, lat: number, lng: number, note: string): SandboxAddress => ({
  address: { line1, city: 'Berlin', country: 'DE' },
  location: { lat, lng },
  note,
});

/** The sandbox's address book. Tests and demo data use these exact entries. */
export const SANDBOX_ADDRESSES: readonly SandboxAddress[] = [
  // Around the Brooklyn store: five within 3 km, three between 3 and 6 km, one beyond 6 km.
  brooklyn('100 Bedford Ave', 40.7216, -73.9573, 'Brooklyn store'),
  brooklyn('200 Bedford Ave', 40.718, -73.959, 'Brooklyn: 425 m from the store'),
  brooklyn('1 Kent Ave', 40.7228, -73.9622, 'Brooklyn: 434 m from the store'),
  brooklyn('500 Grand St', 40.7115, -73.951, 'Brooklyn: 1242 m from the store'),
  brooklyn('300 Nassau Ave', 40.7246, -73.9406, 'Brooklyn: 1446 m from the store'),
  brooklyn('100 Broadway', 40.71, -73.966, 'Brooklyn: 1484 m from the store'),
  brooklyn('1000 Flushing Ave', 40.7, -73.925, 'Brooklyn: 3631 m from the store'),
  brooklyn('1 Myrtle Ave', 40.6937, -73.987, 'Brooklyn: 3986 m from the store'),
  {
    address: { line1: '1 Times Sq', city: 'New York', country: 'US' },
    location: { lat: 40.758, lng: -73.9855 },
    note: 'Manhattan: 4693 m from the Brooklyn store, across the river',
  },
  brooklyn('1000 Coney Island Ave', 40.65, -73.965, 'Brooklyn: 7988 m from the store'),
  // Around the Berlin Mitte store: two within 3 km, one beyond 6 km.
  berlin('Rosenthaler Straße 1', 52.5294, 13.401, 'Berlin Mitte store'),
  berlin('Torstraße 100', 52.529, 13.4, 'Berlin: 81 m from the Mitte store'),
  berlin('Alexanderplatz 1', 52.5219, 13.4132, 'Berlin: 1173 m from the Mitte store'),
  berlin('Kurfürstendamm 100', 52.5003, 13.3, 'Berlin: 7562 m from the Mitte store'),
];

// Words guests abbreviate, each to one spelling. Whole words only: "Stanton" stays "stanton".
const ABBREVIATIONS: Record<string, string> = { avenue: 'ave', street: 'st', square: 'sq' };

/**
 * One spelling per address: case, accents, punctuation and spacing ignored, common street
 * abbreviations equal ("Ave"/"Avenue", "St"/"Street", "Str"/"Straße", also inside compounds
 * such as "Torstraße" / "Torstr.").
 */
export function normalizeAddressText(text: string): string {
  return text
    .toLowerCase()
    .replace(/strasse|straße/g, 'str')
    .normalize('NFD')
    .replace(/\p{M}/gu, '') // "Kurfurstendamm" finds "Kurfürstendamm"
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => ABBREVIATIONS[word] ?? word)
    .join(' ');
}

const keyOf = (address: PostalAddress) =>
  [address.line1, address.city, address.country].map(normalizeAddressText).join('|');

export function createSandboxMaps(): MapsProvider {
  const book = new Map(SANDBOX_ADDRESSES.map((entry) => [keyOf(entry.address), entry.location]));
  return {
    name: 'sandbox',
    geocode(address) {
      const found = book.get(keyOf(address));
      // A copy, so a caller that adjusts a point cannot move the sandbox's address book.
      return Promise.resolve(found ? { ...found } : null);
    },
    route(from, to) {
      return Promise.resolve(estimateRoute(from, to, AVERAGE_COURIER_SPEED_KMH));
    },
  };
}
