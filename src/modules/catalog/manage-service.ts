// Business rules of catalog management. Every brand-wide write runs the same frame: lock the
// brand's catalog, load it, apply the edit to a copy, validate the whole copy (every problem at
// once), write the difference, bump catalog_versions and append catalog.catalog.changed in the
// same transaction, and after commit drop the cached menus. Store-scoped writes (published menus,
// tax settings, prices, 86s) run a smaller frame with the same ending, for one store.
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
  type FieldError,
} from '../../platform/http/errors.js';
import { decodeCursor, toPage, type PageOf } from '../../platform/http/schema.js';
import type { TenancyApi } from '../tenancy/index.js';
import type { CatalogEvents } from './events.js';
import { catalogToDocument, documentToCatalog } from './import-export.js';
import { assertRule, RULES } from './manage-access.js';
import {
  byId,
  cloneCatalog,
  KINDS,
  totalChanges,
  type CatalogModel,
  type CategoryModel,
  type ChangeReport,
  type GroupModel,
  type ItemModel,
  type MenuModel,
  type OptionModel,
  type VariantModel,
} from './manage-model.js';
import { manageRepo as repo, type EightySixRow, type PriceOverrideRow } from './manage-repo.js';
import type {
  CatalogDocument,
  GroupInput,
  ImportReport,
  ItemInput,
  OptionInput,
  VariantInput,
} from './manage-schema.js';
import type { Invalidation } from './storefront.js';
import { catalogProblems, type Problem, type ResourceKind } from './validate.js';

export interface ManagementServiceDeps {
  db: Db;
  events: EventAppender<CatalogEvents>;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  clock: () => Date;
  invalidate(change: Invalidation): Promise<void>;
}

type Versioned<T> = { body: T; version: number };
type Edit<R> = (draft: CatalogModel) => R;

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

function checkVersion(ifMatch: number[] | null, current: number): void {
  if (ifMatch !== null && !ifMatch.includes(current)) throw new PreconditionFailedError();
}

const withoutVersion = <T extends { version: number }>({ version: _version, ...rest }: T) => rest;

function page<T extends { id: string }>(
  rows: T[],
  query: { limit?: number; cursor?: string },
): PageOf<Omit<T, 'version'>> {
  const limit = query.limit ?? 20;
  const after = decodeCursor(query.cursor, ['id'] as const);
  const sorted = [...rows]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .filter((row) => after === null || row.id > after.id);
  return toPage(
    sorted.slice(0, limit + 1),
    limit,
    (row) => {
      const { version: _version, ...rest } = row as T & { version?: number };
      return rest as Omit<T, 'version'>;
    },
    (row) => ({ id: row.id }),
  );
}

/** Keeps the ids of children the client names by id or ref; new ones get new ids. */
function resolveChildren<I extends { id?: string; ref?: string }, M extends { id: string; ref: string }>(
  inputs: I[],
  existing: M[],
  what: string,
): Array<I & { id: string; ref: string }> {
  const ids = byId(existing);
  const refs = new Map(existing.map((row) => [row.ref, row]));
  return inputs.map((input) => {
    if (input.id !== undefined) {
      const old = ids.get(input.id);
      if (!old) throw new NotFoundError(what);
      return { ...input, id: old.id, ref: input.ref ?? old.ref };
    }
    const old = input.ref !== undefined ? refs.get(input.ref) : undefined;
    const id = old?.id ?? uuidv7();
    return { ...input, id, ref: input.ref ?? id };
  });
}

