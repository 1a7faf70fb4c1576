// Every template Brigade sends, the languages it speaks, and what each template is rendered
// with. Guest templates may be reworded by an organization; account mails (identity's) and staff
// notices (notifications' own and webhooks') use the built-in wording only.

export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export const isLocale = (value: string | null | undefined): value is Locale =>
  value != null && (LOCALES as readonly string[]).includes(value);

/** The guest notifications about an order, one per moment worth telling. */
export const GUEST_TEMPLATES = [
  'notifications.order_confirmed',
  'notifications.order_ready',
  'notifications.order_out_for_delivery',
  'notifications.order_delivered',
  'notifications.order_cancelled',
  'notifications.order_rejected',
  'notifications.review_request',
] as const;
export type GuestTemplate = (typeof GUEST_TEMPLATES)[number];

/** Identity's account mails (identity/account-tokens.ts, sign-up.ts). */
export const ACCOUNT_TEMPLATES = [
  'identity.email_verification',
  'identity.password_reset',
  'identity.password_changed',
  'identity.sign_up_attempted',
] as const;
export type AccountTemplate = (typeof ACCOUNT_TEMPLATES)[number];

/** Messages to a brand's staff (staff-notices.ts, webhooks/index.ts). */
export const STAFF_TEMPLATES = [
  'notifications.staff_new_order',
  'notifications.staff_low_stock',
  'webhooks.endpoint_disabled',
] as const;
export type StaffTemplate = (typeof STAFF_TEMPLATES)[number];

export type TemplateName = GuestTemplate | AccountTemplate | StaffTemplate;

export const isGuestTemplate = (name: string): name is GuestTemplate =>
  (GUEST_TEMPLATES as readonly string[]).includes(name);

/** The parts of a template: email uses subject, text and html; SMS its own short text. */
export interface TemplateParts {
  subject: string;
  text: string;
  html: string;
  sms: string;
}
export const PARTS = ['subject', 'text', 'html', 'sms'] as const;
export type Part = (typeof PARTS)[number];

const money = (amount: number) => ({ amount, currency: 'EUR' });

/** What a guest template is rendered with: the order's facts at the moment of the event (previews use this sample). */
export const SAMPLE_ORDER_DATA = {
  customer_name: 'Alex Example',
  order_number: 'A-1042',
  store_name: 'Brigade Pizzeria',
  channel: 'pickup',
  pickup: true,
  delivery: false,
  lines: [
    { name: 'Margherita', quantity: 2, total: money(1800) },
    { name: 'Lemonade', quantity: 1, total: money(350) },
  ],
  total: money(2150),
  reason: null,
  refund: null,
  hold_released: false,
} as const;

/** Sample data of a cancelled paid order (a refund follows). */
export const SAMPLE_DATA: Record<TemplateName, Record<string, unknown>> = {
  'notifications.order_confirmed': SAMPLE_ORDER_DATA,
  'notifications.order_ready': SAMPLE_ORDER_DATA,
  'notifications.order_out_for_delivery': { ...SAMPLE_ORDER_DATA, channel: 'delivery', pickup: false, delivery: true },
  'notifications.order_delivered': { ...SAMPLE_ORDER_DATA, channel: 'delivery', pickup: false, delivery: true },
  'notifications.order_cancelled': { ...SAMPLE_ORDER_DATA, reason: 'Out of dough', refund: { amount: money(2150) } },
  'notifications.order_rejected': { ...SAMPLE_ORDER_DATA, reason: 'Kitchen closing', refund: { amount: money(2150) } },
  'notifications.review_request': {
    customer_name: 'Alex Example',
    order_number: 'A-1042',
    order_id: '01936f6e-0000-7000-8000-000000000003',
    store_name: 'Brigade Pizzeria',
    review_until: '2026-12-21',
  },
  'identity.email_verification': { name: 'Alex Example', token: 'sample-token', expires_at: '2026-11-22T12:00:00Z' },
  'identity.password_reset': { name: 'Alex Example', token: 'sample-token', expires_at: '2026-11-21T12:30:00Z' },
  'identity.password_changed': { name: 'Alex Example', changed_at: '2026-11-21T12:00:00Z' },
  'identity.sign_up_attempted': { name: 'Alex Example', attempted_at: '2026-11-21T12:00:00Z' },
  'notifications.staff_new_order': {
    name: 'Sam Staff',
    order_number: 'A-1042',
    order_id: '01936f6e-0000-7000-8000-000000000001',
    store_name: 'Brigade Pizzeria',
    channel: 'pickup',
    pickup: true,
    delivery: false,
    dine_in: false,
    lines: [
      { name: 'Margherita', quantity: 2 },
      { name: 'Lemonade', quantity: 1 },
    ],
    total: money(2150),
  },
  'notifications.staff_low_stock': {
    name: 'Sam Staff',
    item_name: 'Margherita',
    item_id: '01936f6e-0000-7000-8000-000000000002',
    quantity: 4,
    low_stock_at: 5,
    store_name: 'Brigade Pizzeria',
  },
  'webhooks.endpoint_disabled': {
    name: 'Alex Example',
    endpoint_id: '01936f6e-0000-7000-8000-000000000000',
    url: 'https://pos.example.com/hooks',
    reason: 'every delivery failed for 5 days',
  },
};
