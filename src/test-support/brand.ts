// A brand (organization) with one store and a signed-in owner: the starting point of most
// tests that need staff, created through the modules' public faces.
import { randomBytes } from 'node:crypto';
import { inTransaction } from '../platform/db/index.js';
import type { TestApp } from './harness.js';
import { createUser, signIn } from './identity-factories.js';

export async function brandWithStore(t: TestApp, store: { timezone?: string; currency?: string } = {}) {
  const user = await createUser(t, { name: 'Owner' });
  const slug = `brand-${randomBytes(5).toString('hex')}`;
  const { organizationId, storeId } = await inTransaction(t.db.database.db, async (trx) => {
    const org = await t.modules.tenancy.api.createOrganization(trx, { slug, name: `Brand ${slug}`, ownerUserId: user.id });
    const created = await t.modules.tenancy.api.createStore(trx, {
      organizationId: org.id,
      name: `${slug} central`,
      address: { line1: '1 Main Street', city: 'Springfield', postal_code: '12345', country: 'DE' },
      timezone: store.timezone ?? 'Europe/Berlin',
      currency: store.currency ?? 'EUR',
    });
    return { organizationId: org.id, storeId: created.id };
  });
  return { organizationId, storeId, slug, owner: { user, token: await signIn(t, user) } };
}
