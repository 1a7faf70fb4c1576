// The processor's HTTP API under /sandbox/. It is a simulated third party: its own API key
// check (every route is `public` to Brigade's access control), its own error shape, and hidden
// from Brigade's OpenAPI document.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db, Tx } from '../../../platform/db/index.js';
import { htmlPolicy, inlineScriptHashes } from '../../../platform/http/security-headers.js';
import { checkoutPage } from './checkout.js';
import { requireIdempotencyKey, runIdempotent } from './idempotency.js';
import type { SandboxOperations } from './operations.js';
import { SandboxError } from './present.js';

export type WebhookMode = 'normal' | 'duplicate_shuffled';

/** Failure injection, in memory: one processor instance serves the routes and runs the loops. */
export interface SandboxSettings {
  outage: boolean;
  webhookMode: WebhookMode;
}

export interface SandboxRouteDeps {
  db: Db;
  operations: SandboxOperations;
  settings: SandboxSettings;
  secretKey: string;
  clock: () => Date;
}

const Amount = Type.Integer({ minimum: 1, maximum: 99_999_999 });
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
// Closed objects: unknown fields are refused, whatever server the routes are mounted on.
const closed = { additionalProperties: false } as const;
const IntentParams = Type.Object({ id: Text(100) }, closed);
const Empty = Type.Object({}, closed);
const CreateBody = Type.Object(
  {
    amount: Amount,
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    reference: Text(200),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    metadata: Type.Optional(
      Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 500 }), { maxProperties: 50 }),
    ),
  },
  closed,
);
const ConfirmBody = Type.Object({ client_secret: Text(200), card_number: Text(32) }, closed);
const CaptureBody = Type.Object({ amount: Type.Optional(Amount) }, closed);
const IncrementBody = Type.Object({ amount: Amount }, closed);
const RefundBody = Type.Object({ amount: Amount, reason: Text(200), reference: Text(200) }, closed);
const ControlBody = Type.Object(
  {
    outage: Type.Optional(Type.Boolean()),
    webhook_mode: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('duplicate_shuffled')])),
  },
  closed,
);

const digest = (value: string) => createHash('sha256').update(value).digest();

function sendError(reply: FastifyReply, error: SandboxError): FastifyReply {
  return reply.code(error.status).type('application/json').send(error.toJSON());
}

