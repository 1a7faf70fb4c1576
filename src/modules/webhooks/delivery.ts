// Sending one leased message: sign it (with both secrets during a rotation), post it through the
// endpoint's own circuit breaker (breaker.ts) with the 15 s timeout (sender.ts), and record the
// attempt and what follows on the retry schedule. An endpoint whose breaker is open, or whose
// per-second rate is spent, gets its message back untouched for later: no attempt is spent on a
// receiver we know is down. The schedule is the retry policy: nothing is retried in the call.
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { PersonalDataVault } from '../../platform/crypto/personal-data.js';
import type { Db } from '../../platform/db/index.js';
import type { DispatchQueue } from '../../platform/dispatch/loop.js';
import { nextAttemptAt } from '../../platform/dispatch/schedule.js';
import type { OutboundOptions } from '../../platform/resilience/outbound.js';
import { createEndpointBreakers } from './breaker.js';
import { leaseDue, postpone, recordAttempt, type LeasedMessage } from './delivery-repo.js';
import { createRateWindows } from './rate.js';
import { openSecret } from './secrets.js';
import { postMessage, type SendOutcome } from './sender.js';
import { signedHeaders, webhookIdOf } from './signing.js';
import type { UrlGuard } from './url-guard.js';

export interface WebhookDeliveryDeps {
  db: Db;
  vault: PersonalDataVault;
  guard: UrlGuard;
  clock: () => Date;
  logger: Logger;
  /** Breaker settings (the config's outbound ones); the timeout is the webhook's own 15 s. */
  outbound: Pick<OutboundOptions, 'breakerConsecutiveFailures' | 'breakerHalfOpenAfterMs'>;
  registry?: Registry;
  /** Jitter source (tests pin it). */
  random?: () => number;
  /** Called after an endpoint was disabled (410 Gone, or five days of failures). */
  onDisabled?: (endpointId: string) => Promise<void>;
}

export function createWebhookDelivery(deps: WebhookDeliveryDeps): DispatchQueue<LeasedMessage> {
  const { db, clock } = deps;
  const breakers = createEndpointBreakers({
    failures: deps.outbound.breakerConsecutiveFailures,
    pauseMs: deps.outbound.breakerHalfOpenAfterMs,
  });
  const rates = createRateWindows();
  const registers = deps.registry ? [deps.registry] : [];
  const sent = new Counter({
    name: 'webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const delay = new Histogram({
    name: 'webhook_delivery_delay_seconds',
    help: 'From a message being made to its successful delivery',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3600],
    registers,
  });

  async function secretsOf(message: LeasedMessage, now: Date): Promise<string[]> {
    const secrets = [await openSecret(db, deps.vault, message.endpoint_id, message.secret_sealed)];
    if (
      message.previous_secret_sealed &&
      message.previous_secret_expires_at &&
      message.previous_secret_expires_at > now
    )
      secrets.push(await openSecret(db, deps.vault, message.endpoint_id, message.previous_secret_sealed));
    return secrets;
  }

  async function attempt(message: LeasedMessage, now: Date): Promise<SendOutcome> {
    const headers = signedHeaders(
      await secretsOf(message, now),
      webhookIdOf(message.id),
      Math.floor(now.getTime() / 1000),
      message.body,
    );
    return postMessage(deps.guard, message.url, { ...headers }, message.body);
  }

  return {
    lease: (limit) => leaseDue(db, limit, clock()),
    async send(message) {
      const now = clock();
      const later = (ms: number) => postpone(db, message, new Date(now.getTime() + ms));
      if (!rates.take(message.endpoint_id, message.rate_limit_per_second, now.getTime())) return later(1_000);
      if (!breakers.allows(message.endpoint_id, now.getTime()))
        return postpone(
          db,
          message,
          new Date(Math.max(breakers.reopensAt(message.endpoint_id), now.getTime() + 1_000)),
        );
      const outcome = await attempt(message, now);
      breakers.record(message.endpoint_id, outcome.ok, clock().getTime());
      sent.inc({ outcome: outcome.ok ? 'delivered' : 'failed' });
      if (outcome.ok) delay.observe((clock().getTime() - message.created_at.getTime()) / 1000);
      const retryAt = outcome.ok
        ? null
        : nextAttemptAt(message.attempts + 1, clock(), {
            retryAfterSeconds: outcome.retryAfterSeconds,
            random: deps.random,
          });
      const result = await recordAttempt(
        db,
        message,
        {
          succeeded: outcome.ok,
          status: outcome.status,
          durationMs: outcome.durationMs,
          excerpt: outcome.excerpt,
          error: outcome.error,
        },
        { retryAt, gone: outcome.status === 410 },
        clock(),
      );
      if (!result.recorded)
        deps.logger.warn({ message_id: message.id }, 'webhook lease was taken over before the attempt was recorded');
      if (result.disabled) {
        deps.logger.warn({ endpoint_id: message.endpoint_id }, 'webhook endpoint disabled after failing');
        await deps.onDisabled?.(message.endpoint_id);
      }
    },
  };
}
