// The demo dataset: one brand, two stores in different time zones, tables, and the demo
// accounts from the API conventions. Created on the first start with the embedded database
// (or BRIGADE_DEMO=on), recreated by `brigade demo:reset`; never in production.
import { sql } from 'kysely';
import { inTransaction, type Db, type Tx } from '../platform/db/index.js';
import type { Modules } from '../modules.js';
import { demoCatalogDocument } from './menu.js';
import { DEMO_DELIVERY_OVERRIDES, DEMO_TAXES } from './menu-data.js';
import { seedDemoLoyalty } from './loyalty.js';
import { seedDemoPromotions } from './promotions.js';
import { DEMO_GUESTS, seedDemoReviews } from './reviews.js';
import { DEMO_LOCATIONS, seedDemoDelivery } from './delivery.js';

export const DEMO_ORG_SLUG = 'demo-pizzeria';
export const DEMO_PASSWORD = 'demo-password';
export const DEMO_ACCOUNTS = {
  owner: 'owner@demo.brigade.test',
  staff: 'staff@demo.brigade.test',
  customer: 'customer@demo.brigade.test',
} as const;
/** Every demo login: the accounts above and the guests who reviewed the stores (reviews.ts). */
const DEMO_EMAILS = [...Object.values(DEMO_ACCOUNTS), ...Object.values(DEMO_GUESTS).map((guest) => guest.email)];

// One lock id for seeding, so two processes starting at once do not both seed.
const SEED_LOCK = 2744424;

const everyDay = (opens: string, closes: string) =>
  [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens_at: opens, closes_at: closes }));

async function seed(trx: Tx, modules: Modules): Promise<void> {
  const { identity, tenancy } = modules;
  const owner = await identity.api.createUser(trx, {
    email: DEMO_ACCOUNTS.owner,
    password: DEMO_PASSWORD,
    name: 'Olivia Owner',
  });
  const staff = await identity.api.createUser(trx, {
    email: DEMO_ACCOUNTS.staff,
    password: DEMO_PASSWORD,
    name: 'Sam Staff',
  });
  const customer = await identity.api.createUser(trx, {
    email: DEMO_ACCOUNTS.customer,
    password: DEMO_PASSWORD,
    name: 'Casey Customer',
  });

  const org = await tenancy.api.createOrganization(trx, {
    slug: DEMO_ORG_SLUG,
    name: 'Demo Pizzeria',
    ownerUserId: owner.id,
  });

  const berlin = await tenancy.api.createStore(trx, {
    organizationId: org.id,
    name: 'Demo Pizzeria Berlin Mitte',
    address: { line1: 'Torstraße 1', city: 'Berlin', postal_code: '10119', country: 'DE' },
    phone: '+49 30 0000000',
    timezone: 'Europe/Berlin',
    currency: 'EUR',
    location: DEMO_LOCATIONS.berlin,
    // Late nights on Friday and Saturday run past midnight.
    opening_hours: [
      ...[1, 2, 3, 4, 7].map((weekday) => ({ weekday, opens_at: '08:00', closes_at: '22:30' })),
      { weekday: 5, opens_at: '08:00', closes_at: '01:00' },
      { weekday: 6, opens_at: '09:00', closes_at: '01:00' },
    ],
  });
  const brooklyn = await tenancy.api.createStore(trx, {
    organizationId: org.id,
    name: 'Demo Pizzeria Brooklyn',
    address: { line1: '100 Bedford Ave', city: 'Brooklyn', region: 'NY', postal_code: '11211', country: 'US' },
    phone: '+1 718 000 0000',
    timezone: 'America/New_York',
    currency: 'USD',
    location: DEMO_LOCATIONS.brooklyn,
    // A slice joint that never closes (the walkthrough orders here whatever the hour).
    opening_hours: everyDay('00:00', '00:00'),
  });

  const berlinTables: string[] = [];
  for (const label of ['T1', 'T2', 'T3']) {
    berlinTables.push(
      (await tenancy.api.addTable(trx, { organizationId: org.id, storeId: berlin.id, label, seats: 4 })).id,
    );
  }
  const brooklynTables: string[] = [];
  for (const label of ['1', '2']) {
    brooklynTables.push(
      (await tenancy.api.addTable(trx, { organizationId: org.id, storeId: brooklyn.id, label, seats: 2 })).id,
    );
  }

  await identity.api.grantRole(trx, { userId: staff.id, organizationId: org.id, storeId: berlin.id, role: 'staff' });
  const ids = await seedMenu(trx, modules, org.id, { berlin: berlin.id, brooklyn: brooklyn.id });
  await seedDemoPromotions(trx, modules, {
    organizationId: org.id,
    brooklynId: brooklyn.id,
    categories: { pizza: ids.categories.pizza!, drinks: ids.categories.drinks! },
    tiramisuId: ids.items.tiramisu!,
  });
  await seedDemoLoyalty(trx, modules, {
    organizationId: org.id,
    customerId: customer.id,
    colaId: ids.items.cola!,
  });

  // How each kitchen takes orders: Berlin is small (6 orders or 24 items per quarter hour);
  // Brooklyn adds an 18% service charge for dine-in parties of six items or more.
  const { ordering } = modules;
  await ordering.api.configureStore(trx, {
    organizationId: org.id,
    storeId: berlin.id,
    settings: { prep_minutes: 20, capacity: { orders: 6, items: 24 } },
  });
  await ordering.api.configureStore(trx, {
    organizationId: org.id,
    storeId: brooklyn.id,
    settings: {
      prep_minutes: 15,
      capacity: { orders: 10, items: 40 },
      service_charge_bps: 1800,
      service_charge_channels: ['dine_in'],
      service_charge_min_items: 6,
    },
  });

  await seedDemoDelivery(trx, modules, { berlin: berlin.id, brooklyn: brooklyn.id });
  await seedDemoReviews(trx, modules, {
    organizationId: org.id,
    password: DEMO_PASSWORD,
    owner,
    staff: { id: staff.id, storeId: berlin.id },
    stores: {
      berlin: { id: berlin.id, timezone: 'Europe/Berlin', currency: 'EUR', tableId: berlinTables[0]! },
      brooklyn: { id: brooklyn.id, timezone: 'America/New_York', currency: 'USD', tableId: brooklynTables[0]! },
    },
    ids,
  });
}

