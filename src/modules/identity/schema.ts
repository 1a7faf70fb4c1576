// Request and response schemas of the identity routes: one source for validation, types
// and the OpenAPI document.
import { Type, type Static } from 'typebox';
import { Int, Timestamp, Uuid } from '../../platform/http/schema.js';

/** Scopes an API key can hold. Later modules add theirs here. */
export const API_KEY_SCOPES = [
  'organizations:read',
  'stores:read',
  'stores:write',
  'staff:read',
  'catalog:read',
  'catalog:write',
  'stock:read',
  'stock:write',
  'orders:read',
  'orders:write',
  'payments:read',
  'payments:write',
  'promotions:read',
  'promotions:write',
  'loyalty:read',
  'loyalty:write',
  'webhooks:write',
  'delivery:write',
] as const;

const Email = Type.String({ format: 'email', maxLength: 254 });
// NIST 800-63B: length over composition rules; the upper bound keeps hashing cost bounded.
const Password = Type.String({ minLength: 10, maxLength: 256 });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const StaffRole = Type.Union([
  Type.Literal('owner'),
  Type.Literal('manager'),
  Type.Literal('staff'),
  Type.Literal('courier'),
]);

export const RegisterBody = Type.Object(
  { email: Email, password: Password, name: Name },
  { additionalProperties: false },
);
export const LoginBody = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export const AcceptInvitationBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }), password: Password, name: Type.Optional(Name) },
  { additionalProperties: false },
);

// Account tokens are 32 random bytes in base64url (43 characters); anything else is refused as
// an invalid token, not a validation error, so the answer says nothing about the token.
const AccountToken = Type.String({ minLength: 1, maxLength: 200, description: 'The token from the email' });
export const VerifyEmailBody = Type.Object({ token: AccountToken }, { additionalProperties: false });
export const PasswordResetBody = Type.Object({ email: Email }, { additionalProperties: false });
export const PasswordResetConfirmBody = Type.Object(
  { token: AccountToken, password: Password },
  { additionalProperties: false },
);
export const Accepted = Type.Object({
  status: Type.Literal('accepted'),
  detail: Type.String({ maxLength: 500, description: 'What happens next, for people' }),
});

export const User = Type.Object({ id: Uuid, email: Email, name: Name, created_at: Timestamp });

export const TokenPair = Type.Object({
  access_token: Type.String({
    maxLength: 4096,
    pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
    description: 'A JWT',
  }),
  refresh_token: Type.String({ maxLength: 200 }),
  token_type: Type.Literal('Bearer'),
  expires_in: Int(30, 86_400, { description: 'Seconds until the access token expires (ACCESS_TOKEN_TTL_SECONDS)' }),
});

export const RoleGrant = Type.Object({
  role: StaffRole,
  organization_id: Uuid,
  store_id: Type.Union([Uuid, Type.Null()], { description: 'null: the role holds in every store of the organization' }),
});

export const Me = Type.Object({
  id: Uuid,
  email: Email,
  name: Name,
  created_at: Timestamp,
  email_verified: Type.Boolean({ description: 'Whether a verification link sent to the email was used' }),
  is_platform_admin: Type.Boolean(),
  roles: Type.Array(RoleGrant, { maxItems: 10_000 }),
});

export const OrgParams = Type.Object({ organizationId: Uuid });
export const MemberParams = Type.Object({ organizationId: Uuid, memberId: Uuid });
export const ApiKeyParams = Type.Object({ organizationId: Uuid, apiKeyId: Uuid });

export const AddMemberBody = Type.Object(
  {
    email: Email,
    role: StaffRole,
    store_id: Type.Optional(
      Type.Union([Uuid, Type.Null()], { description: 'Narrow the role to one store; omit for the whole organization' }),
    ),
    name: Type.Optional(Name),
  },
  { additionalProperties: false },
);

export const Member = Type.Object({
  id: Uuid,
  user: Type.Object({ id: Uuid, email: Email, name: Name }),
  role: StaffRole,
  store_id: Type.Union([Uuid, Type.Null()]),
  status: Type.Union([Type.Literal('active'), Type.Literal('invited')]),
  created_at: Timestamp,
});

export const AddedMember = Type.Intersect([
  Member,
  Type.Object({
    invitation: Type.Optional(
      Type.Object({
        token: Type.String({
          maxLength: 200,
          description: 'Shown once: deliver it to the invitee, who accepts it at POST /v1/auth/invitations/acceptance',
        }),
        expires_at: Timestamp,
      }),
    ),
  }),
]);

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Type.Unsafe<ApiKeyScope>(Type.String({ enum: [...API_KEY_SCOPES] })), {
      minItems: 1,
      maxItems: API_KEY_SCOPES.length,
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
);

export const ApiKey = Type.Object({
  id: Uuid,
  name: Type.String({ maxLength: 100 }),
  prefix: Type.String({ maxLength: 32, description: 'The first characters of the key, to tell keys apart' }),
  scopes: Type.Array(Type.String({ maxLength: 40, pattern: '^[a-z_]+:[a-z_]+$' }), { maxItems: 100 }),
  created_at: Timestamp,
  last_used_at: Type.Union([Timestamp, Type.Null()]),
  revoked_at: Type.Union([Timestamp, Type.Null()]),
});

export const CreatedApiKey = Type.Intersect([
  ApiKey,
  Type.Object({ secret: Type.String({ maxLength: 200, description: 'Shown once; only a hash is stored' }) }),
]);

export type RegisterInput = Static<typeof RegisterBody>;
export type AddMemberInput = Static<typeof AddMemberBody>;
export type CreateApiKeyInput = Static<typeof CreateApiKeyBody>;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
