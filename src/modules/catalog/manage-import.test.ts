import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../../platform/events/index.js';
import {
  importCatalog,
  smallCatalogDocument,
  storeWithMenu,
  type CatalogDocument,
} from '../../test-support/catalog-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer } from '../../test-support/identity-factories.js';
import { createOrganization } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const catalogVersion = async (organizationId: string) => {
  const { rows } = await sql<{
    version: string;
  }>`SELECT version FROM catalog_versions WHERE organization_id = ${organizationId}`.execute(t.db.database.db);
  return rows[0] ? Number(rows[0].version) : null;
};
const count = async (
  table: 'items' | 'categories' | 'modifier_groups' | 'modifier_options' | 'menus',
  organizationId: string,
) => {
  const { rows } = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE organization_id = ${organizationId}`.execute(
    t.db.database.db,
  );
  return rows[0]!.n;
};
const put = (organizationId: string, token: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'PUT',
    url: `/v1/organizations/${organizationId}/catalog`,
    headers: { ...bearer(token), ...headers },
    payload: payload as object,
  });

describe('catalog import and export', () => {
  it('when a whole catalog is imported, then it reports what it created, and exporting gives the same document back', async () => {
    const org = await createOrganization(t);
    const document = smallCatalogDocument();
    const res = await put(org.id, org.owner.token, document);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      changed: true,
      tax_categories: { created: 2, updated: 0, deleted: 0 },
      categories: { created: 2, updated: 0, deleted: 0 },
      items: { created: 3, updated: 0, deleted: 0 },
      modifier_groups: { created: 4, updated: 0, deleted: 0 },
      menus: { created: 2, updated: 0, deleted: 0 },
    });

    const exported = await t.app.inject({
      method: 'GET',
      url: `/v1/organizations/${org.id}/catalog`,
      headers: bearer(org.owner.token),
    });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers.etag).toBe(`"${res.json().catalog_version}"`);
    const body = exported.json<CatalogDocument>();
    expect(body.categories.map((c) => c.items.map((i) => i.ref))).toEqual([['margherita', 'diavola'], ['lemonade']]);
    expect(body.modifier_groups.find((g) => g.ref === 'combo')!.options[0]!.child_group).toBe('combo-drink');
    expect(body.menus[1]).toEqual({
      ref: 'late-night',
      name: 'Late night',
      availability: document.menus[1]!.availability,
      categories: ['pizza'],
    });
  });

  it('when the same document is imported twice, then the second import changes nothing: zero counts, no version bump, no event', async () => {
    const org = await createOrganization(t);
    const first = await put(org.id, org.owner.token, smallCatalogDocument());
    const version = await catalogVersion(org.id);
    const events = (await readOutbox(t.db.database.db, { aggregate: { type: 'catalog', id: org.id } })).length;

    const second = await put(org.id, org.owner.token, smallCatalogDocument());
    expect(second.statusCode).toBe(200);
    const report = second.json();
    expect(report.changed).toBe(false);
    for (const kind of ['tax_categories', 'categories', 'items', 'modifier_groups', 'menus'])
      expect(report[kind]).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(report.catalog_version).toBe(first.json().catalog_version);
    expect(await catalogVersion(org.id)).toBe(version);
    expect(await readOutbox(t.db.database.db, { aggregate: { type: 'catalog', id: org.id } })).toHaveLength(events);
  });

  it('when a re-import changes one price, drops an item and adds one, then only those count and ids of kept rows stay', async () => {
    const { organization, ids } = await storeWithMenu(t);
    const document = smallCatalogDocument();
    document.categories[0]!.items[0]!.price = 950;
    document.categories[1]!.items = [{ ref: 'water', name: 'Still water', price: 250, tax_category: 'drinks' }];
    const res = await put(organization.id, organization.owner.token, document);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      items: { created: 1, updated: 1, deleted: 1 },
      categories: { created: 0, updated: 0, deleted: 0 },
      menus: { created: 0, updated: 0, deleted: 0 },
    });
    const after = await t.modules.catalog.api.idsByRef(organization.id);
    expect(after.items.margherita).toBe(ids.items.margherita);
    expect(after.options['toppings/olives']).toBe(ids.options['toppings/olives']);
    expect(after.items.lemonade).toBeUndefined();
  });

  it('when an imported document has several problems, then each is listed at its document path and nothing changes', async () => {
    const org = await createOrganization(t);
    await importCatalog(t, org.id);
    const before = await catalogVersion(org.id);
    const document = smallCatalogDocument();
    // Valid JSON-schema-wise, but: a required group its options cannot fill, a loop, an unknown ref.
    document.modifier_groups[0]!.min_select = 3;
    document.modifier_groups[0]!.max_select = 3;
    document.modifier_groups[2]!.options[0]!.child_group = 'combo';
    document.categories[0]!.items[1]!.modifier_groups = ['base', 'nope'];
    document.categories[0]!.items[0]!.price = 1; // a valid change that must not be applied either

    const res = await put(org.id, org.owner.token, document);
    expect(res.statusCode).toBe(400);
    const problem = res.json();
    expect(problem.code).toBe('VALIDATION_FAILED');
    const paths = problem.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/body/modifier_groups/0/min_select',
        '/body/modifier_groups/2/options/0/child_group',
        '/body/categories/0/items/1/modifier_groups/1',
      ]),
    );
    expect(await catalogVersion(org.id)).toBe(before);
    const exported = await t.app.inject({
      method: 'GET',
      url: `/v1/organizations/${org.id}/catalog`,
      headers: bearer(org.owner.token),
    });
    expect(exported.json<CatalogDocument>().categories[0]!.items[0]!.price).toBe(900);
  });

  it('when a document fails half way in the database (a duplicate SKU), then the whole import rolls back', async () => {
    const org = await createOrganization(t);
    const document = smallCatalogDocument();
    document.categories[1]!.items[0]!.sku = 'PZ-MARG';
    const res = await put(org.id, org.owner.token, document);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toContainEqual({
      path: '/body/categories/1/items/0/sku',
      message: expect.stringContaining('PZ-MARG'),
    });
    expect(await count('items', org.id)).toBe(0);
    expect(await count('modifier_groups', org.id)).toBe(0);
    expect(await catalogVersion(org.id)).toBeNull();
  });

  it('when If-Match names an older catalog version, then the import is refused with 412', async () => {
    const org = await createOrganization(t);
    const first = await put(org.id, org.owner.token, smallCatalogDocument());
    const stale = `"${first.json().catalog_version - 1}"`;
    const document = smallCatalogDocument();
    document.categories[0]!.name = 'Pizzas';
    expect((await put(org.id, org.owner.token, document, { 'if-match': stale })).statusCode).toBe(412);
    expect(
      (await put(org.id, org.owner.token, document, { 'if-match': `"${first.json().catalog_version}"` })).statusCode,
    ).toBe(200);
  });

  it('when an owner of another brand exports or imports, then it is 404 and nothing of the brand is shown', async () => {
    const a = await createOrganization(t);
    const b = await createOrganization(t);
    await importCatalog(t, b.id);
    const exported = await t.app.inject({
      method: 'GET',
      url: `/v1/organizations/${b.id}/catalog`,
      headers: bearer(a.owner.token),
    });
    expect(exported.statusCode).toBe(404);
    expect((await put(b.id, a.owner.token, smallCatalogDocument({ menus: [] }))).statusCode).toBe(404);
    expect(await count('menus', b.id)).toBe(2);
  });
});
