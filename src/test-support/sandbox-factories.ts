// Test support for the payment sandbox: a real processor on a listening bare server, a real local
// HTTP server receiving its webhooks, and a raw client for its API. Used by the processor's and
// the adapter's tests; nothing here is a mock. (Paying an order through the app is in
// payments-factories.ts.)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import {
  createSandboxProcessor,
  type SandboxEventJson,
  type SandboxIntentJson,
  type SandboxProcessor,
  type SandboxProcessorDeps,
} from '../modules/payments/index.js';
import type { Db } from '../platform/db/index.js';
import { createBareServer, listenForTests, type Listening } from './server.js';
import { waitFor } from './wait.js';

export const SECRET_KEY = 'sk_sandbox_test_key';
export const WEBHOOK_SECRET = 'whsec_dGVzdC13ZWJob29rLXNlY3JldC1zYW5kYm94';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  event: SandboxEventJson;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Decides each answer (default 200); the nth call is 0-based across the receiver's life. */
  respond: (webhook: Omit<ReceivedWebhook, 'status'>, nth: number) => number;
  /** The webhooks about one intent, in arrival order. */
  forIntent(intentId: string): ReceivedWebhook[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let calls = 0;
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    respond: () => 200,
    forIntent: (intentId) => receiver.received.filter((webhook) => webhook.event.data.intent.id === intentId),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const webhook = { headers: request.headers, raw, event: JSON.parse(raw.toString('utf8')) as SandboxEventJson };
      const status = receiver.respond(webhook, calls++);
      receiver.received.push({ ...webhook, status });
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/sandbox`;
  return receiver;
}

export interface RunningSandbox {
  url: string;
  processor: SandboxProcessor;
  close(): Promise<void>;
}

/** A processor serving on a free port with its loops started (fast delays unless overridden). */
export async function startSandbox(
  db: Db,
  webhookUrl: string,
  overrides: Partial<SandboxProcessorDeps> = {},
): Promise<RunningSandbox> {
  const processor = createSandboxProcessor({
    db,
    logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    secretKey: SECRET_KEY,
    webhookSecret: WEBHOOK_SECRET,
    webhookUrl,
    publicUrl: 'http://sandbox.test',
    authorizationDelayMs: 50,
    slowCardDelayMs: 400,
    pollMs: 20,
    ...overrides,
  });
  const app = await createBareServer();
  await app.register(processor.routes);
  await app.ready();
  const listening: Listening = await listenForTests(app);
  processor.start();
  let closing: Promise<void> | null = null;
  return {
    url: listening.url,
    processor,
    // Idempotent, so a test may stop it midway (a "crash") and still close it in a finally.
    close() {
      closing ??= (async () => {
        await processor.stop();
        await listening.close();
      })();
      return closing;
    },
  };
}

export interface SandboxAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A raw call to the processor's API, with the secret key unless `auth` says otherwise. */
export async function call<T = SandboxIntentJson>(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; key?: string; auth?: string | null } = {},
): Promise<SandboxAnswer<T>> {
  const headers: Record<string, string> = {};
  const auth = options.auth === undefined ? SECRET_KEY : options.auth;
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(base + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

let keys = 0;
/** A fresh idempotency key per call site. */
export const newKey = (label = 'k') => `${label}-${process.pid}-${Date.now()}-${keys++}`;

export async function createIntent(
  base: string,
  amount = 1000,
  extra: Record<string, unknown> = {},
): Promise<SandboxIntentJson> {
  const answer = await call(base, 'POST', '/sandbox/v1/intents', {
    body: { amount, currency: 'EUR', reference: `pay-${keys}`, ...extra },
    key: newKey('create'),
  });
  if (answer.status !== 200) throw new Error(`create intent answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export function confirm(
  base: string,
  intent: SandboxIntentJson,
  cardNumber: string,
  clientSecret = intent.client_secret,
) {
  return call(base, 'POST', `/sandbox/v1/intents/${intent.id}/confirm`, {
    body: { client_secret: clientSecret, card_number: cardNumber },
    auth: null,
  });
}

export async function waitForStatus(
  base: string,
  intentId: string,
  status: SandboxIntentJson['status'],
): Promise<SandboxIntentJson> {
  return waitFor(`intent ${intentId} to be ${status}`, async () => {
    const answer = await call(base, 'GET', `/sandbox/v1/intents/${intentId}`);
    return answer.body.status === status ? answer.body : undefined;
  });
}

/** An intent confirmed with the success card and authorized. */
export async function authorizedIntent(base: string, amount = 1000): Promise<SandboxIntentJson> {
  const intent = await createIntent(base, amount);
  const confirmed = await confirm(base, intent, '4242424242424242');
  if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status}`);
  return waitForStatus(base, intent.id, 'authorized');
}
