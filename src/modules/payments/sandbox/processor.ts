// The payment sandbox: a fake card processor that runs inside Brigade (development, demos,
// tests) and behaves like a remote one — its own API key, state in its own tables, asynchronous
// authorization, signed webhooks with retries, and switches to simulate an outage or a sloppy
// webhook sender. Brigade talks to it only over HTTP, through providers/sandbox.ts.
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../../../platform/db/index.js';
import { createSandboxOperations } from './operations.js';
import { sandboxRoutes, type SandboxSettings } from './routes.js';
import { createWebhookSender, WEBHOOK_BATCH_SIZE } from './webhook-sender.js';

export interface SandboxProcessorDeps {
  db: Db;
  logger: Logger;
  /** The API key callers must send as `Authorization: Bearer <secretKey>`. */
  secretKey: string;
  /** Signs webhooks (Standard Webhooks HMAC). */
  webhookSecret: string;
  /** Where webhooks are POSTed. */
  webhookUrl: string;
  /** Base URL of the processor as clients see it (for checkout_url). */
  publicUrl: string;
  authorizationDelayMs: number;
  slowCardDelayMs: number;
  /** Background loop interval; default 100 ms. */
  pollMs?: number;
  clock?: () => Date;
}

export interface SandboxProcessor {
  /** Register at the server root: every path starts with /sandbox/. */
  routes: FastifyPluginAsync;
  /** Starts the background loops: deciding confirmed authorizations, delivering webhooks. */
  start(): void;
  /** Stops them, awaiting the iteration in flight. The routes keep answering. */
  stop(): Promise<void>;
  /** Points webhook delivery elsewhere from the next batch on (tests). */
  setWebhookUrl(url: string): void;
}

interface Loop {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Runs `tick` every `pollMs` until stopped; at once again when it reports a full batch. A failing
 * tick (database down) is logged and retried on the next round, never fatal.
 */
function createLoop(name: string, tick: () => Promise<boolean>, pollMs: number, logger: Logger): Loop {
  let running = false;
  let current: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  async function run(): Promise<void> {
    while (running) {
      let more = false;
      try {
        more = await tick();
      } catch (error) {
        logger.error({ err: error, loop: name }, 'sandbox processor loop failed');
      }
      if (!running || more) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      current = run();
    },
    async stop() {
      running = false;
      wake?.();
      await current;
      current = null;
    },
  };
}

export function createSandboxProcessor(deps: SandboxProcessorDeps): SandboxProcessor {
  const clock = deps.clock ?? (() => new Date());
  const pollMs = deps.pollMs ?? 100;
  const logger = deps.logger.child({ component: 'sandbox-processor' });
  const settings: SandboxSettings = { outage: false, webhookMode: 'normal' };
  let webhookUrl = deps.webhookUrl;

  const operations = createSandboxOperations({
    db: deps.db,
    clock,
    publicUrl: deps.publicUrl.replace(/\/+$/, ''),
    authorizationDelayMs: deps.authorizationDelayMs,
    slowCardDelayMs: deps.slowCardDelayMs,
  });
  const sender = createWebhookSender({
    db: deps.db,
    logger,
    clock,
    webhookSecret: deps.webhookSecret,
    webhookUrl: () => webhookUrl,
    mode: () => settings.webhookMode,
  });

  const DECISION_BATCH = 50;
  const loops = [
    createLoop('decide', async () => (await operations.decideDue(DECISION_BATCH)) === DECISION_BATCH, pollMs, logger),
    createLoop('deliver', async () => (await sender.deliverDue()) === WEBHOOK_BATCH_SIZE, pollMs, logger),
  ];

  return {
    routes: sandboxRoutes({ db: deps.db, operations, settings, secretKey: deps.secretKey, clock }),
    start() {
      for (const loop of loops) loop.start();
    },
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
    setWebhookUrl(url: string) {
      webhookUrl = url;
    },
  };
}
