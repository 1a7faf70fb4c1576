// The frame every brand-wide write runs in (CRUD and import alike): lock the brand's catalog,
// load it, apply the edit to a copy, validate the whole copy (every problem at once), write the
// difference, bump catalog_versions and append catalog.catalog.changed in the same transaction,
// and after commit drop the brand's cached menus.
import { recordAudit, type AuditEntry } from '../../../platform/audit/index.js';
import type { Principal } from '../../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../../platform/db/index.js';
import type { EventAppender } from '../../../platform/events/index.js';
import {
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
  type FieldError,
} from '../../../platform/http/errors.js';
import type { CatalogEvents } from '../events.js';
import type { Invalidation } from '../storefront.js';
import { assertRule, RULES } from './access.js';
import { catalogRepo as repo, type ResourceTable } from './catalog-repo.js';
import { cloneCatalog, totalChanges, type CatalogModel } from './model.js';
import { catalogProblems, type Problem, type ResourceKind } from './validate.js';

export interface CatalogEditDeps {
  db: Db;
  events: EventAppender<CatalogEvents>;
  invalidate(change: Invalidation): Promise<void>;
}

/** Changes the draft in place (throwing refuses the whole write); its result is handed back. */
export type Edit<R> = (draft: CatalogModel) => R;

/** The audit entry of an edit that changed something, from the catalog before and after it. */
export type AuditOf = (before: CatalogModel, after: CatalogModel) => Omit<AuditEntry, 'organizationId'>;

/** 412 unless If-Match (null: none sent) names the current version. */
export function checkVersion(ifMatch: number[] | null, current: number): void {
  if (ifMatch !== null && !ifMatch.includes(current)) throw new PreconditionFailedError();
}

/** 404 for an id that is no row of the brand (never reveal another brand's ids). */
export function requireIds(ids: Array<string | null | undefined>, known: Set<string>, what: string): void {
  for (const id of ids) if (id != null && !known.has(id)) throw new NotFoundError(what);
}

/** The catalog's version and event after a committed change; `storeIds` null: every store of the brand. */
export async function recordCatalogChange(
  events: EventAppender<CatalogEvents>,
  trx: Tx,
  organizationId: string,
  storeIds: string[] | null,
): Promise<number> {
  const version = await repo.bumpCatalogVersion(trx, organizationId);
  await events.append(trx, {
    type: 'catalog.catalog.changed',
    aggregate: { type: 'catalog', id: organizationId },
    data: { organization_id: organizationId, version, store_ids: storeIds },
  });
  return version;
}

/** Problems of the resource the request names come first, at /body paths; others by kind and id. */
function problemsFor(target: { kind: ResourceKind; id: string } | null) {
  return (problems: Problem[]): FieldError[] => {
    const own = target ? problems.filter((p) => p.kind === target.kind && p.id === target.id) : [];
    const shown = own.length > 0 ? own : problems;
    return shown.map((p) => ({
      path: own.length > 0 ? `/body${p.pointer}` : `/${p.kind}s/${p.id}${p.pointer}`,
      message: p.message,
    }));
  };
}

export function createCatalogEdits(deps: CatalogEditDeps) {
  const { db, events } = deps;

  /** Runs an edit of the brand catalog inside `trx`; the version stays when nothing changed. */
  async function editCatalogIn<R>(
    trx: Tx,
    organizationId: string,
    edit: Edit<R>,
    toErrors: (problems: Problem[]) => FieldError[],
  ) {
    const current = await repo.lockCatalog(trx, organizationId);
    const before = await repo.loadCatalog(trx, organizationId);
    const draft = cloneCatalog(before);
    const result = edit(draft);
    const problems = toErrors(catalogProblems(draft));
    if (problems.length > 0)
      throw new ValidationError(
        problems,
        `The catalog change has ${problems.length} problem${problems.length === 1 ? '' : 's'}; each is listed in errors.`,
      );
    const report = await repo.applyCatalog(trx, organizationId, before, draft);
    let version = current;
    if (totalChanges(report) > 0) version = await recordCatalogChange(events, trx, organizationId, null);
    return { result, report, version, draft, before };
  }

  return {
    editCatalogIn,

    /** An edit on behalf of `principal`, in its own transaction; `target` names the resource the request is about. */
    async editCatalog<R>(
      principal: Principal | null,
      organizationId: string,
      edit: Edit<R>,
      target: { kind: ResourceKind; id: string } | null,
      audit?: AuditOf,
    ) {
      assertRule(principal, RULES.editCatalog, { organizationId }, 'organization');
      const outcome = await inTransaction(db, async (trx) => {
        const edited = await editCatalogIn(trx, organizationId, edit, problemsFor(target));
        if (audit && totalChanges(edited.report) > 0)
          await recordAudit(trx, { organizationId, ...audit(edited.before, edited.draft) });
        return edited;
      });
      if (totalChanges(outcome.report) > 0) await deps.invalidate({ organizationId, storeIds: null });
      return outcome;
    },

    async readCatalog(principal: Principal | null, organizationId: string): Promise<CatalogModel> {
      assertRule(principal, RULES.readCatalog, { organizationId }, 'organization');
      return repo.loadCatalog(db, organizationId);
    },

    /** The organization owning a resource id, or 404. Resources live in one brand's catalog. */
    async ownerOf(table: ResourceTable, id: string, what: string): Promise<string> {
      const organizationId = await repo.organizationOf(db, table, id);
      if (organizationId === null) throw new NotFoundError(what);
      return organizationId;
    },
  };
}

export type CatalogEdits = ReturnType<typeof createCatalogEdits>;
