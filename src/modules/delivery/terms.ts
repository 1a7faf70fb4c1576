// Delivery terms for a basket: where it goes (the location sent, or the address geocoded), which
// zone in force takes it (pick-zone.ts), what the delivery costs (fees.ts) and by when it can
// arrive (ready + the zone's allowance + travel from the routing provider). A quote holds what it
// shows for QUOTE_HOLD_MS in a stored row; placement honours a live hold for the same place,
// basket and customer, and prices again otherwise, saying why (quote_status). This is ordering's
// delivery port (ordering/delivery-port.ts); it runs before the order's transaction because the
// maps provider may call out.
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../../platform/db/index.js';
import { formatMoney } from '../../platform/money.js';
import { inDaypart, wallTimeAt } from '../../platform/time/wall-clock.js';
import type { DeliveryTerms, DeliveryTermsPort, DeliveryTermsQuery, QuoteStatus } from '../ordering/index.js';
import { feeFor } from './fees.js';
import { greatCircleMetres } from './geometry.js';
import type { MapsProvider } from './maps/index.js';
import type { GeoPoint } from './model.js';
import { pickZone } from './pick-zone.js';
import type { QuoteRow, ZoneRow } from './tables.js';
import { zonesRepo as repo } from './zones-repo.js';

/** How long a quote's fee and ETA hold (the 5 minutes). */
export const QUOTE_HOLD_MS = 5 * 60_000;
const MINUTE = 60_000;
/** Closer than this (about 1 cm) is the same place: a client echoing the geocoded point may round it. */
const SAME_PLACE = 1e-7;

type Outcome = Awaited<ReturnType<DeliveryTermsPort['termsFor']>>;

export interface TermsDeps {
  db: Db;
  maps: MapsProvider;
  clock: () => Date;
}

const inForce = (zone: ZoneRow, timezone: string, readyAt: Date) =>
  zone.hours === null || zone.hours.some((window) => inDaypart(wallTimeAt(readyAt, timezone), window));

const samePlace = (quote: QuoteRow, at: GeoPoint) =>
  Math.abs(quote.location_lat - at.lat) < SAME_PLACE && Math.abs(quote.location_lng - at.lng) < SAME_PLACE;

export function createDeliveryTerms(deps: TermsDeps): DeliveryTermsPort {
  const { db, maps, clock } = deps;

  async function locate(query: DeliveryTermsQuery): Promise<GeoPoint | null> {
    return query.delivery.location ?? (await maps.geocode(query.delivery.address));
  }

  /** The held quote's terms when it may be honoured, or why not. */
  async function heldTerms(
    query: DeliveryTermsQuery,
    location: GeoPoint,
  ): Promise<{ quote: QuoteRow; zone: ZoneRow } | Exclude<QuoteStatus, 'honoured' | 'new'>> {
    const quote = await repo.findQuote(db, query.delivery.quote_id!);
    if (
      !quote ||
      quote.store_id !== query.store.id ||
      (quote.customer_id !== null && quote.customer_id !== query.customerId) ||
      !samePlace(quote, location) ||
      Number(quote.basket_value) !== query.basketValue
    )
      return 'changed';
    if (quote.expires_at.getTime() <= clock().getTime()) return 'expired';
    const zone = await repo.version(db, quote.zone_id, quote.zone_version);
    return zone ? { quote, zone } : 'changed';
  }

  function minimumProblem(zone: ZoneRow, query: DeliveryTermsQuery): Outcome['problems'] {
    const minimum = Number(zone.minimum_order);
    if (query.basketValue >= minimum) return [];
    const currency = query.store.currency;
    return [
      {
        code: 'BELOW_DELIVERY_MINIMUM',
        path: '/lines',
        message: `The minimum order for delivery here (${zone.name}) is ${formatMoney(minimum, currency)} ${currency}; add ${formatMoney(minimum - query.basketValue, currency)} ${currency} more.`,
      },
    ];
  }

  async function priceNow(
    query: DeliveryTermsQuery,
    zones: ZoneRow[],
    location: GeoPoint,
    status: QuoteStatus,
  ): Promise<Outcome> {
    const { store } = query;
    const centre = store.location!;
    const zone = pickZone(
      zones.filter((candidate) => inForce(candidate, store.timezone, query.readyAt)),
      centre,
      location,
    );
    if (!zone)
      return {
        terms: null,
        problems: [
          {
            code: 'OUTSIDE_DELIVERY_AREA',
            path: query.delivery.location ? '/delivery/location' : '/delivery/address',
            message: `${store.name} does not deliver to this address at that time.`,
          },
        ],
      };
    const fee = feeFor(zone.fee, zone.free_above === null ? null : Number(zone.free_above), {
      distance_m: greatCircleMetres(centre, location),
      basket: query.basketValue,
    });
    const travel = await maps.route(centre, location);
    const eta = new Date(query.readyAt.getTime() + zone.eta_allowance_minutes * MINUTE + travel.duration_s * 1000);
    const terms: DeliveryTerms = {
      zone_id: zone.id,
      zone_version: zone.version,
      fee,
      eta,
      quote_id: null,
      quote_expires_at: null,
      quote_status: status,
      location,
    };
    if (query.hold) {
      const now = clock();
      terms.quote_id = uuidv7();
      terms.quote_expires_at = new Date(now.getTime() + QUOTE_HOLD_MS);
      await repo.insertQuote(db, {
        id: terms.quote_id,
        organization_id: store.organization_id,
        store_id: store.id,
        customer_id: query.customerId,
        zone_id: zone.id,
        zone_version: zone.version,
        location_lat: location.lat,
        location_lng: location.lng,
        basket_value: query.basketValue,
        fee,
        eta,
        expires_at: terms.quote_expires_at,
        created_at: now,
      });
    }
    return { terms, problems: minimumProblem(zone, query) };
  }

  return {
    async termsFor(query) {
      const zones = await repo.current(db, query.store.id);
      if (zones.length === 0) return { terms: null, problems: [] };
      const location = await locate(query);
      if (!location)
        return {
          terms: null,
          problems: [
            {
              code: 'ADDRESS_NOT_LOCATED',
              path: '/delivery/address',
              message: 'We could not find this address on the map; check it, or send delivery.location.',
            },
          ],
        };
      if (!query.store.location)
        return {
          terms: null,
          problems: [
            { code: 'OUTSIDE_DELIVERY_AREA', path: '/delivery', message: `${query.store.name} has no location set.` },
          ],
        };
      if (query.hold || query.delivery.quote_id === undefined) return priceNow(query, zones, location, 'new');
      const held = await heldTerms(query, location);
      if (typeof held === 'string') return priceNow(query, zones, location, held);
      const { quote, zone } = held;
      return {
        terms: {
          zone_id: zone.id,
          zone_version: zone.version,
          fee: Number(quote.fee),
          eta: quote.eta,
          quote_id: quote.id,
          quote_expires_at: quote.expires_at,
          quote_status: 'honoured',
          location,
        },
        problems: minimumProblem(zone, query),
      };
    },
  };
}
