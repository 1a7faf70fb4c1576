// HTTP surface of catalog management: schemas in, one service call, schema out. ETags are the
// version columns ("<version>"); If-Match on a stale one is a 412.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { Principal } from '../../platform/auth/principal.js';
import { problems } from '../../platform/http/schema.js';
import { access, RULES } from './manage-access.js';
import {
  CatalogDocument,
  Category,
  CategoryPage,
  CreateCategoryBody,
  CreateItemBody,
  CreateMenuBody,
  CreateModifierGroupBody,
  CreateTaxCategoryBody,
  EightySix,
  EightySixBody,
  EightySixList,
  IdParams,
  IfMatchHeaders,
  ImportReport,
  Item,
  ItemListQuery,
  ItemPage,
  ListQuery,
  Menu,
  MenuPage,
  ModifierGroup,
  ModifierGroupPage,
  OrganizationParams,
  PriceOverrides,
  PriceOverridesBody,
  PublishedMenus,
  StoreItemParams,
  StoreParams,
  TaxCategory,
  TaxCategoryPage,
  TaxSettings,
  UpdateCategoryBody,
  UpdateItemBody,
  UpdateMenuBody,
  UpdateModifierGroupBody,
  UpdateTaxCategoryBody,
} from './manage-schema.js';
import type { ManagementService } from './manage-service.js';

const SIGNED = { security: [{ bearer: [] }] };
const NO_CONTENT = { 204: Type.Null({ description: 'Done; no body' }) };
const TAGS = ['catalog'];

const etagOf = (version: number) => `"${version}"`;
const TAG = /^(W\/)?"(\d{1,9})"$/;

/** null: no If-Match (or "*"); else the versions its strong tags name (none parse: nothing matches). */
function ifMatchVersions(header: string | undefined): number[] | null {
  if (header === undefined || header.trim() === '*') return null;
  return header
    .split(',')
    .map((part) => TAG.exec(part.trim()))
    .filter((match): match is RegExpExecArray => match !== null && match[1] === undefined)
    .map((match) => Number(match[2]));
}

/** The versioned resources share one route shape: list + create under the org, get/patch/delete by id. */
interface Crud {
  path: string;
  name: string;
  plural: string;
  schema: TSchema;
  page: TSchema;
  create: TSchema;
  update: TSchema;
  listQuery?: TSchema;
}

