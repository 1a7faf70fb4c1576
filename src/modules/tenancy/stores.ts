// The rules of stores (an organization's locations): opening one with its settings and weekly
// hours, the public directory and store page, and editing a store's settings.
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Tx } from '../../platform/db/index.js';
import { NotFoundError } from '../../platform/http/errors.js';
import { decodeCursor, toPage, type PageOf } from '../../platform/http/schema.js';
import { assertRule, RULES } from './access.js';
import type { TenancyServiceDeps } from './deps.js';
import { storeAggregate } from './events.js';
import { LOOKAHEAD_DAYS, type WeeklyInterval } from './hours.js';
import { exceptionWindow, presentStoreSummary } from './present.js';
import { tenancyRepo as repo } from './repo.js';
import type { StoreSummary, UpdateStoreBody } from './schema.js';
import type { StoreEdits } from './store-edits.js';
import {
  checkStoreSettings,
  normalizeAddress,
  throwIfProblems,
  weeklyProblems,
  type AddressInput,
} from './validate.js';

export interface NewStore {
  organizationId: string;
  name: string;
  address: AddressInput;
  timezone: string;
  currency: string;
  phone?: string | null;
  /** Where the store is (delivery zones are drawn around it). */
  location?: { lat: number; lng: number } | null;
  opening_hours?: WeeklyInterval[];
}

export function createStores(deps: TenancyServiceDeps, edits: StoreEdits) {
  const { db, clock, events } = deps;
  const { readStore, editStore } = edits;

  async function createStore(trx: Tx, input: NewStore): Promise<{ id: string }> {
    const { settings, problems } = checkStoreSettings(input);
    const weekly = input.opening_hours ?? [];
    throwIfProblems([...problems, ...weeklyProblems(weekly, '/body/opening_hours')]);
    const id = uuidv7();
    await repo.insertStore(trx, {
      id,
      organization_id: input.organizationId,
      name: settings.name,
      address: normalizeAddress(settings.address),
      phone: settings.phone ?? null,
      timezone: settings.timezone,
      currency: settings.currency,
      location: settings.location ?? null,
    });
    await repo.replaceOpeningHours(trx, id, weekly);
    await events.append(trx, {
      type: 'tenancy.store.created',
      aggregate: storeAggregate(id),
      data: {
        store_id: id,
        organization_id: input.organizationId,
        timezone: settings.timezone,
        currency: settings.currency,
      },
    });
    return { id };
  }

  return {
    createStore,

    async openStore(principal: Principal | null, organizationId: string, input: Omit<NewStore, 'organizationId'>) {
      assertRule(principal, RULES.createStore, { organizationId }, 'organization');
      return inTransaction(db, async (trx) => {
        if (!(await repo.findOrganization(trx, organizationId))) throw new NotFoundError('organization');
        const { id } = await createStore(trx, { ...input, organizationId });
        const store = await readStore(trx, id);
        await recordAudit(trx, {
          organizationId,
          storeId: id,
          action: 'tenancy.store.opened',
          target: { type: 'store', id },
          after: store.body,
        });
        return store;
      });
    },

    /** Public: anyone may read a store. */
    async getStore(storeId: string) {
      return readStore(db, storeId);
    },

    /** Public directory, in creation order. An unknown organization slug lists nothing. */
    async listStores(query: {
      org?: string;
      limit?: number;
      cursor?: string;
    }): Promise<PageOf<StoreSummary> & { freshForSeconds: number }> {
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['id'] as const);
      const now = clock();
      const rows = await repo.listStores(db, {
        organizationSlug: query.org ?? null,
        afterId: after?.id ?? null,
        limit,
        window: exceptionWindow(now, LOOKAHEAD_DAYS),
      });
      let freshForSeconds = Number.POSITIVE_INFINITY;
      const page = toPage(
        rows,
        limit,
        (row) => {
          const presented = presentStoreSummary(row, now);
          freshForSeconds = Math.min(freshForSeconds, presented.freshForSeconds);
          return presented.body;
        },
        (row) => ({ id: row.id }),
      );
      return { ...page, freshForSeconds: Number.isFinite(freshForSeconds) ? freshForSeconds : 60 };
    },

    async updateStore(principal: Principal | null, storeId: string, patch: UpdateStoreBody, ifMatch: number[] | null) {
      const { settings, problems } = checkStoreSettings(patch);
      throwIfProblems(problems);
      const { address, ...rest } = settings;
      const changed = (['name', 'address', 'phone', 'timezone', 'currency', 'location'] as const).filter(
        (field) => settings[field] !== undefined,
      );
      return editStore(
        principal,
        storeId,
        ifMatch,
        { ...rest, ...(address ? { address: normalizeAddress(address) } : {}) },
        changed,
        undefined,
        { action: 'tenancy.store.updated' },
      );
    },
  };
}
