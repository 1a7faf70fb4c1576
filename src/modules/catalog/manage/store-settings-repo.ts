// SQL of a store's own catalog settings: the menus it publishes (in order), its tax settings
// and its price overrides. Each setting is replaced whole.
import { t, type Executor } from './tables.js';

export interface PriceOverrideRow {
  id: string;
  item_id: string | null;
  variant_id: string | null;
  option_id: string | null;
  channel: string | null;
  price: number;
}

export const storeSettingsRepo = {
  async publishedMenuIds(ex: Executor, storeId: string): Promise<string[]> {
    const rows = await t(ex)
      .selectFrom('store_menus')
      .select('menu_id')
      .where('store_id', '=', storeId)
      .orderBy('position')
      .orderBy('menu_id')
      .execute();
    return rows.map((row) => row.menu_id);
  },

  async replacePublishedMenus(ex: Executor, organizationId: string, storeId: string, menuIds: string[]): Promise<void> {
    await t(ex).deleteFrom('store_menus').where('store_id', '=', storeId).execute();
    if (menuIds.length === 0) return;
    await t(ex)
      .insertInto('store_menus')
      .values(
        menuIds.map((menu_id, position) => ({ store_id: storeId, menu_id, organization_id: organizationId, position })),
      )
      .execute();
  },

  async taxSettings(
    ex: Executor,
    storeId: string,
  ): Promise<{ prices_include_tax: boolean; rates: Array<{ tax_category_id: string; rate_bps: number }> }> {
    const settings = await t(ex)
      .selectFrom('store_tax_settings')
      .select('prices_include_tax')
      .where('store_id', '=', storeId)
      .executeTakeFirst();
    const rates = await t(ex)
      .selectFrom('store_tax_rates')
      .select(['tax_category_id', 'rate_bps'])
      .where('store_id', '=', storeId)
      .orderBy('tax_category_id')
      .execute();
    return { prices_include_tax: settings?.prices_include_tax ?? true, rates };
  },

  async replaceTaxSettings(
    ex: Executor,
    organizationId: string,
    storeId: string,
    input: { prices_include_tax: boolean; rates: Array<{ tax_category_id: string; rate_bps: number }> },
  ): Promise<void> {
    await t(ex)
      .insertInto('store_tax_settings')
      .values({ store_id: storeId, organization_id: organizationId, prices_include_tax: input.prices_include_tax })
      .onConflict((oc) => oc.column('store_id').doUpdateSet({ prices_include_tax: input.prices_include_tax }))
      .execute();
    await t(ex).deleteFrom('store_tax_rates').where('store_id', '=', storeId).execute();
    if (input.rates.length === 0) return;
    await t(ex)
      .insertInto('store_tax_rates')
      .values(input.rates.map((rate) => ({ ...rate, store_id: storeId, organization_id: organizationId })))
      .execute();
  },

  async priceOverrides(ex: Executor, storeId: string): Promise<PriceOverrideRow[]> {
    return t(ex)
      .selectFrom('price_overrides')
      .select(['id', 'item_id', 'variant_id', 'option_id', 'channel', 'price'])
      .where('store_id', '=', storeId)
      .orderBy('id')
      .execute();
  },

  async replacePriceOverrides(
    ex: Executor,
    organizationId: string,
    storeId: string,
    rows: PriceOverrideRow[],
  ): Promise<void> {
    await t(ex).deleteFrom('price_overrides').where('store_id', '=', storeId).execute();
    if (rows.length === 0) return;
    await t(ex)
      .insertInto('price_overrides')
      .values(rows.map((row) => ({ ...row, store_id: storeId, organization_id: organizationId })))
      .execute();
  },
};
