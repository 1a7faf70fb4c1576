// Which module owns each table. Another module reaches a table only through its owner's index.ts;
// the `brigade/boundaries` rule reports SQL and Kysely calls that name a table owned elsewhere.
// Every table a migration creates must be listed here: the config refuses to load otherwise, so
// a new table cannot slip in without an owner.
import fs from 'node:fs';
import path from 'node:path';

export const TABLE_OWNERS = {
  platform: [
    'idempotency_keys',
    'outbox',
    'processed_events',
    'audit_log',
    'pii_data_keys',
    'outgoing_messages',
    'outgoing_message_attempts',
  ],
  delivery: ['delivery_zones', 'delivery_quotes'],
  tenancy: ['organizations', 'stores', 'store_opening_hours', 'store_hours_exceptions', 'dining_tables'],
  identity: [
    'users',
    'memberships',
    'refresh_token_families',
    'refresh_tokens',
    'staff_invitations',
    'api_keys',
    'organization_customers',
    'account_tokens',
  ],
  catalog: [
    'catalog_versions',
    'tax_categories',
    'categories',
    'items',
    'item_variants',
    'modifier_groups',
    'modifier_options',
    'item_modifier_groups',
    'menus',
    'menu_availability',
    'menu_categories',
    'store_menus',
    'store_tax_settings',
    'store_tax_rates',
    'price_overrides',
    'eighty_sixes',
  ],
  inventory: ['stock_levels', 'stock_moves'],
  ordering: [
    'store_ordering_settings',
    'kitchen_slots',
    'store_order_counters',
    'orders',
    'order_lines',
    'order_events',
    'kitchen_feed_presence',
  ],
  payments: [
    'store_payment_settings',
    'payment_provider_accounts',
    'payments',
    'payment_refunds',
    'payment_operations',
    'payment_webhook_events',
    'sandbox_intents',
    'sandbox_refunds',
    'sandbox_idempotency_keys',
    'sandbox_events',
    'sandbox_deliveries',
  ],
  marketing: ['promotions', 'promotion_codes', 'promotion_customer_uses', 'flash_sale_pools', 'promotion_redemptions'],
  loyalty: [
    'loyalty_programs',
    'loyalty_rewards',
    'loyalty_members',
    'loyalty_entries',
    'loyalty_lots',
    'loyalty_allocations',
    'loyalty_reward_holds',
    'loyalty_tier_changes',
  ],
  reviews: ['reviews', 'review_revisions', 'review_replies', 'review_votes', 'review_reports', 'review_rating_tallies'],
  webhooks: ['webhook_endpoints', 'webhook_messages', 'webhook_attempts'],
  notifications: ['notification_templates', 'notification_preferences'],
};

/** table name → owning module ('platform' for machinery tables). */
export function tableOwners(migrationsDir) {
  const owners = new Map();
  for (const [owner, tables] of Object.entries(TABLE_OWNERS)) for (const table of tables) owners.set(table, owner);
  const unowned = [];
  for (const file of fs.readdirSync(migrationsDir).filter((name) => name.endsWith('.sql'))) {
    const text = fs.readFileSync(path.join(migrationsDir, file), 'utf8');
    for (const match of text.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_][a-z0-9_]*)/gi)) {
      if (!owners.has(match[1])) unowned.push(`${match[1]} (${file})`);
    }
  }
  if (unowned.length > 0) {
    throw new Error(`eslint/table-owners.js: give these tables an owner: ${unowned.join(', ')}`);
  }
  return owners;
}
