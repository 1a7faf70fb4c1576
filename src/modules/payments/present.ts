// Rows to API shapes. Money always travels with its currency; the checkout (the customer's
// means to pay) only goes to the customer, and only while the payment waits for them.
import type { Payment, Refund } from './schema.js';
import { checkoutOf } from './checkout.js';
import type { PaymentRow, RefundRow } from './repo.js';

const money = (amount: number, currency: string) => ({ amount, currency });

export function presentPayment(row: PaymentRow, options: { forPayer: boolean }): Payment {
  const waiting = row.status === 'requires_payment' || row.status === 'processing';
  return {
    id: row.id,
    order_id: row.order_id,
    store_id: row.store_id,
    provider: row.provider,
    status: row.status,
    amount: money(row.amount, row.currency),
    amount_authorized: money(row.amount_authorized, row.currency),
    amount_captured: money(row.amount_captured, row.currency),
    amount_refunded: money(row.amount_refunded, row.currency),
    last_failure_code: row.last_failure_code,
    checkout: options.forPayer && waiting ? checkoutOf(row) : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function presentRefund(row: RefundRow, currency: string): Refund {
  return {
    id: row.id,
    payment_id: row.payment_id,
    order_id: row.order_id,
    amount: money(row.amount, currency),
    reason: row.reason,
    lines: row.lines.map((line) => ({
      line_no: line.line_no,
      quantity: line.quantity,
      amount: money(line.amount, currency),
    })),
    status: row.status,
    failure_code: row.failure_code,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
