// HTTP surface of ordering: schemas in, one service call, schema out. ETags and Location are
// settled here; the rules live behind the service (service.ts). The live streams' routes are in
// live/ (kitchen-feed.ts, customer-stream.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Page, PaginationQuery, problems } from '../../platform/http/schema.js';
import { access, RULES } from './access.js';
import { OrderBody, QuoteSchema, TipBody } from './basket-schema.js';
import { OrderingSettingsPatch, OrderingSettingsSchema, SlotList, SlotsQuery } from './kitchen-schema.js';
import { orderEtag } from './present.js';
import { OrderParams, OrderSchema, OrderWithHistory, StoreOrdersQuery, StoreParams, TransitionBody } from './schema.js';
import type { OrderingService } from './service.js';
import { presentSettings, settingsEtag } from './settings.js';

const SIGNED = { security: [{ bearer: [] }] };
const TAGS = ['ordering'];
const IfMatch = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 200, description: 'The ETag you read; 412 when it is stale' })),
});
/** People (customers) and partners' API keys holding the scope. */
const PEOPLE_OR_KEY = (scope: string) => ({ signed_in: true as const, scopes: [scope] });

export function orderingRoutes(service: OrderingService): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.addHook('onSend', async (request, reply) => {
      if (request.routeOptions.config.access !== 'public' && !reply.hasHeader('cache-control'))
        reply.header('cache-control', 'private, no-store');
    });

    app.get(
      '/stores/:storeId/slots',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'listKitchenSlots',
          summary: 'A day’s kitchen slots with remaining capacity',
          description:
            'Slots are cut from each opening time of the store-local date (not from midnight), `slot_minutes` long. `orderable` is false for slots too soon for the prep time or full.',
          tags: TAGS,
          params: StoreParams,
          querystring: SlotsQuery,
          response: { 200: SlotList, ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-cache');
        return service.listSlots(request.params.storeId, request.query);
      },
    );

    app.post(
      '/stores/:storeId/quotes',
      {
        // Anyone may quote; a signed-in customer's quote also checks their own promotions (first order, per-customer limits).
        config: { access: 'optional' },
        schema: {
          operationId: 'quoteOrder',
          summary: 'Price a basket and say what would stop it from being placed',
          description:
            'Same body as placing an order. Nothing is reserved. `problems` lists every issue with a stable code (ITEM_UNAVAILABLE, VARIANT_REQUIRED, OPTION_UNAVAILABLE, MODIFIER_RULES_BROKEN, QUANTITY_LIMIT_EXCEEDED, STORE_CLOSED, LAST_ORDER_TIME_PASSED, SCHEDULED_TOO_SOON, SCHEDULED_TOO_FAR, SLOT_FULL, ORDER_TOO_LARGE, TABLE_REQUIRED, TABLE_UNKNOWN, DELIVERY_DETAILS_REQUIRED, CURRENCY_MISMATCH, COUPON_NOT_FOUND, COUPON_EXPIRED, COUPON_NOT_APPLICABLE, COUPON_LIMIT_REACHED); the valid lines are priced. Promotions that apply are in `discounts`, the ones that did not in `promotions_not_applied` with the reason. With a bearer token the customer’s own conditions (first order, per-customer limits) are checked; without one they are assumed met and checked when the order is placed.',
          tags: TAGS,
          params: StoreParams,
          body: OrderBody,
          response: { 200: QuoteSchema, ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return service.quoteOrder(request.principal, request.params.storeId, request.body);
      },
    );

    app.post(
      '/stores/:storeId/orders',
      {
        config: { access: PEOPLE_OR_KEY('orders:write'), idempotency: 'required' },
        schema: {
          operationId: 'placeOrder',
          summary: 'Place an order (Idempotency-Key required)',
          description:
            'Checked against the menu and opening hours at the fulfilment time, then placed in one transaction that takes kitchen-slot capacity and reserves tracked stock. 201 with the order; 200 with the existing order when `external_id` (per organization, source and channel) or the Idempotency-Key was already used by this caller. 422 problems carry every basket problem in `errors` (each with its own `code`); the top-level `code` is the first one’s (INSUFFICIENT_STOCK, SLOT_FULL, ITEM_UNAVAILABLE, …).',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          body: OrderBody,
          response: { 201: OrderSchema, 200: OrderSchema, ...problems(400, 401, 403, 404, 409, 422, 503) },
        },
      },
      async (request, reply) => {
        const { order, created } = await service.placeOrder({
          principal: request.principal!,
          storeId: request.params.storeId,
          body: request.body,
          idempotency: request.idempotency,
        });
        reply.header('etag', orderEtag(order)).header('location', `/v1/orders/${order.id}`);
        return reply.code(created ? 201 : 200).send(order);
      },
    );

    app.get(
      '/orders/:orderId',
      {
        config: { access: PEOPLE_OR_KEY('orders:read') },
        schema: {
          operationId: 'getOrder',
          summary: 'An order with its status history',
          description:
            'For its customer (or the partner key that placed it) and the store’s people; 404 for anyone else.',
          tags: TAGS,
          ...SIGNED,
          params: OrderParams,
          response: { 200: OrderWithHistory, ...problems(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const { order } = await service.getOrder(request.principal, request.params.orderId);
        reply.header('etag', orderEtag(order));
        return order;
      },
    );

    app.post(
      '/orders/:orderId/transitions',
      {
        config: { access: PEOPLE_OR_KEY('orders:write') },
        schema: {
          operationId: 'transitionOrder',
          summary:
            'Move an order through its lifecycle (accept, reject, start_preparing, mark_ready, hand_over, dispatch, deliver, complete, cancel)',
          description:
            'See the state machine in the README. Send the ETag you read as If-Match so two devices cannot both act on the same state (412). 409 INVALID_ORDER_TRANSITION when the action is not possible from the current status, on this channel, or for you (a customer may cancel only before preparation starts); 422 REASON_REQUIRED when the store rejects or cancels without a reason.',
          tags: TAGS,
          ...SIGNED,
          params: OrderParams,
          headers: IfMatch,
          body: TransitionBody,
          response: { 200: OrderSchema, ...problems(400, 401, 403, 404, 409, 412, 422) },
        },
      },
      async (request, reply) => {
        const order = await service.transitionOrder(
          request.principal,
          request.params.orderId,
          request.body,
          request.headers['if-match'],
        );
        reply.header('etag', orderEtag(order));
        return order;
      },
    );

    app.post(
      '/orders/:orderId/tip',
      {
        config: { access: PEOPLE_OR_KEY('orders:write') },
        schema: {
          operationId: 'setOrderTip',
          summary: 'Add or change the tip of a dine-in order after ordering (its customer or the store’s floor staff)',
          description:
            'Sets the tip (untaxed) and the order’s total; an online payment’s authorization is raised to the new total first, and the capture at completion takes it. Before the payment is taken only: 409 PAYMENT_ALREADY_CAPTURED after, PAYMENT_NOT_AUTHORIZED while an online payment is not authorized yet, TIP_NOT_APPLICABLE for other channels or ended orders. If-Match honoured.',
          tags: TAGS,
          ...SIGNED,
          params: OrderParams,
          headers: IfMatch,
          body: TipBody,
          response: { 200: OrderSchema, ...problems(400, 401, 404, 409, 412, 422, 503) },
        },
      },
      async (request, reply) => {
        const order = await service.setTip(
          request.principal,
          request.params.orderId,
          request.body.tip,
          request.headers['if-match'],
        );
        reply.header('etag', orderEtag(order));
        return order;
      },
    );

    app.get(
      '/me/orders',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'listMyOrders',
          summary: 'The caller’s orders, newest first',
          tags: TAGS,
          ...SIGNED,
          querystring: Type.Object(PaginationQuery, { additionalProperties: false }),
          response: { 200: Page(OrderSchema), ...problems(400, 401) },
        },
      },
      async (request) => service.customerOrders(request.principal, request.query),
    );

    app.get(
      '/stores/:storeId/orders',
      {
        config: { access: access(RULES.readStoreOrders) },
        schema: {
          operationId: 'listStoreOrders',
          summary: 'A store’s orders, newest first, by status, channel and placement time',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          querystring: StoreOrdersQuery,
          response: { 200: Page(OrderSchema), ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => service.storeOrders(request.principal, request.params.storeId, request.query),
    );

    app.get(
      '/stores/:storeId/ordering-settings',
      {
        config: { access: access(RULES.readStoreOrders) },
        schema: {
          operationId: 'getOrderingSettings',
          summary: 'How the store takes orders: prep time, slots, capacity, auto-accept, service charge, limits',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          response: { 200: OrderingSettingsSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const settings = await service.readSettings(request.principal, request.params.storeId);
        reply.header('etag', settingsEtag(settings));
        return presentSettings(request.params.storeId, settings);
      },
    );

    app.patch(
      '/stores/:storeId/ordering-settings',
      {
        config: { access: access(RULES.manageStoreOrdering) },
        schema: {
          operationId: 'updateOrderingSettings',
          summary: 'Change how the store takes orders (If-Match honoured)',
          description: 'New capacity applies to orders placed from now on; capacity already taken stays taken.',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          headers: IfMatch,
          body: OrderingSettingsPatch,
          response: { 200: OrderingSettingsSchema, ...problems(400, 401, 403, 404, 412) },
        },
      },
      async (request, reply) => {
        const settings = await service.updateSettings(
          request.principal,
          request.params.storeId,
          request.body,
          request.headers['if-match'],
        );
        reply.header('etag', settingsEtag(settings));
        return presentSettings(request.params.storeId, settings);
      },
    );
  };
}
