// The signed-in person's own data: GET /v1/me/export and DELETE /v1/me (personal-data.ts).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../../platform/auth/principal.js';
import { problems, Uuid } from '../../platform/http/schema.js';
import { OrderSchema } from '../ordering/index.js';
import type { PersonalData } from './personal-data.js';

const Instant = Type.String({ format: 'date-time', maxLength: 40 });
const NullableInstant = Type.Union([Instant, Type.Null()]);

const PersonalDataExport = Type.Object(
  {
    exported_at: Instant,
    account: Type.Object({
      id: Uuid,
      email: Type.String({ format: 'email', maxLength: 254 }),
      name: Type.String({ maxLength: 200 }),
      phone: Type.Union([Type.String({ maxLength: 31 }), Type.Null()]),
      is_platform_admin: Type.Boolean(),
      created_at: Instant,
      updated_at: Instant,
    }),
    memberships: Type.Array(
      Type.Object({
        role: Type.String({ maxLength: 20, pattern: '^[a-z_]+$' }),
        organization_id: Uuid,
        store_id: Type.Union([Uuid, Type.Null()]),
        created_at: Instant,
      }),
      { maxItems: 10_000 },
    ),
    customer_of: Type.Array(Type.Object({ organization_id: Uuid, first_seen_at: Instant, last_seen_at: Instant }), {
      description: 'The brands this person is a customer of (they ordered there).',
      maxItems: 10_000,
    }),
    orders: Type.Array(OrderSchema, {
      description: 'Every order they placed, delivery details included, oldest first.',
      maxItems: 1_000_000,
    }),
    sessions: Type.Array(
      Type.Object({
        id: Uuid,
        created_at: Instant,
        expires_at: Instant,
        revoked_at: NullableInstant,
        revoked_reason: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
      }),
      { description: 'Login sessions (refresh token families), without any token.', maxItems: 100_000 },
    ),
  },
  { description: 'Everything Brigade holds about the person, as JSON (data portability).' },
);

const ErasureBody = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 1024, description: 'The account’s password, again.' }) },
  { additionalProperties: false },
);

export function registerPersonalDataRoutes(instance: FastifyInstance, deps: { personalData: PersonalData }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/export',
    {
      config: { access: 'signed_in' },
      schema: {
        operationId: 'exportMyData',
        summary: 'Everything Brigade holds about the caller, as JSON',
        description:
          'The account, roles, the brands the person is a customer of, every order with its delivery details, and login sessions (metadata, never tokens). Recorded in the audit log of each organization concerned.',
        tags: ['me'],
        security: [{ bearer: [] }],
        response: { 200: PersonalDataExport, ...problems(401, 403, 404) },
      },
    },
    async (request) => deps.personalData.exportFor(requireUser(request.principal)),
  );

  app.delete(
    '/me',
    {
      config: { access: 'signed_in' },
      schema: {
        operationId: 'eraseMe',
        summary: 'Erase the caller’s personal data and close the account',
        description:
          'Confirmed with the password in the body (`{"password": …}`); a wrong one is 403 `INVALID_PASSWORD`. The name becomes "Deleted customer", the email an unreachable placeholder, the phone and password go, roles and brand relations are removed and every session ends, so the account can never log in again. Orders and payments stay for the books, without delivery address, contact, instructions or notes. The only owner of an organization is refused with 409 `LAST_OWNER` until someone else is an owner. Recorded in the audit log of each organization concerned.',
        tags: ['me'],
        security: [{ bearer: [] }],
        body: ErasureBody,
        response: { 204: Type.Null(), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await deps.personalData.erase(requireUser(request.principal), request.body.password);
      return reply.code(204).send(null);
    },
  );
}
