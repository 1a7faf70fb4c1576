// HTTP surface of inventory: managers set or stop tracking an item's stock at a store; staff see
// what is left; managers read an item's ledger. Schemas in, one service call, schema out.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems } from '../../platform/http/schema.js';
import { access, RULES } from './access.js';
import { SetStockBody, StockLevel, StockMovePage, StockPage, StockParams, StockQuery, StoreParams } from './schema.js';
import type { InventoryService } from './service.js';

const SIGNED = { security: [{ bearer: [] }] };
const TAGS = ['inventory'];

export function inventoryRoutes(service: InventoryService): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    // Stock changes with every order: nothing here may be cached.
    app.addHook('onSend', async (_request, reply) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
    });

    app.put(
      '/stores/:storeId/stock/:itemId',
      {
        config: { access: access(RULES.setStock), idempotency: 'optional' },
        schema: {
          operationId: 'setStock',
          summary:
            'Set the stock of an item at a store, or stop tracking it (owners, managers of the org or that store)',
          description:
            '`{"quantity": N}` starts or sets tracking: N portions are left to sell, and orders take from them (never below zero). `{"quantity": null}` stops tracking: the item is unlimited again. Every change is a move in the item’s ledger. At zero the item is 86’d as sold out (left out of the menu) until stock comes back; a manual 86 is never lifted by stock. The item must be one of the store’s organization.',
          tags: TAGS,
          ...SIGNED,
          params: StockParams,
          body: SetStockBody,
          response: { 200: StockLevel, ...problems(400, 401, 403, 404, 409, 415) },
        },
      },
      async (request) =>
        service.setStock(request.principal, request.params.storeId, request.params.itemId, request.body),
    );

    app.get(
      '/stores/:storeId/stock',
      {
        config: { access: access(RULES.readStock) },
        schema: {
          operationId: 'listStock',
          summary: 'Tracked items of a store and what is left of each, in item id order (store staff)',
          description: 'Items not listed are not tracked: they never sell out by stock.',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          querystring: StockQuery,
          response: { 200: StockPage, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => service.listStock(request.principal, request.params.storeId, request.query),
    );

    app.get(
      '/stores/:storeId/stock/:itemId/moves',
      {
        config: { access: access(RULES.readMoves) },
        schema: {
          operationId: 'listStockMoves',
          summary: 'The stock ledger of an item at a store, oldest first (owners, managers)',
          description:
            'Append-only: every change of the level, with the level after it. The deltas sum to the current level (0 when not tracked).',
          tags: TAGS,
          ...SIGNED,
          params: StockParams,
          querystring: StockQuery,
          response: { 200: StockMovePage, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) =>
        service.listMoves(request.principal, request.params.storeId, request.params.itemId, request.query),
    );
  };
}
