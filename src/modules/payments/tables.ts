// The payments tables as Kysely sees them, and the rows the repos hand out. The repos (one per
// aggregate: settings, payment, refund, provider events, reconciliation) all read these shapes.
import type { ColumnType, Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';
import type { ProviderName } from './provider.js';

export type PaymentStatus =
  | 'pending'
  | 'requires_payment'
  | 'processing'
  | 'authorized'
  | 'capturing'
  | 'captured'
  | 'voiding'
  | 'voided'
  | 'failed';
export type OperationKind = 'authorization' | 'authorization_increase' | 'capture' | 'void' | 'refund';
export type RefundStatus = 'pending' | 'succeeded' | 'failed';
export type OnlineProvider = Exclude<ProviderName, 'cash'>;

type Json<T> = ColumnType<T, string, string>;

export interface RefundLine {
  line_no: number;
  quantity: number;
  amount: number;
}

type PaymentsTables = {
  store_payment_settings: {
    store_id: string;
    organization_id: string;
    provider: OnlineProvider | null;
    capture_on: 'acceptance' | 'completion';
    version: ColumnType<number, number | undefined, number>;
    updated_at: Date;
  };
  payment_provider_accounts: {
    organization_id: string;
    provider: 'stripe';
    sealed_credentials: Buffer;
    key_hint: string;
    created_at: Date;
    updated_at: Date;
  };
  payments: {
    id: string;
    organization_id: string;
    store_id: string;
    order_id: string;
    provider: ProviderName;
    provider_ref: string | null;
    status: PaymentStatus;
    currency: string;
    amount: number;
    amount_authorized: ColumnType<number, number | undefined, number>;
    amount_captured: ColumnType<number, number | undefined, number>;
    amount_refunded: ColumnType<number, number | undefined, number>;
    client_secret: string | null;
    checkout_url: string | null;
    last_failure_code: string | null;
    version: ColumnType<number, number | undefined, number>;
    created_at: Date;
    updated_at: Date;
  };
  payment_refunds: {
    id: string;
    payment_id: string;
    organization_id: string;
    store_id: string;
    order_id: string;
    amount: number;
    reason: string;
    lines: Json<RefundLine[]>;
    status: RefundStatus;
    provider_ref: string | null;
    failure_code: string | null;
    requested_by: string | null;
    created_at: Date;
    updated_at: Date;
  };
  payment_operations: {
    id: string;
    payment_id: string;
    kind: OperationKind;
    amount: number;
    step_key: string;
    provider_ref: string | null;
    occurred_at: Date;
  };
  payment_webhook_events: {
    provider: ProviderName;
    event_id: string;
    kind: string;
    payment_id: string | null;
    received_at: Date;
  };
};

export type Executor = Kysely<PlatformTables>;
/** The executor typed with the payments tables (a repo's first step in every query). */
export const paymentTables = (ex: Executor) => ex.withTables<PaymentsTables>();

export interface PaymentRow {
  id: string;
  organization_id: string;
  store_id: string;
  order_id: string;
  provider: ProviderName;
  provider_ref: string | null;
  status: PaymentStatus;
  currency: string;
  amount: number;
  amount_authorized: number;
  amount_captured: number;
  amount_refunded: number;
  client_secret: string | null;
  checkout_url: string | null;
  last_failure_code: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface RefundRow {
  id: string;
  payment_id: string;
  organization_id: string;
  store_id: string;
  order_id: string;
  amount: number;
  reason: string;
  lines: RefundLine[];
  status: RefundStatus;
  provider_ref: string | null;
  failure_code: string | null;
  requested_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface PaymentAuditRow {
  id: string;
  order_id: string;
  provider: ProviderName;
  status: PaymentStatus;
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  updated_at: Date;
  captures: number;
  captured_by_operations: number;
  refunded_by_operations: number;
  refunds_succeeded: number;
  refunds_pending: number;
}

export interface StorePaymentSettingsRow {
  store_id: string;
  organization_id: string;
  provider: OnlineProvider | null;
  capture_on: 'acceptance' | 'completion';
  version: number;
  updated_at: Date;
}

/** Fields a state change may set besides the status. */
export type PaymentChanges = Partial<
  Pick<
    PaymentRow,
    | 'provider_ref'
    | 'amount'
    | 'amount_authorized'
    | 'amount_captured'
    | 'client_secret'
    | 'checkout_url'
    | 'last_failure_code'
  >
>;
