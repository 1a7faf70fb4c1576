// A local HTTP server speaking the documented subset of Stripe's API that Brigade uses:
// PaymentIntents with manual capture, incremental authorization, refunds, Idempotency-Key
// semantics and signed webhooks. Tests drive the real SDK against it, since this machine cannot
// reach Stripe; where it answers, it answers with Stripe's documented shapes, statuses and codes.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Form = { [key: string]: FormValue };
type FormValue = string | FormValue[] | Form;
type Json = Record<string, unknown>;

export interface FakeStripeRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  /** The body (POST) or query (GET), bracket notation decoded into objects and arrays. */
  form: Form;
}

export interface FakeStripe {
  url: string;
  close(): Promise<void>;
  requests: FakeStripeRequest[];
  /** The customer's confirm: funds held (requires_capture), or declined back to requires_payment_method. */
  authorize(intentId: string, outcome?: 'success' | 'decline'): void;
  /** The issuer declines any further increment of this intent's authorization (402 card_error). */
  declineIncrements(intentId: string, declineCode?: string): void;
  /** The next `n` API calls answer `status` (an outage in front of the API: nothing is executed or stored). */
  failNext(n: number, status?: number): void;
  /** The current object (payment_intent, charge or refund) as an event would carry it. */
  snapshot(id: string): Json;
  /**
   * A webhook as Stripe sends it; `at` and `secret` default to now and the configured secret.
   * `id` reuses an event's id: Stripe delivers one event, under one id, to every endpoint that
   * listens for it, each delivery signed with that endpoint's own secret.
   */
  signedEvent(
    type: string,
    object: Json,
    options?: { at?: Date; secret?: string; id?: string },
  ): { body: string; headers: Record<string, string> };
}

class StripeFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message));
  }
}

const fail = (status: number, type: string, message: string, extra: Json = {}) =>
  new StripeFailure(status, { type, message, ...extra });
const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

/** `a[b][c]=v`, `a[]=v` and `a[0]=v` into nested objects and arrays, as Stripe reads them. */
export function parseForm(params: URLSearchParams): Form {
  const root: Form = {};
  for (const [key, value] of params) {
    const segments = [key.replace(/\[.*$/, ''), ...[...key.matchAll(/\[([^\]]*)\]/g)].map((match) => match[1] ?? '')];
    let node: Form = root;
    segments.forEach((segment, index) => {
      const name = segment === '' ? String(Object.keys(node).length) : segment;
      if (index === segments.length - 1) node[name] = value;
      else node = (node[name] ??= {}) as Form;
    });
  }
  return arrays(root) as Form;
}

function arrays(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((key) => [key, arrays(value[key] as FormValue)] as const);
  if (keys.length > 0 && keys.every((key) => /^\d+$/.test(key)))
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, item]) => item);
  return Object.fromEntries(entries);
}

/** Key-order-independent, for "same parameters" under one idempotency key. */
function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(value[key] as FormValue)}`)
    .join(',')}}`;
}

function integer(form: Form, name: string, fallback?: number): number {
  const raw = form[name];
  if (raw === undefined && fallback !== undefined) return fallback;
  if (raw === undefined)
    throw fail(400, 'invalid_request_error', `Missing required param: ${name}.`, {
      code: 'parameter_missing',
      param: name,
    });
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 1)
    throw fail(400, 'invalid_request_error', `Invalid integer: ${String(raw)}`, {
      code: 'parameter_invalid_integer',
      param: name,
    });
  return value;
}

const strings = (value: FormValue | undefined): Record<string, string> =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(
        Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      )
    : {};

