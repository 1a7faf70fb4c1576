// GET /v1/orders/{orderId}/events: one order's status as it changes, for whoever may see the
// order (access.ts). Starts with its whole history (or after a Last-Event-ID) and ends after its
// final status.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Db } from '../../../platform/db/index.js';
import { NotFoundError } from '../../../platform/http/errors.js';
import { problems } from '../../../platform/http/schema.js';
import { mayViewOrder } from '../access.js';
import { ordersRepo } from '../repo.js';
import { OrderParams } from '../schema.js';
import { isFinal } from '../statuses.js';
import type { ServeStream } from './kitchen-feed.js';
import { LastEventIdHeaders, LastEventIdQuery, parseLastEventId } from './resume.js';
import { EVENT_FORMAT, SseResponse } from './sse.js';

export function registerCustomerStream(app: FastifyInstance, deps: { db: Db; serve: ServeStream }) {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/orders/:orderId/events',
    {
      config: { access: { signed_in: true, scopes: ['orders:read'] } },
      schema: {
        operationId: 'streamOrderEvents',
        summary: 'An order’s status as it changes (SSE), for its customer or the store’s people',
        description: `${EVENT_FORMAT} Without an id, the stream starts with the order’s whole history; it ends after the order’s final status (picked_up, delivered, completed, rejected, cancelled, expired). 404 for anyone but the order’s customer (or the partner key that placed it) and the store’s people.`,
        tags: ['ordering'],
        security: [{ bearer: [] }],
        params: OrderParams,
        headers: LastEventIdHeaders,
        querystring: LastEventIdQuery,
        response: { 200: SseResponse, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const after = parseLastEventId(request.headers['last-event-id'], request.query.last_event_id);
      const row = await ordersRepo.findOrder(deps.db, request.params.orderId);
      if (!row || !mayViewOrder(request.principal, row)) throw new NotFoundError('order');
      return deps.serve(reply, {
        storeId: row.store_id,
        orderId: row.id,
        after: after ?? 0,
        finalAlready: isFinal(row.status),
      });
    },
  );
}
