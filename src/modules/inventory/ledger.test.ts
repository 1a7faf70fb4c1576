import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../platform/db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer } from '../../test-support/identity-factories.js';
import { setStock, stockedStore } from '../../test-support/inventory-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const count = async (table: 'stock_moves' | 'stock_levels', storeId: string) =>
  Number(
    (
      await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE store_id = ${storeId}`.execute(
        t.db.database.db,
      )
    ).rows[0]!.n,
  );

describe('the stock ledger', () => {
  it('when a move is updated, deleted or truncated directly, then the database refuses (append-only) and the move is unchanged', async () => {
    const { storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.margherita, 6);
    const db = t.db.database.db;
    await expect(sql`UPDATE stock_moves SET delta = 60 WHERE store_id = ${storeId}`.execute(db)).rejects.toMatchObject({
      code: '23001',
    });
    await expect(sql`DELETE FROM stock_moves WHERE store_id = ${storeId}`.execute(db)).rejects.toMatchObject({
      code: '23001',
    });
    await expect(sql`TRUNCATE stock_moves`.execute(db)).rejects.toMatchObject({ code: '23001' });
    const { rows } = await sql<{ delta: number }>`SELECT delta FROM stock_moves WHERE store_id = ${storeId}`.execute(
      db,
    );
    expect(rows).toEqual([{ delta: 6 }]);
  });

  it('when a level is pushed below zero directly, then the CHECK refuses it (the backstop behind the conditional update)', async () => {
    const { storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.margherita, 1);
    await expect(
      sql`UPDATE stock_levels SET quantity = quantity - 2 WHERE store_id = ${storeId}`.execute(t.db.database.db),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('when the item is deleted from the catalog, then its levels and moves go with it', async () => {
    const { storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.lemonade, 3);
    await setStock(t, owner, storeId, items.diavola, 3);
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/v1/items/${items.lemonade}`,
      headers: bearer(owner),
    });
    expect(deleted.statusCode).toBe(204);
    expect(await count('stock_levels', storeId)).toBe(1);
    expect(await count('stock_moves', storeId)).toBe(1);
    expect(await t.modules.inventory.api.audit(t.db.database.db, { storeId })).toEqual([]);
  });

  it('when the organization is deleted, then its stock levels and moves cascade away with it', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.margherita, 4);
    await inTransaction(t.db.database.db, (trx) =>
      t.modules.inventory.api.reserve(trx, {
        organizationId,
        storeId,
        orderId: uuidv7(),
        items: [{ itemId: items.margherita, quantity: 4 }],
      }),
    );
    expect(await count('stock_moves', storeId)).toBe(2);
    const { rows } = await sql<{ slug: string }>`SELECT slug FROM organizations WHERE id = ${organizationId}`.execute(
      t.db.database.db,
    );
    const existed = await inTransaction(t.db.database.db, (trx) =>
      t.modules.tenancy.api.deleteOrganizationBySlug(trx, rows[0]!.slug),
    );
    expect(existed).toBe(true);
    expect(await count('stock_moves', storeId)).toBe(0);
    expect(await count('stock_levels', storeId)).toBe(0);
  });
});
