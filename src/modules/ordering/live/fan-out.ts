// Wake-ups. The fan-out only says "store X changed, look" (announce, after every committed order
// write, heard by every node); a poll every `pollMs` is the backstop for the message the fan-out
// will one day lose. The streams of one store on a node share one subscription and one poll timer.
import type { LiveFanout, LiveSubscription } from '../../../platform/live/index.js';

/** Something that follows a store and looks again when woken. */
export interface Watcher {
  readonly storeId: string;
  wake(): void;
}

interface StoreWatch {
  watchers: Set<Watcher>;
  subscription: LiveSubscription;
  poll: NodeJS.Timeout;
  /** Bumped on every wake-up: reads are shared only among streams woken by the same one. */
  generation: number;
}

const topicOf = (storeId: string) => `ordering.store.${storeId}`;

export function createStoreWatches(deps: { fanout: LiveFanout; pollMs: number }) {
  const watches = new Map<string, StoreWatch>();

  function wakeStore(storeId: string) {
    const watch = watches.get(storeId);
    if (!watch) return;
    watch.generation++;
    for (const watcher of watch.watchers) watcher.wake();
  }

  return {
    /** Starts waking `watcher` with its store; resolves once the store's subscription listens. */
    watch(watcher: Watcher): Promise<void> {
      let entry = watches.get(watcher.storeId);
      if (!entry) {
        const storeId = watcher.storeId;
        const subscription = deps.fanout.subscribe(topicOf(storeId), () => wakeStore(storeId));
        const poll = setInterval(() => wakeStore(storeId), deps.pollMs);
        poll.unref();
        entry = { watchers: new Set(), subscription, poll, generation: 0 };
        watches.set(storeId, entry);
      }
      entry.watchers.add(watcher);
      return entry.subscription.ready;
    },

    /** The last watcher of a store takes its subscription and poll with it. */
    unwatch(watcher: Watcher) {
      const entry = watches.get(watcher.storeId);
      if (!entry || !entry.watchers.delete(watcher) || entry.watchers.size > 0) return;
      watches.delete(watcher.storeId);
      entry.subscription();
      clearInterval(entry.poll);
    },

    generationOf: (storeId: string): number => watches.get(storeId)?.generation ?? 0,

    /**
     * Tells every node's streams of the store to look: call after each committed write of the
     * store's orders. Rejects when the fan-out is unreachable (streams then catch up by polling).
     */
    announce: (storeId: string): Promise<void> => deps.fanout.publish(topicOf(storeId), ''),
  };
}

export type StoreWatches = ReturnType<typeof createStoreWatches>;
