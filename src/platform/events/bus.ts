// In-process subscribers. Modules register them at start; the relay (worker role) runs each one
// for every event of its type, in the subscriber's own transaction, after the event committed.
import type { CloudEvent, EventHandler, EventMap } from './types.js';

/** `<module>.<what it does>`, e.g. `loyalty.award-points`. Recorded with every processed event. */
const SUBSCRIBER_NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;

export interface Subscription {
  subscriber: string;
  type: string;
  handler: EventHandler<string, unknown>;
}

/** The read side the relay uses. */
export interface SubscriberRegistry {
  subscriptionsFor(type: string): readonly Subscription[];
}

export interface EventBus<M extends EventMap> extends SubscriberRegistry {
  /**
   * Runs `handler` once per event of `type`. The name identifies the subscriber across restarts:
   * events it processed are recorded under it, so a redelivered event is skipped. Renaming a
   * subscriber makes it a new one. The handler gets its own transaction; it must not call the
   * network expecting exactly-once (a crash after the call and before commit repeats it).
   */
  subscribe<K extends keyof M & string>(type: K, subscriber: string, handler: EventHandler<K, M[K]>): void;
}

export function createEventBus<M extends EventMap>(): EventBus<M> {
  const byType = new Map<string, Subscription[]>();
  return {
    subscribe(type, subscriber, handler) {
      if (!SUBSCRIBER_NAME.test(subscriber) || subscriber.length > 100) {
        throw new Error(
          `Subscriber name "${subscriber}" must look like <module>.<what-it-does> (lowercase, at most 100 characters)`,
        );
      }
      const list = byType.get(type) ?? [];
      if (list.some((existing) => existing.subscriber === subscriber))
        throw new Error(`Subscriber "${subscriber}" is already subscribed to ${type}`);
      // The relay hands each handler only events of the type it subscribed to, so the payload
      // has that type's shape; the registry itself stores handlers untyped.
      list.push({
        subscriber,
        type,
        handler: handler as (
          event: CloudEvent<string, unknown>,
          context: Parameters<typeof handler>[1],
        ) => Promise<void>,
      });
      byType.set(type, list);
    },
    subscriptionsFor(type) {
      return byType.get(type) ?? [];
    },
  };
}
