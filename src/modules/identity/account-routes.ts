// Proving an email address and resetting a forgotten password (account-tokens.ts does the
// work). Tokens arrive by mail; the routes that mail them are limited per address and per IP,
// the routes that take them count against the stricter per-IP `auth` limit.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../../platform/auth/principal.js';
import type { AccountMailLimit } from '../../platform/http/account-mail-limit.js';
import type { AccountLockout } from '../../platform/http/login-lockout.js';
import { problems } from '../../platform/http/schema.js';
import type { AccountTokenService } from './account-tokens.js';
import { Accepted, PasswordResetBody, PasswordResetConfirmBody, VerifyEmailBody } from './schema.js';

const RESET_ACCEPTED = {
  status: 'accepted' as const,
  detail:
    'If an account uses this email, a link to choose a new password is on its way. It works once, for 30 minutes.',
};
const VERIFICATION_ACCEPTED = {
  status: 'accepted' as const,
  detail:
    'A new verification link is on its way to your email. It works once, for 24 hours; older links no longer work.',
};

export function registerAccountRoutes(
  instance: FastifyInstance,
  deps: { accountTokens: AccountTokenService; lockout: AccountLockout; mailLimit: AccountMailLimit },
) {
  const { accountTokens, lockout, mailLimit } = deps;
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/auth/verify-email',
    {
      config: { access: 'public', rateLimit: 'auth' },
      schema: {
        operationId: 'verifyEmail',
        summary: 'Prove the account’s email address with the token mailed to it',
        description:
          'Works once per token, within 24 hours of sending; a newer link ends the older ones. Any token that does not work is 400 INVALID_ACCOUNT_TOKEN, whatever the reason.',
        tags: ['auth'],
        body: VerifyEmailBody,
        response: { 204: Type.Null(), ...problems(400, 429) },
      },
    },
    async (request, reply) => {
      await accountTokens.verifyEmail(request.body.token);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/verify-email/resend',
    {
      config: { access: 'signed_in' },
      schema: {
        operationId: 'resendVerificationEmail',
        summary: 'Mail the signed-in person a new verification link',
        description:
          'Ends the links sent before. Limited per email address and per IP (429 RATE_LIMITED); 409 EMAIL_ALREADY_VERIFIED once the address is verified.',
        tags: ['auth'],
        security: [{ bearer: [] }],
        response: { 202: Accepted, ...problems(401, 403, 409, 429) },
      },
    },
    async (request, reply) => {
      await accountTokens.resendVerification(requireUser(request.principal).userId, (email) =>
        mailLimit.consume(request, 'email_verification', email),
      );
      return reply.code(202).send(VERIFICATION_ACCEPTED);
    },
  );

  app.post(
    '/auth/password-reset',
    {
      config: { access: 'public', rateLimit: 'auth' },
      schema: {
        operationId: 'requestPasswordReset',
        summary: 'Mail a link to choose a new password',
        description:
          'Always 202 with the same body, whether or not an account uses the email (nothing tells them apart). When one does, a token valid once for 30 minutes is mailed to it, and older reset links stop working. Limited per email address and per IP (429 RATE_LIMITED).',
        tags: ['auth'],
        body: PasswordResetBody,
        response: { 202: Accepted, ...problems(400, 429) },
      },
    },
    async (request, reply) => {
      await mailLimit.consume(request, 'password_reset', request.body.email);
      await accountTokens.requestPasswordReset(request.body.email);
      return reply.code(202).send(RESET_ACCEPTED);
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      config: { access: 'public', rateLimit: 'auth' },
      schema: {
        operationId: 'confirmPasswordReset',
        summary: 'Set a new password with the token from the reset email',
        description:
          'The token works once: the new password is set, every session of the account ends (log in again) and the other reset links stop working. Any token that does not work is 400 INVALID_ACCOUNT_TOKEN, whatever the reason.',
        tags: ['auth'],
        body: PasswordResetConfirmBody,
        response: { 204: Type.Null(), ...problems(400, 429) },
      },
    },
    async (request, reply) => {
      const { email } = await accountTokens.confirmPasswordReset(request.body.token, request.body.password);
      // The owner proved themselves: earlier failed logins no longer lock the account.
      await lockout.reset(email.toLowerCase());
      return reply.code(204).send(null);
    },
  );
}
