// Delivers the processor's webhook outbox: claims due deliveries, POSTs each with Standard
// Webhooks headers (re-signed per attempt: the timestamp is the send time), and schedules a
// retry with exponential backoff on anything but a 2xx. Plain fetch on purpose: this is the
// simulated processor calling Brigade, not Brigade calling out, so Brigade's outbound policies
// (breaker, retries) do not belong here.
import type { Logger } from 'pino';
import type { Db } from '../../../platform/db/index.js';
import { sandboxRepo, type ClaimedDelivery } from './processor-repo.js';
import type { WebhookMode } from './routes.js';
import { webhookHeaders } from './signature.js';

export interface WebhookSenderDeps {
  db: Db;
  logger: Logger;
  clock: () => Date;
  webhookSecret: string;
  /** Read per batch: tests may point the processor at another receiver. */
  webhookUrl: () => string;
  mode: () => WebhookMode;
}

const TIMEOUT_MS = 5_000;
export const WEBHOOK_BATCH_SIZE = 10;
/** Sends are sequential (so the order is meaningful) and may each be sent twice: the lease outlasts the worst batch. */
const LEASE_MS = WEBHOOK_BATCH_SIZE * 2 * TIMEOUT_MS + 10_000;
export const MAX_ATTEMPTS = 12;

/** Delay before the attempt after `attempts` failed ones: 1 s, 2 s, 4 s … capped at 60 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000, 1000 * 2 ** (attempts - 1));
}

export function createWebhookSender(deps: WebhookSenderDeps) {
  const { db, logger, clock } = deps;

  /** One attempt: null when the receiver took it (2xx), else why not. */
  async function send(delivery: ClaimedDelivery, url: string): Promise<string | null> {
    const body = JSON.stringify(delivery.payload);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...webhookHeaders(deps.webhookSecret, delivery.event_id, clock(), body),
        },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        // 3xx is a failure by the specification, not something to follow.
        redirect: 'manual',
      });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 300 ? null : `answered ${response.status}`;
    } catch (error) {
      return (error as Error).message;
    }
  }

  return {
    /** Delivers one batch of due webhooks; returns how many deliveries it claimed. */
    async deliverDue(): Promise<number> {
      const claimed = await sandboxRepo.claimDeliveries(db, clock(), LEASE_MS, WEBHOOK_BATCH_SIZE);
      if (claimed.length === 0) return 0;
      const url = deps.webhookUrl();
      // duplicate_shuffled: every delivery twice, the batch in reverse (receivers must dedupe by id and cope with order).
      const attempts = deps.mode() === 'duplicate_shuffled' ? [...claimed, ...claimed].reverse() : claimed;
      const failures = new Map<number, string>();
      const delivered = new Set<number>();
      for (const delivery of attempts) {
        const failure = await send(delivery, url);
        if (failure === null) delivered.add(delivery.id);
        else failures.set(delivery.id, failure);
      }
      for (const delivery of claimed) {
        const now = clock();
        if (delivered.has(delivery.id)) {
          await sandboxRepo.recordAttempt(db, delivery, { delivered: true, at: now });
          continue;
        }
        const error = failures.get(delivery.id) ?? 'not sent';
        const dead = delivery.attempts >= MAX_ATTEMPTS;
        logger.warn(
          { event_id: delivery.event_id, attempt: delivery.attempts, error, dead },
          'sandbox webhook delivery failed',
        );
        await sandboxRepo.recordAttempt(db, delivery, {
          delivered: false,
          error,
          nextAttemptAt: dead ? null : new Date(now.getTime() + retryDelayMs(delivery.attempts)),
        });
      }
      return claimed.length;
    },
  };
}
