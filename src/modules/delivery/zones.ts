// Drawing a store's delivery zones: managers create, replace and remove them (each change a new
// version, audited in its transaction, If-Match on the version), anyone lists the zones in force.
// A zone is checked whole before it is written: the store must have a location, money must be in
// the store's currency, the area must be a real one around the store (geometry.ts), and the fee
// must cover all of it (fees.ts).
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import { NotFoundError, PreconditionFailedError, UnprocessableError } from '../../platform/http/errors.js';
import type { Money } from '../../platform/http/schema.js';
import type { StoreBasics, TenancyApi } from '../tenancy/index.js';
import { assertRule, RULES } from './access.js';
import { validateCoverage, validateFee } from './fees.js';
import { validateArea } from './geometry.js';
import type { ZoneArea, ZoneFee } from './model.js';
import type { Zone, ZoneBody } from './schema.js';
import type { ZoneRow } from './tables.js';
import { zonesRepo as repo, type NewZone } from './zones-repo.js';

/** A store draws at most this many zones: every quote reads them all. */
export const MAX_ZONES_PER_STORE = 100;

export interface ZoneManagementDeps {
  db: Db;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  clock: () => Date;
}

type Issue = { path: string; message: string; code?: string };

const money = (amount: number, currency: string): Money => ({ amount, currency });

export function presentZone(row: ZoneRow, currency: string): Zone {
  const fee = row.fee;
  return {
    id: row.id,
    store_id: row.store_id,
    version: row.version,
    name: row.name,
    priority: row.priority,
    area: row.area,
    fee:
      fee.type === 'fixed'
        ? { type: 'fixed', amount: money(fee.amount, currency) }
        : fee.type === 'distance_tiers'
          ? {
              type: 'distance_tiers',
              tiers: fee.tiers.map((t) => ({ up_to_m: t.up_to_m, amount: money(t.amount, currency) })),
            }
          : {
              type: 'basket_tiers',
              tiers: fee.tiers.map((t) => ({ from: money(t.from, currency), amount: money(t.amount, currency) })),
            },
    free_above: row.free_above === null ? null : money(Number(row.free_above), currency),
    minimum_order: money(Number(row.minimum_order), currency),
    eta_allowance_minutes: row.eta_allowance_minutes,
    hours: row.hours,
    created_at: row.created_at.toISOString(),
    updated_at: row.valid_from.toISOString(),
  };
}

/** Every amount of the body with its path, to check the currency once. */
function amountsOf(body: ZoneBody): Array<[string, Money]> {
  const out: Array<[string, Money]> = [['/minimum_order', body.minimum_order]];
  if (body.free_above) out.push(['/free_above', body.free_above]);
  const fee = body.fee;
  if (fee.type === 'fixed') out.push(['/fee/amount', fee.amount]);
  else if (fee.type === 'distance_tiers') fee.tiers.forEach((t, i) => out.push([`/fee/tiers/${i}/amount`, t.amount]));
  else
    fee.tiers.forEach((t, i) => {
      out.push([`/fee/tiers/${i}/from`, t.from], [`/fee/tiers/${i}/amount`, t.amount]);
    });
  return out;
}

function feeOf(body: ZoneBody): ZoneFee {
  const fee = body.fee;
  if (fee.type === 'fixed') return { type: 'fixed', amount: fee.amount.amount };
  if (fee.type === 'distance_tiers')
    return { type: 'distance_tiers', tiers: fee.tiers.map((t) => ({ up_to_m: t.up_to_m, amount: t.amount.amount })) };
  return { type: 'basket_tiers', tiers: fee.tiers.map((t) => ({ from: t.from.amount, amount: t.amount.amount })) };
}

/** 422 with every problem of the zone, or its fields as stored. */
function checkedFields(store: StoreBasics, body: ZoneBody) {
  const centre = store.location;
  if (!centre)
    throw new UnprocessableError(
      'STORE_LOCATION_REQUIRED',
      'Set the store’s location (PATCH /v1/stores/{storeId}) before drawing its delivery zones.',
    );
  const mismatched: Issue[] = amountsOf(body)
    .filter(([, amount]) => amount.currency !== store.currency)
    .map(([path]) => ({ path: `${path}/currency`, message: `must be ${store.currency}`, code: 'CURRENCY_MISMATCH' }));
  if (mismatched.length > 0)
    throw new UnprocessableError('CURRENCY_MISMATCH', `This store charges in ${store.currency}.`, mismatched);
  // The schema holds every position to exactly two numbers: the Ring tuples the geometry reads.
  const area = body.area as ZoneArea;
  const fee = feeOf(body);
  const freeAbove = body.free_above?.amount ?? null;
  const issues: Issue[] = [...validateArea(area, centre), ...validateFee(fee, freeAbove)];
  if (issues.length === 0) issues.push(...validateCoverage(area, fee, centre));
  body.hours?.forEach((window, i) => {
    if (new Set(window.days).size !== window.days.length)
      issues.push({ path: `/hours/${i}/days`, message: 'must not repeat a day' });
  });
  if (issues.length > 0)
    throw new UnprocessableError(
      'DELIVERY_ZONE_INVALID',
      `${issues[0]!.path}: ${issues[0]!.message}`,
      issues.map((issue) => ({ code: 'DELIVERY_ZONE_INVALID', ...issue })),
    );
  return {
    name: body.name,
    priority: body.priority ?? 0,
    area,
    fee,
    free_above: freeAbove,
    minimum_order: body.minimum_order.amount,
    eta_allowance_minutes: body.eta_allowance_minutes ?? 10,
    hours: body.hours ?? null,
  };
}

