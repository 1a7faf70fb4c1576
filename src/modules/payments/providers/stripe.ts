// Stripe as a PaymentProvider: manual-capture PaymentIntents (authorize at placement, capture at
// completion), refunds, incremental authorization for tips, and signed webhooks. The official SDK
// speaks the wire format; Brigade's outbound policy owns timeouts, retries and the breaker, so the
// SDK's own retries are off and every call runs inside `outbound.call`.
import Stripe from 'stripe';
import { OutboundHttpError, type Outbound } from '../../../platform/resilience/outbound.js';
import {
  ProviderRejectedError,
  WebhookVerificationError,
  type CreateIntentInput,
  type PaymentProvider,
  type ProviderEvent,
  type ProviderIntent,
  type ProviderIntentStatus,
  type ProviderRefund,
} from '../provider.js';

const DESTINATION = 'payments:stripe';
// Pinned rather than left to the account default, so responses keep the shape the types describe;
// an SDK upgrade that moves the version fails to compile here and gets reviewed.
const API_VERSION = '2026-10-28.endive';
const WEBHOOK_TOLERANCE_SECONDS = 300;
// Every intent we return is read with its charge expanded: that is where refunds are counted.
const EXPAND_CHARGE = ['latest_charge'];

export interface StripeProviderOptions {
  secretKey: string;
  webhookSecret: string;
  /** e.g. https://api.stripe.com, or a local server in tests. */
  apiUrl: string;
  outbound: Outbound;
  /** The SDK's socket timeout. The outbound policy gives up sooner; this only bounds the abandoned request. */
  timeoutMs?: number;
}

const STATUS: Record<string, ProviderIntentStatus> = {
  requires_payment_method: 'requires_payment',
  requires_confirmation: 'requires_payment',
  requires_action: 'requires_payment',
  processing: 'processing',
  requires_capture: 'authorized',
  succeeded: 'captured',
  canceled: 'voided',
};

export function toProviderIntent(intent: Stripe.PaymentIntent): ProviderIntent {
  // A status this code does not know yet is treated as "the provider is deciding": nothing is
  // assumed about the money, and reconciliation reads it again later.
  const status = STATUS[intent.status] ?? 'processing';
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  const error = intent.last_payment_error;
  return {
    ref: intent.id,
    status,
    amount: intent.amount,
    currency: intent.currency,
    amountAuthorized:
      status === 'authorized' ? intent.amount_capturable : status === 'captured' ? intent.amount_received : 0,
    amountCaptured: intent.amount_received,
    amountRefunded: charge?.amount_refunded ?? 0,
    clientSecret: intent.client_secret,
    checkoutUrl: null,
    lastFailureCode: error?.decline_code ?? error?.code ?? null,
  };
}

export function toProviderRefund(refund: Stripe.Refund): ProviderRefund {
  const status =
    refund.status === 'succeeded'
      ? 'succeeded'
      : refund.status === 'failed' || refund.status === 'canceled'
        ? 'failed'
        : 'pending';
  return { ref: refund.id, refundId: refund.metadata?.refund_id ?? null, amount: refund.amount, status };
}

/**
 * A 4xx is Stripe answering "no" (declined, wrong state, bad amount, reused key): the dependency
 * is healthy, so it must not trip the breaker nor be retried. 409 (a concurrent request holds the
 * idempotency key or the object's lock) and 429 are "try again" and count as failures.
 */
function isRefusal(error: unknown): error is Stripe.errors.StripeError {
  if (!(error instanceof Stripe.errors.StripeError) || error.statusCode === undefined) return false;
  return error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 409 && error.statusCode !== 429;
}

function refusalCode(error: Stripe.errors.StripeError): string {
  if (error.statusCode === 401) return 'authentication_failed';
  return error.decline_code ?? error.code ?? error.rawType ?? 'stripe_error';
}

