// HTTP surface of dining tables: staff manage tables and their QR codes under the store; the
// public resolver turns a scanned code into the store and table that start a dine-in order.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems, NO_CONTENT } from '../../platform/http/schema.js';
import { access, RULES } from './access.js';
import {
  CreateTableBody,
  DiningTable,
  QrParams,
  ScannedTable,
  StoreParams,
  TablePage,
  TableParams,
  TablesQuery,
  UpdateTableBody,
} from './schema.js';
import type { TableService } from './tables.js';

const SIGNED = { security: [{ bearer: [] }] };
const tablesUrl = (storeId: string) => `/v1/stores/${storeId}/tables`;

export function tableRoutes(deps: { tables: TableService }): FastifyPluginAsync {
  const { tables } = deps;

  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/stores/:storeId/tables',
      {
        // The QR token in the answer is not a credential of the caller's: it is printed on the
        // table, stored in plain text already, and rotatable; so the response may be stored.
        config: { access: access(RULES.editStore), idempotency: 'optional' },
        schema: {
          operationId: 'createTable',
          summary: 'Add a dining table; its QR token is 128 random bits',
          tags: ['stores'],
          ...SIGNED,
          params: StoreParams,
          body: CreateTableBody,
          response: { 201: DiningTable, ...problems(400, 401, 403, 404, 409, 415) },
        },
      },
      async (request, reply) => {
        const table = await tables.createTable(request.principal, request.params.storeId, request.body);
        return reply
          .code(201)
          .header('location', `${tablesUrl(table.store_id)}/${table.id}`)
          .send(table);
      },
    );

    app.get(
      '/stores/:storeId/tables',
      {
        config: { access: access(RULES.readStoreBackOffice) },
        schema: {
          operationId: 'listTables',
          summary: 'Tables of a store with their QR tokens (store staff)',
          tags: ['stores'],
          ...SIGNED,
          params: StoreParams,
          querystring: TablesQuery,
          response: { 200: TablePage, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => tables.listTables(request.principal, request.params.storeId, request.query),
    );

    app.get(
      '/stores/:storeId/tables/:tableId',
      {
        config: { access: access(RULES.readStoreBackOffice) },
        schema: {
          operationId: 'getTable',
          summary: 'One table of a store (store staff)',
          tags: ['stores'],
          ...SIGNED,
          params: TableParams,
          response: { 200: DiningTable, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => tables.getTable(request.principal, request.params.storeId, request.params.tableId),
    );

    app.patch(
      '/stores/:storeId/tables/:tableId',
      {
        config: { access: access(RULES.editStore) },
        schema: {
          operationId: 'updateTable',
          summary: 'Relabel a table or change its seats',
          tags: ['stores'],
          ...SIGNED,
          params: TableParams,
          body: UpdateTableBody,
          response: { 200: DiningTable, ...problems(400, 401, 403, 404, 409, 415) },
        },
      },
      async (request) =>
        tables.updateTable(request.principal, request.params.storeId, request.params.tableId, request.body),
    );

    app.delete(
      '/stores/:storeId/tables/:tableId',
      {
        config: { access: access(RULES.editStore) },
        schema: {
          operationId: 'deleteTable',
          summary: 'Remove a table; its QR code stops working',
          tags: ['stores'],
          ...SIGNED,
          params: TableParams,
          response: { ...NO_CONTENT, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await tables.removeTable(request.principal, request.params.storeId, request.params.tableId);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/stores/:storeId/tables/:tableId/qr-rotation',
      {
        config: { access: access(RULES.editStore) },
        schema: {
          operationId: 'rotateTableQrToken',
          summary: 'Give a table a new QR token; the old code stops working at once',
          tags: ['stores'],
          ...SIGNED,
          params: TableParams,
          response: { 200: DiningTable, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => tables.rotateQrToken(request.principal, request.params.storeId, request.params.tableId),
    );

    app.get(
      '/tables/:qrToken',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'scanTable',
          summary: 'Resolve a table QR code to its store and table (starts the dine-in flow)',
          tags: ['stores'],
          params: QrParams,
          response: { 200: ScannedTable, ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const scanned = await tables.scanTable(request.params.qrToken);
        // A rotated or deleted code must stop working at once: no cached copies anywhere.
        return reply.header('cache-control', 'no-store').send(scanned);
      },
    );
  };
}
