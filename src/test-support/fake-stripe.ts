// A local HTTP server speaking the documented subset of Stripe's API that Brigade uses:
// PaymentIntents with manual capture, incremental authorization, refunds, Idempotency-Key
// semantics and signed webhooks. Tests drive the real SDK against it, since this machine cannot
// reach Stripe; where it answers, it answers with Stripe's documented shapes, statuses and codes.
//
// The parts: fake-stripe-objects.ts holds the intents, charges and refunds and their rules;
// fake-stripe-params.ts reads Stripe's form encoding and shapes its errors; fake-stripe-webhooks.ts
// signs events. This file is the HTTP face: routing, authentication, Idempotency-Key replay and
// injected outages.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStripeObjects } from './fake-stripe-objects.js';
import { canonical, fail, id, parseForm, StripeFailure, type Form, type Json } from './fake-stripe-params.js';
import { signedStripeEvent } from './fake-stripe-webhooks.js';

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

export async function startFakeStripe(options: { secretKey: string; webhookSecret: string }): Promise<FakeStripe> {
  const objects = createStripeObjects();
  const { intentOf, expanded } = objects;
  const idempotent = new Map<string, { fingerprint: string; status: number; body: Json }>();
  const requests: FakeStripeRequest[] = [];
  let failures = { left: 0, status: 500 };

  function route(method: string, path: string, form: Form): Json {
    const intentPath = /^\/v1\/payment_intents\/([^/]+)(?:\/(capture|cancel|increment_authorization))?$/.exec(path);
    if (method === 'POST' && path === '/v1/payment_intents') return expanded(objects.createIntent(form), form);
    if (intentPath) {
      const intent = intentOf(intentPath[1] ?? '');
      const action = intentPath[2];
      if (method === 'GET' && !action) return expanded(intent, form);
      if (method === 'POST' && action === 'capture') return expanded(objects.capture(intent, form), form);
      if (method === 'POST' && action === 'cancel') return expanded(objects.cancel(intent), form);
      if (method === 'POST' && action === 'increment_authorization')
        return expanded(objects.increment(intent, form), form);
    }
    if (method === 'POST' && path === '/v1/refunds') return objects.refund(form);
    if (method === 'GET' && path === '/v1/refunds') return objects.listRefunds(form, path);
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
    authorize: (intentId, outcome = 'success') => objects.authorize(intentId, outcome),
    declineIncrements: (intentId, declineCode = 'insufficient_funds') =>
      objects.declineIncrements(intentId, declineCode),
    failNext(n, status = 500) {
      failures = { left: n, status };
    },
    snapshot: (objectId) => objects.snapshot(objectId),
    signedEvent: (type, object, { at = new Date(), secret = options.webhookSecret, id: eventId } = {}) =>
      signedStripeEvent(type, object, { at, secret, id: eventId }),
  };
}
