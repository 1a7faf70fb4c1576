// Promotion management: managers of an organization list, create, read, change and end its
// promotions (validated by rules.ts, versioned for If-Match, audited in the write's transaction),
// and anyone lists what a store's customers can use there now. Usage is read from the redemption
// ledger; the counters the engine enforces limits on are recomputed from it, under the promotion's
// row lock, whenever a patch sets or changes a total limit or budget.
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import { NotFoundError, PreconditionFailedError, UnprocessableError } from '../../platform/http/errors.js';
import { decodeCursor, toPage, type PageOf } from '../../platform/http/schema.js';
import type { CatalogApi } from '../catalog/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import { assertRule, RULES } from './access.js';
import { codesRepo } from './codes-repo.js';
import { inDaypart, wallTimeAt } from '../../platform/time/wall-clock.js';
import { createCodeService } from './codes.js';
import type { Daypart, Rule } from './model.js';
import { presentPromotion, presentStorePromotion } from './present.js';
import { promotionsRepo, type PromotionFields, type PromotionRow, type Usage } from './promotions-repo.js';
import { checkPromotion, type KnownIds, type LookupIds, type References } from './rules.js';
import type {
  CreatePromotionBody,
  PatchPromotionBody,
  PromotionListQuery,
  PromotionOut,
  StorePromotionOut,
} from './schema.js';

export interface PromotionManagementDeps {
  db: Db;
  /** The store a public listing names, and the organization's stores (store_ids must be among them). */
  tenancy: { api: Pick<TenancyApi, 'findStore' | 'storeIdsOf'> };
  /** Which item, category and variant ids a promotion names are the organization's. */
  catalog: { api: Pick<CatalogApi, 'catalogIdsOf'> };
  /** Default: real time (tests move it for the store listing's window and dayparts). */
  clock?: () => Date;
}

/** How many promotions a store lists at most (banners). */
export const STORE_LIST_MAX = 100;

/** Whether a moment falls in one of the dayparts on the store's wall clock (platform/time/wall-clock.ts); none: always. */
export function inDayparts(dayparts: Daypart[] | undefined, zone: string, at: Date): boolean {
  if (dayparts === undefined || dayparts.length === 0) return true;
  const wall = wallTimeAt(at, zone);
  return dayparts.some((part) => inDaypart(wall, part));
}

/** Whether the promotion's store rules (in / not_in) let it apply at the store. */
function openToStore(rules: Rule[] | undefined, storeId: string): boolean {
  return (rules ?? [])
    .filter((rule) => rule.attribute === 'store')
    .every((rule) => rule.values.includes(storeId) === (rule.operator === 'in'));
}

export const etagOf = (version: number) => `"${version}"`;

function checkVersion(ifMatch: number[] | null, current: number): void {
  if (ifMatch !== null && !ifMatch.includes(current)) throw new PreconditionFailedError();
}

const toDate = (value: string | null | undefined): Date | null => (value == null ? null : new Date(value));
const sameInstant = (a: Date | null, b: Date | null) =>
  a === null ? b === null : b !== null && a.getTime() === b.getTime();

/** The fields of a promotion an audit entry shows (what a manager sets). */
function audited(row: PromotionRow) {
  const out = presentPromotion(row, undefined, 0);
  const { usage: _usage, codes_count: _codes, created_at: _created, updated_at: _updated, ...fields } = out;
  return fields;
}

