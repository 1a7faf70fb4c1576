// A store's own catalog settings: the menus it publishes, its tax settings and its price
// overrides (per channel). Each is replaced whole, over HTTP or (for the demo seed and test
// factories) inside the caller's transaction; every id named must be the brand's.
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../../../platform/auth/principal.js';
import type { Db, Tx } from '../../../platform/db/index.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { RULES } from './access.js';
import type { StoreEdits } from './store-edit.js';
import { storeSettingsRepo as repo, type PriceOverrideRow } from './store-settings-repo.js';

type TaxSettings = { prices_include_tax: boolean; rates: Array<{ tax_category_id: string; rate_bps: number }> };

/** The problems of a price override list a JSON schema cannot see, and its rows (with new ids). */
function priceOverrideRows(
  inputs: Array<{ item_id?: string; variant_id?: string; option_id?: string; channel?: string | null; price: number }>,
): { rows: PriceOverrideRow[]; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const seen = new Set<string>();
  const rows: PriceOverrideRow[] = inputs.map((input, index) => {
    const targets = [input.item_id, input.variant_id, input.option_id].filter((id) => id !== undefined);
    if (targets.length !== 1)
      problems.push({
        path: `/body/overrides/${index}`,
        message: 'must name exactly one of item_id, variant_id, option_id',
      });
    const key = `${targets[0] ?? ''} ${input.channel ?? '*'}`;
    if (targets.length === 1 && seen.has(key))
      problems.push({
        path: `/body/overrides/${index}`,
        message: 'overrides the same target and channel as an earlier entry',
      });
    seen.add(key);
    if (!Number.isInteger(input.price) || input.price < 0)
      problems.push({
        path: `/body/overrides/${index}/price`,
        message: 'must be a whole, non-negative amount in minor units',
      });
    return {
      id: uuidv7(),
      item_id: input.item_id ?? null,
      variant_id: input.variant_id ?? null,
      option_id: input.option_id ?? null,
      channel: input.channel ?? null,
      price: input.price,
    };
  });
  return { rows, problems };
}

export function storeSettingsService(deps: { db: Db }, stores: StoreEdits) {
  const { db } = deps;

  const checkTaxCategories = (trx: Tx, organizationId: string, settings: TaxSettings) =>
    stores.knownIds(
      trx,
      'tax_categories',
      organizationId,
      settings.rates.map((r) => r.tax_category_id),
      'tax category',
    );

  async function checkOverrideTargets(trx: Tx, organizationId: string, rows: PriceOverrideRow[]): Promise<void> {
    await stores.knownIds(
      trx,
      'items',
      organizationId,
      rows.map((r) => r.item_id),
      'item',
    );
    await stores.knownIds(
      trx,
      'item_variants',
      organizationId,
      rows.map((r) => r.variant_id),
      'variant',
    );
    await stores.knownIds(
      trx,
      'modifier_options',
      organizationId,
      rows.map((r) => r.option_id),
      'modifier option',
    );
  }

  return {
    async publishedMenus(principal: Principal | null, storeId: string) {
      await stores.storeOf(storeId, principal, RULES.readStoreCatalog);
      return { menu_ids: await repo.publishedMenuIds(db, storeId) };
    },

    async publishMenus(principal: Principal | null, storeId: string, menuIds: string[]) {
      return stores.editStore(
        principal,
        storeId,
        RULES.editStoreCatalog,
        async (trx, organizationId) => {
          await stores.knownIds(trx, 'menus', organizationId, menuIds, 'menu');
          await repo.replacePublishedMenus(trx, organizationId, storeId, menuIds);
          return { menu_ids: menuIds };
        },
        (after) => ({ action: 'catalog.store_menus.replaced', target: { type: 'store', id: storeId }, after }),
      );
    },

    /** Module api (seed, factories): joins the caller's transaction, no access check. */
    async publishMenusIn(trx: Tx, organizationId: string, storeId: string, menuIds: string[]): Promise<void> {
      await stores.storeOfOrganization(trx, organizationId, storeId);
      await stores.storeWriteIn(trx, organizationId, storeId, async () => {
        await stores.knownIds(trx, 'menus', organizationId, menuIds, 'menu');
        await repo.replacePublishedMenus(trx, organizationId, storeId, menuIds);
      });
    },

    async taxSettings(principal: Principal | null, storeId: string) {
      await stores.storeOf(storeId, principal, RULES.readStoreCatalog);
      return repo.taxSettings(db, storeId);
    },

    async replaceTaxSettings(principal: Principal | null, storeId: string, input: TaxSettings) {
      const problems: FieldError[] = [];
      const seen = new Set<string>();
      input.rates.forEach((rate, index) => {
        if (seen.has(rate.tax_category_id))
          problems.push({ path: `/body/rates/${index}/tax_category_id`, message: 'has a rate already' });
        seen.add(rate.tax_category_id);
      });
      if (problems.length > 0) throw new ValidationError(problems);
      return stores.editStore(
        principal,
        storeId,
        RULES.editStoreCatalog,
        async (trx, organizationId) => {
          await checkTaxCategories(trx, organizationId, input);
          await repo.replaceTaxSettings(trx, organizationId, storeId, input);
          return repo.taxSettings(trx, storeId);
        },
        (after) => ({ action: 'catalog.store_tax_settings.replaced', target: { type: 'store', id: storeId }, after }),
      );
    },

    async priceOverrides(principal: Principal | null, storeId: string) {
      await stores.storeOf(storeId, principal, RULES.readStoreCatalog);
      return { overrides: await repo.priceOverrides(db, storeId) };
    },

    async replacePriceOverrides(
      principal: Principal | null,
      storeId: string,
      inputs: Array<{
        item_id?: string;
        variant_id?: string;
        option_id?: string;
        channel?: string | null;
        price: number;
      }>,
    ) {
      const { rows, problems } = priceOverrideRows(inputs);
      if (problems.length > 0) throw new ValidationError(problems);
      return stores.editStore(
        principal,
        storeId,
        RULES.editStoreCatalog,
        async (trx, organizationId) => {
          await checkOverrideTargets(trx, organizationId, rows);
          await repo.replacePriceOverrides(trx, organizationId, storeId, rows);
          return { overrides: await repo.priceOverrides(trx, storeId) };
        },
        (after) => ({ action: 'catalog.price_overrides.replaced', target: { type: 'store', id: storeId }, after }),
      );
    },

    /** Module api: tax settings and price overrides of a store (ids must be the organization's). */
    async storeSettingsIn(
      trx: Tx,
      organizationId: string,
      storeId: string,
      input: { taxSettings?: TaxSettings; priceOverrides?: Array<Omit<PriceOverrideRow, 'id'>> },
    ): Promise<void> {
      await stores.storeOfOrganization(trx, organizationId, storeId);
      await stores.storeWriteIn(trx, organizationId, storeId, async () => {
        if (input.taxSettings) {
          await checkTaxCategories(trx, organizationId, input.taxSettings);
          await repo.replaceTaxSettings(trx, organizationId, storeId, input.taxSettings);
        }
        if (input.priceOverrides) {
          const rows = input.priceOverrides.map((row) => ({ ...row, id: uuidv7() }));
          await checkOverrideTargets(trx, organizationId, rows);
          await repo.replacePriceOverrides(trx, organizationId, storeId, rows);
        }
      });
    },
  };
}
