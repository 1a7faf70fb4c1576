// The payments repository as the module's services take it: SQL for the payments tables only,
// one file per aggregate, joined here so a service names `repo` once whatever tables it touches.
//   settings-repo.ts         a store's payment settings, an organization's provider credentials
//   payment-repo.ts          payment rows and their conditional state changes
//   refund-repo.ts           refund rows and the hold a refund takes on what was captured
//   provider-events-repo.ts  confirmed money movements and webhook events, each recorded once
//   reconciliation-repo.ts   what waits on a provider too long, and the books per order
//   tables.ts                the tables' and rows' shapes
import { paymentRepo } from './payment-repo.js';
import { providerEventsRepo } from './provider-events-repo.js';
import { reconciliationRepo } from './reconciliation-repo.js';
import { refundRepo } from './refund-repo.js';
import { paymentSettingsRepo } from './settings-repo.js';

export type {
  Executor,
  OnlineProvider,
  OperationKind,
  PaymentAuditRow,
  PaymentChanges,
  PaymentRow,
  PaymentStatus,
  RefundLine,
  RefundRow,
  RefundStatus,
  StorePaymentSettingsRow,
} from './tables.js';

export const paymentsRepo = {
  ...paymentSettingsRepo,
  ...paymentRepo,
  ...refundRepo,
  ...providerEventsRepo,
  ...reconciliationRepo,
};
