// Brigade's adapter for the sandbox processor: PaymentProvider over its HTTP API. Every call
// goes through the platform's outbound policies as idempotent (money-moving calls carry an
// Idempotency-Key, the rest are reads), so a timeout is retried without risk. A 4xx is the
// processor saying no: it is returned from the attempt, not thrown, so it never counts against
// the breaker.
import { DependencyUnavailableError, type Outbound } from '../../../platform/resilience/outbound.js';
import {
  ProviderRejectedError,
  WebhookVerificationError,
  type PaymentProvider,
  type ProviderEvent,
  type ProviderIntent,
  type ProviderIntentStatus,
  type ProviderRefund,
} from '../provider.js';
import { verifyWebhookSignature } from '../sandbox/signature.js';

export interface SandboxProviderOptions {
  /** Base URL of the processor (its routes live under /sandbox/). */
  url: string;
  secretKey: string;
  webhookSecret: string;
  outbound: Outbound;
}

const DESTINATION = 'payments:sandbox';
const STATUSES: readonly ProviderIntentStatus[] = [
  'requires_payment',
  'processing',
  'authorized',
  'captured',
  'voided',
];
const REFUND_STATUSES: readonly ProviderRefund['status'][] = ['pending', 'succeeded', 'failed'];

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The processor broke its own contract: nothing Brigade can act on, so treat it like a failing dependency. */
class MalformedAnswer extends Error {}

function field<T>(object: Json, name: string, check: (value: unknown) => value is T): T {
  const value = object[name];
  if (!check(value)) throw new MalformedAnswer(`sandbox answered an unexpected "${name}"`);
  return value;
}
const isString = (value: unknown): value is string => typeof value === 'string';
const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);
const isNullableString = (value: unknown): value is string | null => value === null || typeof value === 'string';

function toIntent(json: unknown): ProviderIntent {
  if (!isObject(json) || json.object !== 'intent')
    throw new MalformedAnswer('sandbox answered something other than an intent');
  return {
    ref: field(json, 'id', isString),
    status: field(json, 'status', (value): value is ProviderIntentStatus =>
      STATUSES.includes(value as ProviderIntentStatus),
    ),
    amount: field(json, 'amount', isInteger),
    currency: field(json, 'currency', isString),
    amountAuthorized: field(json, 'amount_authorized', isInteger),
    amountCaptured: field(json, 'amount_captured', isInteger),
    amountRefunded: field(json, 'amount_refunded', isInteger),
    clientSecret: field(json, 'client_secret', isString),
    checkoutUrl: field(json, 'checkout_url', isString),
    lastFailureCode: field(json, 'last_failure_code', isNullableString),
  };
}

function toRefund(json: unknown): ProviderRefund {
  if (!isObject(json) || json.object !== 'refund')
    throw new MalformedAnswer('sandbox answered something other than a refund');
  return {
    ref: field(json, 'id', isString),
    refundId: field(json, 'reference', isNullableString),
    amount: field(json, 'amount', isInteger),
    status: field(json, 'status', (value): value is ProviderRefund['status'] =>
      REFUND_STATUSES.includes(value as ProviderRefund['status']),
    ),
  };
}

