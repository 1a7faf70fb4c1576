// The delivery module's vocabulary, shared by its parts: where a point is, the shape of a zone's
// area and its fee rule. Degrees on WGS 84, distances in metres, money in minor units.

export type { GeoPoint } from '../../platform/http/schema.js';

/** A GeoJSON linear ring: [lng, lat] positions, first equal to last. */
export type Ring = Array<[number, number]>;

export type ZoneArea =
  | { type: 'circle'; radius_m: number }
  /** GeoJSON polygon coordinates: the outer ring, then holes. */
  | { type: 'polygon'; coordinates: Ring[] };

export type ZoneFee =
  | { type: 'fixed'; amount: number }
  /** Ascending `up_to_m`; the first tier whose bound reaches the distance applies. */
  | { type: 'distance_tiers'; tiers: Array<{ up_to_m: number; amount: number }> }
  /** Ascending `from` (basket value, minor units); the last tier whose `from` is reached applies. The first starts at 0. */
  | { type: 'basket_tiers'; tiers: Array<{ from: number; amount: number }> };
