import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, lastAudit } from '../../test-support/audit-factories.js';
import { storeWithMenu } from '../../test-support/catalog-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const call = (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, token: string, payload?: object) =>
  t.app.inject({ method, url: `/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

describe('catalog management writes in the audit log', () => {
  it('when an owner creates, updates and deletes a category, then each is an entry with its target and only the changed fields', async () => {
    const org = await createOrganization(t);
    const token = org.owner.token;
    const created = await call('POST', `/organizations/${org.id}/categories`, token, { name: 'Pasta', ref: 'pasta' });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    expect((await call('PATCH', `/categories/${id}`, token, { name: 'Fresh pasta' })).statusCode).toBe(200);
    expect((await call('DELETE', `/categories/${id}`, token)).statusCode).toBe(204);

    const entries = await auditEntries(t, org.owner, org.id, { target_id: id });
    expect(entries.map((entry) => entry.action)).toEqual([
      'catalog.category.deleted',
      'catalog.category.updated',
      'catalog.category.created',
    ]);
    const [deleted, updated, create] = entries;
    expect(create).toMatchObject({
      actor: { kind: 'user', id: org.owner.user.id },
      target: { type: 'category', id },
      changes: { before: null, after: { id, name: 'Pasta', ref: 'pasta' } },
    });
    expect(create!.request_id).toEqual(expect.any(String));
    expect(create!.ip).toBe('127.0.0.1');
    expect(updated!.changes).toEqual({ before: { name: 'Pasta' }, after: { name: 'Fresh pasta' } });
    expect(deleted!.changes).toMatchObject({ before: { name: 'Fresh pasta' }, after: null });
  });

  it('when a write is refused (412), then the log has no entry for it', async () => {
    const org = await createOrganization(t);
    const created = await call('POST', `/organizations/${org.id}/categories`, org.owner.token, { name: 'Soups' });
    const id = created.json<{ id: string }>().id;
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/v1/categories/${id}`,
      headers: { ...bearer(org.owner.token), 'if-match': '"9"' },
      payload: { name: 'Stews' },
    });
    expect(stale.statusCode).toBe(412);
    const actions = (await auditEntries(t, org.owner, org.id, { target_id: id })).map((entry) => entry.action);
    expect(actions).toEqual(['catalog.category.created']);
  });

  it('when a manager 86es an item, lifts the 86 and sets price overrides, then each is an entry at its store', async () => {
    const brand = await storeWithMenu(t);
    const organizationId = brand.organization.id;
    const storeId = brand.store.id;
    const manager = await staffOf(t, { organizationId, storeId, role: 'manager' });
    const itemId = brand.ids.items.margherita!;

    const eightySix = await call('POST', `/stores/${storeId}/eighty-sixes`, manager.token, { item_id: itemId });
    expect(eightySix.statusCode).toBe(201);
    const entry = await lastAudit(t, brand.organization.owner, organizationId, 'catalog.item.eighty_sixed', itemId);
    expect(entry).toMatchObject({
      store_id: storeId,
      actor: { kind: 'user', id: manager.user.id },
      target: { type: 'item', id: itemId },
    });
    const lifted = await call(
      'DELETE',
      `/stores/${storeId}/eighty-sixes/${eightySix.json<{ id: string }>().id}`,
      manager.token,
    );
    expect(lifted.statusCode).toBe(204);
    await lastAudit(t, brand.organization.owner, organizationId, 'catalog.eighty_six.lifted');

    const prices = await call('PUT', `/stores/${storeId}/price-overrides`, manager.token, {
      overrides: [{ item_id: itemId, price: 999 }],
    });
    expect(prices.statusCode).toBe(200);
    const priced = await lastAudit(t, brand.organization.owner, organizationId, 'catalog.price_overrides.replaced');
    expect(priced).toMatchObject({ store_id: storeId, target: { type: 'store', id: storeId } });
    expect(JSON.stringify(priced.changes.after)).toContain('999');
  });
});
