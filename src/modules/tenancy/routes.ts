// HTTP surface of tenancy: schemas in, one service call, schema out. Conditional requests
// (ETag, If-Match, If-None-Match) and cache headers are settled here; rules live in services.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isNotModified, sendNotModified } from '../../platform/http/conditional.js';
import { problems, NO_CONTENT } from '../../platform/http/schema.js';
import { access, RULES } from './access.js';
import { ifMatchVersions } from '../../platform/http/conditional.js';
import { etagOf } from './conditional.js';
import {
  CreateOrganizationBody,
  CreateStoreBody,
  DirectoryQuery,
  HoursException,
  HoursExceptionBody,
  HoursExceptionPage,
  HoursExceptionParams,
  HoursExceptionsQuery,
  IfMatchHeaders,
  IfNoneMatchHeaders,
  OpeningHoursBody,
  Organization,
  OrganizationParams,
  Store,
  StorePage,
  StoreParams,
  UpdateOrganizationBody,
  UpdateStoreBody,
} from './schema.js';
import type { TenancyService } from './service.js';
import { tableRoutes } from './table-routes.js';
import type { TableService } from './tables.js';

const SIGNED = { security: [{ bearer: [] }] };
const NOT_MODIFIED = {
  304: Type.Null({ description: 'Not modified: the cached copy (If-None-Match) is current; no body' }),
};

