// HTTP surface of webhooks: the public event catalogue, and an organization's endpoints as its
// owners and managers manage them (issue 17). Schemas in, one service call, schema out.
// Creating an endpoint and rotating its secret take no Idempotency-Key: their answer holds the
// secret, which a stored response would keep (hooks.ts allows keys only on answers without one).
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { PersonalDataVault } from '../../platform/crypto/personal-data.js';
import type { Db } from '../../platform/db/index.js';
import { isNotModified, sendNotModified } from '../../platform/http/conditional.js';
import { problems } from '../../platform/http/schema.js';
import { access, RULES } from './access.js';
import { EVENT_TYPES } from './catalogue.js';
import { createDeliveryService, REPLAY_WINDOW_DAYS } from './endpoint-deliveries.js';
import { etagOf, ifMatchVersions } from './endpoint-view.js';
import { createEndpointService } from './endpoints.js';
import {
  AttemptListQuery,
  AttemptPage,
  CreateEndpointBody,
  EndpointListQuery,
  EndpointPage,
  EndpointParams,
  EndpointSchema,
  EndpointWithSecretSchema,
  EventTypeList,
  IfMatchHeaders,
  IfNoneMatchHeaders,
  OrganizationParams,
  PatchEndpointBody,
  ReplayAccepted,
  ReplayBody,
  TestAccepted,
} from './schema.js';
import type { UrlGuard } from './url-guard.js';

export interface WebhookRoutesDeps {
  db: Db;
  vault: PersonalDataVault;
  urlGuard: Pick<UrlGuard, 'check'>;
  clock: () => Date;
}

const TAGS = ['webhooks'];
const SIGNED = { security: [{ bearer: [] }] };
const PRIVATE = 'private, no-store';
const WHO = '(owners, managers)';
/** The catalogue changes only with a release: cached for five minutes by browsers and CDNs. */
const CATALOGUE_MAX_AGE = 300;

const endpointsUrl = (organizationId: string) => `/v1/organizations/${organizationId}/webhook-endpoints`;
const GUARD_NOTE =
  'The URL must be https (http outside production) and its host must resolve to public addresses only — no loopback, link-local, private, unique-local or metadata ones, unless WEBHOOKS_ALLOWED_NETWORKS exempts them — else 422 `WEBHOOK_URL_NOT_ALLOWED`. Event types must be the catalogue’s (GET /v1/webhook-event-types), else 422 `UNKNOWN_EVENT_TYPE` with a pointer at each unknown one.';

/** The catalogue as served: plain JSON Schemas, and a strong ETag over exactly those bytes. */
function catalogueBody() {
  const body = {
    data: EVENT_TYPES.map(({ type, version, description, schema }) => ({
      type,
      version,
      description,
      schema: JSON.parse(JSON.stringify(schema)) as Record<string, unknown>,
    })),
  };
  const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 22)}"`;
  return { body, etag };
}