/** Answers with an HTTP status become OutboundHttpError so the backoff honours Stripe's Retry-After. */
function asOutage(error: unknown): unknown {
  if (!(error instanceof Stripe.errors.StripeError) || error.statusCode === undefined) return error;
  const retryAfter = Number(error.headers?.['retry-after']);
  const outage = new OutboundHttpError(
    error.statusCode,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
  outage.cause = error;
  return outage;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; refusal: Stripe.errors.StripeError };

function stripeClient(options: StripeProviderOptions): Stripe {
  const url = new URL(options.apiUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`Stripe API URL must be http(s): ${options.apiUrl}`);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return new Stripe(options.secretKey, {
    apiVersion: API_VERSION,
    host: url.hostname,
    port: url.port || (protocol === 'https' ? 443 : 80),
    protocol,
    maxNetworkRetries: 0, // cockatiel retries; two retry layers would multiply attempts
    timeout: options.timeoutMs ?? 10_000,
    typescript: true,
  });
}

export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  const stripe = stripeClient(options);
  const { outbound } = options;

  async function send<T>(work: () => Promise<T>): Promise<T> {
    // Every call is safe to repeat: reads trivially, writes because they carry an idempotency key.
    const outcome = await outbound.call<Outcome<T>>(
      DESTINATION,
      async () => {
        try {
          return { ok: true, value: await work() };
        } catch (error) {
          if (isRefusal(error)) return { ok: false, refusal: error };
          throw asOutage(error);
        }
      },
      { idempotent: true },
    );
    if (!outcome.ok) throw new ProviderRejectedError(refusalCode(outcome.refusal), outcome.refusal.message);
    return outcome.value;
  }

  const intent = async (work: () => Promise<Stripe.PaymentIntent>) => toProviderIntent(await send(work));

  async function fetchIntent(ref: string): Promise<ProviderIntent> {
    return intent(() => stripe.paymentIntents.retrieve(ref, { expand: EXPAND_CHARGE }));
  }

  return {
    name: 'stripe',

    available: () => outbound.available(DESTINATION),

    createIntent(input: CreateIntentInput, idempotencyKey: string) {
      return intent(() =>
        stripe.paymentIntents.create(
          {
            amount: input.amount,
            currency: input.currency.toLowerCase(),
            capture_method: 'manual',
            description: input.description,
            metadata: { payment_id: input.paymentId, order_id: input.orderId },
            payment_method_options: { card: { request_incremental_authorization: 'if_available' } },
            expand: EXPAND_CHARGE,
          },
          { idempotencyKey },
        ),
      );
    },

    capture(ref, amount, idempotencyKey) {
      return intent(() =>
        stripe.paymentIntents.capture(ref, { amount_to_capture: amount, expand: EXPAND_CHARGE }, { idempotencyKey }),
      );
    },

    async void(ref, idempotencyKey) {
      try {
        return await intent(() => stripe.paymentIntents.cancel(ref, { expand: EXPAND_CHARGE }, { idempotencyKey }));
      } catch (error) {
        // Stripe refuses to cancel twice; voiding is idempotent for Brigade, so answer the intent
        // as it is when it is already cancelled (and keep the refusal for any other state).
        if (!(error instanceof ProviderRejectedError) || error.code !== 'payment_intent_unexpected_state') throw error;
        const current = await fetchIntent(ref);
        if (current.status === 'voided') return current;
        throw error;
      }
    },

    incrementAuthorization(ref, newAmount, idempotencyKey) {
      return intent(() =>
        stripe.paymentIntents.incrementAuthorization(
          ref,
          { amount: newAmount, expand: EXPAND_CHARGE },
          { idempotencyKey },
        ),
      );
    },

    async refund(ref, input, idempotencyKey) {
      // Stripe only knows three reasons; Brigade's own words travel in metadata (500 chars max).
      const reason =
        input.reason === 'duplicate' || input.reason === 'fraudulent' ? input.reason : 'requested_by_customer';
      const refund = await send(() =>
        stripe.refunds.create(
          {
            payment_intent: ref,
            amount: input.amount,
            reason,
            metadata: { refund_id: input.refundId, reason: input.reason.slice(0, 500) },
          },
          { idempotencyKey },
        ),
      );
      return toProviderRefund(refund);
    },

    fetchIntent,

    async listRefunds(ref) {
      const refunds: ProviderRefund[] = [];
      let startingAfter: string | undefined;
      // Page by hand so each page is its own call under the policy (the SDK's auto-pagination
      // would run several requests inside one attempt's timeout).
      for (;;) {
        const page = await send(() =>
          stripe.refunds.list({
            payment_intent: ref,
            limit: 100,
            ...(startingAfter ? { starting_after: startingAfter } : {}),
          }),
        );
        refunds.push(...page.data.map(toProviderRefund));
        const last = page.data.at(-1);
        if (!page.has_more || !last) return refunds;
        startingAfter = last.id;
      }
    },

    verifyWebhook(rawBody, headers, now) {
      const header = headers['stripe-signature'];
      if (typeof header !== 'string' || header === '')
        throw new WebhookVerificationError('Missing Stripe-Signature header');
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(
          rawBody,
          header,
          options.webhookSecret,
          WEBHOOK_TOLERANCE_SECONDS,
          undefined,
          now.getTime(),
        );
      } catch (error) {
        throw new WebhookVerificationError(error instanceof Error ? error.message : 'Invalid Stripe signature');
      }
      // The SDK only rejects old timestamps; one far in the future is just as much outside the window.
      const signedAt = Number(/(?:^|,)\s*t=(\d+)/.exec(header)?.[1]);
      if (signedAt > Math.floor(now.getTime() / 1000) + WEBHOOK_TOLERANCE_SECONDS)
        throw new WebhookVerificationError('Timestamp outside the tolerance zone');
      return translateEvent(event);
    },
  };
}

export function translateEvent(event: Stripe.Event): ProviderEvent {
  const base = { id: event.id, occurredAt: new Date(event.created * 1000) };
  switch (event.type) {
    case 'payment_intent.amount_capturable_updated':
    case 'payment_intent.succeeded':
    case 'payment_intent.canceled':
    case 'payment_intent.payment_failed':
    case 'payment_intent.processing':
    case 'payment_intent.requires_action':
      return { ...base, kind: 'intent', intent: toProviderIntent(event.data.object) };
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed': {
      const refund = event.data.object;
      const intentRef = typeof refund.payment_intent === 'string' ? refund.payment_intent : refund.payment_intent?.id;
      // A refund of a bare charge (not one of our intents) is not Brigade's to process.
      if (!intentRef) return { ...base, kind: 'ignored', providerType: event.type };
      return { ...base, kind: 'refund', intentRef, refund: toProviderRefund(refund) };
    }
    default:
      return { ...base, kind: 'ignored', providerType: event.type };
  }
}
