// The demo pizzeria's catalog as plain data: what a real small chain sells, so a new user sees
// sizes, required and optional modifier groups, a free-then-paid group, a nested combo choice,
// three menus (breakfast, all day, around the clock) and a delivery price override. Prices in minor units.
// Each category lives in its own file under menu-data/; this file puts them in menu order.
import { BREAKFAST } from './menu-data/breakfast.js';
import { DRINKS } from './menu-data/drinks.js';
import { DESSERTS, PASTA, SALADS, STARTERS } from './menu-data/kitchen.js';
import { PIZZA } from './menu-data/pizzas.js';
import type { DemoCategory } from './menu-data/shapes.js';

export type { DemoCategory, DemoGroup, DemoItem } from './menu-data/shapes.js';
export { DEMO_GROUPS } from './menu-data/modifier-groups.js';

export const DEMO_CATEGORIES: DemoCategory[] = [PIZZA, STARTERS, SALADS, PASTA, DESSERTS, DRINKS, BREAKFAST];

/** All day from 11:00 (running past midnight to 02:00, after the latest close); breakfast 08:00–11:30. Local store time. */
export const DEMO_MENUS = [
  {
    ref: 'all-day',
    name: 'All day',
    categories: ['pizza', 'starters', 'salads', 'pasta', 'desserts', 'drinks'],
    hours: { opens: '11:00', closes: '02:00' },
  },
  { ref: 'breakfast', name: 'Breakfast', categories: ['breakfast'], hours: { opens: '08:00', closes: '11:30' } },
  // The Brooklyn store never closes: everything but breakfast, whatever the hour.
  {
    ref: 'around-the-clock',
    name: 'Around the clock',
    categories: ['pizza', 'starters', 'salads', 'pasta', 'desserts', 'drinks'],
    hours: null,
  },
];

/** Delivered, the Margherita costs more (both sizes): a per-store, per-channel override. */
export const DEMO_DELIVERY_OVERRIDES = [
  { variantRef: 'margherita/margherita-1', price: 950 },
  { variantRef: 'margherita/margherita-2', price: 1290 },
];

/**
 * Each store's taxes, in basis points (seed.ts sets them; the demo orders are priced with them).
 * Germany: prices include VAT (7% food to take away, 19% drinks). New York: 8.875% on top.
 */
export const DEMO_TAXES = {
  berlin: { prices_include_tax: true, food: 700, drinks: 1900 },
  brooklyn: { prices_include_tax: false, food: 888, drinks: 888 },
} as const;