export function webhookRoutes(deps: WebhookRoutesDeps): FastifyPluginAsync {
  const endpoints = createEndpointService(deps);
  const deliveries = createDeliveryService(deps);
  const catalogue = catalogueBody();
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/webhook-event-types',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'listWebhookEventTypes',
          summary: 'The public catalogue of webhook event types, each with the JSON Schema of its data (anyone)',
          description: `A message's body is \`{type, timestamp, data}\` (Standard Webhooks), \`data\` as the type's schema says. A type's \`version\` moves on a change a receiver could break on. Strong ETag; If-None-Match answers 304; cached ${CATALOGUE_MAX_AGE} s.`,
          tags: TAGS,
          headers: IfNoneMatchHeaders,
          response: {
            200: EventTypeList,
            304: Type.Null({ description: 'Not modified: the cached copy (If-None-Match) is current; no body' }),
            ...problems(400),
          },
        },
      },
      async (request, reply) => {
        reply.header('etag', catalogue.etag).header('cache-control', `public, max-age=${CATALOGUE_MAX_AGE}`);
        if (isNotModified(request.headers['if-none-match'], catalogue.etag)) return sendNotModified(reply);
        return reply.send(catalogue.body);
      },
    );

    app.post(
      '/organizations/:organizationId/webhook-endpoints',
      {
        config: { access: access(RULES.manageEndpoints) },
        schema: {
          operationId: 'createWebhookEndpoint',
          summary: `Register a webhook endpoint; the answer holds its signing secret, shown this once ${WHO}`,
          description: `201 with the endpoint, its ETag and Location, and \`secret\` (\`whsec_…\`): later reads show \`secret_hint\` only. Messages are signed per Standard Webhooks (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`). ${GUARD_NOTE}`,
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          body: CreateEndpointBody,
          response: { 201: EndpointWithSecretSchema, ...problems(400, 401, 403, 404, 415, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId } = request.params;
        const created = await endpoints.create(request.principal, organizationId, request.body);
        return reply
          .code(201)
          .header('location', `${endpointsUrl(organizationId)}/${created.id}`)
          .header('etag', etagOf(created.version))
          .header('cache-control', PRIVATE)
          .send(created);
      },
    );

    app.get(
      '/organizations/:organizationId/webhook-endpoints',
      {
        config: { access: access(RULES.manageEndpoints) },
        schema: {
          operationId: 'listWebhookEndpoints',
          summary: `The organization’s webhook endpoints, in id order ${WHO}`,
          description: 'Deleted endpoints are left out; disabled ones are listed with their reason. Keyset pages.',
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          querystring: EndpointListQuery,
          response: { 200: EndpointPage, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const page = await endpoints.list(request.principal, request.params.organizationId, request.query);
        return reply.header('cache-control', PRIVATE).send(page);
      },
    );

    app.get(
      '/organizations/:organizationId/webhook-endpoints/:endpointId',
      {
        config: { access: access(RULES.manageEndpoints) },
        schema: {
          operationId: 'getWebhookEndpoint',
          summary: `A webhook endpoint with its ETag ${WHO}`,
          description:
            'The secret is never shown again after creation or rotation: `secret_hint` tells secrets apart. Deleted endpoints, and endpoints of another organization, are 404 `WEBHOOK_ENDPOINT_NOT_FOUND`.',
          tags: TAGS,
          ...SIGNED,
          params: EndpointParams,
          response: { 200: EndpointSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { organizationId, endpointId } = request.params;
        const endpoint = await endpoints.get(request.principal, organizationId, endpointId);
        return reply.header('etag', etagOf(endpoint.version)).header('cache-control', PRIVATE).send(endpoint);
      },
    );

    app.patch(
      '/organizations/:organizationId/webhook-endpoints/:endpointId',
      {
        config: { access: access(RULES.manageEndpoints) },
        schema: {
          operationId: 'updateWebhookEndpoint',
          summary: `Change a webhook endpoint’s URL, event types, description, rate limit or ordering ${WHO}`,
          description: `Fields given replace the old ones (\`event_types\` whole; null clears \`description\` and \`rate_limit_per_second\`). Honours If-Match with the version (412 \`PRECONDITION_FAILED\` when stale). Messages already queued keep going to the endpoint as it is when they are sent. ${GUARD_NOTE}`,
          tags: TAGS,
          ...SIGNED,
          params: EndpointParams,
          headers: IfMatchHeaders,
          body: PatchEndpointBody,
          response: { 200: EndpointSchema, ...problems(400, 401, 403, 404, 412, 415, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId, endpointId } = request.params;
        const endpoint = await endpoints.update(
          request.principal,
          organizationId,
          endpointId,
          request.body,
          ifMatchVersions(request.headers['if-match']),
        );
        return reply.header('etag', etagOf(endpoint.version)).header('cache-control', PRIVATE).send(endpoint);
      },
    );

    app.delete(
      '/organizations/:organizationId/webhook-endpoints/:endpointId',
      {
        config: { access: access(RULES.manageEndpoints) },
        schema: {
          operationId: 'deleteWebhookEndpoint',
          summary: `Delete a webhook endpoint ${WHO}`,
          description:
            'Nothing more is sent to it: its pending messages are marked failed in the same transaction. It answers 404 from then on. Honours If-Match.',
          tags: TAGS,
          ...SIGNED,
          params: EndpointParams,
          headers: IfMatchHeaders,
          response: { 204: Type.Null({ description: 'Deleted; no body' }), ...problems(400, 401, 403, 404, 412) },
        },
      },
      async (request, reply) => {
        const { organizationId, endpointId } = request.params;
        await endpoints.remove(
          request.principal,
          organizationId,
          endpointId,
          ifMatchVersions(request.headers['if-match']),
        );
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/organizations/:organizationId/webhook-endpoints/:endpointId/rotate-secret',
      {
        config: { access: access(RULES.manageEndpoints) },
        schema: {
          operationId: 'rotateWebhookEndpointSecret',
          summary: `Give a webhook endpoint a new signing secret, shown this once ${WHO}`,
          description:
            'The old secret keeps signing beside the new one for 24 hours (two `v1,…` signatures, space-separated, in `webhook-signature`), so the receiver can switch without rejecting a message; rotating again within those 24 hours retires the older one at once. Honours If-Match.',
          tags: TAGS,
          ...SIGNED,
          params: EndpointParams,
          headers: IfMatchHeaders,
          response: { 200: EndpointWithSecretSchema, ...problems(400, 401, 403, 404, 412) },
        },
      },
      async (request, reply) => {
        const { organizationId, endpointId } = request.params;
        const rotated = await endpoints.rotateSecret(
          request.principal,
          organizationId,
          endpointId,
          ifMatchVersions(request.headers['if-match']),
        );
        return reply.header('etag', etagOf(rotated.version)).header('cache-control', PRIVATE).send(rotated);
      },
    );

    app.post(
      '/organizations/:organizationId/webhook-endpoints/:endpointId/test',
      {
        config: { access: access(RULES.manageEndpoints), idempotency: 'optional' },
        schema: {
          operationId: 'testWebhookEndpoint',
          summary: `Send a webhook.test message to the endpoint ${WHO}`,
          description:
            '202: the message is queued and sent like any other (signed, retried on failure); its attempts appear under …/attempts.',
          tags: TAGS,
          ...SIGNED,
          params: EndpointParams,
          response: { 202: TestAccepted, ...problems(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId, endpointId } = request.params;
        const queued = await deliveries.sendTest(request.principal, organizationId, endpointId);
        return reply.code(202).header('cache-control', PRIVATE).send(queued);
      },
    );

    app.post(
      '/organizations/:organizationId/webhook-endpoints/:endpointId/replay',
      {
        config: { access: access(RULES.manageEndpoints), idempotency: 'optional' },
        schema: {
          operationId: 'replayWebhookEndpoint',
          summary: `Send the endpoint’s messages of a time range again ${WHO}`,
          description: `202 with how many messages were queued: those created in [since, until) (until defaults to now), delivered and failed alike, each with its original \`webhook-id\` (a deduplicating receiver sees a redelivery). \`since\` must be at most ${REPLAY_WINDOW_DAYS} days ago and before \`until\` (or now), else 422 \`INVALID_REPLAY_RANGE\` pointing at the field.`,
          tags: TAGS,
          ...SIGNED,
          params: EndpointParams,
          body: ReplayBody,
          response: { 202: ReplayAccepted, ...problems(400, 401, 403, 404, 409, 415, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId, endpointId } = request.params;
        const replayed = await deliveries.replay(request.principal, organizationId, endpointId, request.body);
        return reply.code(202).header('cache-control', PRIVATE).send(replayed);
      },
    );

    app.post(
      '/organizations/:organizationId/webhook-endpoints/:endpointId/enable',
      {
        config: { access: access(RULES.manageEndpoints) },
        schema: {
          operationId: 'enableWebhookEndpoint',
          summary: `Enable a webhook endpoint Brigade disabled ${WHO}`,
          description:
            'Brigade disables an endpoint whose messages have all failed for five days, or that answered 410 Gone. Enabling clears the reason and the failure streak; messages that failed meanwhile stay failed (replay them). An enabled endpoint is answered as it is.',
          tags: TAGS,
          ...SIGNED,
          params: EndpointParams,
          response: { 200: EndpointSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { organizationId, endpointId } = request.params;
        const endpoint = await endpoints.enable(request.principal, organizationId, endpointId);
        return reply.header('etag', etagOf(endpoint.version)).header('cache-control', PRIVATE).send(endpoint);
      },
    );

    app.get(
      '/organizations/:organizationId/webhook-endpoints/:endpointId/attempts',
      {
        config: { access: access(RULES.manageEndpoints) },
        schema: {
          operationId: 'listWebhookEndpointAttempts',
          summary: `The endpoint’s delivery attempts, newest first ${WHO}`,
          description:
            'Each attempt with the HTTP status (null when no answer came), its duration, the start of the answer and the error. Keyset pages; attempts are kept 30 days.',
          tags: TAGS,
          ...SIGNED,
          params: EndpointParams,
          querystring: AttemptListQuery,
          response: { 200: AttemptPage, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { organizationId, endpointId } = request.params;
        const page = await deliveries.attempts(request.principal, organizationId, endpointId, request.query);
        return reply.header('cache-control', PRIVATE).send(page);
      },
    );
  };
}