export async function startFakeStripe(options: { secretKey: string; webhookSecret: string }): Promise<FakeStripe> {
  const intents = new Map<string, Json>();
  const charges = new Map<string, Json>();
  const refunds = new Map<string, Json>();
  const declinedIncrements = new Map<string, string>();
  const idempotent = new Map<string, { fingerprint: string; status: number; body: Json }>();
  const requests: FakeStripeRequest[] = [];
  let failures = { left: 0, status: 500 };

  const intentOf = (intentId: string): Json => {
    const found = intents.get(intentId);
    if (!found)
      throw fail(404, 'invalid_request_error', `No such payment_intent: '${intentId}'`, {
        code: 'resource_missing',
        param: 'intent',
      });
    return found;
  };
  const chargeOf = (intent: Json): Json | undefined => charges.get(String(intent.latest_charge));
  const unexpectedState = (intent: Json, action: string, allowed: string[]) =>
    fail(
      400,
      'invalid_request_error',
      `You cannot ${action} this PaymentIntent because it has a status of ${String(intent.status)}. Only a PaymentIntent with one of the following statuses may be ${action}ed: ${allowed.join(', ')}.`,
      {
        code: 'payment_intent_unexpected_state',
        payment_intent: { ...intent },
      },
    );
  const expanded = (intent: Json, form: Form): Json => {
    const expand = Array.isArray(form.expand) ? form.expand : [];
    const charge = chargeOf(intent);
    return expand.includes('latest_charge') && charge ? { ...intent, latest_charge: { ...charge } } : { ...intent };
  };

  function createIntent(form: Form): Json {
    const amount = integer(form, 'amount');
    if (typeof form.currency !== 'string')
      throw fail(400, 'invalid_request_error', 'Missing required param: currency.', {
        code: 'parameter_missing',
        param: 'currency',
      });
    const intentId = id('pi');
    const card = strings((form.payment_method_options as Form | undefined)?.card);
    const intent: Json = {
      id: intentId,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency: form.currency,
      status: 'requires_payment_method',
      capture_method: typeof form.capture_method === 'string' ? form.capture_method : 'automatic_async',
      client_secret: `${intentId}_secret_${randomBytes(12).toString('hex')}`,
      description: typeof form.description === 'string' ? form.description : null,
      metadata: strings(form.metadata),
      latest_charge: null,
      last_payment_error: null,
      payment_method_options: {
        card: { request_incremental_authorization: card.request_incremental_authorization ?? 'never' },
      },
      canceled_at: null,
      cancellation_reason: null,
      created: now(),
      livemode: false,
    };
    intents.set(intentId, intent);
    return intent;
  }

  function capture(intent: Json, form: Form): Json {
    if (intent.status !== 'requires_capture') throw unexpectedState(intent, 'capture', ['requires_capture']);
    const capturable = intent.amount_capturable as number;
    const amount = integer(form, 'amount_to_capture', capturable);
    if (amount > capturable)
      throw fail(
        400,
        'invalid_request_error',
        `The amount_to_capture (${amount}) is greater than the amount_capturable (${capturable}).`,
        { code: 'amount_too_large', param: 'amount_to_capture' },
      );
    Object.assign(intent, { status: 'succeeded', amount_capturable: 0, amount_received: amount });
    Object.assign(chargeOf(intent) ?? {}, { captured: true, amount_captured: amount });
    return intent;
  }

  function cancel(intent: Json): Json {
    const allowed = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action'];
    if (!allowed.includes(String(intent.status))) throw unexpectedState(intent, 'cancel', allowed);
    return Object.assign(intent, {
      status: 'canceled',
      amount_capturable: 0,
      canceled_at: now(),
      cancellation_reason: 'requested_by_customer',
    });
  }

  function increment(intent: Json, form: Form): Json {
    if (intent.status !== 'requires_capture') throw unexpectedState(intent, 'increment', ['requires_capture']);
    const options = intent.payment_method_options as { card: { request_incremental_authorization: string } };
    if (options.card.request_incremental_authorization !== 'if_available') {
      throw fail(
        400,
        'invalid_request_error',
        'This PaymentIntent was not created with incremental authorization requested.',
        { code: 'incremental_authorization_not_available' },
      );
    }
    const amount = integer(form, 'amount');
    if (amount <= (intent.amount as number))
      throw fail(400, 'invalid_request_error', 'The new amount must be greater than the current authorized amount.', {
        param: 'amount',
      });
    const declined = declinedIncrements.get(String(intent.id));
    if (declined)
      throw fail(402, 'card_error', 'Your card was declined.', {
        code: 'card_declined',
        decline_code: declined,
        payment_intent: { ...intent },
      });
    Object.assign(intent, { amount, amount_capturable: amount });
    Object.assign(chargeOf(intent) ?? {}, { amount });
    return intent;
  }

  function refund(form: Form): Json {
    if (typeof form.payment_intent !== 'string')
      throw fail(
        400,
        'invalid_request_error',
        'One of the following params should be provided for this request: payment_intent or charge.',
        { code: 'parameter_missing' },
      );
    const intent = intentOf(form.payment_intent);
    const charge = chargeOf(intent);
    if (intent.status !== 'succeeded' || !charge)
      throw fail(
        400,
        'invalid_request_error',
        `PaymentIntent ${String(intent.id)} does not have a successful charge to refund.`,
        { code: 'payment_intent_unexpected_state' },
      );
    const remaining = (intent.amount_received as number) - (charge.amount_refunded as number);
    if (remaining === 0)
      throw fail(400, 'invalid_request_error', `Charge ${String(charge.id)} has already been refunded.`, {
        code: 'charge_already_refunded',
      });
    const amount = integer(form, 'amount', remaining);
    if (amount > remaining)
      throw fail(
        400,
        'invalid_request_error',
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining}).`,
        { code: 'amount_too_large', param: 'amount' },
      );
    charge.amount_refunded = (charge.amount_refunded as number) + amount;
    charge.refunded = charge.amount_refunded === intent.amount_received;
    const created: Json = {
      id: id('re'),
      object: 'refund',
      amount,
      charge: charge.id,
      currency: intent.currency,
      payment_intent: intent.id,
      reason: typeof form.reason === 'string' ? form.reason : null,
      status: 'succeeded',
      metadata: strings(form.metadata),
      created: now(),
    };
    refunds.set(String(created.id), created);
    return created;
  }

  function listRefunds(form: Form, path: string): Json {
    const all = [...refunds.values()]
      .filter((item) => form.payment_intent === undefined || item.payment_intent === form.payment_intent)
      .reverse(); // newest first
    const after =
      typeof form.starting_after === 'string' ? all.findIndex((item) => item.id === form.starting_after) + 1 : 0;
    const limit = typeof form.limit === 'string' ? Math.min(100, Number(form.limit)) : 10;
    const data = all.slice(after, after + limit);
    return { object: 'list', data, has_more: after + limit < all.length, url: path };
  }

  function route(method: string, path: string, form: Form): Json {
    const intentPath = /^\/v1\/payment_intents\/([^/]+)(?:\/(capture|cancel|increment_authorization))?$/.exec(path);
    if (method === 'POST' && path === '/v1/payment_intents') return expanded(createIntent(form), form);
    if (intentPath) {
      const intent = intentOf(intentPath[1] ?? '');
      const action = intentPath[2];
      if (method === 'GET' && !action) return expanded(intent, form);
      if (method === 'POST' && action === 'capture') return expanded(capture(intent, form), form);
      if (method === 'POST' && action === 'cancel') return expanded(cancel(intent), form);
      if (method === 'POST' && action === 'increment_authorization') return expanded(increment(intent, form), form);
    }
    if (method === 'POST' && path === '/v1/refunds') return refund(form);
    if (method === 'GET' && path === '/v1/refunds') return listRefunds(form, path);
    throw fail(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
  }

  /** Idempotency as Stripe documents it: results of executed requests (errors too) are stored and replayed. */
  function execute(request: FakeStripeRequest): { status: number; body: Json; replayed: boolean } {
    const run = () => {
      try {
        return { status: 200, body: route(request.method, request.path, request.form) };
      } catch (error) {
        if (error instanceof StripeFailure) return { status: error.status, body: { error: error.body } };
        throw error;
      }
    };
    if (request.method !== 'POST' || !request.idempotencyKey) return { ...run(), replayed: false };
    const fingerprint = `${request.method} ${request.path} ${canonical(request.form)}`;
    const stored = idempotent.get(request.idempotencyKey);
    if (stored && stored.fingerprint === fingerprint)
      return { status: stored.status, body: stored.body, replayed: true };
    if (stored) {
      const message = `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${request.idempotencyKey}' if you meant to execute a different request.`;
      return { status: 400, body: { error: { type: 'idempotency_error', message } }, replayed: false };
    }
    const result = run();
    idempotent.set(request.idempotencyKey, { fingerprint, ...result });
    return { ...result, replayed: false };
  }

  const server = http.createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://fake-stripe');
      const method = incoming.method ?? 'GET';
      const key = incoming.headers['idempotency-key'];
      const request: FakeStripeRequest = {
        method,
        path: url.pathname,
        idempotencyKey: typeof key === 'string' ? key : null,
        form: parseForm(
          method === 'GET' ? url.searchParams : new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
        ),
      };
      requests.push(request);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': id('req') };
      if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
      const answer = (status: number, body: Json) => response.writeHead(status, headers).end(JSON.stringify(body));
      if (failures.left > 0) {
        failures.left -= 1;
        const type = failures.status === 429 ? 'invalid_request_error' : 'api_error';
        return answer(failures.status, {
          error: {
            type,
            code: failures.status === 429 ? 'rate_limit' : undefined,
            message: 'An unexpected error occurred (injected by the test).',
          },
        });
      }
      if (incoming.headers.authorization !== `Bearer ${options.secretKey}`) {
        return answer(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
      }
      const result = execute(request);
      if (result.replayed) headers['idempotent-replayed'] = 'true';
      answer(result.status, result.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
    authorize(intentId, outcome = 'success') {
      const intent = intentOf(intentId);
      if (outcome === 'decline') {
        const error = {
          type: 'card_error',
          code: 'card_declined',
          decline_code: 'insufficient_funds',
          message: 'Your card has insufficient funds.',
        };
        Object.assign(intent, { status: 'requires_payment_method', last_payment_error: error });
        return;
      }
      const charge: Json = {
        id: id('ch'),
        object: 'charge',
        amount: intent.amount,
        amount_captured: 0,
        amount_refunded: 0,
        captured: false,
        refunded: false,
        currency: intent.currency,
        payment_intent: intentId,
      };
      charges.set(String(charge.id), charge);
      const manual = intent.capture_method === 'manual';
      Object.assign(
        intent,
        manual
          ? { status: 'requires_capture', amount_capturable: intent.amount }
          : { status: 'succeeded', amount_received: intent.amount },
      );
      Object.assign(intent, { latest_charge: charge.id, last_payment_error: null });
    },
    declineIncrements(intentId, declineCode = 'insufficient_funds') {
      declinedIncrements.set(intentId, declineCode);
    },
    failNext(n, status = 500) {
      failures = { left: n, status };
    },
    snapshot(objectId) {
      const found = intents.get(objectId) ?? charges.get(objectId) ?? refunds.get(objectId);
      if (!found) throw new Error(`fake Stripe has no object ${objectId}`);
      return structuredClone(found);
    },
    signedEvent(type, object, { at = new Date(), secret = options.webhookSecret, id: eventId = id('evt') } = {}) {
      const created = Math.floor(at.getTime() / 1000);
      const event = {
        id: eventId,
        object: 'event',
        api_version: '2026-10-28.endive',
        created,
        type,
        data: { object },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
      };
      const body = JSON.stringify(event);
      const signature = createHmac('sha256', secret).update(`${created}.${body}`).digest('hex');
      return {
        body,
        headers: { 'content-type': 'application/json', 'stripe-signature': `t=${created},v1=${signature}` },
      };
    },
  };
}
