// Prometheus metrics of event delivery. The relay counts what it publishes, what fails and what
// it dead-letters; the scheduled lag check sets the gauges (recordLag).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OutboxLag } from './outbox.js';

export interface OutboxMetrics {
  registry: Registry;
  published: Counter<'type'>;
  deliveryFailures: Counter<'type' | 'destination'>;
  deadLetters: Counter<'type'>;
  claimsLost: Counter;
  batchDuration: Histogram;
  lagSeconds: Gauge;
  pending: Gauge;
  dead: Gauge;
  recordLag(lag: OutboxLag): void;
}

/** Registers the outbox metrics on `registry` (a private one when omitted). Call once per registry. */
export function createOutboxMetrics(registry: Registry = new Registry()): OutboxMetrics {
  const registers = [registry];
  const lagSeconds = new Gauge({
    name: 'brigade_outbox_lag_seconds',
    help: 'Age of the oldest event waiting for delivery (0 when none waits)',
    registers,
  });
  const pending = new Gauge({
    name: 'brigade_outbox_pending_events',
    help: 'Events waiting for delivery, including those backing off after a failure',
    registers,
  });
  const dead = new Gauge({
    name: 'brigade_outbox_dead_events',
    help: 'Dead letters: events that exhausted their delivery attempts',
    registers,
  });
  return {
    registry,
    published: new Counter({
      name: 'brigade_outbox_events_published_total',
      help: 'Events delivered to every destination',
      labelNames: ['type'],
      registers,
    }),
    deliveryFailures: new Counter({
      name: 'brigade_outbox_delivery_failures_total',
      help: 'Failed deliveries, by event type and destination (the stream, or a subscriber name)',
      labelNames: ['type', 'destination'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'brigade_outbox_dead_letters_total',
      help: 'Events dead-lettered after their last attempt',
      labelNames: ['type'],
      registers,
    }),
    claimsLost: new Counter({
      name: 'brigade_outbox_claims_lost_total',
      help: 'Batches whose claim connection died mid-delivery (their events are redelivered)',
      registers,
    }),
    batchDuration: new Histogram({
      name: 'brigade_outbox_batch_duration_seconds',
      help: 'Time to deliver one claimed batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    lagSeconds,
    pending,
    dead,
    recordLag(lag) {
      lagSeconds.set(lag.oldestPendingSeconds);
      pending.set(lag.pending);
      dead.set(lag.dead);
    },
  };
}
