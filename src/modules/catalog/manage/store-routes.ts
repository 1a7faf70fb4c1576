// HTTP surface of a store's own catalog settings: the menus it publishes, its tax settings, its
// price overrides and its 86s (store staff may 86).
import { problems } from '../../../platform/http/schema.js';
import { access, RULES } from './access.js';
import { NO_CONTENT, SIGNED, TAGS, type ManagementApp } from './route-parts.js';
import { StoreItemParams, StoreParams } from './schema-fields.js';
import {
  EightySix,
  EightySixBody,
  EightySixList,
  PriceOverrides,
  PriceOverridesBody,
  PublishedMenus,
  TaxSettings,
} from './store-schema.js';
import type { ManagementService } from './service.js';

export function storeRoutes(app: ManagementApp, service: ManagementService): void {
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
    async (request) => service.replacePriceOverrides(request.principal, request.params.storeId, request.body.overrides),
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
}
