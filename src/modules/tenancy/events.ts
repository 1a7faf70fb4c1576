// The domain events tenancy appends to the outbox, in the transaction of the change. Payloads are
// ids and small facts, never personal data or secrets (no QR tokens). Ordering keys: an
// organization's own events and its memberships share the organization; a store, its hours and
// its tables share the store.
import type { EventAppender } from '../../platform/events/index.js';

export type StoreChange =
  'name' | 'address' | 'phone' | 'timezone' | 'currency' | 'location' | 'opening_hours' | 'hours_exceptions';
export type TableChange = 'label' | 'seats' | 'qr_token';

export type TenancyEvents = {
  'tenancy.organization.created': { organization_id: string; slug: string };
  'tenancy.organization.updated': { organization_id: string; version: number; changed: Array<'slug' | 'name'> };
  'tenancy.store.created': { store_id: string; organization_id: string; timezone: string; currency: string };
  /** Settings, weekly hours or an hours exception changed; `version` is the store's new ETag version. */
  'tenancy.store.updated': { store_id: string; organization_id: string; version: number; changed: StoreChange[] };
  'tenancy.table.added': { table_id: string; store_id: string; organization_id: string; label: string; seats: number };
  /** `qr_token` in `changed` means the old code stopped working (the token itself is never sent). */
  'tenancy.table.updated': { table_id: string; store_id: string; organization_id: string; changed: TableChange[] };
  'tenancy.table.removed': { table_id: string; store_id: string; organization_id: string };
};

export type TenancyEventAppender = EventAppender<TenancyEvents>;

export const organizationAggregate = (organizationId: string) => ({ type: 'organization', id: organizationId });
export const storeAggregate = (storeId: string) => ({ type: 'store', id: storeId });
