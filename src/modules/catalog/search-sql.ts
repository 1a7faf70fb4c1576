// SQL fragments shared by menu search and the storefront GraphQL: when a menu is served (in the
// store's time zone), what an item/variant/option costs at a store and channel, and what is 86'd.
// Until the storefront resolver lands these are the one place these rules live on the read side.
import { sql, type RawBuilder } from 'kysely';

export type Channel = 'pickup' | 'delivery' | 'dine_in';
export const CHANNELS: readonly Channel[] = ['pickup', 'delivery', 'dine_in'];

/** ISO weekday (1 = Monday) of a local timestamp expression. */
export const isoDow = (local: RawBuilder<unknown>) => sql<number>`extract(isodow FROM ${local})::int`;

/**
 * True when menu `menuId` is served at local weekday `dow` and local time `time`. No rows in
 * menu_availability: always. A window with ends_at <= starts_at runs past midnight, so it also
 * covers the early hours of the next weekday.
 */
export function menuServedAt(menuId: RawBuilder<unknown>, local: RawBuilder<unknown>): RawBuilder<boolean> {
  const dow = isoDow(local);
  const time = sql`(${local})::time`;
  return sql<boolean>`(
    NOT EXISTS (SELECT 1 FROM menu_availability ma0 WHERE ma0.menu_id = ${menuId})
    OR EXISTS (
      SELECT 1 FROM menu_availability ma WHERE ma.menu_id = ${menuId} AND (
        (ma.ends_at > ma.starts_at AND ma.weekday = ${dow} AND ${time} >= ma.starts_at AND ${time} < ma.ends_at)
        OR (ma.ends_at <= ma.starts_at AND (
          (ma.weekday = ${dow} AND ${time} >= ma.starts_at)
          OR (ma.weekday = (${dow} + 5) % 7 + 1 AND ${time} < ma.ends_at)
        ))
      )
    )
  )`;
}

/**
 * The price of `target` (an item, variant or option id) at a store for a channel: a
 * channel-specific override wins over an every-channel one, which wins over the brand price.
 * `channel` '*' means "no channel given": only every-channel overrides apply. Uses the
 * price_overrides_target_key index (store_id, COALESCE(item, variant, option), COALESCE(channel, '*')).
 */
export function effectivePrice(
  target: RawBuilder<unknown>,
  base: RawBuilder<unknown>,
  storeId: RawBuilder<unknown>,
  channel: RawBuilder<unknown>,
): RawBuilder<number> {
  return sql<number>`COALESCE((
    SELECT po.price FROM price_overrides po
    WHERE po.store_id = ${storeId}
      AND COALESCE(po.item_id, po.variant_id, po.option_id) = ${target}
      AND COALESCE(po.channel, '*') IN (${channel}, '*')
    ORDER BY (po.channel IS NULL) LIMIT 1
  ), ${base})`;
}

/** True when an item or option is 86'd at the store at instant `at` (served by eighty_sixes_target_key). */
export function eightySixed(
  target: RawBuilder<unknown>,
  storeId: RawBuilder<unknown>,
  at: RawBuilder<unknown>,
): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (
    SELECT 1 FROM eighty_sixes e
    WHERE e.store_id = ${storeId} AND COALESCE(e.item_id, e.option_id) = ${target}
      AND (e.until IS NULL OR e.until > ${at})
  )`;
}
