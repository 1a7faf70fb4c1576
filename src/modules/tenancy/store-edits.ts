// How staff work on one store: find it and check their role; for an edit, also check If-Match,
// bump the version, append `tenancy.store.updated` and read the store back fresh.
import { recordAudit, type AuditEntry } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Tx } from '../../platform/db/index.js';
import { NotFoundError, PreconditionFailedError } from '../../platform/http/errors.js';
import { assertRule, RULES } from './access.js';
import { expectedVersion } from './conditional.js';
import type { TenancyServiceDeps } from './deps.js';
import { storeAggregate, type StoreChange } from './events.js';
import { exceptionWindow, presentStore, UPCOMING_EXCEPTION_DAYS, type Presented } from './present.js';
import { tenancyRepo as repo, type Executor, type StoreBasics } from './repo.js';
import type { Store } from './schema.js';

/**
 * The audit entry of a store write. Without `target` it is the store, its `before` the changed
 * fields of the row as loaded for the edit and its `after` the same fields of the fresh store.
 */
export interface StoreAudit {
  action: string;
  target?: AuditEntry['target'];
  before?: () => AuditEntry['before'];
  after?: () => AuditEntry['after'];
}

const pick = (row: object, fields: readonly string[]) =>
  Object.fromEntries(Object.entries(row).filter(([field]) => fields.includes(field)));

export function createStoreEdits(deps: TenancyServiceDeps) {
  const { db, clock, events } = deps;

  async function readStore(ex: Executor, storeId: string): Promise<Presented<Store> & { version: number }> {
    const now = clock();
    const row = await repo.findStore(ex, storeId, exceptionWindow(now, UPCOMING_EXCEPTION_DAYS));
    if (!row) throw new NotFoundError('store');
    return { ...presentStore(row, now), version: row.version };
  }

  /**
   * The frame of every store write: the store must exist and the caller may edit it, the
   * If-Match version must be current; then the version is bumped (locking the row) with the
   * settings patch, `work` runs, `tenancy.store.updated` is appended, and the fresh store is
   * returned.
   */
  async function editStore(
    principal: Principal | null,
    storeId: string,
    ifMatch: number[] | null,
    patch: Parameters<typeof repo.bumpStoreVersion>[3],
    changed: StoreChange[],
    work: (trx: Tx, store: StoreBasics) => Promise<void> = async () => undefined,
    audit?: StoreAudit,
  ) {
    return inTransaction(db, async (trx) => {
      const store = await repo.findStoreBasics(trx, storeId);
      if (!store) throw new NotFoundError('store');
      assertRule(principal, RULES.editStore, { organizationId: store.organization_id, storeId }, 'store');
      const version = await repo.bumpStoreVersion(trx, storeId, expectedVersion(ifMatch, store.version), patch);
      if (version === null) throw new PreconditionFailedError();
      await work(trx, store);
      await events.append(trx, {
        type: 'tenancy.store.updated',
        aggregate: storeAggregate(storeId),
        data: { store_id: storeId, organization_id: store.organization_id, version, changed },
      });
      const fresh = await readStore(trx, storeId);
      if (audit)
        await recordAudit(trx, {
          organizationId: store.organization_id,
          storeId,
          action: audit.action,
          target: audit.target ?? { type: 'store', id: storeId },
          before: audit.before ? audit.before() : pick(store, changed),
          after: audit.after ? audit.after() : pick(fresh.body, changed),
        });
      return fresh;
    });
  }

  async function storeForStaff(
    ex: Executor,
    principal: Principal | null,
    storeId: string,
    rule: typeof RULES.editStore | typeof RULES.readStoreBackOffice,
  ) {
    const store = await repo.findStoreBasics(ex, storeId);
    if (!store) throw new NotFoundError('store');
    assertRule(principal, rule, { organizationId: store.organization_id, storeId }, 'store');
    return store;
  }

  return { readStore, editStore, storeForStaff };
}

export type StoreEdits = ReturnType<typeof createStoreEdits>;
