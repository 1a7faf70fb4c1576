// Tenancy owns organizations (brands), their stores (locations), opening hours and exceptions,
// and dining tables with their QR codes. Other modules reach it only through `api` below.
import type { Db, Tx } from '../../platform/db/index.js';
import { createEventAppender } from '../../platform/events/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import type { IdentityApi } from '../identity/index.js';
import type { TenancyEventAppender, TenancyEvents } from './events.js';
import { tenancyRoutes } from './routes.js';
import { createTenancyService, type NewStore } from './service.js';
import { createTableService, type NewTable } from './tables.js';

export type { NewStore } from './service.js';
export type { NewTable } from './tables.js';
export type { StoreBasics } from './repo.js';
export type { WeeklyInterval, DailyInterval, OpenInterval } from './hours.js';
/** Store-local calendar arithmetic (pure): ordering dates its orders and slots with these. */
export { localDateAt, zonedInstant } from './hours.js';
export type { TenancyEvents, StoreChange, TableChange } from './events.js';

export interface TenancyDeps {
  db: Db;
  /** Only grantRole is used: the founder of an organization becomes its owner. */
  identity: { api: Pick<IdentityApi, 'grantRole'> };
  /** Appends tenancy's domain events to the outbox (default: a plain appender). */
  events?: TenancyEventAppender;
  clock?: () => Date;
}

export function createTenancyModule(deps: TenancyDeps) {
  const clock = deps.clock ?? (() => new Date());
  const events = deps.events ?? createEventAppender<TenancyEvents>();
  const stores = createTenancyService({ db: deps.db, roles: deps.identity.api, events, clock });
  const tables = createTableService({ db: deps.db, stores, events });
  const surface: ModuleSurface = { routes: tenancyRoutes({ stores, tables }), jobs: [] };

  return {
    ...surface,
    /** What other modules, the demo seed and test factories may call. */
    api: {
      /** Creates the organization and makes `ownerUserId` its owner; 409 ORGANIZATION_SLUG_TAKEN. */
      async createOrganization(trx: Tx, input: { slug: string; name: string; ownerUserId: string }) {
        const row = await stores.createOrganization(trx, input);
        return { id: row.id, slug: row.slug, name: row.name };
      },
      /** Validates like the HTTP route (zone, currency, country, hours) and throws ValidationError. */
      async createStore(trx: Tx, input: NewStore): Promise<{ id: string }> {
        return stores.createStore(trx, input);
      },
      /** 409 TABLE_LABEL_TAKEN; the store must belong to the organization. */
      async addTable(trx: Tx, input: NewTable): Promise<{ id: string; qr_token: string }> {
        const row = await tables.addTable(trx, input);
        return { id: row.id, qr_token: row.qr_token };
      },
      /** id, slug, name; null for no such organization. */
      findOrganizationBySlug: (trx: Tx, slug: string) => stores.findOrganizationBySlug(trx, slug),
      /** id, slug, name; null for no such organization. */
      findOrganization: (organizationId: string, trx?: Tx) => stores.findOrganization(trx ?? deps.db, organizationId),
      /** Demo reset: the organization and everything of it (cascading). True when it existed. */
      deleteOrganizationBySlug: (trx: Tx, slug: string): Promise<boolean> => stores.deleteOrganizationBySlug(trx, slug),
      /** id, organization_id, name, timezone, currency, version; null for no such store. */
      findStore: (storeId: string, trx?: Tx) => stores.findStore(storeId, trx),
      /** The ids of every store of the organization (e.g. a brand-wide menu change drops each one's cache). */
      storeIdsOf: (organizationId: string, trx?: Tx) => stores.storeIdsOf(organizationId, trx),
      /** id, organization_id, store_id, label, seats; null for no such table. */
      findTable: (tableId: string, trx?: Tx) => tables.findTable(tableId, trx),
      /** The table a QR token points at; null when unknown (or rotated away). */
      findTableByQrToken: (qrToken: string, trx?: Tx) => tables.findTableByQrToken(qrToken, trx),
      /** By its weekly hours and exceptions, in its own time zone (scheduled orders, slots). */
      isStoreOpenAt: (storeId: string, at: Date, trx?: Tx) => stores.isStoreOpenAt(storeId, at, trx),
      /** Merged open intervals starting on store-local days [from, to] (YYYY-MM-DD); null for no such store. */
      openIntervals: (storeId: string, from: string, to: string, trx?: Tx) =>
        stores.openIntervals(storeId, from, to, trx),
    },
  };
}

export type TenancyModule = ReturnType<typeof createTenancyModule>;
export type TenancyApi = TenancyModule['api'];
