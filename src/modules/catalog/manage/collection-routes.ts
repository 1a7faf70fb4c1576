// The one route shape of the versioned catalog collections (categories, items, modifier groups,
// menus): list and create under the organization, get, patch and delete by id, with the row's
// version as ETag and If-Match on writes. Operation ids and summaries follow from the names.
import type { Static, TSchema } from 'typebox';
import type { Principal } from '../../../platform/auth/principal.js';
import { problems } from '../../../platform/http/schema.js';
import { access, RULES } from './access.js';
import { ifMatchVersions } from '../../../platform/http/conditional.js';
import { etagOf, NO_CONTENT, SIGNED, TAGS, type ManagementApp } from './route-parts.js';
import { IdParams, IfMatchHeaders, OrganizationParams } from './schema-fields.js';

export interface CollectionResource<C extends TSchema, U extends TSchema, Q extends TSchema> {
  /** URL segment: /organizations/{id}/<path>, /<path>/{id}. */
  path: string;
  name: string;
  plural: string;
  schema: TSchema;
  page: TSchema;
  create: C;
  update: U;
  listQuery: Q;
}

type Found = Promise<{ body: { id: string }; version: number }>;
/**
 * The collection's service, as the routes call it. Typed by the schemas: a service that could not
 * take what the create, update or query schema lets through does not compile here.
 */
type Handlers<C, U, Q> = {
  list: (principal: Principal | null, organizationId: string, query: Q) => Promise<unknown>;
  get: (principal: Principal | null, id: string) => Found;
  create: (principal: Principal | null, organizationId: string, body: C) => Found;
  update: (principal: Principal | null, id: string, body: U, ifMatch: number[] | null) => Found;
  remove: (principal: Principal | null, id: string, ifMatch: number[] | null) => Promise<void>;
};

export function collectionRoutes<C extends TSchema, U extends TSchema, Q extends TSchema>(
  app: ManagementApp,
  resource: CollectionResource<C, U, Q>,
  handlers: Handlers<Static<C>, Static<U>, Static<Q>>,
  notes: { create: string; update: string; remove: string },
): void {
  const pascal = resource.name.replace(/(^|\s)(\w)/g, (_m, _s, c: string) => c.toUpperCase());
  const pascalPlural = resource.plural.replace(/(^|\s)(\w)/g, (_m, _s, c: string) => c.toUpperCase());
  app.get(
    `/organizations/:organizationId/${resource.path}`,
    {
      config: { access: access(RULES.readCatalog) },
      schema: {
        operationId: `list${pascalPlural}`,
        summary: `${pascalPlural.replace(/([a-z])([A-Z])/g, '$1 $2')} of the brand, in id (creation) order`,
        tags: TAGS,
        ...SIGNED,
        params: OrganizationParams,
        querystring: resource.listQuery,
        response: { 200: resource.page, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => handlers.list(request.principal, request.params.organizationId, request.query as Static<Q>),
  );
  app.post(
    `/organizations/:organizationId/${resource.path}`,
    {
      config: { access: access(RULES.editCatalog), idempotency: 'optional' },
      schema: {
        operationId: `create${pascal}`,
        summary: notes.create,
        description: 'Every problem is listed in `errors`. Ids of another organization are 404.',
        tags: TAGS,
        ...SIGNED,
        params: OrganizationParams,
        body: resource.create,
        response: { 201: resource.schema, ...problems(400, 401, 403, 404, 415) },
      },
    },
    async (request, reply) => {
      const { body, version } = await handlers.create(
        request.principal,
        request.params.organizationId,
        request.body as Static<C>,
      );
      return reply
        .code(201)
        .header('location', `/v1/${resource.path}/${body.id}`)
        .header('etag', etagOf(version))
        .send(body);
    },
  );
  app.get(
    `/${resource.path}/:id`,
    {
      config: { access: access(RULES.readCatalog) },
      schema: {
        operationId: `get${pascal}`,
        summary: `A ${resource.name}, with its ETag`,
        tags: TAGS,
        ...SIGNED,
        params: IdParams,
        response: { 200: resource.schema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { body, version } = await handlers.get(request.principal, request.params.id);
      return reply.header('etag', etagOf(version)).send(body);
    },
  );
  app.patch(
    `/${resource.path}/:id`,
    {
      config: { access: access(RULES.editCatalog) },
      schema: {
        operationId: `update${pascal}`,
        summary: notes.update,
        description:
          'Honours If-Match (412 when stale). Arrays given replace the old ones. Every problem is listed in `errors`.',
        tags: TAGS,
        ...SIGNED,
        params: IdParams,
        headers: IfMatchHeaders,
        body: resource.update,
        response: { 200: resource.schema, ...problems(400, 401, 403, 404, 412, 415) },
      },
    },
    async (request, reply) => {
      const { body, version } = await handlers.update(
        request.principal,
        request.params.id,
        request.body as Static<U>,
        ifMatchVersions(request.headers['if-match']),
      );
      return reply.header('etag', etagOf(version)).send(body);
    },
  );
  app.delete(
    `/${resource.path}/:id`,
    {
      config: { access: access(RULES.editCatalog) },
      schema: {
        operationId: `delete${pascal}`,
        summary: notes.remove,
        tags: TAGS,
        ...SIGNED,
        params: IdParams,
        headers: IfMatchHeaders,
        response: { ...NO_CONTENT, ...problems(400, 401, 403, 404, 409, 412) },
      },
    },
    async (request, reply) => {
      await handlers.remove(request.principal, request.params.id, ifMatchVersions(request.headers['if-match']));
      return reply.code(204).send(null);
    },
  );
}