export function createPromotionManagement(deps: PromotionManagementDeps) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const codes = createCodeService({ db });

  /** The organization's ids among those named; inside a transaction, read through it (one connection each). */
  const lookupIn =
    (trx?: Tx): LookupIds =>
    async (organizationId: string, refs: References): Promise<KnownIds> => {
      const stores =
        refs.stores.length > 0 ? new Set(await deps.tenancy.api.storeIdsOf(organizationId, trx)) : new Set<string>();
      const wanted = {
        itemIds: [...new Set(refs.items.map((ref) => ref.id))],
        categoryIds: [...new Set(refs.categories.map((ref) => ref.id))],
        variantIds: [...new Set(refs.variants.map((ref) => ref.id))],
      };
      const none = wanted.itemIds.length + wanted.categoryIds.length + wanted.variantIds.length === 0;
      const known = none
        ? { itemIds: new Set<string>(), categoryIds: new Set<string>(), variantIds: new Set<string>() }
        : await deps.catalog.api.catalogIdsOf(organizationId, wanted, trx);
      return { stores, items: known.itemIds, categories: known.categoryIds, variants: known.variantIds };
    };

  async function present(ex: Tx | Db, rows: PromotionRow[]): Promise<PromotionOut[]> {
    if (rows.length === 0) return [];
    const organizationId = rows[0]!.organization_id;
    const ids = rows.map((row) => row.id);
    const usage = await promotionsRepo.usageOf(ex, organizationId, ids);
    const counts = await promotionsRepo.codeCounts(ex, organizationId, ids);
    return rows.map((row) => presentPromotion(row, usage.get(row.id), counts.get(row.id) ?? 0));
  }
  const presentOne = async (ex: Tx | Db, row: PromotionRow) => (await present(ex, [row]))[0]!;

  async function requirePromotion(ex: Tx | Db, organizationId: string, id: string, lock: boolean) {
    const row = await promotionsRepo.find(ex, organizationId, id, lock);
    if (!row) throw new NotFoundError('promotion');
    return row;
  }

  /** 422 when a new total limit or budget is below what the ledger already holds. */
  function checkLimits(fields: Pick<PromotionFields, 'usage_limit' | 'budget'>, usage: Usage): void {
    const problems = [];
    if (fields.usage_limit !== null && usage.uses > fields.usage_limit)
      problems.push({
        path: '/body/usage_limit',
        message: `must be at least the ${usage.uses} uses held or confirmed`,
        code: 'LIMIT_BELOW_USES',
      });
    if (fields.budget !== null && usage.discount_spent > fields.budget)
      problems.push({
        path: '/body/budget',
        message: `must be at least the ${usage.discount_spent} already given`,
        code: 'BUDGET_BELOW_SPENT',
      });
    if (problems.length > 0)
      throw new UnprocessableError(
        problems[0]!.code,
        'The new limit is below what the promotion has already been used for.',
        problems,
      );
  }

  return {
    codes,

    async list(
      principal: Principal | null,
      organizationId: string,
      query: PromotionListQuery,
    ): Promise<PageOf<PromotionOut>> {
      assertRule(principal, RULES.readPromotions, organizationId);
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['id'] as const);
      const rows = await promotionsRepo.list(db, organizationId, {
        afterId: after?.id ?? null,
        limit,
        kind: query.kind,
        active: query.active,
      });
      const page = toPage(
        rows,
        limit,
        (row) => row,
        (row) => ({ id: row.id }),
      );
      return { ...page, data: await present(db, page.data) };
    },

    async get(principal: Principal | null, organizationId: string, id: string): Promise<PromotionOut> {
      assertRule(principal, RULES.readPromotions, organizationId);
      return presentOne(db, await requirePromotion(db, organizationId, id, false));
    },

    async create(
      principal: Principal | null,
      organizationId: string,
      body: CreatePromotionBody,
    ): Promise<PromotionOut> {
      assertRule(principal, RULES.editPromotions, organizationId);
      const fields: PromotionFields = {
        name: body.name,
        description: body.description ?? null,
        kind: body.kind,
        advertised: body.advertised ?? true,
        active: body.active ?? true,
        priority: body.priority ?? 0,
        combinable: body.combinable ?? false,
        starts_at: toDate(body.starts_at),
        ends_at: toDate(body.ends_at),
        conditions: body.conditions ?? {},
        effect: body.effect,
        max_discount: body.max_discount ?? null,
        usage_limit: body.usage_limit ?? null,
        budget: body.budget ?? null,
        per_customer_limit: body.per_customer_limit ?? null,
      };
      await checkPromotion(organizationId, fields, lookupIn());
      return inTransaction(db, async (trx) => {
        const row = await promotionsRepo.insert(trx, { id: uuidv7(), organization_id: organizationId, ...fields });
        await recordAudit(trx, {
          organizationId,
          action: 'marketing.promotion.created',
          target: { type: 'promotion', id: row.id },
          after: audited(row),
        });
        return presentOne(trx, row);
      });
    },

    async update(
      principal: Principal | null,
      organizationId: string,
      id: string,
      body: PatchPromotionBody,
      ifMatch: number[] | null,
    ): Promise<PromotionOut> {
      assertRule(principal, RULES.editPromotions, organizationId);
      return inTransaction(db, async (trx) => {
        // Locked: the engine moves the counters on this row, and code writes check its kind.
        const current = await requirePromotion(trx, organizationId, id, true);
        checkVersion(ifMatch, current.version);
        const merged: PromotionFields = {
          name: body.name ?? current.name,
          description: body.description !== undefined ? body.description : current.description,
          kind: body.kind ?? current.kind,
          advertised: body.advertised ?? current.advertised,
          active: body.active ?? current.active,
          priority: body.priority ?? current.priority,
          combinable: body.combinable ?? current.combinable,
          starts_at: body.starts_at !== undefined ? toDate(body.starts_at) : current.starts_at,
          ends_at: body.ends_at !== undefined ? toDate(body.ends_at) : current.ends_at,
          conditions: body.conditions ?? current.conditions,
          effect: body.effect ?? current.effect,
          max_discount: body.max_discount !== undefined ? body.max_discount : current.max_discount,
          usage_limit: body.usage_limit !== undefined ? body.usage_limit : current.usage_limit,
          budget: body.budget !== undefined ? body.budget : current.budget,
          per_customer_limit:
            body.per_customer_limit !== undefined ? body.per_customer_limit : current.per_customer_limit,
        };
        await checkPromotion(organizationId, merged, lookupIn(trx));
        if (
          merged.kind === 'automatic' &&
          current.kind === 'code' &&
          (await codesRepo.count(trx, organizationId, id)) > 0
        )
          throw new UnprocessableError(
            'PROMOTION_HAS_CODES',
            'An automatic promotion cannot have codes; delete them first.',
            [{ path: '/body/kind', message: 'the promotion still has codes', code: 'PROMOTION_HAS_CODES' }],
          );

        const changed: Partial<PromotionFields> & { uses?: number; discount_spent?: number } = {};
        for (const key of Object.keys(merged) as Array<keyof PromotionFields>) {
          const before = current[key];
          const after = merged[key];
          const same =
            before instanceof Date || after instanceof Date
              ? sameInstant(before as Date | null, after as Date | null)
              : JSON.stringify(before) === JSON.stringify(after);
          if (!same) Object.assign(changed, { [key]: after });
        }
        if (Object.keys(changed).length === 0) return presentOne(trx, current);

        // A limit set or changed: the counters become the enforcement point, so they start from
        // the ledger (an unlimited promotion's uses were never counted on its row).
        const limitsChanged = 'usage_limit' in changed || 'budget' in changed;
        if (limitsChanged && (merged.usage_limit !== null || merged.budget !== null)) {
          const usage = await promotionsRepo.usageFromLedger(trx, organizationId, id);
          checkLimits(merged, usage);
          changed.uses = usage.uses;
          changed.discount_spent = usage.discount_spent;
        }
        const row = await promotionsRepo.update(trx, organizationId, id, changed);
        await recordAudit(trx, {
          organizationId,
          action: 'marketing.promotion.updated',
          target: { type: 'promotion', id },
          before: audited(current),
          after: audited(row),
        });
        return presentOne(trx, row);
      });
    },

    /** Ends the promotion (soft delete): never evaluated again, 404 afterwards; its ledger and codes stay. */
    async remove(principal: Principal | null, organizationId: string, id: string, ifMatch: number[] | null) {
      assertRule(principal, RULES.editPromotions, organizationId);
      await inTransaction(db, async (trx) => {
        const current = await requirePromotion(trx, organizationId, id, true);
        checkVersion(ifMatch, current.version);
        await promotionsRepo.softDelete(trx, organizationId, id);
        await recordAudit(trx, {
          organizationId,
          action: 'marketing.promotion.deleted',
          target: { type: 'promotion', id },
          before: audited(current),
        });
      });
    },

    /**
     * What a customer can use at the store now (public, for banners): advertised, active, not
     * ended, in its window, open to this store, in one of its dayparts in the store's time zone,
     * its limits not used up; highest priority first.
     */
    async storePromotions(storeId: string): Promise<StorePromotionOut[]> {
      const store = await deps.tenancy.api.findStore(storeId);
      if (!store) throw new NotFoundError('store');
      const now = clock();
      const rows = await promotionsRepo.liveAtStore(db, store.organization_id, storeId, now, STORE_LIST_MAX * 5);
      const open = rows
        .filter((row) => openToStore(row.conditions.rules, storeId))
        .filter((row) => inDayparts(row.conditions.dayparts, store.timezone, now))
        .slice(0, STORE_LIST_MAX);
      const sole = await promotionsRepo.soleCodes(
        db,
        store.organization_id,
        open.filter((row) => row.kind === 'code').map((row) => row.id),
      );
      return open.map((row) => presentStorePromotion(row, sole.get(row.id)));
    },
  };
}

export type PromotionManagement = ReturnType<typeof createPromotionManagement>;
