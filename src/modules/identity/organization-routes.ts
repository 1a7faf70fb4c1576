// An organization's people and keys, for its owners and managers: staff members and their
// invitations, the customer search, and API keys.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Int, Page, PaginationQuery, problems, Uuid } from '../../platform/http/schema.js';
import type { ApiKeyService } from './api-keys.js';
import type { CustomerSearch } from './customer-search.js';
import {
  AddedMember,
  AddMemberBody,
  ApiKey,
  ApiKeyParams,
  CreateApiKeyBody,
  CreatedApiKey,
  Member,
  MemberParams,
  OrgParams,
} from './schema.js';
import type { StaffService } from './staff.js';

export function registerOrganizationRoutes(
  instance: FastifyInstance,
  deps: { staff: StaffService; apiKeys: ApiKeyService; customers: CustomerSearch },
) {
  const { staff, apiKeys, customers } = deps;
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/organizations/:organizationId/members',
    {
      config: { access: { roles: ['owner', 'manager'] } },
      schema: {
        operationId: 'addOrganizationMember',
        summary: 'Give a person a staff role, inviting them if they have no account',
        tags: ['organizations'],
        security: [{ bearer: [] }],
        params: OrgParams,
        body: AddMemberBody,
        response: { 201: AddedMember, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const member = await staff.addMember(request.principal, request.params.organizationId, request.body);
      reply.code(201).header('location', `/v1/organizations/${request.params.organizationId}/members/${member.id}`);
      return member;
    },
  );

  app.get(
    '/organizations/:organizationId/members',
    {
      config: { access: { roles: ['owner', 'manager'], scopes: ['staff:read'] } },
      schema: {
        operationId: 'listOrganizationMembers',
        summary: 'List staff roles in the organization',
        tags: ['organizations'],
        security: [{ bearer: [] }],
        params: OrgParams,
        querystring: Type.Object(PaginationQuery, { additionalProperties: false }),
        response: { 200: Page(Member), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) =>
      staff.listMembers(
        request.principal,
        request.params.organizationId,
        request.query.limit ?? 20,
        request.query.cursor,
      ),
  );

  app.delete(
    '/organizations/:organizationId/members/:memberId',
    {
      config: { access: { roles: ['owner', 'manager'] } },
      schema: {
        operationId: 'removeOrganizationMember',
        summary: 'Take a staff role away',
        tags: ['organizations'],
        security: [{ bearer: [] }],
        params: MemberParams,
        response: { 204: Type.Null(), ...problems(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await staff.removeMember(request.principal, request.params.organizationId, request.params.memberId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/organizations/:organizationId/customers',
    {
      config: { access: { roles: ['owner', 'manager', 'staff'] } },
      schema: {
        operationId: 'searchCustomers',
        summary: "Search the organization's customers by name, email or phone",
        description:
          'Staff (owner, manager, staff; org-wide or at one of its stores) find customers by a name (typos tolerated), an email fragment or part of a phone number (3 digits or more). ' +
          'Only people who are customers of this organization are searched (they dealt with it, e.g. ordered at one of its stores), never other users of the platform. Best match first, top `limit` results.',
        tags: ['organizations'],
        security: [{ bearer: [] }],
        params: OrgParams,
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 2, maxLength: 100 }),
            limit: Type.Optional(Int(1, 50, { default: 20 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                id: Uuid,
                name: Type.String({ maxLength: 200 }),
                email: Type.String({ format: 'email', maxLength: 254 }),
                phone: Type.Union([Type.String({ maxLength: 31 }), Type.Null()]),
                score: Type.Number(),
              }),
              { maxItems: 50 },
            ),
          }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      data: await customers.search(
        request.principal,
        request.params.organizationId,
        request.query.q,
        request.query.limit ?? 20,
      ),
    }),
  );

  app.post(
    '/organizations/:organizationId/api-keys',
    {
      config: { access: { roles: ['owner', 'manager'] } },
      schema: {
        operationId: 'createApiKey',
        summary: 'Create an API key (the secret is shown once)',
        tags: ['organizations'],
        security: [{ bearer: [] }],
        params: OrgParams,
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const key = await apiKeys.create(request.principal, request.params.organizationId, request.body);
      reply.code(201).header('location', `/v1/organizations/${request.params.organizationId}/api-keys/${key.id}`);
      return key;
    },
  );

  app.get(
    '/organizations/:organizationId/api-keys',
    {
      config: { access: { roles: ['owner', 'manager'] } },
      schema: {
        operationId: 'listApiKeys',
        summary: 'List API keys (without secrets)',
        tags: ['organizations'],
        security: [{ bearer: [] }],
        params: OrgParams,
        querystring: Type.Object(PaginationQuery, { additionalProperties: false }),
        response: { 200: Page(ApiKey), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) =>
      apiKeys.list(request.principal, request.params.organizationId, request.query.limit ?? 20, request.query.cursor),
  );

  app.delete(
    '/organizations/:organizationId/api-keys/:apiKeyId',
    {
      config: { access: { roles: ['owner', 'manager'] } },
      schema: {
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key',
        tags: ['organizations'],
        security: [{ bearer: [] }],
        params: ApiKeyParams,
        response: { 204: Type.Null(), ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await apiKeys.revoke(request.principal, request.params.organizationId, request.params.apiKeyId);
      return reply.code(204).send(null);
    },
  );
}
