// The processor's wire shapes (its public API, snake_case like Stripe's) and its error type.
// It is another company's API, so its errors are `{"error": {code, message}}`, not Brigade's
// problem documents.
import type { IntentRow, IntentStatus, RefundRow } from './processor-repo.js';

export interface IntentJson {
  id: string;
  object: 'intent';
  status: IntentStatus;
  amount: number;
  currency: string;
  amount_authorized: number;
  amount_captured: number;
  amount_refunded: number;
  client_secret: string;
  checkout_url: string;
  last_failure_code: string | null;
  reference: string;
  description: string | null;
  metadata: Record<string, string>;
  created_at: string;
  capture_count: number;
}

export interface RefundJson {
  id: string;
  object: 'refund';
  intent: string;
  amount: number;
  status: 'pending' | 'succeeded' | 'failed';
  reason: string;
  reference: string;
  created_at: string;
}

export interface EventJson {
  id: string;
  type: string;
  created_at: string;
  data: { intent: IntentJson } | { refund: RefundJson; intent: IntentJson };
}

export type ErrorCode =
  | 'unauthorized'
  | 'not_found'
  | 'invalid_state'
  | 'invalid_request'
  | 'amount_too_large'
  | 'invalid_card'
  | 'idempotency_key_required'
  | 'idempotency_key_reused'
  | 'processing_error'
  | 'outage';

export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }

  toJSON() {
    return { error: { code: this.code, message: this.message } };
  }
}

export function presentIntent(row: IntentRow, publicUrl: string): IntentJson {
  return {
    id: row.id,
    object: 'intent',
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    amount_authorized: row.amount_authorized,
    amount_captured: row.amount_captured,
    amount_refunded: row.amount_refunded,
    client_secret: row.client_secret,
    checkout_url: `${publicUrl}/sandbox/checkout/${row.id}`,
    last_failure_code: row.last_failure_code,
    reference: row.reference,
    description: row.description,
    metadata: row.metadata,
    created_at: row.created_at.toISOString(),
    capture_count: row.capture_count,
  };
}

export function presentRefund(row: RefundRow): RefundJson {
  return {
    id: row.id,
    object: 'refund',
    intent: row.intent_id,
    amount: row.amount,
    status: row.status,
    reason: row.reason,
    reference: row.reference,
    created_at: row.created_at.toISOString(),
  };
}
