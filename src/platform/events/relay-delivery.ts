// How the relay delivers a claimed batch: each event to the JetStream stream (when configured)
// and to every in-process subscriber, aggregates in parallel lanes and each lane in sequence
// order, a failed event holding back its aggregate's later events until its retry. Effects are
// at least once, deduplicated: JetStream by message id, subscribers by the processed_events
// record committed with their effect.
import { inTransaction, type Db } from '../db/index.js';
import type { SubscriberRegistry, Subscription } from './bus.js';
import type { OutboxMetrics } from './metrics.js';
import type { EventStream } from './nats.js';
import { toCloudEvent } from './outbox.js';
import { outboxRepo, type ClaimedRow, type EventFailure } from './repo.js';
import type { CloudEvent } from './types.js';
import { errorMessage } from '../observability/error-message.js';

export interface DeliveryOptions {
  db: Db;
  subscribers: SubscriberRegistry;
  stream?: EventStream | null;
  metrics: OutboxMetrics;
  /** Aggregates delivered in parallel. */
  concurrency: number;
  /** Failed attempts after which an event is dead-lettered. */
  maxAttempts: number;
  /** Exponential backoff between attempts: base·2^(attempt−1), capped, with jitter. */
  retry: { baseMs: number; maxMs: number };
  /** Jitter source, in [0, 1). */
  random: () => number;
}

/** What became of a batch: to mark published (and streamed), and to record as failed. */
export interface DeliveredBatch {
  published: ClaimedRow[];
  streamed: string[];
  failures: Array<EventFailure & { row: ClaimedRow }>;
}

type Outcome = { ok: true; streamed: boolean } | { ok: false; streamed: boolean; error: string };

const MAX_ERROR_LENGTH = 2000;

export function createDelivery(options: DeliveryOptions) {
  const { db, metrics, concurrency, maxAttempts, retry, random } = options;

  function backoffMs(attempt: number): number {
    const ceiling = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1));
    // "Equal jitter": never sooner than half the step, so retries really do back off.
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  async function runSubscriber(subscription: Subscription, event: CloudEvent, attempt: number): Promise<void> {
    await inTransaction(db, async (trx) => {
      // Processed already (a redelivery after a crash, or an earlier attempt this one passed)?
      if (!(await outboxRepo.markProcessed(trx, subscription.subscriber, event.id))) return;
      await subscription.handler(event, { trx, attempt });
    });
  }

  async function deliverOne(row: ClaimedRow): Promise<Outcome> {
    const event = toCloudEvent(row);
    const attempt = row.attempts + 1;
    const errors: string[] = [];
    let streamed = row.stream_published_at !== null;
    if (options.stream && !streamed) {
      try {
        await options.stream.publish(event);
        streamed = true;
      } catch (error) {
        errors.push(`stream: ${errorMessage(error)}`);
        metrics.deliveryFailures.inc({ type: row.type, destination: 'stream' });
      }
    }
    // Every subscriber gets its turn even when another fails: the ones that succeed are
    // recorded and skipped when the event is retried.
    for (const subscription of options.subscribers.subscriptionsFor(row.type)) {
      try {
        await runSubscriber(subscription, event, attempt);
      } catch (error) {
        errors.push(`${subscription.subscriber}: ${errorMessage(error)}`);
        metrics.deliveryFailures.inc({ type: row.type, destination: subscription.subscriber });
      }
    }
    if (errors.length === 0) return { ok: true, streamed };
    return { ok: false, streamed, error: errors.join('; ').slice(0, MAX_ERROR_LENGTH) };
  }

  /** Delivers the claimed events: aggregates in parallel lanes, each lane in sequence order. */
  async function deliver(rows: ClaimedRow[], lost: () => Error | null): Promise<DeliveredBatch> {
    const lanes = new Map<string, ClaimedRow[]>();
    for (const row of [...rows].sort((a, b) => a.sequence - b.sequence)) {
      const key = `${row.aggregate_type}\u0000${row.aggregate_id}`;
      const lane = lanes.get(key);
      if (lane) lane.push(row);
      else lanes.set(key, [row]);
    }
    const published: ClaimedRow[] = [];
    const streamed: string[] = [];
    const failures: Array<EventFailure & { row: ClaimedRow }> = [];
    const queue = [...lanes.values()];

    async function work() {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (const row of lane) {
          // The claim is gone: another relay may already be on these events. Stop adding work.
          if (lost()) return;
          const outcome = await deliverOne(row);
          if (outcome.streamed) streamed.push(row.id);
          if (outcome.ok) {
            published.push(row);
            continue;
          }
          const attempt = row.attempts + 1;
          failures.push({
            row,
            id: row.id,
            error: outcome.error,
            streamed: outcome.streamed,
            dead: attempt >= maxAttempts,
            delayMs: backoffMs(attempt),
          });
          break; // the rest of this aggregate waits for this event
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, work));
    return { published, streamed, failures };
  }

  return deliver;
}
