// How a store takes orders: prep time, kitchen slots and their capacity, auto-accept, service
// charge, limits. A store that never saved settings uses the defaults (the migration's too).
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import { NotFoundError, PreconditionFailedError } from '../../platform/http/errors.js';
import type { TenancyApi } from '../tenancy/index.js';
import { assertOrderingRule, RULES } from './access.js';
import type { Capacity, OrderingSettings, OrderingSettingsPatch } from './kitchen-schema.js';
import { kitchenRepo as repo } from './kitchen-repo.js';
import type { Channel } from './schema.js';
import type { Executor, SettingsRow } from './tables.js';

export interface StoreOrderingSettings {
  prepMinutes: number;
  slotMinutes: number;
  capacity: Capacity;
  channelCapacity: Partial<Record<Channel, Capacity>>;
  asapMaxWaitMinutes: number;
  scheduleDaysAhead: number;
  autoAccept: boolean;
  serviceChargeBps: number;
  serviceChargeChannels: Channel[];
  serviceChargeMinItems: number;
  unpaidExpiryMinutes: number;
  maxLineQuantity: number;
  maxOrderItems: number;
  version: number;
}

export const DEFAULT_SETTINGS: StoreOrderingSettings = {
  prepMinutes: 15,
  slotMinutes: 15,
  capacity: { orders: null, items: null },
  channelCapacity: {},
  asapMaxWaitMinutes: 60,
  scheduleDaysAhead: 7,
  autoAccept: false,
  serviceChargeBps: 0,
  serviceChargeChannels: ['dine_in'],
  serviceChargeMinItems: 0,
  unpaidExpiryMinutes: 15,
  maxLineQuantity: 50,
  maxOrderItems: 100,
  version: 0,
};

function fromRow(row: SettingsRow | undefined): StoreOrderingSettings {
  if (!row) return DEFAULT_SETTINGS;
  return {
    prepMinutes: row.prep_minutes,
    slotMinutes: row.slot_minutes,
    capacity: row.capacity,
    channelCapacity: row.channel_capacity,
    asapMaxWaitMinutes: row.asap_max_wait_minutes,
    scheduleDaysAhead: row.schedule_days_ahead,
    autoAccept: row.auto_accept,
    serviceChargeBps: row.service_charge_bps,
    serviceChargeChannels: row.service_charge_channels,
    serviceChargeMinItems: row.service_charge_min_items,
    unpaidExpiryMinutes: row.unpaid_expiry_minutes,
    maxLineQuantity: row.max_line_quantity,
    maxOrderItems: row.max_order_items,
    version: row.version,
  };
}

export function presentSettings(storeId: string, s: StoreOrderingSettings): OrderingSettings {
  return {
    store_id: storeId,
    prep_minutes: s.prepMinutes,
    slot_minutes: s.slotMinutes as OrderingSettings['slot_minutes'],
    capacity: s.capacity,
    channel_capacity: s.channelCapacity,
    asap_max_wait_minutes: s.asapMaxWaitMinutes,
    schedule_days_ahead: s.scheduleDaysAhead,
    auto_accept: s.autoAccept,
    service_charge_bps: s.serviceChargeBps,
    service_charge_channels: s.serviceChargeChannels,
    service_charge_min_items: s.serviceChargeMinItems,
    unpaid_expiry_minutes: s.unpaidExpiryMinutes,
    max_line_quantity: s.maxLineQuantity,
    max_order_items: s.maxOrderItems,
  };
}

/** The capacity pool a channel's orders draw from: its own when configured, else the shared one. */
export function poolOf(settings: StoreOrderingSettings, channel: Channel): { pool: string; capacity: Capacity } {
  const own = settings.channelCapacity[channel];
  return own ? { pool: channel, capacity: own } : { pool: '*', capacity: settings.capacity };
}

export const settingsEtag = (s: StoreOrderingSettings) => `"${s.version}"`;

export interface SettingsDeps {
  db: Db;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  clock: () => Date;
}