export function managementRoutes(service: ManagementService): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onSend', async (_request, reply) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
    });

    // --- whole catalog -----------------------------------------------------------------------

    app.get(
      '/organizations/:organizationId/catalog',
      {
        config: { access: access(RULES.readCatalog) },
        schema: {
          operationId: 'exportCatalog',
          summary: 'Export the whole brand catalog as one JSON document (refs, not ids)',
          description:
            'The ETag is the brand’s catalog version; send it as If-Match on import to refuse overwriting a newer catalog.',
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          response: { 200: CatalogDocument, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { document, version } = await service.exportCatalog(request.principal, request.params.organizationId);
        return reply.header('etag', etagOf(version)).send(document);
      },
    );

    app.put(
      '/organizations/:organizationId/catalog',
      {
        config: { access: access(RULES.editCatalog) },
        bodyLimit: 10 * 1024 * 1024,
        schema: {
          operationId: 'importCatalog',
          summary: 'Import a whole brand catalog: validated, applied in one transaction, with a report of what changed',
          description:
            'Matches by `ref` (tax categories by `code`): a known ref keeps its id, a new one is created, one the document leaves out is deleted. All or nothing: any problem (every one is listed in `errors`) changes nothing. Importing the same document again changes nothing and reports zero changes.',
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          headers: IfMatchHeaders,
          body: CatalogDocument,
          response: { 200: ImportReport, ...problems(400, 401, 403, 404, 409, 412, 413, 415) },
        },
      },
      async (request, reply) => {
        const report = await service.importCatalog(
          request.principal,
          request.params.organizationId,
          request.body,
          ifMatchVersions(request.headers['if-match']),
        );
        return reply.header('etag', etagOf(report.catalog_version)).send(report);
      },
    );

    // --- tax categories (not versioned) ------------------------------------------------------

    app.get(
      '/organizations/:organizationId/tax-categories',
      {
        config: { access: access(RULES.readCatalog) },
        schema: {
          operationId: 'listTaxCategories',
          summary: 'Tax categories of the brand',
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          querystring: ListQuery,
          response: { 200: TaxCategoryPage, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => service.listTaxCategories(request.principal, request.params.organizationId, request.query),
    );
    app.post(
      '/organizations/:organizationId/tax-categories',
      {
        config: { access: access(RULES.editCatalog), idempotency: 'optional' },
        schema: {
          operationId: 'createTaxCategory',
          summary: 'Add a tax category (stores map it to a rate)',
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          body: CreateTaxCategoryBody,
          response: { 201: TaxCategory, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request, reply) => {
        const tax = await service.createTaxCategory(request.principal, request.params.organizationId, request.body);
        return reply.code(201).header('location', `/v1/tax-categories/${tax.id}`).send(tax);
      },
    );
    app.patch(
      '/tax-categories/:id',
      {
        config: { access: access(RULES.editCatalog) },
        schema: {
          operationId: 'updateTaxCategory',
          summary: 'Rename a tax category or change its code',
          tags: TAGS,
          ...SIGNED,
          params: IdParams,
          body: UpdateTaxCategoryBody,
          response: { 200: TaxCategory, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request) => service.updateTaxCategory(request.principal, request.params.id, request.body),
    );
    app.delete(
      '/tax-categories/:id',
      {
        config: { access: access(RULES.editCatalog) },
        schema: {
          operationId: 'deleteTaxCategory',
          summary: 'Delete a tax category no item uses (409 TAX_CATEGORY_IN_USE otherwise)',
          tags: TAGS,
          ...SIGNED,
          params: IdParams,
          response: { ...NO_CONTENT, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await service.deleteTaxCategory(request.principal, request.params.id);
        return reply.code(204).send(null);
      },
    );

    // --- versioned resources -----------------------------------------------------------------

    type Found = Promise<{ body: { id: string }; version: number }>;
    // Bodies and queries are typed by the service; the route schema passed alongside validates them.
    type Handlers<C, U, Q> = {
      list: (principal: Principal | null, organizationId: string, query: Q) => Promise<unknown>;
      get: (principal: Principal | null, id: string) => Found;
      create: (principal: Principal | null, organizationId: string, body: C) => Found;
      update: (principal: Principal | null, id: string, body: U, ifMatch: number[] | null) => Found;
      remove: (principal: Principal | null, id: string, ifMatch: number[] | null) => Promise<void>;
    };

    const crud = <C, U, Q>(
      resource: Crud,
      handlers: Handlers<C, U, Q>,
      notes: { create: string; update: string; remove: string },
    ) => {
      const pascal = resource.name.replace(/(^|\s)(\w)/g, (_m, _s, c: string) => c.toUpperCase());
      const pascalPlural = resource.plural.replace(/(^|\s)(\w)/g, (_m, _s, c: string) => c.toUpperCase());
      app.get(
        `/organizations/:organizationId/${resource.path}`,
        {
          config: { access: access(RULES.readCatalog) },
          schema: {
            operationId: `list${pascalPlural}`,
            summary: `${pascalPlural.replace(/([a-z])([A-Z])/g, '$1 $2')} of the brand, in id (creation) order`,
            tags: TAGS,
            ...SIGNED,
            params: OrganizationParams,
            querystring: resource.listQuery ?? ListQuery,
            response: { 200: resource.page, ...problems(400, 401, 403, 404) },
          },
        },
        async (request) => handlers.list(request.principal, request.params.organizationId, request.query as Q),
      );
      app.post(
        `/organizations/:organizationId/${resource.path}`,
        {
          config: { access: access(RULES.editCatalog), idempotency: 'optional' },
          schema: {
            operationId: `create${pascal}`,
            summary: notes.create,
            description: 'Every problem is listed in `errors`. Ids of another organization are 404.',
            tags: TAGS,
            ...SIGNED,
            params: OrganizationParams,
            body: resource.create,
            response: { 201: resource.schema, ...problems(400, 401, 403, 404, 415) },
          },
        },
        async (request, reply) => {
          const { body, version } = await handlers.create(
            request.principal,
            request.params.organizationId,
            request.body as C,
          );
          return reply
            .code(201)
            .header('location', `/v1/${resource.path}/${body.id}`)
            .header('etag', etagOf(version))
            .send(body);
        },
      );
      app.get(
        `/${resource.path}/:id`,
        {
          config: { access: access(RULES.readCatalog) },
          schema: {
            operationId: `get${pascal}`,
            summary: `A ${resource.name}, with its ETag`,
            tags: TAGS,
            ...SIGNED,
            params: IdParams,
            response: { 200: resource.schema, ...problems(400, 401, 403, 404) },
          },
        },
        async (request, reply) => {
          const { body, version } = await handlers.get(request.principal, request.params.id);
          return reply.header('etag', etagOf(version)).send(body);
        },
      );
      app.patch(
        `/${resource.path}/:id`,
        {
          config: { access: access(RULES.editCatalog) },
          schema: {
            operationId: `update${pascal}`,
            summary: notes.update,
            description:
              'Honours If-Match (412 when stale). Arrays given replace the old ones. Every problem is listed in `errors`.',
            tags: TAGS,
            ...SIGNED,
            params: IdParams,
            headers: IfMatchHeaders,
            body: resource.update,
            response: { 200: resource.schema, ...problems(400, 401, 403, 404, 412, 415) },
          },
        },
        async (request, reply) => {
          const { body, version } = await handlers.update(
            request.principal,
            request.params.id,
            request.body as U,
            ifMatchVersions(request.headers['if-match']),
          );
          return reply.header('etag', etagOf(version)).send(body);
        },
      );
      app.delete(
        `/${resource.path}/:id`,
        {
          config: { access: access(RULES.editCatalog) },
          schema: {
            operationId: `delete${pascal}`,
            summary: notes.remove,
            tags: TAGS,
            ...SIGNED,
            params: IdParams,
            headers: IfMatchHeaders,
            response: { ...NO_CONTENT, ...problems(400, 401, 403, 404, 409, 412) },
          },
        },
        async (request, reply) => {
          await handlers.remove(request.principal, request.params.id, ifMatchVersions(request.headers['if-match']));
          return reply.code(204).send(null);
        },
      );
    };

    crud(
      {
        path: 'categories',
        name: 'category',
        plural: 'categories',
        schema: Category,
        page: CategoryPage,
        create: CreateCategoryBody,
        update: UpdateCategoryBody,
      },
      {
        list: (p, org, q: Parameters<ManagementService['listCategories']>[2]) => service.listCategories(p, org, q),
        get: (p, id) => service.getCategory(p, id),
        create: (p, org, body: Parameters<ManagementService['createCategory']>[2]) =>
          service.createCategory(p, org, body),
        update: (p, id, body: Parameters<ManagementService['updateCategory']>[2], ifMatch) =>
          service.updateCategory(p, id, body, ifMatch),
        remove: (p, id, ifMatch) => service.deleteCategory(p, id, ifMatch),
      },
      {
        create: 'Add a category',
        update: 'Change a category',
        remove: 'Delete an empty category (409 CATEGORY_NOT_EMPTY otherwise); menus stop listing it',
      },
    );
    crud(
      {
        path: 'items',
        name: 'item',
        plural: 'items',
        schema: Item,
        page: ItemPage,
        create: CreateItemBody,
        update: UpdateItemBody,
        listQuery: ItemListQuery,
      },
      {
        list: (p, org, q: Parameters<ManagementService['listItems']>[2]) => service.listItems(p, org, q),
        get: (p, id) => service.getItem(p, id),
        create: (p, org, body: Parameters<ManagementService['createItem']>[2]) => service.createItem(p, org, body),
        update: (p, id, body: Parameters<ManagementService['updateItem']>[2], ifMatch) =>
          service.updateItem(p, id, body, ifMatch),
        remove: (p, id, ifMatch) => service.deleteItem(p, id, ifMatch),
      },
      {
        create: 'Add an item, with its variants and attached modifier groups',
        update: 'Change an item, its variants or attached modifier groups',
        remove: 'Delete an item (its store prices and 86s go with it)',
      },
    );
    crud(
      {
        path: 'modifier-groups',
        name: 'modifier group',
        plural: 'modifier groups',
        schema: ModifierGroup,
        page: ModifierGroupPage,
        create: CreateModifierGroupBody,
        update: UpdateModifierGroupBody,
      },
      {
        list: (p, org, q: Parameters<ManagementService['listModifierGroups']>[2]) =>
          service.listModifierGroups(p, org, q),
        get: (p, id) => service.getModifierGroup(p, id),
        create: (p, org, body: Parameters<ManagementService['createModifierGroup']>[2]) =>
          service.createModifierGroup(p, org, body),
        update: (p, id, body: Parameters<ManagementService['updateModifierGroup']>[2], ifMatch) =>
          service.updateModifierGroup(p, id, body, ifMatch),
        remove: (p, id, ifMatch) => service.deleteModifierGroup(p, id, ifMatch),
      },
      {
        create: 'Add a modifier group with its options (an option may open one nested group)',
        update: 'Change a modifier group or its options',
        remove: 'Delete a modifier group no option opens (409 MODIFIER_GROUP_IN_USE otherwise); items lose it',
      },
    );
    crud(
      {
        path: 'menus',
        name: 'menu',
        plural: 'menus',
        schema: Menu,
        page: MenuPage,
        create: CreateMenuBody,
        update: UpdateMenuBody,
      },
      {
        list: (p, org, q: Parameters<ManagementService['listMenus']>[2]) => service.listMenus(p, org, q),
        get: (p, id) => service.getMenu(p, id),
        create: (p, org, body: Parameters<ManagementService['createMenu']>[2]) => service.createMenu(p, org, body),
        update: (p, id, body: Parameters<ManagementService['updateMenu']>[2], ifMatch) =>
          service.updateMenu(p, id, body, ifMatch),
        remove: (p, id, ifMatch) => service.deleteMenu(p, id, ifMatch),
      },
      {
        create: 'Add a menu with its weekly hours (store-local) and categories',
        update: 'Change a menu, its hours or categories',
        remove: 'Delete a menu (stores stop publishing it)',
      },
    );

    // --- store-scoped ------------------------------------------------------------------------

    app.get(
      '/stores/:storeId/published-menus',
      {
        config: { access: access(RULES.readStoreCatalog) },
        schema: {
          operationId: 'getStorePublishedMenus',
          summary: 'The menus a store publishes, in order',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          response: { 200: PublishedMenus, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => service.publishedMenus(request.principal, request.params.storeId),
    );
    app.put(
      '/stores/:storeId/published-menus',
      {
        config: { access: access(RULES.editStoreCatalog) },
        schema: {
          operationId: 'publishStoreMenus',
          summary: 'Set the menus a store publishes (owners, managers of the org or that store)',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          body: PublishedMenus,
          response: { 200: PublishedMenus, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request) => service.publishMenus(request.principal, request.params.storeId, request.body.menu_ids),
    );
    app.get(
      '/stores/:storeId/tax-settings',
      {
        config: { access: access(RULES.readStoreCatalog) },
        schema: {
          operationId: 'getStoreTaxSettings',
          summary: 'Tax rates per tax category at a store, and whether its prices include tax',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          response: { 200: TaxSettings, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => service.taxSettings(request.principal, request.params.storeId),
    );
    app.put(
      '/stores/:storeId/tax-settings',
      {
        config: { access: access(RULES.editStoreCatalog) },
        schema: {
          operationId: 'replaceStoreTaxSettings',
          summary: 'Replace a store’s tax settings',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          body: TaxSettings,
          response: { 200: TaxSettings, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request) => service.replaceTaxSettings(request.principal, request.params.storeId, request.body),
    );
    app.get(
      '/stores/:storeId/price-overrides',
      {
        config: { access: access(RULES.readStoreCatalog) },
        schema: {
          operationId: 'getStorePriceOverrides',
          summary: 'Store (and channel) prices replacing brand prices',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          response: { 200: PriceOverrides, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => service.priceOverrides(request.principal, request.params.storeId),
    );
    app.put(
      '/stores/:storeId/price-overrides',
      {
        config: { access: access(RULES.editStoreCatalog) },
        schema: {
          operationId: 'replaceStorePriceOverrides',
          summary: 'Replace a store’s price overrides',
          description:
            'Each names one item, variant or option; `channel` (pickup, delivery, dine_in) or null for every channel. A channel-specific price wins over the all-channel one.',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          body: PriceOverridesBody,
          response: { 200: PriceOverrides, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request) =>
        service.replacePriceOverrides(request.principal, request.params.storeId, request.body.overrides),
    );
    app.get(
      '/stores/:storeId/eighty-sixes',
      {
        config: { access: access(RULES.readStoreCatalog) },
        schema: {
          operationId: 'listStoreEightySixes',
          summary: 'Items and options 86’d at a store right now',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          response: { 200: EightySixList, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => service.eightySixes(request.principal, request.params.storeId),
    );
    app.post(
      '/stores/:storeId/eighty-sixes',
      {
        config: { access: access(RULES.eightySix), idempotency: 'optional' },
        schema: {
          operationId: 'eightySixAtStore',
          summary: '86 an item or option at a store, now, until a time or until un-86’d (store staff too)',
          description: 'Replaces an earlier 86 of the same item or option at that store.',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          body: EightySixBody,
          response: { 201: EightySix, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request, reply) => {
        const row = await service.eightySix(request.principal, request.params.storeId, request.body);
        return reply
          .code(201)
          .header('location', `/v1/stores/${request.params.storeId}/eighty-sixes/${row.id}`)
          .send(row);
      },
    );
    app.delete(
      '/stores/:storeId/eighty-sixes/:id',
      {
        config: { access: access(RULES.eightySix) },
        schema: {
          operationId: 'unEightySixAtStore',
          summary: 'Put an 86’d item or option back on sale at a store',
          tags: TAGS,
          ...SIGNED,
          params: StoreItemParams,
          response: { ...NO_CONTENT, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await service.unEightySix(request.principal, request.params.storeId, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