export function createSandboxProvider(options: SandboxProviderOptions): PaymentProvider {
  const base = `${options.url.replace(/\/+$/, '')}/sandbox/v1`;
  const intentPath = (ref: string) => `/intents/${encodeURIComponent(ref)}`;

  function headersFor(idempotencyKey: string | undefined, hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.secretKey}`,
      accept: 'application/json',
    };
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    if (hasBody) headers['content-type'] = 'application/json';
    return headers;
  }

  /**
   * One call through the outbound policies (which forward the request id and trace context, and
   * count only 5xx/429 against the breaker); resolves with the 2xx body, throws
   * ProviderRejectedError on a 4xx.
   */
  async function call<T>(
    path: string,
    init: { method: 'GET' | 'POST'; body?: Json; idempotencyKey?: string },
    map: (json: unknown) => T,
  ): Promise<T> {
    const response = await options.outbound.request(DESTINATION, base + path, {
      method: init.method,
      headers: headersFor(init.idempotencyKey, init.body !== undefined),
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      idempotent: true,
    });
    const answer = { status: response.status, ok: response.ok, json: parseJson(await response.text()) };
    try {
      if (answer.ok) return map(answer.json);
      const error = isObject(answer.json) && isObject(answer.json.error) ? answer.json.error : {};
      const code = typeof error.code === 'string' ? error.code : `http_${answer.status}`;
      throw new ProviderRejectedError(
        code,
        typeof error.message === 'string' ? error.message : `The sandbox refused the request (${answer.status}).`,
      );
    } catch (error) {
      if (error instanceof MalformedAnswer)
        throw new DependencyUnavailableError('DEPENDENCY_FAILED', DESTINATION, error);
      throw error;
    }
  }

  return {
    name: 'sandbox',

    // False while the circuit is open and its half-open pause has not passed (then one trial may go).
    available: () => options.outbound.available(DESTINATION),

    createIntent(input, idempotencyKey) {
      const body = {
        amount: input.amount,
        currency: input.currency,
        reference: input.paymentId,
        description: input.description,
        metadata: { payment_id: input.paymentId, order_id: input.orderId },
      };
      return call('/intents', { method: 'POST', body, idempotencyKey }, toIntent);
    },

    capture(ref, amount, idempotencyKey) {
      return call(`${intentPath(ref)}/capture`, { method: 'POST', body: { amount }, idempotencyKey }, toIntent);
    },

    void(ref, idempotencyKey) {
      return call(`${intentPath(ref)}/void`, { method: 'POST', body: {}, idempotencyKey }, toIntent);
    },

    incrementAuthorization(ref, newAmount, idempotencyKey) {
      return call(
        `${intentPath(ref)}/increment_authorization`,
        { method: 'POST', body: { amount: newAmount }, idempotencyKey },
        toIntent,
      );
    },

    refund(ref, input, idempotencyKey) {
      const body = { amount: input.amount, reason: input.reason, reference: input.refundId };
      return call(`${intentPath(ref)}/refunds`, { method: 'POST', body, idempotencyKey }, toRefund);
    },

    fetchIntent(ref) {
      return call(intentPath(ref), { method: 'GET' }, toIntent);
    },

    listRefunds(ref) {
      return call(`${intentPath(ref)}/refunds`, { method: 'GET' }, (json) => {
        if (!isObject(json) || !Array.isArray(json.data))
          throw new MalformedAnswer('sandbox answered an unexpected refund list');
        return json.data.map(toRefund);
      });
    },

    verifyWebhook(rawBody, headers, now): ProviderEvent {
      // The signature first, on the exact bytes: nothing unverified is parsed.
      verifyWebhookSignature(options.webhookSecret, rawBody, headers, now);
      let event: unknown;
      try {
        event = JSON.parse(rawBody.toString('utf8'));
      } catch {
        throw new WebhookVerificationError('The webhook body is not JSON.');
      }
      try {
        if (!isObject(event) || !isObject(event.data)) throw new MalformedAnswer('no data');
        const id = field(event, 'id', isString);
        const type = field(event, 'type', isString);
        const occurredAt = new Date(field(event, 'created_at', isString));
        if (Number.isNaN(occurredAt.getTime())) throw new MalformedAnswer('bad created_at');
        if (type.startsWith('intent.')) return { id, occurredAt, kind: 'intent', intent: toIntent(event.data.intent) };
        if (type === 'refund.succeeded') {
          const intent = toIntent(event.data.intent);
          return { id, occurredAt, kind: 'refund', intentRef: intent.ref, refund: toRefund(event.data.refund) };
        }
        return { id, occurredAt, kind: 'ignored', providerType: type };
      } catch (error) {
        if (error instanceof MalformedAnswer)
          throw new WebhookVerificationError(`The webhook body is not a sandbox event: ${error.message}.`);
        throw error;
      }
    },
  };
}