const audited = (row: ZoneRow) => {
  const { organization_id: _org, superseded_at: _superseded, valid_from: _from, created_at: _created, ...fields } = row;
  return fields;
};

export function createZoneManagement(deps: ZoneManagementDeps) {
  const { db, clock } = deps;

  async function storeFor(principal: Principal | null, storeId: string, trx?: Tx): Promise<StoreBasics> {
    const store = await deps.tenancy.api.findStore(storeId, trx);
    if (!store) throw new NotFoundError('store');
    assertRule(principal, RULES.editZones, { organizationId: store.organization_id, storeId });
    return store;
  }

  async function currentZone(trx: Tx, storeId: string, zoneId: string, ifMatch: number[] | null): Promise<ZoneRow> {
    const row = await repo.find(trx, storeId, zoneId, true);
    if (!row) throw new NotFoundError('delivery zone');
    if (ifMatch !== null && !ifMatch.includes(row.version)) throw new PreconditionFailedError();
    return row;
  }

  return {
    /** The zones in force, highest priority first, and where circles are measured from (public). */
    async list(storeId: string) {
      const store = await deps.tenancy.api.findStore(storeId);
      if (!store) throw new NotFoundError('store');
      const rows = await repo.current(db, storeId);
      return { data: rows.map((row) => presentZone(row, store.currency)), store_location: store.location };
    },

    async create(principal: Principal | null, storeId: string, body: ZoneBody): Promise<Zone> {
      const store = await storeFor(principal, storeId);
      const fields = checkedFields(store, body);
      return inTransaction(db, async (trx) => {
        if ((await repo.current(trx, storeId)).length >= MAX_ZONES_PER_STORE)
          throw new UnprocessableError(
            'DELIVERY_ZONE_LIMIT',
            `A store draws at most ${MAX_ZONES_PER_STORE} delivery zones; replace one instead.`,
          );
        const now = clock();
        const zone: NewZone = {
          id: uuidv7(),
          version: 1,
          organization_id: store.organization_id,
          store_id: storeId,
          ...fields,
          created_at: now,
          valid_from: now,
        };
        const row = await repo.insert(trx, zone);
        await recordAudit(trx, {
          organizationId: store.organization_id,
          storeId,
          action: 'delivery.zone.created',
          target: { type: 'delivery_zone', id: row.id },
          after: audited(row),
        });
        return presentZone(row, store.currency);
      });
    },

    async replace(
      principal: Principal | null,
      storeId: string,
      zoneId: string,
      body: ZoneBody,
      ifMatch: number[] | null,
    ): Promise<Zone> {
      const store = await storeFor(principal, storeId);
      const fields = checkedFields(store, body);
      return inTransaction(db, async (trx) => {
        const before = await currentZone(trx, storeId, zoneId, ifMatch);
        const now = clock();
        await repo.supersede(trx, zoneId, before.version, now);
        const row = await repo.insert(trx, {
          ...fields,
          id: zoneId,
          version: before.version + 1,
          organization_id: store.organization_id,
          store_id: storeId,
          created_at: before.created_at,
          valid_from: now,
        });
        await recordAudit(trx, {
          organizationId: store.organization_id,
          storeId,
          action: 'delivery.zone.replaced',
          target: { type: 'delivery_zone', id: zoneId },
          before: audited(before),
          after: audited(row),
        });
        return presentZone(row, store.currency);
      });
    },

    async remove(
      principal: Principal | null,
      storeId: string,
      zoneId: string,
      ifMatch: number[] | null,
    ): Promise<void> {
      const store = await storeFor(principal, storeId);
      await inTransaction(db, async (trx) => {
        const before = await currentZone(trx, storeId, zoneId, ifMatch);
        await repo.supersede(trx, zoneId, before.version, clock());
        await recordAudit(trx, {
          organizationId: store.organization_id,
          storeId,
          action: 'delivery.zone.removed',
          target: { type: 'delivery_zone', id: zoneId },
          before: audited(before),
        });
      });
    },

    /** A zone written as given inside the caller's transaction (the demo seed: trusted data). */
    async seedIn(trx: Tx, store: StoreBasics, body: ZoneBody): Promise<string> {
      const now = clock();
      const row = await repo.insert(trx, {
        id: uuidv7(),
        version: 1,
        organization_id: store.organization_id,
        store_id: store.id,
        ...checkedFields(store, body),
        created_at: now,
        valid_from: now,
      });
      return row.id;
    },
  };
}

export type ZoneManagement = ReturnType<typeof createZoneManagement>;