/** The demo catalog, both menus published at both stores, local taxes, a delivery price. */
async function seedMenu(
  trx: Tx,
  modules: Modules,
  organizationId: string,
  stores: { berlin: string; brooklyn: string },
): Promise<CatalogIds> {
  const { catalog } = modules;
  await catalog.api.importCatalog(trx, organizationId, demoCatalogDocument());
  const ids = await catalog.api.idsByRef(organizationId, trx);
  const menuIds = (refs: string[]) => refs.map((ref) => ids.menus[ref]!);
  const food = ids.tax_categories.food!;
  const drinks = ids.tax_categories.drinks!;
  await catalog.api.publishMenus(trx, {
    organizationId,
    storeId: stores.berlin,
    menuIds: menuIds(['all-day', 'breakfast']),
  });
  await catalog.api.publishMenus(trx, {
    organizationId,
    storeId: stores.brooklyn,
    menuIds: menuIds(['around-the-clock', 'breakfast']),
  });

  // Germany: prices include VAT (7% food to take away, 19% drinks). New York: 8.875% on top.
  await catalog.api.setStoreCatalogSettings(trx, {
    organizationId,
    storeId: stores.berlin,
    taxSettings: {
      prices_include_tax: DEMO_TAXES.berlin.prices_include_tax,
      rates: [
        { tax_category_id: food, rate_bps: DEMO_TAXES.berlin.food },
        { tax_category_id: drinks, rate_bps: DEMO_TAXES.berlin.drinks },
      ],
    },
    // Delivery platforms take a cut: the Margherita costs more delivered.
    priceOverrides: DEMO_DELIVERY_OVERRIDES.map((override) => ({
      item_id: null,
      variant_id: ids.variants[override.variantRef]!,
      option_id: null,
      channel: 'delivery' as const,
      price: override.price,
    })),
  });
  await catalog.api.setStoreCatalogSettings(trx, {
    organizationId,
    storeId: stores.brooklyn,
    taxSettings: {
      prices_include_tax: DEMO_TAXES.brooklyn.prices_include_tax,
      rates: [
        { tax_category_id: food, rate_bps: DEMO_TAXES.brooklyn.food },
        { tax_category_id: drinks, rate_bps: DEMO_TAXES.brooklyn.drinks },
      ],
    },
  });
  return ids;
}

type CatalogIds = Awaited<ReturnType<Modules['catalog']['api']['idsByRef']>>;

/** Seeds the demo data unless the demo organization exists. Returns whether it seeded. */
export async function seedDemoIfEmpty(db: Db, modules: Modules): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${SEED_LOCK})`.execute(trx);
    if (await modules.tenancy.api.findOrganizationBySlug(trx, DEMO_ORG_SLUG)) return false;
    // Demo accounts left behind without their organization are recreated with it.
    await modules.identity.api.deleteUsersByEmail(trx, DEMO_EMAILS);
    await seed(trx, modules);
    return true;
  });
}

export async function resetDemo(db: Db, modules: Modules): Promise<void> {
  await inTransaction(db, async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${SEED_LOCK})`.execute(trx);
    await modules.tenancy.api.deleteOrganizationBySlug(trx, DEMO_ORG_SLUG);
    await modules.identity.api.deleteUsersByEmail(trx, DEMO_EMAILS);
    await seed(trx, modules);
  });
}
