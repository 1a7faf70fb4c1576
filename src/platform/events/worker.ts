// The relay as the worker role runs it: from the config, with JetStream when NATS_URL is set.
// It never holds up the process's start: when NATS is unreachable it keeps trying in the
// background, and events wait in the outbox meanwhile (a relay without the stream would mark
// them published and the stream would miss them for good).
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { Database } from '../db/index.js';
import type { SubscriberRegistry } from './bus.js';
import type { OutboxMetrics } from './metrics.js';
import { connectJetStream, type EventStream, type JetStreamOptions } from './nats.js';
import { createOutboxRelay, type OutboxRelay, type RelayOptions } from './relay.js';
import { errorMessage } from '../observability/error-message.js';

export interface OutboxWorkerDeps {
  config: Pick<Config, 'natsUrl' | 'events'>;
  database: Pick<Database, 'db' | 'pool'>;
  /** The bus the modules subscribed on (createDomainEvents().bus). */
  subscribers: SubscriberRegistry;
  logger: Logger;
  metrics?: OutboxMetrics;
  /** JetStream settings beyond the config (subject prefix, duplicate window). */
  stream?: Partial<Pick<JetStreamOptions, 'subjectPrefix' | 'duplicateWindowMs' | 'publishTimeoutMs'>>;
  /** Tuning beyond the config (attempts, backoff, concurrency, name). */
  relay?: Partial<Pick<RelayOptions, 'name' | 'concurrency' | 'maxAttempts' | 'retry' | 'claimTimeoutMs'>>;
}

export interface OutboxWorker {
  /** Resolves once the relay runs (after NATS answered, when configured). */
  readonly ready: Promise<void>;
  /** Lets the batch in flight finish, stops the relay, closes the NATS connection. */
  stop(): Promise<void>;
  /** The relay, once it runs. */
  relay(): OutboxRelay | null;
}

export function startOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { config, logger } = deps;
  let stopping = false;
  let relay: OutboxRelay | null = null;
  let stream: EventStream | null = null;
  let cancelWait: (() => void) | null = null;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      cancelWait = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function connectStream(url: string): Promise<EventStream | null> {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        return await connectJetStream({ ...deps.stream, url, stream: config.events.natsStream, logger });
      } catch (error) {
        const retryMs = Math.min(30_000, 500 * 2 ** attempt);
        logger.warn(
          { reason: errorMessage(error), retry_in_ms: retryMs },
          'NATS JetStream not reachable; events wait in the outbox until it is',
        );
        await wait(retryMs);
      }
    }
    return null;
  }

  const ready = (async () => {
    if (config.natsUrl) {
      stream = await connectStream(config.natsUrl);
      if (!stream) return; // stopped while waiting
    }
    if (stopping) return;
    relay = createOutboxRelay({
      database: deps.database,
      subscribers: deps.subscribers,
      stream,
      logger,
      pollMs: config.events.relayPollMs,
      batchSize: config.events.relayBatchSize,
      metrics: deps.metrics,
      ...deps.relay,
    });
    await relay.start();
  })();

  return {
    ready,
    relay: () => relay,
    async stop() {
      stopping = true;
      cancelWait?.();
      await ready.catch(() => undefined);
      await relay?.stop();
      await stream?.close().catch(() => undefined);
    },
  };
}