export function createManagementService(deps: ManagementServiceDeps) {
  const { db, events, clock } = deps;

  /** Runs an edit of the brand catalog inside `trx`; null version when nothing changed. */
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
    if (totalChanges(report) > 0) {
      version = await repo.bumpCatalogVersion(trx, organizationId);
      await events.append(trx, {
        type: 'catalog.catalog.changed',
        aggregate: { type: 'catalog', id: organizationId },
        data: { organization_id: organizationId, version, store_ids: null },
      });
    }
    return { result, report, version, draft };
  }

  async function editCatalog<R>(
    principal: Principal | null,
    organizationId: string,
    edit: Edit<R>,
    target: { kind: ResourceKind; id: string } | null,
  ) {
    assertRule(principal, RULES.editCatalog, { organizationId }, 'organization');
    const outcome = await inTransaction(db, (trx) => editCatalogIn(trx, organizationId, edit, problemsFor(target)));
    if (totalChanges(outcome.report) > 0) await deps.invalidate({ organizationId, storeIds: null });
    return outcome;
  }

  async function readCatalog(principal: Principal | null, organizationId: string): Promise<CatalogModel> {
    assertRule(principal, RULES.readCatalog, { organizationId }, 'organization');
    return repo.loadCatalog(db, organizationId);
  }

  /** The organization owning a resource id, or 404. Resources live in one brand's catalog. */
  async function ownerOf(
    table: 'categories' | 'items' | 'modifier_groups' | 'menus' | 'tax_categories',
    id: string,
    what: string,
  ): Promise<string> {
    const organizationId = await repo.organizationOf(db, table, id);
    if (organizationId === null) throw new NotFoundError(what);
    return organizationId;
  }

  function find<T extends { id: string }>(rows: T[], id: string, what: string): T {
    const row = rows.find((r) => r.id === id);
    if (!row) throw new NotFoundError(what);
    return row;
  }

  function requireIds(ids: Array<string | null | undefined>, known: Set<string>, what: string): void {
    for (const id of ids) if (id != null && !known.has(id)) throw new NotFoundError(what);
  }

  // --- shaping inputs into the model --------------------------------------------------------

  function checkItemRefs(draft: CatalogModel, input: ItemInput): void {
    requireIds([input.category_id], new Set(draft.categories.map((c) => c.id)), 'category');
    requireIds([input.tax_category_id], new Set(draft.taxCategories.map((t) => t.id)), 'tax category');
    requireIds(input.modifier_group_ids ?? [], new Set(draft.groups.map((g) => g.id)), 'modifier group');
  }

  function applyItemInput(item: ItemModel, input: ItemInput): void {
    const { variants, ...fields } = input;
    Object.assign(item, Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
    if (variants !== undefined) {
      item.variants = resolveChildren<VariantInput, VariantModel>(variants, item.variants, 'variant').map((v) => ({
        id: v.id,
        ref: v.ref,
        name: v.name,
        price: v.price,
        sku: v.sku ?? null,
      }));
    }
  }

  function applyGroupInput(draft: CatalogModel, group: GroupModel, input: GroupInput): void {
    const { options, ...fields } = input;
    Object.assign(group, Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
    if (options !== undefined) {
      // A child that is no group of this brand is a 404 (never reveal another brand's ids); one
      // that would loop or nest too deep is a validation problem, listed with the others.
      const known = new Set([...draft.groups.map((g) => g.id), group.id]);
      requireIds(
        options.map((o) => o.child_group_id),
        known,
        'modifier group',
      );
      group.options = resolveChildren<OptionInput, OptionModel>(options, group.options, 'modifier option').map(
        (o): OptionModel => ({
          id: o.id,
          ref: o.ref,
          name: o.name,
          price: o.price ?? 0,
          max_quantity: o.max_quantity ?? 1,
          is_available: o.is_available ?? true,
          child_group_id: o.child_group_id ?? null,
        }),
      );
    }
  }

  // --- store-scoped frame --------------------------------------------------------------------

  async function storeOf(
    storeId: string,
    principal: Principal | null,
    rule: (typeof RULES)[keyof typeof RULES],
    trx?: Tx,
  ) {
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
    const version = await repo.bumpCatalogVersion(trx, organizationId);
    await events.append(trx, {
      type: 'catalog.catalog.changed',
      aggregate: { type: 'catalog', id: organizationId },
      data: { organization_id: organizationId, version, store_ids: [storeId] },
    });
    return result;
  }

  async function editStore<R>(
    principal: Principal | null,
    storeId: string,
    rule: (typeof RULES)[keyof typeof RULES],
    work: (trx: Tx, organizationId: string) => Promise<R>,
  ): Promise<R> {
    const { result, organizationId } = await inTransaction(db, async (trx) => {
      const store = await storeOf(storeId, principal, rule, trx);
      const result = await storeWriteIn(trx, store.organization_id, storeId, (inner) =>
        work(inner, store.organization_id),
      );
      return { result, organizationId: store.organization_id };
    });
    await deps.invalidate({ organizationId, storeIds: [storeId] });
    return result;
  }

  /** For the module api: the store must be one of the organization's. */
  async function storeOfOrganization(trx: Tx, organizationId: string, storeId: string): Promise<void> {
    const store = await deps.tenancy.api.findStore(storeId, trx);
    if (!store || store.organization_id !== organizationId) throw new NotFoundError('store');
  }

  async function knownIds(
    trx: Tx,
    table: Parameters<typeof repo.idsOfOrganization>[1],
    organizationId: string,
    ids: Array<string | null | undefined>,
    what: string,
  ) {
    const wanted = [...new Set(ids.filter((id): id is string => id != null))];
    requireIds(wanted, await repo.idsOfOrganization(trx, table, organizationId, wanted), what);
  }

  const presentEightySix = (row: EightySixRow) => ({
    ...row,
    until: row.until?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  });

  async function importIn(trx: Tx, organizationId: string, document: CatalogDocument): Promise<ImportReport> {
    // Ids are resolved against the catalog as locked by editCatalogIn, so a concurrent write
    // cannot slip in between planning and applying.
    let problems: FieldError[] = [];
    let pathOf: (problem: Problem) => string = (p) => p.pointer;
    const outcome = await editCatalogIn(
      trx,
      organizationId,
      (draft) => {
        const plan = documentToCatalog(document, draft, '/body');
        problems = plan.problems;
        pathOf = plan.pathOf;
        Object.assign(draft, plan.catalog);
      },
      (found) => [...problems, ...found.map((p) => ({ path: pathOf(p), message: p.message }))],
    );
    return toReport(outcome.report, outcome.version);
  }

  function toReport(report: ChangeReport, version: number): ImportReport {
    return {
      catalog_version: version,
      changed: totalChanges(report) > 0,
      ...Object.fromEntries(KINDS.map((kind) => [kind, report[kind]])),
    } as ImportReport;
  }

  return {
    // --- import / export ---------------------------------------------------------------------

    async exportCatalog(
      principal: Principal | null,
      organizationId: string,
    ): Promise<{ document: CatalogDocument; version: number }> {
      const catalog = await readCatalog(principal, organizationId);
      return { document: catalogToDocument(catalog), version: await repo.catalogVersion(db, organizationId) };
    },

    async importCatalog(
      principal: Principal | null,
      organizationId: string,
      document: CatalogDocument,
      ifMatch: number[] | null,
    ): Promise<ImportReport> {
      assertRule(principal, RULES.editCatalog, { organizationId }, 'organization');
      const report = await inTransaction(db, async (trx) => {
        checkVersion(ifMatch, await repo.lockCatalog(trx, organizationId));
        return importIn(trx, organizationId, document);
      });
      if (report.changed) await deps.invalidate({ organizationId, storeIds: null });
      return report;
    },

    /** For the demo seed and factories: joins the caller's transaction (no access check, no cache drop). */
    importIn,

    // --- tax categories ----------------------------------------------------------------------

    async listTaxCategories(
      principal: Principal | null,
      organizationId: string,
      query: { limit?: number; cursor?: string },
    ) {
      const catalog = await readCatalog(principal, organizationId);
      return page(
        catalog.taxCategories.map((t) => ({ ...t, version: 1 })),
        query,
      );
    },

    async createTaxCategory(
      principal: Principal | null,
      organizationId: string,
      input: { code: string; name: string },
    ) {
      const id = uuidv7();
      const { draft } = await editCatalog(
        principal,
        organizationId,
        (d) => void d.taxCategories.push({ id, ...input }),
        { kind: 'tax_category', id },
      );
      return find(draft.taxCategories, id, 'tax category');
    },

    async updateTaxCategory(principal: Principal | null, id: string, input: { code?: string; name?: string }) {
      const organizationId = await ownerOf('tax_categories', id, 'tax category');
      const { draft } = await editCatalog(
        principal,
        organizationId,
        (d) => Object.assign(find(d.taxCategories, id, 'tax category'), input),
        { kind: 'tax_category', id },
      );
      return find(draft.taxCategories, id, 'tax category');
    },

    async deleteTaxCategory(principal: Principal | null, id: string) {
      const organizationId = await ownerOf('tax_categories', id, 'tax category');
      await editCatalog(
        principal,
        organizationId,
        (d) => {
          find(d.taxCategories, id, 'tax category');
          if (d.items.some((i) => i.tax_category_id === id))
            throw new ConflictError(
              'TAX_CATEGORY_IN_USE',
              'Items still use this tax category; move them to another first.',
            );
          d.taxCategories = d.taxCategories.filter((t) => t.id !== id);
        },
        null,
      );
    },

    // --- categories --------------------------------------------------------------------------

    async listCategories(
      principal: Principal | null,
      organizationId: string,
      query: { limit?: number; cursor?: string },
    ) {
      return page((await readCatalog(principal, organizationId)).categories, query);
    },

    async getCategory(principal: Principal | null, id: string): Promise<Versioned<Omit<CategoryModel, 'version'>>> {
      const category = find(
        (await readCatalog(principal, await ownerOf('categories', id, 'category'))).categories,
        id,
        'category',
      );
      return { body: withoutVersion(category), version: category.version };
    },

    async createCategory(
      principal: Principal | null,
      organizationId: string,
      input: { ref?: string; name: string; description?: string | null; position?: number },
    ) {
      const id = uuidv7();
      const { draft } = await editCatalog(
        principal,
        organizationId,
        (d) =>
          void d.categories.push({
            id,
            ref: input.ref ?? id,
            name: input.name,
            description: input.description ?? null,
            position: input.position ?? d.categories.length,
            version: 1,
          }),
        { kind: 'category', id },
      );
      const category = find(draft.categories, id, 'category');
      return { body: withoutVersion(category), version: 1 };
    },

    async updateCategory(
      principal: Principal | null,
      id: string,
      input: Partial<Pick<CategoryModel, 'ref' | 'name' | 'description' | 'position'>>,
      ifMatch: number[] | null,
    ) {
      const organizationId = await ownerOf('categories', id, 'category');
      const { draft, report } = await editCatalog(
        principal,
        organizationId,
        (d) => {
          const category = find(d.categories, id, 'category');
          checkVersion(ifMatch, category.version);
          Object.assign(category, input);
        },
        { kind: 'category', id },
      );
      const category = find(draft.categories, id, 'category');
      return { body: withoutVersion(category), version: category.version + (report.categories.updated > 0 ? 1 : 0) };
    },

    async deleteCategory(principal: Principal | null, id: string, ifMatch: number[] | null) {
      const organizationId = await ownerOf('categories', id, 'category');
      await editCatalog(
        principal,
        organizationId,
        (d) => {
          checkVersion(ifMatch, find(d.categories, id, 'category').version);
          if (d.items.some((i) => i.category_id === id))
            throw new ConflictError('CATEGORY_NOT_EMPTY', 'The category still has items; move or delete them first.');
          d.categories = d.categories.filter((c) => c.id !== id);
          for (const menu of d.menus) menu.category_ids = menu.category_ids.filter((c) => c !== id);
        },
        null,
      );
    },

    // --- items -------------------------------------------------------------------------------

    async listItems(
      principal: Principal | null,
      organizationId: string,
      query: { limit?: number; cursor?: string; category_id?: string },
    ) {
      const items = (await readCatalog(principal, organizationId)).items;
      return page(query.category_id ? items.filter((i) => i.category_id === query.category_id) : items, query);
    },

    async getItem(principal: Principal | null, id: string): Promise<Versioned<Omit<ItemModel, 'version'>>> {
      const item = find((await readCatalog(principal, await ownerOf('items', id, 'item'))).items, id, 'item');
      return { body: withoutVersion(item), version: item.version };
    },

    async createItem(
      principal: Principal | null,
      organizationId: string,
      input: ItemInput & { category_id: string; name: string; price: number },
    ) {
      const id = uuidv7();
      const { draft } = await editCatalog(
        principal,
        organizationId,
        (d) => {
          checkItemRefs(d, input);
          const item: ItemModel = {
            id,
            ref: id,
            category_id: input.category_id,
            name: input.name,
            description: null,
            image_url: null,
            tags: [],
            allergens: [],
            sku: null,
            tax_category_id: null,
            price: input.price,
            position: d.items.filter((i) => i.category_id === input.category_id).length,
            version: 1,
            variants: [],
            modifier_group_ids: [],
          };
          applyItemInput(item, input);
          d.items.push(item);
        },
        { kind: 'item', id },
      );
      return { body: withoutVersion(find(draft.items, id, 'item')), version: 1 };
    },

    async updateItem(principal: Principal | null, id: string, input: ItemInput, ifMatch: number[] | null) {
      const organizationId = await ownerOf('items', id, 'item');
      const { draft, report } = await editCatalog(
        principal,
        organizationId,
        (d) => {
          const item = find(d.items, id, 'item');
          checkVersion(ifMatch, item.version);
          checkItemRefs(d, input);
          applyItemInput(item, input);
        },
        { kind: 'item', id },
      );
      const item = find(draft.items, id, 'item');
      return { body: withoutVersion(item), version: item.version + (report.items.updated > 0 ? 1 : 0) };
    },

    async deleteItem(principal: Principal | null, id: string, ifMatch: number[] | null) {
      const organizationId = await ownerOf('items', id, 'item');
      await editCatalog(
        principal,
        organizationId,
        (d) => {
          checkVersion(ifMatch, find(d.items, id, 'item').version);
          d.items = d.items.filter((i) => i.id !== id);
        },
        null,
      );
    },

    // --- modifier groups ---------------------------------------------------------------------

    async listModifierGroups(
      principal: Principal | null,
      organizationId: string,
      query: { limit?: number; cursor?: string },
    ) {
      return page((await readCatalog(principal, organizationId)).groups, query);
    },

    async getModifierGroup(principal: Principal | null, id: string): Promise<Versioned<Omit<GroupModel, 'version'>>> {
      const group = find(
        (await readCatalog(principal, await ownerOf('modifier_groups', id, 'modifier group'))).groups,
        id,
        'modifier group',
      );
      return { body: withoutVersion(group), version: group.version };
    },

    async createModifierGroup(
      principal: Principal | null,
      organizationId: string,
      input: GroupInput & { name: string },
    ) {
      const id = uuidv7();
      const { draft } = await editCatalog(
        principal,
        organizationId,
        (d) => {
          const group: GroupModel = {
            id,
            ref: id,
            name: input.name,
            min_select: 0,
            max_select: 1,
            free_quantity: 0,
            version: 1,
            options: [],
          };
          applyGroupInput(d, group, input);
          d.groups.push(group);
        },
        { kind: 'modifier_group', id },
      );
      return { body: withoutVersion(find(draft.groups, id, 'modifier group')), version: 1 };
    },

    async updateModifierGroup(principal: Principal | null, id: string, input: GroupInput, ifMatch: number[] | null) {
      const organizationId = await ownerOf('modifier_groups', id, 'modifier group');
      const { draft, report } = await editCatalog(
        principal,
        organizationId,
        (d) => {
          const group = find(d.groups, id, 'modifier group');
          checkVersion(ifMatch, group.version);
          applyGroupInput(d, group, input);
        },
        { kind: 'modifier_group', id },
      );
      const group = find(draft.groups, id, 'modifier group');
      return { body: withoutVersion(group), version: group.version + (report.modifier_groups.updated > 0 ? 1 : 0) };
    },

    async deleteModifierGroup(principal: Principal | null, id: string, ifMatch: number[] | null) {
      const organizationId = await ownerOf('modifier_groups', id, 'modifier group');
      await editCatalog(
        principal,
        organizationId,
        (d) => {
          checkVersion(ifMatch, find(d.groups, id, 'modifier group').version);
          const opener = d.groups.find((g) => g.id !== id && g.options.some((o) => o.child_group_id === id));
          if (opener)
            throw new ConflictError(
              'MODIFIER_GROUP_IN_USE',
              `An option of "${opener.name}" opens this group; change that option first.`,
            );
          d.groups = d.groups.filter((g) => g.id !== id);
          for (const item of d.items) item.modifier_group_ids = item.modifier_group_ids.filter((g) => g !== id);
        },
        null,
      );
    },

    // --- menus -------------------------------------------------------------------------------

    async listMenus(principal: Principal | null, organizationId: string, query: { limit?: number; cursor?: string }) {
      return page((await readCatalog(principal, organizationId)).menus, query);
    },

    async getMenu(principal: Principal | null, id: string): Promise<Versioned<Omit<MenuModel, 'version'>>> {
      const menu = find((await readCatalog(principal, await ownerOf('menus', id, 'menu'))).menus, id, 'menu');
      return { body: withoutVersion(menu), version: menu.version };
    },

    async createMenu(
      principal: Principal | null,
      organizationId: string,
      input: Partial<Omit<MenuModel, 'id' | 'version'>> & { name: string },
    ) {
      const id = uuidv7();
      const { draft } = await editCatalog(
        principal,
        organizationId,
        (d) => {
          requireIds(input.category_ids ?? [], new Set(d.categories.map((c) => c.id)), 'category');
          d.menus.push({
            id,
            ref: input.ref ?? id,
            name: input.name,
            version: 1,
            availability: input.availability ?? [],
            category_ids: input.category_ids ?? [],
          });
        },
        { kind: 'menu', id },
      );
      return { body: withoutVersion(find(draft.menus, id, 'menu')), version: 1 };
    },

    async updateMenu(
      principal: Principal | null,
      id: string,
      input: Partial<Omit<MenuModel, 'id' | 'version'>>,
      ifMatch: number[] | null,
    ) {
      const organizationId = await ownerOf('menus', id, 'menu');
      const { draft, report } = await editCatalog(
        principal,
        organizationId,
        (d) => {
          const menu = find(d.menus, id, 'menu');
          checkVersion(ifMatch, menu.version);
          requireIds(input.category_ids ?? [], new Set(d.categories.map((c) => c.id)), 'category');
          Object.assign(menu, input);
        },
        { kind: 'menu', id },
      );
      const menu = find(draft.menus, id, 'menu');
      return { body: withoutVersion(menu), version: menu.version + (report.menus.updated > 0 ? 1 : 0) };
    },

    async deleteMenu(principal: Principal | null, id: string, ifMatch: number[] | null) {
      const organizationId = await ownerOf('menus', id, 'menu');
      await editCatalog(
        principal,
        organizationId,
        (d) => {
          checkVersion(ifMatch, find(d.menus, id, 'menu').version);
          d.menus = d.menus.filter((m) => m.id !== id);
        },
        null,
      );
    },

    // --- store-scoped ------------------------------------------------------------------------

    /** Module api (seed, factories): joins the caller's transaction, no access check. */
    async publishMenusIn(trx: Tx, organizationId: string, storeId: string, menuIds: string[]): Promise<void> {
      await storeOfOrganization(trx, organizationId, storeId);
      await storeWriteIn(trx, organizationId, storeId, async () => {
        await knownIds(trx, 'menus', organizationId, menuIds, 'menu');
        await repo.replacePublishedMenus(trx, organizationId, storeId, menuIds);
      });
    },

    /** Module api: tax settings and price overrides of a store (ids must be the organization's). */
    async storeSettingsIn(
      trx: Tx,
      organizationId: string,
      storeId: string,
      input: {
        taxSettings?: { prices_include_tax: boolean; rates: Array<{ tax_category_id: string; rate_bps: number }> };
        priceOverrides?: Array<Omit<PriceOverrideRow, 'id'>>;
      },
    ): Promise<void> {
      await storeOfOrganization(trx, organizationId, storeId);
      await storeWriteIn(trx, organizationId, storeId, async () => {
        if (input.taxSettings) {
          await knownIds(
            trx,
            'tax_categories',
            organizationId,
            input.taxSettings.rates.map((r) => r.tax_category_id),
            'tax category',
          );
          await repo.replaceTaxSettings(trx, organizationId, storeId, input.taxSettings);
        }
        if (input.priceOverrides) {
          const rows = input.priceOverrides.map((row) => ({ ...row, id: uuidv7() }));
          await knownIds(
            trx,
            'items',
            organizationId,
            rows.map((r) => r.item_id),
            'item',
          );
          await knownIds(
            trx,
            'item_variants',
            organizationId,
            rows.map((r) => r.variant_id),
            'variant',
          );
          await knownIds(
            trx,
            'modifier_options',
            organizationId,
            rows.map((r) => r.option_id),
            'modifier option',
          );
          await repo.replacePriceOverrides(trx, organizationId, storeId, rows);
        }
      });
    },

    /** Ids of the brand's catalog by ref: options as "groupRef/optionRef", variants as "itemRef/variantRef", tax categories by code. */
    async idsByRef(organizationId: string, trx?: Tx) {
      const catalog = await repo.loadCatalog(trx ?? db, organizationId);
      const refs = <T extends { id: string; ref: string }>(rows: T[]) =>
        Object.fromEntries(rows.map((row) => [row.ref, row.id]));
      return {
        tax_categories: Object.fromEntries(catalog.taxCategories.map((t) => [t.code, t.id])),
        categories: refs(catalog.categories),
        items: refs(catalog.items),
        variants: Object.fromEntries(catalog.items.flatMap((i) => i.variants.map((v) => [`${i.ref}/${v.ref}`, v.id]))),
        modifier_groups: refs(catalog.groups),
        options: Object.fromEntries(catalog.groups.flatMap((g) => g.options.map((o) => [`${g.ref}/${o.ref}`, o.id]))),
        menus: refs(catalog.menus),
      };
    },

    async publishedMenus(principal: Principal | null, storeId: string) {
      await storeOf(storeId, principal, RULES.readStoreCatalog);
      return { menu_ids: await repo.publishedMenuIds(db, storeId) };
    },

    async publishMenus(principal: Principal | null, storeId: string, menuIds: string[]) {
      return editStore(principal, storeId, RULES.editStoreCatalog, async (trx, organizationId) => {
        await knownIds(trx, 'menus', organizationId, menuIds, 'menu');
        await repo.replacePublishedMenus(trx, organizationId, storeId, menuIds);
        return { menu_ids: menuIds };
      });
    },

    async taxSettings(principal: Principal | null, storeId: string) {
      await storeOf(storeId, principal, RULES.readStoreCatalog);
      return repo.taxSettings(db, storeId);
    },

    async replaceTaxSettings(
      principal: Principal | null,
      storeId: string,
      input: { prices_include_tax: boolean; rates: Array<{ tax_category_id: string; rate_bps: number }> },
    ) {
      const problems: FieldError[] = [];
      const seen = new Set<string>();
      input.rates.forEach((rate, index) => {
        if (seen.has(rate.tax_category_id))
          problems.push({ path: `/body/rates/${index}/tax_category_id`, message: 'has a rate already' });
        seen.add(rate.tax_category_id);
      });
      if (problems.length > 0) throw new ValidationError(problems);
      return editStore(principal, storeId, RULES.editStoreCatalog, async (trx, organizationId) => {
        await knownIds(
          trx,
          'tax_categories',
          organizationId,
          input.rates.map((r) => r.tax_category_id),
          'tax category',
        );
        await repo.replaceTaxSettings(trx, organizationId, storeId, input);
        return repo.taxSettings(trx, storeId);
      });
    },

    async priceOverrides(principal: Principal | null, storeId: string) {
      await storeOf(storeId, principal, RULES.readStoreCatalog);
      return { overrides: await repo.priceOverrides(db, storeId) };
    },

    async replacePriceOverrides(
      principal: Principal | null,
      storeId: string,
      inputs: Array<{
        item_id?: string;
        variant_id?: string;
        option_id?: string;
        channel?: string | null;
        price: number;
      }>,
    ) {
      const problems: FieldError[] = [];
      const seen = new Set<string>();
      const rows: PriceOverrideRow[] = inputs.map((input, index) => {
        const targets = [input.item_id, input.variant_id, input.option_id].filter((id) => id !== undefined);
        if (targets.length !== 1)
          problems.push({
            path: `/body/overrides/${index}`,
            message: 'must name exactly one of item_id, variant_id, option_id',
          });
        const key = `${targets[0] ?? ''} ${input.channel ?? '*'}`;
        if (targets.length === 1 && seen.has(key))
          problems.push({
            path: `/body/overrides/${index}`,
            message: 'overrides the same target and channel as an earlier entry',
          });
        seen.add(key);
        if (!Number.isInteger(input.price) || input.price < 0)
          problems.push({
            path: `/body/overrides/${index}/price`,
            message: 'must be a whole, non-negative amount in minor units',
          });
        return {
          id: uuidv7(),
          item_id: input.item_id ?? null,
          variant_id: input.variant_id ?? null,
          option_id: input.option_id ?? null,
          channel: input.channel ?? null,
          price: input.price,
        };
      });
      if (problems.length > 0) throw new ValidationError(problems);
      return editStore(principal, storeId, RULES.editStoreCatalog, async (trx, organizationId) => {
        await knownIds(
          trx,
          'items',
          organizationId,
          rows.map((r) => r.item_id),
          'item',
        );
        await knownIds(
          trx,
          'item_variants',
          organizationId,
          rows.map((r) => r.variant_id),
          'variant',
        );
        await knownIds(
          trx,
          'modifier_options',
          organizationId,
          rows.map((r) => r.option_id),
          'modifier option',
        );
        await repo.replacePriceOverrides(trx, organizationId, storeId, rows);
        return { overrides: await repo.priceOverrides(trx, storeId) };
      });
    },

    // Sold-out 86s follow tracked stock, inside the stock change's transaction. They neither bump
    // the catalog version nor append catalog.catalog.changed: the menu's ETag digests its body,
    // and an order selling the last portion must not queue behind the brand's catalog lock.

    /** Module api (inventory): joins the caller's transaction; no access check. True when written. */
    async markSoldOutIn(trx: Tx, input: { organizationId: string; storeId: string; itemId: string }): Promise<boolean> {
      return repo.markSoldOut(trx, {
        id: uuidv7(),
        organization_id: input.organizationId,
        store_id: input.storeId,
        item_id: input.itemId,
      });
    },

    /** Module api (inventory): lifts only a sold-out 86. True when there was one. */
    async clearSoldOutIn(trx: Tx, input: { storeId: string; itemId: string }): Promise<boolean> {
      return repo.clearSoldOut(trx, input.storeId, input.itemId);
    },

    /** Module api: id, organization and name of an item; null for no such item. */
    findItem: (itemId: string, trx?: Tx) => repo.findItem(trx ?? db, itemId),

    async eightySixes(principal: Principal | null, storeId: string) {
      await storeOf(storeId, principal, RULES.readStoreCatalog);
      return { data: (await repo.activeEightySixes(db, storeId, clock())).map(presentEightySix) };
    },

    async eightySix(
      principal: Principal | null,
      storeId: string,
      input: { item_id?: string; option_id?: string; until?: string | null },
    ) {
      const problems: FieldError[] = [];
      if ((input.item_id === undefined) === (input.option_id === undefined))
        problems.push({ path: '/body', message: 'must name exactly one of item_id, option_id' });
      const until = input.until == null ? null : new Date(input.until);
      if (until !== null && until.getTime() <= clock().getTime())
        problems.push({ path: '/body/until', message: 'must be in the future (leave it out to 86 until un-86’d)' });
      if (problems.length > 0) throw new ValidationError(problems);
      const row = await editStore(principal, storeId, RULES.eightySix, async (trx, organizationId) => {
        if (input.item_id !== undefined) await knownIds(trx, 'items', organizationId, [input.item_id], 'item');
        if (input.option_id !== undefined)
          await knownIds(trx, 'modifier_options', organizationId, [input.option_id], 'modifier option');
        return repo.putEightySix(trx, {
          id: uuidv7(),
          organization_id: organizationId,
          store_id: storeId,
          item_id: input.item_id ?? null,
          option_id: input.option_id ?? null,
          until,
          created_by: principal?.kind === 'user' ? principal.userId : null,
        });
      });
      return presentEightySix(row);
    },

    async unEightySix(principal: Principal | null, storeId: string, id: string) {
      await editStore(principal, storeId, RULES.eightySix, async (trx) => {
        if (!(await repo.deleteEightySix(trx, storeId, id))) throw new NotFoundError('86');
      });
    },
  };
}

export type ManagementService = ReturnType<typeof createManagementService>;