export function createSettingsService(deps: SettingsDeps) {
  return {
    async settingsOf(storeId: string, ex: Executor = deps.db): Promise<StoreOrderingSettings> {
      return fromRow(await repo.findSettings(ex, storeId));
    },

    async read(principal: Principal | null, storeId: string): Promise<StoreOrderingSettings> {
      const store = await deps.tenancy.api.findStore(storeId);
      if (!store) throw new NotFoundError('store');
      assertOrderingRule(principal, RULES.readStoreOrders, { organizationId: store.organization_id, storeId }, 'store');
      return fromRow(await repo.findSettings(deps.db, storeId));
    },

    async update(
      principal: Principal | null,
      storeId: string,
      patch: OrderingSettingsPatch,
      ifMatch: string | undefined,
    ): Promise<StoreOrderingSettings> {
      const store = await deps.tenancy.api.findStore(storeId);
      if (!store) throw new NotFoundError('store');
      assertOrderingRule(
        principal,
        RULES.manageStoreOrdering,
        { organizationId: store.organization_id, storeId },
        'store',
      );
      return inTransaction(deps.db, async (trx) => {
        const saved = await this.saveIn(trx, { organizationId: store.organization_id, storeId }, patch, ifMatch);
        await recordAudit(trx, {
          organizationId: store.organization_id,
          storeId,
          action: 'ordering.settings.updated',
          target: { type: 'store', id: storeId },
          after: patch,
        });
        return saved;
      });
    },

    /** Applies a patch inside the caller's transaction (the route above, the demo seed). */
    async saveIn(
      trx: Tx,
      store: { organizationId: string; storeId: string },
      patch: OrderingSettingsPatch,
      ifMatch?: string,
    ): Promise<StoreOrderingSettings> {
      const current = fromRow(await repo.findSettingsForUpdate(trx, store.storeId));
      if (
        ifMatch !== undefined &&
        ifMatch.trim() !== '*' &&
        !ifMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === settingsEtag(current))
      ) {
        throw new PreconditionFailedError();
      }
      const next: StoreOrderingSettings = {
        prepMinutes: patch.prep_minutes ?? current.prepMinutes,
        slotMinutes: patch.slot_minutes ?? current.slotMinutes,
        capacity: patch.capacity ?? current.capacity,
        channelCapacity: patch.channel_capacity ?? current.channelCapacity,
        asapMaxWaitMinutes: patch.asap_max_wait_minutes ?? current.asapMaxWaitMinutes,
        scheduleDaysAhead: patch.schedule_days_ahead ?? current.scheduleDaysAhead,
        autoAccept: patch.auto_accept ?? current.autoAccept,
        serviceChargeBps: patch.service_charge_bps ?? current.serviceChargeBps,
        serviceChargeChannels: patch.service_charge_channels ?? current.serviceChargeChannels,
        serviceChargeMinItems: patch.service_charge_min_items ?? current.serviceChargeMinItems,
        unpaidExpiryMinutes: patch.unpaid_expiry_minutes ?? current.unpaidExpiryMinutes,
        maxLineQuantity: patch.max_line_quantity ?? current.maxLineQuantity,
        maxOrderItems: patch.max_order_items ?? current.maxOrderItems,
        version: current.version + 1,
      };
      await repo.saveSettings(trx, {
        store_id: store.storeId,
        organization_id: store.organizationId,
        prep_minutes: next.prepMinutes,
        slot_minutes: next.slotMinutes,
        capacity: JSON.stringify(next.capacity),
        channel_capacity: JSON.stringify(next.channelCapacity),
        asap_max_wait_minutes: next.asapMaxWaitMinutes,
        schedule_days_ahead: next.scheduleDaysAhead,
        auto_accept: next.autoAccept,
        service_charge_bps: next.serviceChargeBps,
        service_charge_channels: next.serviceChargeChannels,
        service_charge_min_items: next.serviceChargeMinItems,
        unpaid_expiry_minutes: next.unpaidExpiryMinutes,
        max_line_quantity: next.maxLineQuantity,
        max_order_items: next.maxOrderItems,
        version: next.version,
        updated_at: deps.clock(),
      });
      return next;
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
