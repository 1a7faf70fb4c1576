// Domain events: the transactional outbox, in-process subscribers, the relay that delivers both
// and the optional JetStream stream. ADR 0006 explains the design.
export type {
  AggregateRef,
  CloudEvent,
  CloudEventOf,
  DeliveryContext,
  EventAppender,
  EventHandler,
  EventMap,
  NewOutboxEvent,
  NewOutboxEventOf,
} from './types.js';
export {
  checkOutboxLag,
  createEventAppender,
  EVENT_TYPE_PATTERN,
  purgeDeliveredEvents,
  readOutbox,
  redeliverDeadEvents,
  toCloudEvent,
  type AppenderOptions,
  type OutboxLag,
  type OutboxRow,
  type OutboxState,
} from './outbox.js';
export { createEventBus, type EventBus, type SubscriberRegistry, type Subscription } from './bus.js';
export { createOutboxRelay, type OutboxRelay, type RelayOptions, type RelayStats } from './relay.js';
export { connectJetStream, type EventStream, type JetStreamOptions } from './nats.js';
export { createOutboxMetrics, type OutboxMetrics } from './metrics.js';
export { outboxJobs, type OutboxJobOptions } from './jobs.js';
export { startOutboxWorker, type OutboxWorker, type OutboxWorkerDeps } from './worker.js';
export { OUTBOX_CHANNEL } from './repo.js';
