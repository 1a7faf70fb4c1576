// Test factories for organizations, stores and tables, created through the tenancy module's
// public face (the same calls the demo seed makes), so tests never write tenancy tables directly.
import { randomBytes } from 'node:crypto';
import type { NewStore, WeeklyInterval } from '../modules/tenancy/index.js';
import { inTransaction } from '../platform/db/index.js';
import type { TestApp } from './harness.js';
import { createUser, signIn, type TestUser } from './identity-factories.js';

const unique = () => randomBytes(5).toString('hex');

/** Every day 00:00–00:00: open around the clock, so "open now" never depends on when tests run. */
export const ALWAYS_OPEN: WeeklyInterval[] = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
  weekday,
  opens_at: '00:00',
  closes_at: '00:00',
}));

export interface TestOrganization {
  id: string;
  slug: string;
  name: string;
  owner: { user: TestUser; token: string };
}

/** An organization with a signed-in owner (a new user unless `owner` is given). */
export async function createOrganization(
  t: TestApp,
  overrides: { slug?: string; name?: string; owner?: TestUser } = {},
): Promise<TestOrganization> {
  const user = overrides.owner ?? (await createUser(t, { name: 'Owner' }));
  const slug = overrides.slug ?? `org-${unique()}`;
  const org = await inTransaction(t.db.database.db, (trx) =>
    t.modules.tenancy.api.createOrganization(trx, {
      slug,
      name: overrides.name ?? `Brand ${slug}`,
      ownerUserId: user.id,
    }),
  );
  return { ...org, owner: { user, token: await signIn(t, user) } };
}

/** A store of the organization; by default in Berlin, in euros, open around the clock. */
export async function createStore(
  t: TestApp,
  input: { organizationId: string } & Partial<Omit<NewStore, 'organizationId'>>,
): Promise<{ id: string }> {
  return inTransaction(t.db.database.db, (trx) =>
    t.modules.tenancy.api.createStore(trx, {
      name: `Store ${unique()}`,
      address: { line1: '1 Main Street', city: 'Berlin', postal_code: '10115', country: 'DE' },
      timezone: 'Europe/Berlin',
      currency: 'EUR',
      opening_hours: ALWAYS_OPEN,
      ...input,
    }),
  );
}

export async function createTable(
  t: TestApp,
  input: { organizationId: string; storeId: string; label?: string; seats?: number },
) {
  const label = input.label ?? `T-${unique()}`;
  const table = await inTransaction(t.db.database.db, (trx) =>
    t.modules.tenancy.api.addTable(trx, { ...input, label }),
  );
  return { ...table, label };
}

/** An organization with an owner, one store and one table: the usual starting point. */
export async function organizationWithStore(t: TestApp, store: Partial<Omit<NewStore, 'organizationId'>> = {}) {
  const organization = await createOrganization(t);
  const created = await createStore(t, { organizationId: organization.id, ...store });
  const table = await createTable(t, { organizationId: organization.id, storeId: created.id });
  return { organization, store: created, table };
}

/**
 * A fixed-offset IANA zone in which it is about noon right now, so tests about "today" never
 * straddle a local midnight whenever they run. (Etc/GMT-3 is UTC+3: POSIX signs are inverted.)
 */
export function middayZone(now = new Date()): string {
  const offset = 12 - now.getUTCHours();
  if (offset === 0) return 'Etc/GMT';
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

export const storeBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Pasta Place',
  address: { line1: 'Torstraße 1', city: 'Berlin', postal_code: '10119', country: 'DE' },
  timezone: 'Europe/Berlin',
  currency: 'EUR',
  ...overrides,
});
