// Signing in and the signed-in person: sign-up, login (with the lockout), refresh, logout,
// accepting an invitation, and GET /v1/me. Email verification and password reset: account-routes.ts.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../../platform/auth/principal.js';
import type { AccountMailLimit } from '../../platform/http/account-mail-limit.js';
import type { AccountLockout } from '../../platform/http/login-lockout.js';
import { AppError } from '../../platform/http/errors.js';
import { problems } from '../../platform/http/schema.js';
import { AcceptInvitationBody, LoginBody, Me, RefreshBody, RegisterBody, TokenPair, User } from './schema.js';
import type { SessionService } from './sessions.js';
import type { SignUp } from './sign-up.js';
import type { StaffService } from './staff.js';

export function registerAuthRoutes(
  instance: FastifyInstance,
  deps: {
    sessions: SessionService;
    staff: StaffService;
    signUp: SignUp;
    lockout: AccountLockout;
    mailLimit: AccountMailLimit;
  },
) {
  const { sessions, staff, signUp, lockout, mailLimit } = deps;
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  // Sign-up, login, refresh and invitation acceptance hand out credentials: the stricter
  // per-IP `auth` rate limit applies to them.
  app.post(
    '/auth/register',
    {
      config: { access: 'public', rateLimit: 'auth' },
      schema: {
        operationId: 'register',
        summary: 'Create a customer account',
        description:
          'The answer is the same 201 whether or not the email already has an account, so it never tells. A new account is mailed a verification link (POST /v1/auth/verify-email); an existing one is mailed a notice instead, and keeps its password.',
        tags: ['auth'],
        body: RegisterBody,
        response: { 201: User, ...problems(400, 429) },
      },
    },
    async (request, reply) => {
      // Asked for every sign-up alike: whether the notice may go is no sign of an account.
      const notifyExisting = await mailLimit.allow('sign_up_notice', request.body.email);
      const user = await signUp.register(request.body, { notifyExisting });
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
        email_verified: user.email_verified_at !== null,
        is_platform_admin: user.is_platform_admin,
        roles: grants.map((grant) => ({
          role: grant.role,
          organization_id: grant.organization_id,
          store_id: grant.store_id,
        })),
      };
    },
  );
}
