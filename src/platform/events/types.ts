// The shapes of domain events. Modules declare their events as a map from event type to payload
// (`{ 'tenancy.store.created': { store_id: string; ... } }`); the platform is generic over that
// map, so `type` and `data` always agree and platform code never imports a module.
import type { Tx } from '../db/index.js';

/** Event type → payload. Declare it with `type`, not `interface` (it needs an index signature). */
export type EventMap = Record<string, object>;

/** The ordering key: events of one aggregate are delivered one at a time, in append order. */
export interface AggregateRef {
  type: string;
  id: string;
}

/** An event to append to the outbox, in the transaction of the change it reports. */
export interface NewOutboxEvent<K extends string, D> {
  /** `<context>.<entity>.<past-tense verb>`, e.g. `tenancy.store.created`. */
  type: K;
  aggregate: AggregateRef;
  /** CloudEvents `subject`; defaults to `<aggregate type>/<aggregate id>`. */
  subject?: string;
  /** A small, stable payload: ids and the facts a consumer needs, never personal data or secrets. */
  data: D;
}

/** Any one event of the map, with `type` and `data` matched. */
export type NewOutboxEventOf<M extends EventMap> = { [K in keyof M & string]: NewOutboxEvent<K, M[K]> }[keyof M &
  string];

/** A CloudEvents 1.0 event in its JSON form, as subscribers and the stream receive it. */
export interface CloudEvent<K extends string = string, D = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: K;
  subject: string;
  /** RFC 3339, UTC. */
  time: string;
  datacontenttype: 'application/json';
  /** CloudEvents partitioning extension: `<aggregate type>:<aggregate id>`; order holds within a key. */
  partitionkey: string;
  data: D;
}

export type CloudEventOf<M extends EventMap, K extends keyof M & string> = CloudEvent<K, M[K]>;

export interface DeliveryContext {
  /** The subscriber's own transaction: its effects and the processed-event record commit together. */
  trx: Tx;
  /** 1 on the first delivery of this event, higher on retries. */
  attempt: number;
}

export type EventHandler<K extends string, D> = (event: CloudEvent<K, D>, context: DeliveryContext) => Promise<void>;

/** Appends events of the union `E`. Use EventAppender<Map>; this form keeps variance right. */
export interface Appender<E extends NewOutboxEvent<string, object>> {
  /**
   * Appends the event inside the caller's transaction: it exists (and is delivered) only if that
   * transaction commits. Returns the event id.
   */
  append: (trx: Tx, event: E) => Promise<{ id: string }>;
}

/**
 * Generic over the union of events rather than the map, so an appender of every domain event
 * is also an appender of one module's events (a map with fewer keys is not a sub-map to TS).
 */
export type EventAppender<M extends EventMap> = Appender<NewOutboxEventOf<M>>;
