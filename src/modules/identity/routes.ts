// HTTP surface of identity: thin handlers, schemas in and out, services do the work.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../../platform/auth/principal.js';
import { AppError } from '../../platform/http/errors.js';
import { Page, PaginationQuery, problems } from '../../platform/http/schema.js';
import {
  AcceptInvitationBody,
  AddedMember,
  AddMemberBody,
  ApiKey,
  ApiKeyParams,
  CreateApiKeyBody,
  CreatedApiKey,
  LoginBody,
  Me,
  Member,
  MemberParams,
  OrgParams,
  RefreshBody,
  RegisterBody,
  TokenPair,
  User,
} from './schema.js';
import type { ApiKeyService } from './api-keys.js';
import type { CustomerSearch } from './customer-search.js';
import type { SessionService } from './sessions.js';
import type { StaffService } from './staff.js';

const NO_STORE = 'private, no-store';

export function identityRoutes(services: {
  sessions: SessionService;
  staff: StaffService;
  apiKeys: ApiKeyService;
  customers: CustomerSearch;
}) {
  const { sessions, staff, apiKeys, customers } = services;

  return async function routes(instance: FastifyInstance) {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    // Provided by the platform rate limiter (memory or Redis, shared across nodes).
    const lockout = instance.loginLockout;
    if (!lockout)
      throw new Error('identity routes need the login lockout: call registerRateLimits before registering modules');
    // Responses here carry tokens or personal data: never cache them anywhere.
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', NO_STORE);
    });

    // Sign-up, login, refresh and invitation acceptance hand out credentials: the stricter
    // per-IP `auth` rate limit applies to them.
    app.post(
      '/auth/register',
      {
        config: { access: 'public', rateLimit: 'auth' },
        schema: {
          operationId: 'register',
          summary: 'Create a customer account',
          tags: ['auth'],
          body: RegisterBody,
          response: { 201: User, ...problems(400, 409, 429) },
        },
      },
      async (request, reply) => {
        const user = await sessions.register(request.body);
        reply.code(201).header('location', '/v1/me');
        return { id: user.id, email: user.email, name: user.name, created_at: user.created_at.toISOString() };
      },
    );

    app.post(
      '/auth/login',
      {
        config: { access: 'public', rateLimit: 'auth' },
        schema: {
          operationId: 'login',
          summary: 'Exchange email and password for tokens',
          description:
            'After repeated failed logins an account is locked for a while: every attempt then answers 429 ACCOUNT_LOCKED with Retry-After, whatever the password.',
          tags: ['auth'],
          body: LoginBody,
          response: { 200: TokenPair, ...problems(400, 401, 429) },
        },
      },
      async (request) => {
        // Emails match in any letter case, so the lockout does too. Unknown emails lock like real
        // ones: the answers never reveal whether an account exists.
        const account = request.body.email.toLowerCase();
        await lockout.assertNotLocked(account);
        try {
          const pair = await sessions.login(request.body.email, request.body.password);
          await lockout.reset(account);
          return pair;
        } catch (error) {
          if (error instanceof AppError && error.code === 'INVALID_CREDENTIALS') {
            const outcome = await lockout.recordFailure(account);
            if (outcome.locked) {
              // Neither the password nor the email: a hash of the account identifies it for support.
              request.log.warn(
                {
                  account: lockout.reference(account),
                  failures: outcome.failures,
                  locked_seconds: outcome.lockedSeconds,
                },
                'account locked after repeated failed logins',
              );
            }
          }
          throw error;
        }
      },
    );

    app.post(
      '/auth/refresh',
      {
        config: { access: 'public', rateLimit: 'auth' },
        schema: {
          operationId: 'refreshTokens',
          summary: 'Rotate a refresh token for a new token pair',
          description:
            'Each refresh token works once. Presenting a rotated token again revokes the whole session (reuse detection).',
          tags: ['auth'],
          body: RefreshBody,
          response: { 200: TokenPair, ...problems(400, 401, 429) },
        },
      },
      async (request) => sessions.refresh(request.body.refresh_token),
    );

    app.post(
      '/auth/logout',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'logout',
          summary: 'End the session of a refresh token',
          tags: ['auth'],
          body: RefreshBody,
          response: { 204: Type.Null(), ...problems(400) },
        },
      },
      async (request, reply) => {
        await sessions.logout(request.body.refresh_token);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/auth/invitations/acceptance',
      {
        config: { access: 'public', rateLimit: 'auth' },
        schema: {
          operationId: 'acceptInvitation',
          summary: 'Set a password with a staff invitation token and sign in',
          tags: ['auth'],
          body: AcceptInvitationBody,
          response: { 200: TokenPair, ...problems(400, 401, 403) },
        },
      },
      async (request) => staff.acceptInvitation(request.body.token, request.body.password, request.body.name),
    );

    app.get(
      '/me',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'getMe',
          summary: 'The caller, with roles and where they hold',
          tags: ['me'],
          security: [{ bearer: [] }],
          response: { 200: Me, ...problems(401, 403) },
        },
      },
      async (request) => {
        const { user, grants } = await sessions.me(requireUser(request.principal));
        return {
          id: user.id,
          email: user.email,
          name: user.name,
          created_at: user.created_at.toISOString(),
          is_platform_admin: user.is_platform_admin,
          roles: grants.map((grant) => ({
            role: grant.role,
            organization_id: grant.organization_id,
            store_id: grant.store_id,
          })),
        };
      },
    );

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
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              data: Type.Array(
                Type.Object({
                  id: Type.String({ format: 'uuid' }),
                  name: Type.String(),
                  email: Type.String(),
                  phone: Type.Union([Type.String(), Type.Null()]),
                  score: Type.Number(),
                }),
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
  };
}
