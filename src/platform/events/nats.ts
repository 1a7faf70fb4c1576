// Publishing events to a NATS JetStream stream, for services outside this process. Subject
// `brigade.<event type>`, message id = event id: JetStream drops a republished event that
// arrives within the stream's duplicate window, which turns the relay's at-least-once into
// exactly-once in the stream.
import {
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
} from '@nats-io/jetstream';
import { connect, headers, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { CloudEvent } from './types.js';

export interface EventStream {
  /** Resolves once the stream stored the event (or recognised it as a duplicate). */
  publish(event: CloudEvent): Promise<{ duplicate: boolean; sequence: number }>;
  close(): Promise<void>;
}

export interface JetStreamOptions {
  /** NATS_URL. */
  url: string;
  /** NATS_STREAM: created when missing; its subjects are extended when they lack ours. */
  stream: string;
  /** Subjects are `<prefix>.<event type>`; the stream gets `<prefix>.>`. Default `brigade`. */
  subjectPrefix?: string;
  /**
   * Set on a stream this creates (an existing one keeps its own). Must outlast the longest time
   * between publishing an event and a redelivery of it after a crash (ADR 0006). Default 2 minutes.
   */
  duplicateWindowMs?: number;
  publishTimeoutMs?: number;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/** Whether JetStream answered "no such stream". */
function streamMissing(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

async function ensureStream(nc: NatsConnection, options: JetStreamOptions, subjects: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    const info = await jsm.streams.info(options.stream);
    if (!info.config.subjects.includes(subjects)) {
      await jsm.streams.update(options.stream, { subjects: [...info.config.subjects, subjects] });
      options.logger.info({ stream: options.stream, subjects }, 'JetStream stream now also takes the event subjects');
    }
  } catch (error) {
    if (!streamMissing(error)) throw error;
    await jsm.streams.add({
      name: options.stream,
      subjects: [subjects],
      duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
    });
    options.logger.info({ stream: options.stream, subjects }, 'JetStream stream created');
  }
}

export async function connectJetStream(options: JetStreamOptions): Promise<EventStream> {
  const prefix = options.subjectPrefix ?? 'brigade';
  // Keep reconnecting forever: while NATS is away, publishes fail and events wait in the outbox.
  const nc = await connect({ servers: options.url, name: 'brigade-outbox-relay', maxReconnectAttempts: -1 });
  try {
    await ensureStream(nc, options, `${prefix}.>`);
  } catch (error) {
    await nc.close();
    throw error;
  }
  const js: JetStreamClient = jetstream(nc);
  return {
    async publish(event) {
      const h = headers();
      h.set('content-type', 'application/cloudevents+json');
      const ack = await js.publish(`${prefix}.${event.type}`, JSON.stringify(event), {
        msgID: event.id,
        headers: h,
        timeout: options.publishTimeoutMs ?? 5000,
        // The stream must exist; a publish that nobody answers is an error, not a silent loss.
        expect: { streamName: options.stream },
      });
      return { duplicate: ack.duplicate, sequence: ack.seq };
    },
    async close() {
      await nc.drain();
    },
  };
}
