// Test factories for people and sessions. Users are created through the identity module's
// public face; tokens come from the real login route, so tests exercise the real auth path.
import { randomBytes } from 'node:crypto';
import type { StaffRole } from '../platform/auth/principal.js';
import type { TestApp } from './harness.js';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  name: string;
}

export async function createUser(t: TestApp, overrides: Partial<Omit<TestUser, 'id'>> = {}): Promise<TestUser> {
  const email = overrides.email ?? `user-${randomBytes(5).toString('hex')}@example.test`;
  const password = overrides.password ?? 'correct horse battery';
  const name = overrides.name ?? 'Test Person';
  const user = await t.modules.identity.api.createUser(t.db.database.db, { email, password, name });
  return { id: user.id, email, password, name };
}

export async function login(t: TestApp, user: { email: string; password: string }) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: user.email, password: user.password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json<{ access_token: string; refresh_token: string; token_type: 'Bearer'; expires_in: number }>();
}

/** An access token for the user, ready for an Authorization header. */
export async function signIn(t: TestApp, user: { email: string; password: string }): Promise<string> {
  return (await login(t, user)).access_token;
}

export function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

/** A new person holding `role` in the organization (or one store of it), signed in. */
export async function staffOf(t: TestApp, place: { organizationId: string; storeId?: string | null; role: StaffRole }) {
  const user = await createUser(t, { name: `Staff ${place.role}` });
  await t.modules.identity.api.grantRole(t.db.database.db, {
    userId: user.id,
    organizationId: place.organizationId,
    storeId: place.storeId ?? null,
    role: place.role,
  });
  return { user, token: await signIn(t, user) };
}

/** A customer (no staff role anywhere), signed in. */
export async function customer(t: TestApp) {
  const user = await createUser(t, { name: 'Customer' });
  return { user, token: await signIn(t, user) };
}

/** A new API key of the organization with these scopes, created by its owner. */
export async function apiKey(
  t: TestApp,
  ownerToken: string,
  organizationId: string,
  scopes: string[],
): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/organizations/${organizationId}/api-keys`,
    headers: bearer(ownerToken),
    payload: { name: `key ${scopes.join(' ')}`, scopes },
  });
  if (res.statusCode !== 201) throw new Error(`API key creation failed: ${res.statusCode} ${res.body}`);
  return res.json<{ secret: string }>().secret;
}
