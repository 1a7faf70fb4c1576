// HTTP surface of payments: schemas in, one service call, schema out.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Int, Page, problems } from '../../platform/http/schema.js';
import { access, RULES } from './access.js';
import type { CredentialsService } from './credentials.js';
import type { InvariantChecker } from './invariants.js';
import {
  InvariantReport,
  OrderParams,
  OrganizationParams,
  PaymentParams,
  PaymentSchema,
  ProviderAccountSchema,
  RefundBody,
  RefundSchema,
  RefundsQuery,
  StoreParams,
  StorePaymentSettingsBody,
  StorePaymentSettingsSchema,
  StripeCredentialsBody,
} from './schema.js';
import type { PaymentsService } from './service.js';
import { settingsEtag, type PaymentSettingsService } from './settings.js';

const SIGNED = { security: [{ bearer: [] }] };
const TAGS = ['payments'];
const PEOPLE_OR_KEY = (scope: string) => ({ signed_in: true as const, scopes: [scope] });
const IfMatch = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 200, description: 'The ETag you read; 412 when it is stale' })),
});

export interface PaymentRouteDeps {
  payments: PaymentsService;
  settings: PaymentSettingsService;
  credentials: CredentialsService;
  invariants: InvariantChecker;
}

export function paymentRoutes(deps: PaymentRouteDeps): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onSend', async (_request, reply) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
    });

    app.get(
      '/payments/:paymentId',
      {
        config: { access: PEOPLE_OR_KEY('payments:read') },
        schema: {
          operationId: 'getPayment',
          summary: 'A payment: its state and amounts (the order’s customer, or the store’s staff)',
          tags: TAGS,
          ...SIGNED,
          params: PaymentParams,
          response: { 200: PaymentSchema, ...problems(400, 401, 404) },
        },
      },
      async (request) => deps.payments.get(request.principal, request.params.paymentId),
    );

    app.get(
      '/orders/:orderId/payment',
      {
        config: { access: PEOPLE_OR_KEY('payments:read') },
        schema: {
          operationId: 'getOrderPayment',
          summary: 'The payment of an order, with how to pay it while it waits for the customer',
          tags: TAGS,
          ...SIGNED,
          params: OrderParams,
          response: { 200: PaymentSchema, ...problems(400, 401, 404) },
        },
      },
      async (request) => deps.payments.ofOrder(request.principal, request.params.orderId),
    );

    app.post(
      '/payments/:paymentId/confirmation',
      {
        config: { access: PEOPLE_OR_KEY('orders:write') },
        schema: {
          operationId: 'confirmPayment',
          summary: 'Tell Brigade the customer paid: it asks the provider and records what the provider says',
          description:
            'Idempotent, and equivalent to the provider’s webhook: whichever arrives first records the authorization (the order then moves to accepted, or waits for the store). Safe to call repeatedly while the provider is still deciding (status processing).',
          tags: TAGS,
          ...SIGNED,
          params: PaymentParams,
          response: { 200: PaymentSchema, ...problems(400, 401, 404, 422, 503) },
        },
      },
      async (request) => deps.payments.confirm(request.principal, request.params.paymentId),
    );

    app.post(
      '/payments/:paymentId/refunds',
      {
        config: { access: access(RULES.refund), idempotency: 'required' },
        schema: {
          operationId: 'refundPayment',
          summary: 'Give money back: an amount, or order lines (owners and managers; Idempotency-Key required)',
          description:
            'The amount is reserved against what was captured in the same transaction that records the refund, so concurrent refunds can never together exceed the capture (422 REFUND_EXCEEDS_CAPTURE); a line cannot be refunded for more units than it had (422 REFUND_EXCEEDS_LINE). 202: the provider is asked in the background and the refund moves from pending to succeeded or failed.',
          tags: TAGS,
          ...SIGNED,
          params: PaymentParams,
          body: RefundBody,
          response: { 202: RefundSchema, ...problems(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const refund = await deps.payments.requestRefund(
          request.principal,
          request.params.paymentId,
          request.body,
          request.idempotency,
        );
        return reply.code(202).header('location', `/v1/payments/${refund.payment_id}/refunds`).send(refund);
      },
    );

    app.get(
      '/payments/:paymentId/refunds',
      {
        config: { access: PEOPLE_OR_KEY('payments:read') },
        schema: {
          operationId: 'listRefunds',
          summary: 'A payment’s refunds, oldest first',
          tags: TAGS,
          ...SIGNED,
          params: PaymentParams,
          querystring: RefundsQuery,
          response: { 200: Page(RefundSchema), ...problems(400, 401, 404) },
        },
      },
      async (request) => deps.payments.refunds(request.principal, request.params.paymentId, request.query),
    );

    app.get(
      '/stores/:storeId/payment-settings',
      {
        config: { access: access(RULES.readPayments) },
        schema: {
          operationId: 'getPaymentSettings',
          summary: 'Which provider takes the store’s online payments, and when it captures',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          response: { 200: StorePaymentSettingsSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const settings = await deps.settings.read(request.principal, request.params.storeId);
        reply.header('etag', settingsEtag(settings));
        return settings;
      },
    );

    app.patch(
      '/stores/:storeId/payment-settings',
      {
        config: { access: access(RULES.manageSettings) },
        schema: {
          operationId: 'updatePaymentSettings',
          summary:
            'Choose the store’s payment provider (sandbox, stripe, or null for cash only) and capture moment (If-Match honoured)',
          description:
            'Applies to orders placed from now on. Stripe needs the organization’s credentials first (422 PROVIDER_NOT_CONFIGURED).',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          headers: IfMatch,
          body: StorePaymentSettingsBody,
          response: { 200: StorePaymentSettingsSchema, ...problems(400, 401, 403, 404, 412, 422) },
        },
      },
      async (request, reply) => {
        const settings = await deps.settings.update(
          request.principal,
          request.params.storeId,
          request.body,
          request.headers['if-match'],
        );
        reply.header('etag', settingsEtag(settings));
        return settings;
      },
    );

    app.put(
      '/organizations/:organizationId/payment-providers/stripe',
      {
        config: { access: access(RULES.manageCredentials) },
        schema: {
          operationId: 'setStripeCredentials',
          summary: 'Store the organization’s Stripe keys (owners); sealed at rest, never shown again',
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          body: StripeCredentialsBody,
          response: { 200: ProviderAccountSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => deps.credentials.saveStripe(request.principal, request.params.organizationId, request.body),
    );

    app.get(
      '/organizations/:organizationId/payment-providers/stripe',
      {
        config: { access: access(RULES.manageCredentials) },
        schema: {
          operationId: 'getStripeAccount',
          summary: 'Whether the organization has Stripe keys, and its webhook URL (owners)',
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          response: { 200: ProviderAccountSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => deps.credentials.readStripe(request.principal, request.params.organizationId),
    );

    app.delete(
      '/organizations/:organizationId/payment-providers/stripe',
      {
        config: { access: access(RULES.manageCredentials) },
        schema: {
          operationId: 'deleteStripeCredentials',
          summary: 'Forget the organization’s Stripe keys (owners)',
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          response: { 204: Type.Null(), ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await deps.credentials.deleteStripe(request.principal, request.params.organizationId);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/admin/invariants',
      {
        // Platform admins only: the access hook lets admins through and no role or scope matches anyone else.
        config: { access: { roles: [], scopes: [] } },
        schema: {
          operationId: 'checkInvariants',
          summary: 'Check what must always hold between orders, payments and stock (platform admins)',
          description:
            'Every fulfilled order captured exactly once for its total; refunds within captures and matching what the provider confirmed; no ended order holding money, a kitchen slot or (when the kitchen had not started) stock; every stock level equal to its ledger. Payments still moving are given `grace_seconds` (default 300) before they count. Also `brigade check` on the command line.',
          tags: ['platform'],
          ...SIGNED,
          querystring: Type.Object(
            { grace_seconds: Type.Optional(Int(0, 86_400, { default: 300 })) },
            { additionalProperties: false },
          ),
          response: { 200: InvariantReport, ...problems(401, 403) },
        },
      },
      async (request) => deps.invariants.check({ graceSeconds: request.query.grace_seconds ?? 300 }),
    );
  };
}
