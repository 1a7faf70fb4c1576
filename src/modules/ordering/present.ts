// Orders as the API shows them: money as {amount, currency}, instants as RFC 3339 UTC.
import type { PriceBreakdown, PricedLine } from './pricing.js';
import type { OrderReward } from './rewards-port.js';
import type { Order } from './schema.js';
import type { DeliveryTerms } from './delivery-port.js';
import type { HistoryRow, LineRow, OpenedOrderRow, OrderDiscount, OrderRow, StoredDeliveryTerms } from './tables.js';

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

export function presentLine(
  priced: PricedLine,
  currency: string,
  extra: { notes: string | null; parentOf: (groupId: string, optionId: string) => string | null },
) {
  const money = (amount: number) => ({ amount, currency });
  return {
    line_no: priced.line_no,
    item_id: priced.item_id,
    variant_id: priced.variant_id,
    name: priced.name,
    quantity: priced.quantity,
    notes: extra.notes,
    unit_price: money(priced.unit_price),
    modifiers: priced.modifiers.map((modifier) => ({
      option_id: modifier.option_id,
      group_id: modifier.group_id,
      parent_option_id: extra.parentOf(modifier.group_id, modifier.option_id),
      name: modifier.name,
      quantity: modifier.quantity,
      free_quantity: modifier.free_quantity,
      unit_price: money(modifier.unit_price),
      total: money(modifier.total),
    })),
    modifier_charges: money(priced.modifier_charges),
    gross: money(priced.gross),
    discount: money(priced.discount),
    tax_rate_bps: priced.tax_rate_bps,
    tax: money(priced.tax),
    total: money(priced.total),
  };
}

export function presentTotals(pricing: PriceBreakdown, currency: string): Order['totals'] {
  const money = (amount: number) => ({ amount, currency });
  return {
    subtotal: money(pricing.subtotal),
    modifier_charges: money(pricing.modifier_charges),
    discounts: money(pricing.discounts),
    tax: money(pricing.tax),
    service_charge: money(pricing.service_charge),
    delivery_fee: money(pricing.delivery_fee),
    tip: money(pricing.tip),
    total: money(pricing.total),
  };
}

/** The terms as the order row keeps them (instants as text). */
export const storedTerms = (terms: DeliveryTerms): StoredDeliveryTerms => ({
  zone_id: terms.zone_id,
  zone_version: terms.zone_version,
  fee: terms.fee,
  eta: terms.eta.toISOString(),
  quote_id: terms.quote_id,
  quote_expires_at: terms.quote_expires_at?.toISOString() ?? null,
  quote_status: terms.quote_status,
});

export function presentDeliveryTerms(terms: StoredDeliveryTerms | null, currency: string): Order['delivery_terms'] {
  if (terms === null) return null;
  const { zone_version: _version, fee, ...shown } = terms;
  return { ...shown, fee: { amount: fee, currency } };
}

export function presentDiscounts(discounts: OrderDiscount[], currency: string): Order['discounts'] {
  return discounts.map((d) => ({ ...d, amount: { amount: d.amount, currency } }));
}

export function presentReward(reward: OrderReward, currency: string): NonNullable<Order['reward']> {
  return { ...reward, amount: { amount: reward.amount, currency } };
}

export function presentOrder(row: OpenedOrderRow, lines: LineRow[]): Order {
  const byNo = new Map(lines.map((line) => [line.line_no, line]));
  return {
    id: row.id,
    number: row.number,
    store_id: row.store_id,
    channel: row.channel,
    status: row.status,
    version: row.version,
    customer_id: row.customer_id,
    source: row.source,
    external_id: row.external_id,
    table_id: row.table_id,
    delivery: row.delivery,
    delivery_terms: presentDeliveryTerms(row.delivery_terms ?? null, row.currency),
    scheduled_for: isoOrNull(row.scheduled_for),
    promised_at: iso(row.promised_at),
    slot_starts_at: isoOrNull(row.slot_starts_at),
    payment: { method: row.payment_method, status: row.payment_status },
    expires_at: isOrNullWhenSettled(row),
    currency: row.currency,
    prices_include_tax: row.pricing.prices_include_tax,
    lines: row.pricing.lines.map((priced) => {
      const stored = byNo.get(priced.line_no);
      const parents = new Map(
        (stored?.modifiers ?? []).map((modifier) => [
          `${modifier.group_id}:${modifier.option_id}`,
          modifier.parent_option_id,
        ]),
      );
      return presentLine(priced, row.currency, {
        notes: stored?.notes ?? null,
        parentOf: (group, option) => parents.get(`${group}:${option}`) ?? null,
      });
    }),
    totals: presentTotals(row.pricing, row.currency),
    discounts: presentDiscounts(row.discounts, row.currency),
    coupon_code: row.coupon_code,
    reward: row.reward === null ? null : presentReward(row.reward, row.currency),
    notes: row.notes,
    status_reason: row.status_reason,
    placed_at: iso(row.placed_at),
    updated_at: iso(row.updated_at),
  };
}

/** The expiry only matters while the order still waits for its payment. */
function isOrNullWhenSettled(row: OrderRow): string | null {
  return row.status === 'placed' && row.payment_status === 'awaiting' ? isoOrNull(row.expires_at) : null;
}

export function presentHistory(entries: HistoryRow[]) {
  return entries.map((entry) => ({
    type: entry.type,
    from_status: entry.from_status,
    status: entry.to_status,
    actor: entry.actor_kind,
    reason: entry.reason,
    at: iso(entry.occurred_at),
  }));
}

export const orderEtag = (row: { version: number }) => `"${row.version}"`;

/** If-Match against the order's version ("3", W/"3" or *). */
export function matchesVersion(ifMatch: string, version: number): boolean {
  if (ifMatch.trim() === '*') return true;
  return ifMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === `"${version}"`);
}
