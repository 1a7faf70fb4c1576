// Test factories for ordering: a store with the small menu and ordering settings, and placing
// orders through the real HTTP route (so tests exercise idempotency, auth and validation too).
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, customer } from './identity-factories.js';
import type { TestApp } from './harness.js';
import { storeWithMenu } from './catalog-factories.js';
import type { NewStore } from '../modules/tenancy/index.js';

export type OrderingSettingsPatch = Record<string, unknown>;

/** storeWithMenu (with `store` overriding the store's defaults: hours, time zone…), plus ordering settings changed through the owner's PATCH. */
export async function orderingStore(
  t: TestApp,
  settings: OrderingSettingsPatch = {},
  store: Partial<Omit<NewStore, 'organizationId'>> = {},
) {
  const base = await storeWithMenu(t, store);
  const ownerToken = base.organization.owner.token;
  if (Object.keys(settings).length > 0) {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/stores/${base.store.id}/ordering-settings`,
      headers: bearer(ownerToken),
      payload: settings,
    });
    if (res.statusCode !== 200) throw new Error(`settings failed: ${res.statusCode} ${res.body}`);
  }
  return { ...base, ownerToken };
}

/** A pickup basket of one small Margherita with a tomato base (the menu's cheapest valid line). */
export function margheritaLine(
  ids: {
    items: Record<string, string | undefined>;
    variants: Record<string, string | undefined>;
    options: Record<string, string | undefined>;
  },
  quantity = 1,
) {
  return {
    item_id: ids.items.margherita!,
    variant_id: ids.variants['margherita/small']!,
    quantity,
    modifiers: [{ option_id: ids.options['base/tomato']! }],
  };
}

export async function placeOrder(
  t: TestApp,
  token: string,
  storeId: string,
  body: Record<string, unknown>,
  key: string = randomUUID(),
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: `/v1/stores/${storeId}/orders`,
    headers: { ...bearer(token), 'idempotency-key': key },
    payload: body,
  });
}

export { customer };
