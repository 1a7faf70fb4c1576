// Delivery owns where stores deliver (zones, fees, minimums), the quotes that hold a fee and ETA,
// and the maps provider that places addresses. Ordering reaches it through its delivery port
// (ordering/delivery-port.ts), which `terms` satisfies; tenancy gives it stores.
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { Db, Tx } from '../../platform/db/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import type { Outbound } from '../../platform/resilience/outbound.js';
import type { StoreBasics, TenancyApi } from '../tenancy/index.js';
import { createMapsProvider, type MapsProvider } from './maps/index.js';
import { deliveryRoutes } from './routes.js';
import type { ZoneBody } from './schema.js';
import { createDeliveryTerms } from './terms.js';
import { zonesRepo } from './zones-repo.js';
import { createZoneManagement } from './zones.js';

export { SANDBOX_ADDRESSES } from './maps/index.js';
export type { ZoneBody } from './schema.js';
/** The zone picker and its shapes, for the zone-lookup bench (bench/zones.ts). */
export { pickZone, type ZoneCandidate } from './pick-zone.js';
export type { Ring, ZoneArea } from './model.js';

const DAY = 86_400_000;

export interface DeliveryDeps {
  db: Db;
  config: Pick<Config, 'maps'>;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  logger: Logger;
  /** The process's outbound policies (timeouts, retries, breaker per destination). */
  outbound: Outbound;
  clock?: () => Date;
  /** Tests give their own (a local Nominatim); default: the configured one. */
  maps?: MapsProvider;
}

export function createDeliveryModule(deps: DeliveryDeps) {
  const clock = deps.clock ?? (() => new Date());
  const maps = deps.maps ?? createMapsProvider(deps.config.maps, deps.outbound);
  const zones = createZoneManagement({ db: deps.db, tenancy: deps.tenancy, clock });
  const surface: ModuleSurface = {
    routes: deliveryRoutes(zones),
    jobs: [
      {
        name: 'delivery.purge-expired-quotes',
        policy: 'singleton',
        cron: '17 * * * *',
        // A day's grace: support can still see what a customer was quoted yesterday.
        async handler() {
          const purged = await zonesRepo.purgeQuotes(deps.db, new Date(clock().getTime() - DAY));
          if (purged > 0) deps.logger.info({ purged }, 'expired delivery quotes purged');
        },
      },
    ],
  };
  return {
    ...surface,
    /** Ordering's delivery port: a basket's zone, fee and ETA, and held quotes. */
    terms: createDeliveryTerms({ db: deps.db, maps, clock }),
    api: {
      /** A zone drawn as given, checked, inside the caller's transaction (the demo seed). */
      seedZone: (trx: Tx, store: StoreBasics, zone: ZoneBody) => zones.seedIn(trx, store, zone),
      /** Erasure: the person's held quotes go (each holds the place they asked to deliver to). */
      forgetCustomer: (trx: Tx, customerId: string) => zonesRepo.forgetQuotesOf(trx, customerId),
    },
  };
}

export type DeliveryModule = ReturnType<typeof createDeliveryModule>;
