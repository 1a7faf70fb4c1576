// GET /v1/stores/{storeId}/orders/stream: the kitchen feed, every new order and every change of
// the store's orders for its tablets, from now on or resumed from a Last-Event-ID.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NotFoundError } from '../../../platform/http/errors.js';
import { problems } from '../../../platform/http/schema.js';
import type { TenancyApi } from '../../tenancy/index.js';
import { access, assertOrderingRule, RULES } from '../access.js';
import { StoreParams } from '../schema.js';
import type { FollowInput } from './follower.js';
import { LastEventIdHeaders, LastEventIdQuery, parseLastEventId } from './resume.js';
import { EVENT_FORMAT, SseResponse } from './sse.js';

/** Opens an event stream on the reply, following what `input` says. */
export type ServeStream = (reply: FastifyReply, input: FollowInput) => Promise<FastifyReply>;

export function registerKitchenFeed(
  app: FastifyInstance,
  deps: { tenancy: { api: Pick<TenancyApi, 'findStore'> }; serve: ServeStream },
) {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/stores/:storeId/orders/stream',
    {
      config: { access: access(RULES.readStoreOrders) },
      schema: {
        operationId: 'streamStoreOrders',
        summary: 'Kitchen feed (SSE): new orders and every change, resumable with Last-Event-ID',
        description: `${EVENT_FORMAT} Without an id, the feed starts with what happens from now on; with one, it first sends every event after it.`,
        tags: ['ordering'],
        security: [{ bearer: [] }],
        params: StoreParams,
        headers: LastEventIdHeaders,
        querystring: LastEventIdQuery,
        response: { 200: SseResponse, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const after = parseLastEventId(request.headers['last-event-id'], request.query.last_event_id);
      const { storeId } = request.params;
      const store = await deps.tenancy.api.findStore(storeId);
      if (!store) throw new NotFoundError('store');
      assertOrderingRule(
        request.principal,
        RULES.readStoreOrders,
        { organizationId: store.organization_id, storeId },
        'store',
      );
      return deps.serve(reply, { storeId, orderId: null, after, finalAlready: false });
    },
  );
}
