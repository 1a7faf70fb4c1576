// Inventory test data and reads: stock set and read through the HTTP API.
import { storeWithMenu } from './catalog-factories.js';
import type { TestApp } from './harness.js';
import { bearer } from './identity-factories.js';

/** PUT /v1/stores/{storeId}/stock/{itemId}; throws unless 200. */
export async function setStock(t: TestApp, token: string, storeId: string, itemId: string, quantity: number | null) {
  const res = await t.app.inject({
    method: 'PUT',
    url: `/v1/stores/${storeId}/stock/${itemId}`,
    headers: bearer(token),
    payload: { quantity },
  });
  if (res.statusCode !== 200) throw new Error(`setting stock failed: ${res.statusCode} ${res.body}`);
  return res.json<{
    store_id: string;
    item_id: string;
    tracked: boolean;
    quantity: number | null;
    updated_at: string | null;
  }>();
}

/** Every move of the item at the store, oldest first, through the moves route. */
export async function movesOf(t: TestApp, token: string, storeId: string, itemId: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/stores/${storeId}/stock/${itemId}/moves?limit=100`,
    headers: bearer(token),
  });
  if (res.statusCode !== 200) throw new Error(`reading moves failed: ${res.statusCode} ${res.body}`);
  return res.json<{
    data: Array<{
      id: string;
      delta: number;
      balance_after: number;
      reason: string;
      order_id: string | null;
      created_at: string;
    }>;
  }>().data;
}

/** Ids of the items the storefront menu lists right now (pickup). */
export async function menuItemIds(t: TestApp, storeId: string): Promise<Set<string>> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/stores/${storeId}/menu` });
  if (res.statusCode !== 200) throw new Error(`reading the menu failed: ${res.statusCode} ${res.body}`);
  const menu = res.json<{ menus: Array<{ categories: Array<{ items: Array<{ id: string }> }> }> }>();
  return new Set(menu.menus.flatMap((m) => m.categories.flatMap((c) => c.items.map((item) => item.id))));
}

/** The store's 86s right now, through the catalog route. */
export async function eightySixesOf(t: TestApp, token: string, storeId: string) {
  const res = await t.app.inject({ method: 'GET', url: `/v1/stores/${storeId}/eighty-sixes`, headers: bearer(token) });
  if (res.statusCode !== 200) throw new Error(`reading 86s failed: ${res.statusCode} ${res.body}`);
  return res.json<{ data: Array<{ id: string; item_id: string | null; reason: 'manual' | 'sold_out' }> }>().data;
}

/** A store with the small pizzeria menu; `owner` is the brand owner's token, `items` its item ids by ref. */
export async function stockedStore(t: TestApp) {
  const world = await storeWithMenu(t);
  const items = {
    margherita: world.ids.items.margherita!,
    diavola: world.ids.items.diavola!,
    lemonade: world.ids.items.lemonade!,
  };
  return {
    organizationId: world.organization.id,
    storeId: world.store.id,
    owner: world.organization.owner.token,
    items,
  };
}
