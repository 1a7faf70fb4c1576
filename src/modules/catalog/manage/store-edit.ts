// The smaller frame of store-scoped writes (published menus, tax settings, prices, 86s): find the
// store and check the rule against its organization and store, lock the brand's catalog, do the
// work, bump the version and append catalog.catalog.changed naming that store, and after commit
// drop only that store's cached menus.
import { recordAudit, type AuditEntry } from '../../../platform/audit/index.js';
import type { Principal } from '../../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../../platform/db/index.js';
import type { EventAppender } from '../../../platform/events/index.js';
import { NotFoundError } from '../../../platform/http/errors.js';
import type { TenancyApi } from '../../tenancy/index.js';
import type { CatalogEvents } from '../events.js';
import type { Invalidation } from '../storefront.js';
import { assertRule, RULES } from './access.js';
import { recordCatalogChange, requireIds } from './catalog-edit.js';
import { catalogRepo as repo } from './catalog-repo.js';

export interface StoreEditDeps {
  db: Db;
  events: EventAppender<CatalogEvents>;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  invalidate(change: Invalidation): Promise<void>;
}

type Rule = (typeof RULES)[keyof typeof RULES];

export function createStoreEdits(deps: StoreEditDeps) {
  const { db, events } = deps;

  async function storeOf(storeId: string, principal: Principal | null, rule: Rule, trx?: Tx) {
    const store = await deps.tenancy.api.findStore(storeId, trx);
    if (!store) throw new NotFoundError('store');
    assertRule(principal, rule, { organizationId: store.organization_id, storeId }, 'store');
    return store;
  }

  /** A store-scoped write inside `trx`: the work, then the brand's version bump and the event naming the store. */
  async function storeWriteIn<R>(
    trx: Tx,
    organizationId: string,
    storeId: string,
    work: (trx: Tx) => Promise<R>,
  ): Promise<R> {
    await repo.lockCatalog(trx, organizationId);
    const result = await work(trx);
    await recordCatalogChange(events, trx, organizationId, [storeId]);
    return result;
  }

  return {
    /** A read of the store's settings: the store must exist and `principal` may see it. */
    storeOf,

    storeWriteIn,

    /** A write on behalf of `principal`, in its own transaction. */
    async editStore<R>(
      principal: Principal | null,
      storeId: string,
      rule: Rule,
      work: (trx: Tx, organizationId: string) => Promise<R>,
      /** The audit entry of the write, from its result. */
      audit?: (result: R) => Omit<AuditEntry, 'organizationId' | 'storeId'>,
    ): Promise<R> {
      const { result, organizationId } = await inTransaction(db, async (trx) => {
        const store = await storeOf(storeId, principal, rule, trx);
        const result = await storeWriteIn(trx, store.organization_id, storeId, (inner) =>
          work(inner, store.organization_id),
        );
        if (audit) await recordAudit(trx, { organizationId: store.organization_id, storeId, ...audit(result) });
        return { result, organizationId: store.organization_id };
      });
      await deps.invalidate({ organizationId, storeIds: [storeId] });
      return result;
    },

    /** For the module api: the store must be one of the organization's. */
    async storeOfOrganization(trx: Tx, organizationId: string, storeId: string): Promise<void> {
      const store = await deps.tenancy.api.findStore(storeId, trx);
      if (!store || store.organization_id !== organizationId) throw new NotFoundError('store');
    },

    /** 404 unless every id given is a row of the organization in the table. */
    async knownIds(
      trx: Tx,
      table: Parameters<typeof repo.idsOfOrganization>[1],
      organizationId: string,
      ids: Array<string | null | undefined>,
      what: string,
    ): Promise<void> {
      const wanted = [...new Set(ids.filter((id): id is string => id != null))];
      requireIds(wanted, await repo.idsOfOrganization(trx, table, organizationId, wanted), what);
    },
  };
}

export type StoreEdits = ReturnType<typeof createStoreEdits>;
