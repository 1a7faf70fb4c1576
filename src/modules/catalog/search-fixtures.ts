// Test helper: catalog rows written with plain SQL (until the management API lands), for the
// search and GraphQL tests (`ref` = id, as the management API defaults it). Not imported by production code.
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';

export interface Window {
  weekday: number;
  starts_at: string;
  ends_at: string;
}

export function catalogFixture(pool: pg.Pool, organizationId: string) {
  const org = organizationId;
  return {
    async category(name: string, position = 0) {
      const id = uuidv7();
      await pool.query(
        'INSERT INTO categories (id, ref, organization_id, name, position) VALUES ($1::uuid, $1::text, $2, $3, $4)',
        [id, org, name, position],
      );
      return id;
    },
    async item(input: {
      categoryId: string;
      name: string;
      description?: string;
      tags?: string[];
      price?: number;
      position?: number;
    }) {
      const id = uuidv7();
      await pool.query(
        'INSERT INTO items (id, ref, organization_id, category_id, name, description, tags, price, position) VALUES ($1::uuid, $1::text, $2, $3, $4, $5, $6, $7, $8)',
        [
          id,
          org,
          input.categoryId,
          input.name,
          input.description ?? null,
          input.tags ?? [],
          input.price ?? 1000,
          input.position ?? 0,
        ],
      );
      return id;
    },
    async variant(itemId: string, name: string, price: number, position = 0) {
      const id = uuidv7();
      await pool.query(
        'INSERT INTO item_variants (id, ref, organization_id, item_id, name, price, position) VALUES ($1::uuid, $1::text, $2, $3, $4, $5, $6)',
        [id, org, itemId, name, price, position],
      );
      return id;
    },
    async group(input: { name: string; min?: number; max?: number }) {
      const id = uuidv7();
      await pool.query(
        'INSERT INTO modifier_groups (id, ref, organization_id, name, min_select, max_select) VALUES ($1::uuid, $1::text, $2, $3, $4, $5)',
        [id, org, input.name, input.min ?? 0, input.max ?? 1],
      );
      return id;
    },
    async option(input: {
      groupId: string;
      name: string;
      price?: number;
      childGroupId?: string;
      isAvailable?: boolean;
      position?: number;
    }) {
      const id = uuidv7();
      await pool.query(
        'INSERT INTO modifier_options (id, ref, organization_id, group_id, name, price, child_group_id, is_available, position) VALUES ($1::uuid, $1::text, $2, $3, $4, $5, $6, $7, $8)',
        [
          id,
          org,
          input.groupId,
          input.name,
          input.price ?? 0,
          input.childGroupId ?? null,
          input.isAvailable ?? true,
          input.position ?? 0,
        ],
      );
      return id;
    },
    async attachGroup(itemId: string, groupId: string, position = 0) {
      await pool.query(
        'INSERT INTO item_modifier_groups (item_id, group_id, organization_id, position) VALUES ($1, $2, $3, $4)',
        [itemId, groupId, org, position],
      );
    },
    async menu(input: { name: string; storeIds: string[]; categoryIds: string[]; windows?: Window[] }) {
      const id = uuidv7();
      await pool.query('INSERT INTO menus (id, ref, organization_id, name) VALUES ($1::uuid, $1::text, $2, $3)', [
        id,
        org,
        input.name,
      ]);
      for (const [position, categoryId] of input.categoryIds.entries()) {
        await pool.query(
          'INSERT INTO menu_categories (menu_id, category_id, organization_id, position) VALUES ($1, $2, $3, $4)',
          [id, categoryId, org, position],
        );
      }
      for (const storeId of input.storeIds) {
        await pool.query('INSERT INTO store_menus (store_id, menu_id, organization_id) VALUES ($1, $2, $3)', [
          storeId,
          id,
          org,
        ]);
      }
      for (const window of input.windows ?? []) {
        await pool.query(
          'INSERT INTO menu_availability (menu_id, weekday, starts_at, ends_at) VALUES ($1, $2, $3, $4)',
          [id, window.weekday, window.starts_at, window.ends_at],
        );
      }
      return id;
    },
    async eightySix(storeId: string, target: { itemId?: string; optionId?: string }, until: Date | null = null) {
      await pool.query(
        'INSERT INTO eighty_sixes (id, organization_id, store_id, item_id, option_id, until) VALUES ($1, $2, $3, $4, $5, $6)',
        [uuidv7(), org, storeId, target.itemId ?? null, target.optionId ?? null, until],
      );
    },
    async priceOverride(
      storeId: string,
      target: { itemId?: string; variantId?: string; optionId?: string },
      price: number,
      channel: string | null = null,
    ) {
      await pool.query(
        'INSERT INTO price_overrides (id, organization_id, store_id, item_id, variant_id, option_id, channel, price) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [
          uuidv7(),
          org,
          storeId,
          target.itemId ?? null,
          target.variantId ?? null,
          target.optionId ?? null,
          channel,
          price,
        ],
      );
    },
  };
}

export type CatalogFixture = ReturnType<typeof catalogFixture>;

export interface RecordedQuery {
  text: string;
  values: unknown[];
}

/**
 * Records every SQL statement sent by any pg client of this process while `run` runs (the app
 * and the test share the process under app.inject). Returns what `run` returned and the list.
 */
export async function recordQueries<T>(
  pgModule: typeof pg,
  run: () => Promise<T>,
): Promise<{ result: T; queries: RecordedQuery[] }> {
  const queries: RecordedQuery[] = [];
  const proto = pgModule.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
    queries.push({ text, values: Array.isArray(second) ? second : [] });
    return original.apply(this, args);
  };
  try {
    return { result: await run(), queries };
  } finally {
    proto.query = original;
  }
}
