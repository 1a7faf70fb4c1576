// What the menu resolver produces: a store's menu for a channel and a moment, with only what is
// orderable then, at the price it costs then. The REST menu is its JSON, search ranks its items,
// GraphQL is a view of it and ordering validates and prices baskets against it.

export const CHANNELS = ['pickup', 'delivery', 'dine_in'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * The channel a menu is resolved for. null: none given (search and GraphQL without a channel),
 * so only the store's every-channel prices apply, never a channel's own.
 */
export type PriceChannel = Channel | null;

export interface Money {
  amount: number;
  currency: string;
}

export interface ResolvedOption {
  id: string;
  name: string;
  price: Money;
  max_quantity: number;
  /** Nested modifiers: picking this option opens this group (one level deep, as the catalog allows). */
  child_group: ResolvedGroup | null;
}

export interface ResolvedGroup {
  id: string;
  name: string;
  min_select: number;
  max_select: number;
  free_quantity: number;
  options: ResolvedOption[];
}

export interface ResolvedItem {
  id: string;
  name: string;
  description: string | null;
  image_url: string | null;
  tags: string[];
  allergens: string[];
  sku: string | null;
  price: Money;
  tax: { category: string | null; rate_bps: number; prices_include_tax: boolean };
  variants: Array<{ id: string; name: string; sku: string | null; price: Money }>;
  modifier_groups: ResolvedGroup[];
}

export interface ResolvedCategory {
  id: string;
  name: string;
  description: string | null;
  items: ResolvedItem[];
}

export interface ResolvedMenu {
  store_id: string;
  /** null only for a no-channel resolution (never served by the REST menu, which always has one). */
  channel: PriceChannel;
  currency: string;
  prices_include_tax: boolean;
  menus: Array<{ id: string; name: string; categories: ResolvedCategory[] }>;
}

export interface Resolution {
  menu: ResolvedMenu;
  /** The output is the same for every instant in [validFrom, validUntil) (absent writes). */
  validFrom: number;
  validUntil: number;
  /** Bumped by every catalog write of the brand (null before its first write). */
  catalogVersion: number | null;
  storeVersion: number;
  organizationId: string;
}

/** Every item of the menu once, with the category it is listed in (an item sits in one category). */
export function* itemsOf(menu: ResolvedMenu): Generator<{ item: ResolvedItem; category: ResolvedCategory }> {
  const seen = new Set<string>();
  for (const section of menu.menus) {
    for (const category of section.categories) {
      for (const item of category.items) {
        if (seen.has(item.id)) continue;
        seen.add(item.id);
        yield { item, category };
      }
    }
  }
}