export function tenancyRoutes(deps: { stores: TenancyService; tables: TableService }): FastifyPluginAsync {
  const { stores, tables } = deps;

  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    // Answers that depend on who asks must not be stored by shared caches.
    app.addHook('onSend', async (request, reply) => {
      if (request.routeOptions.config.access !== 'public' && !reply.hasHeader('cache-control'))
        reply.header('cache-control', 'private, no-store');
    });

    // --- organizations -----------------------------------------------------------------------

    app.post(
      '/organizations',
      {
        // Retried creates replay the first answer (Idempotency-Key); the response holds no secret.
        config: { access: 'signed_in', idempotency: 'optional' },
        schema: {
          operationId: 'createOrganization',
          summary: 'Found an organization (brand); the caller becomes its owner',
          description: 'Slugs are unique across Brigade: 409 ORGANIZATION_SLUG_TAKEN when one is in use.',
          tags: ['organizations'],
          ...SIGNED,
          body: CreateOrganizationBody,
          response: { 201: Organization, ...problems(400, 401, 403, 409, 415) },
        },
      },
      async (request, reply) => {
        const { body, version } = await stores.foundOrganization(request.principal, request.body);
        return reply
          .code(201)
          .header('location', `/v1/organizations/${body.id}`)
          .header('etag', etagOf(version))
          .send(body);
      },
    );

    app.get(
      '/organizations/:organizationId',
      {
        config: { access: access(RULES.readOrganization) },
        schema: {
          operationId: 'getOrganization',
          summary: 'An organization, for anyone holding a role in it (or its API keys with organizations:read)',
          tags: ['organizations'],
          ...SIGNED,
          params: OrganizationParams,
          response: { 200: Organization, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { body, version } = await stores.getOrganization(request.principal, request.params.organizationId);
        return reply.header('etag', etagOf(version)).send(body);
      },
    );

    app.patch(
      '/organizations/:organizationId',
      {
        config: { access: access(RULES.updateOrganization) },
        schema: {
          operationId: 'updateOrganization',
          summary: 'Rename an organization or change its slug (owners); honours If-Match',
          tags: ['organizations'],
          ...SIGNED,
          params: OrganizationParams,
          headers: IfMatchHeaders,
          body: UpdateOrganizationBody,
          response: { 200: Organization, ...problems(400, 401, 403, 404, 409, 412, 415) },
        },
      },
      async (request, reply) => {
        const ifMatch = ifMatchVersions(request.headers['if-match']);
        const { body, version } = await stores.updateOrganization(
          request.principal,
          request.params.organizationId,
          request.body,
          ifMatch,
        );
        return reply.header('etag', etagOf(version)).send(body);
      },
    );

    app.post(
      '/organizations/:organizationId/stores',
      {
        config: { access: access(RULES.createStore), idempotency: 'optional' },
        schema: {
          operationId: 'createStore',
          summary: 'Open a store (owners and managers of the organization; API keys with stores:write)',
          description:
            'Time zone, currency and country are checked against IANA, ISO 4217 and ISO 3166-1; overlapping hours are refused. Every bad field is listed in `errors`.',
          tags: ['stores'],
          ...SIGNED,
          params: OrganizationParams,
          body: CreateStoreBody,
          response: { 201: Store, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request, reply) => {
        const store = await stores.openStore(request.principal, request.params.organizationId, request.body);
        return reply
          .code(201)
          .header('location', `/v1/stores/${store.body.id}`)
          .header('etag', etagOf(store.version, store.body))
          .send(store.body);
      },
    );

    // --- stores: public reads ----------------------------------------------------------------

    app.get(
      '/stores',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'listStores',
          summary: 'Public store directory, in creation order; `org` narrows it to one organization',
          tags: ['stores'],
          querystring: DirectoryQuery,
          response: { 200: StorePage, ...problems(400) },
        },
      },
      async (request, reply) => {
        const { freshForSeconds, ...page } = await stores.listStores(request.query);
        return reply.header('cache-control', `public, max-age=${freshForSeconds}`).send(page);
      },
    );

    app.get(
      '/stores/:storeId',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'getStore',
          summary: 'A store: address, hours, exceptions, and whether it is open now',
          description:
            'Strong ETag; If-None-Match answers 304. Cached publicly until the store opens or closes (at most 60 s).',
          tags: ['stores'],
          params: StoreParams,
          headers: IfNoneMatchHeaders,
          response: { 200: Store, ...NOT_MODIFIED, ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const store = await stores.getStore(request.params.storeId);
        const etag = etagOf(store.version, store.body);
        reply.header('etag', etag).header('cache-control', `public, max-age=${store.freshForSeconds}`);
        if (isNotModified(request.headers['if-none-match'], etag)) return sendNotModified(reply);
        return reply.send(store.body);
      },
    );

    // --- stores: settings and hours ----------------------------------------------------------

    app.patch(
      '/stores/:storeId',
      {
        config: { access: access(RULES.editStore) },
        schema: {
          operationId: 'updateStore',
          summary: 'Change a store’s name, address, phone, time zone or currency; honours If-Match',
          tags: ['stores'],
          ...SIGNED,
          params: StoreParams,
          headers: IfMatchHeaders,
          body: UpdateStoreBody,
          response: { 200: Store, ...problems(400, 401, 403, 404, 412, 415) },
        },
      },
      async (request, reply) => {
        const store = await stores.updateStore(
          request.principal,
          request.params.storeId,
          request.body,
          ifMatchVersions(request.headers['if-match']),
        );
        return reply.header('etag', etagOf(store.version, store.body)).send(store.body);
      },
    );

    app.put(
      '/stores/:storeId/opening-hours',
      {
        config: { access: access(RULES.editStore) },
        schema: {
          operationId: 'replaceStoreOpeningHours',
          summary: 'Replace the weekly opening hours; honours If-Match',
          description:
            'Intervals are store-local. closes_at at or before opens_at runs past midnight; equal means 24 hours. Overlaps (also across midnight and Sunday→Monday) are refused.',
          tags: ['stores'],
          ...SIGNED,
          params: StoreParams,
          headers: IfMatchHeaders,
          body: OpeningHoursBody,
          response: { 200: Store, ...problems(400, 401, 403, 404, 412, 415) },
        },
      },
      async (request, reply) => {
        const ifMatch = ifMatchVersions(request.headers['if-match']);
        const store = await stores.replaceOpeningHours(
          request.principal,
          request.params.storeId,
          request.body.opening_hours,
          ifMatch,
        );
        return reply.header('etag', etagOf(store.version, store.body)).send(store.body);
      },
    );

    app.get(
      '/stores/:storeId/hours-exceptions',
      {
        config: { access: access(RULES.readStoreBackOffice) },
        schema: {
          operationId: 'listStoreHoursExceptions',
          summary: 'Hours exceptions of a store from a date on (default today), in date order',
          tags: ['stores'],
          ...SIGNED,
          params: StoreParams,
          querystring: HoursExceptionsQuery,
          response: { 200: HoursExceptionPage, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => stores.listHoursExceptions(request.principal, request.params.storeId, request.query),
    );

    app.put(
      '/stores/:storeId/hours-exceptions/:date',
      {
        config: { access: access(RULES.editStore) },
        schema: {
          operationId: 'setStoreHoursException',
          summary: 'Close a store for a date, or give it special hours (replaces that date’s regular hours)',
          description:
            'Creates (201) or replaces (200) the exception of that store-local date. If-Match is checked against the store ETag.',
          tags: ['stores'],
          ...SIGNED,
          params: HoursExceptionParams,
          headers: IfMatchHeaders,
          body: HoursExceptionBody,
          response: { 200: HoursException, 201: HoursException, ...problems(400, 401, 403, 404, 412, 415, 422) },
        },
      },
      async (request, reply) => {
        const { storeId, date } = request.params;
        const { created, ...exception } = await stores.setHoursException(
          request.principal,
          storeId,
          date,
          request.body,
          ifMatchVersions(request.headers['if-match']),
        );
        return reply
          .code(created ? 201 : 200)
          .header('location', `/v1/stores/${storeId}/hours-exceptions/${date}`)
          .send(exception);
      },
    );

    app.delete(
      '/stores/:storeId/hours-exceptions/:date',
      {
        config: { access: access(RULES.editStore) },
        schema: {
          operationId: 'deleteStoreHoursException',
          summary: 'Remove the exception of a date: the regular hours apply again',
          tags: ['stores'],
          ...SIGNED,
          params: HoursExceptionParams,
          headers: IfMatchHeaders,
          response: { ...NO_CONTENT, ...problems(400, 401, 403, 404, 412) },
        },
      },
      async (request, reply) => {
        const { storeId, date } = request.params;
        await stores.removeHoursException(
          request.principal,
          storeId,
          date,
          ifMatchVersions(request.headers['if-match']),
        );
        return reply.code(204).send(null);
      },
    );

    await app.register(tableRoutes({ tables }));
  };
}