export function sandboxRoutes(deps: SandboxRouteDeps): FastifyPluginAsync {
  const { db, operations, settings, clock } = deps;
  const expectedKey = digest(deps.secretKey);

  /** `Authorization: Bearer <secret key>`, compared in constant time. */
  async function apiKey(request: FastifyRequest): Promise<void> {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match || !timingSafeEqual(digest(match[1]!), expectedKey))
      throw new SandboxError(401, 'unauthorized', 'Send the sandbox secret key as "Authorization: Bearer <key>".');
  }

  /** Runs a money-moving operation under the request's Idempotency-Key and answers its (stored) response. */
  async function keyed(request: FastifyRequest, reply: FastifyReply, operation: (trx: Tx) => Promise<unknown>) {
    const key = requireIdempotencyKey(request.headers['idempotency-key']);
    const route = `${request.method} ${request.url.split('?')[0]}`;
    const result = await runIdempotent(db, { route, key, body: request.body, now: clock() }, operation);
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(result.status).send(result.body);
  }

  // `public` to Brigade's access control (the processor checks its own key), and outside
  // Brigade's rate limits: a 429 problem document is not this API's answer, and the adapter
  // would count it as the processor failing.
  const config = { access: 'public' as const, rateLimit: false as const };
  const api = { config, onRequest: apiKey };
  const customer = { config };

  const sandbox: FastifyPluginAsync = async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.setErrorHandler((error, request, reply) => {
      if (error instanceof SandboxError) return sendError(reply, error);
      const fastifyError = error as { validation?: unknown; statusCode?: number; message?: string };
      if (fastifyError.validation)
        return sendError(
          reply,
          new SandboxError(422, 'invalid_request', fastifyError.message ?? 'The request is not valid.'),
        );
      if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
        return sendError(
          reply,
          new SandboxError(
            fastifyError.statusCode,
            'invalid_request',
            fastifyError.message ?? 'The request is not valid.',
          ),
        );
      }
      request.log.error({ err: error }, 'sandbox processor failed');
      return sendError(reply, new SandboxError(500, 'processing_error', 'The sandbox processor failed; retry.'));
    });
    app.setNotFoundHandler((request, reply) =>
      sendError(reply, new SandboxError(404, 'not_found', `No ${request.method} ${request.url.split('?')[0]} route.`)),
    );

    // Outage first: a processor that is down answers nothing else and changes nothing.
    app.addHook('onRequest', async (request) => {
      if (settings.outage && request.url.startsWith('/sandbox/v1/'))
        throw new SandboxError(500, 'outage', 'The sandbox processor is in simulated outage.');
    });
    // Like Stripe, a POST without a body is a POST with no parameters.
    app.addHook('preValidation', async (request) => {
      if (request.method === 'POST' && request.body === undefined) request.body = {};
    });

    app.post('/v1/intents', { ...api, schema: { hide: true, body: CreateBody } }, (request, reply) =>
      keyed(request, reply, (trx) => operations.createIntent(trx, request.body)),
    );

    app.get('/v1/intents/:id', { ...api, schema: { hide: true, params: IntentParams } }, (request) =>
      operations.getIntent(request.params.id),
    );

    app.post(
      '/v1/intents/:id/confirm',
      { ...customer, schema: { hide: true, params: IntentParams, body: ConfirmBody } },
      async (request) => {
        const outcome = await operations.confirm(
          request.params.id,
          request.body.client_secret,
          request.body.card_number,
        );
        if (outcome.kind === 'flaky_failure')
          throw new SandboxError(
            500,
            'processing_error',
            'The card network failed to answer (this test card fails every other attempt); retry.',
          );
        return outcome.intent;
      },
    );

    app.post(
      '/v1/intents/:id/capture',
      { ...api, schema: { hide: true, params: IntentParams, body: CaptureBody } },
      (request, reply) =>
        keyed(request, reply, (trx) => operations.capture(trx, request.params.id, request.body.amount)),
    );

    app.post(
      '/v1/intents/:id/void',
      { ...api, schema: { hide: true, params: IntentParams, body: Empty } },
      (request, reply) => keyed(request, reply, (trx) => operations.void(trx, request.params.id)),
    );

    app.post(
      '/v1/intents/:id/increment_authorization',
      { ...api, schema: { hide: true, params: IntentParams, body: IncrementBody } },
      (request, reply) =>
        keyed(request, reply, (trx) => operations.incrementAuthorization(trx, request.params.id, request.body.amount)),
    );

    app.post(
      '/v1/intents/:id/refunds',
      { ...api, schema: { hide: true, params: IntentParams, body: RefundBody } },
      (request, reply) => keyed(request, reply, (trx) => operations.refund(trx, request.params.id, request.body)),
    );

    app.get('/v1/intents/:id/refunds', { ...api, schema: { hide: true, params: IntentParams } }, async (request) => ({
      data: await operations.listRefunds(request.params.id),
    }));

    app.get('/checkout/:id', { ...customer, schema: { hide: true, params: IntentParams } }, async (request, reply) => {
      const intent = await operations.getIntent(request.params.id);
      const page = checkoutPage(intent);
      // The page's one inline script is ours (request data goes in escaped): allowed by its hash.
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', htmlPolicy({ scriptHashes: inlineScriptHashes(page), inlineStyles: true }))
        .send(page);
    });

    app.post('/control', { ...api, schema: { hide: true, body: ControlBody } }, async (request) => {
      if (request.body.outage !== undefined) settings.outage = request.body.outage;
      if (request.body.webhook_mode !== undefined) settings.webhookMode = request.body.webhook_mode;
      return { outage: settings.outage, webhook_mode: settings.webhookMode };
    });
  };

  return async (app) => {
    await app.register(sandbox, { prefix: '/sandbox' });
  };
}
