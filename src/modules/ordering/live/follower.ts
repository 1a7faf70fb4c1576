// A stream's position in its store's activity sequence, and what moves it on: every stream is
// "send each row after the last one sent", so starting live, catching up after a lost wake-up and
// replaying after a reconnect are the same loop. An order's stream completes once its final
// status went out.
import type { Logger } from 'pino';
import type { Db } from '../../../platform/db/index.js';
import { historyRepo } from '../history-repo.js';
import { isFinal } from '../statuses.js';
import type { ActivityReader, FeedEvent } from './activity.js';
import type { StoreWatches } from './fan-out.js';

/** Where a stream delivers. */
export interface Sink {
  send(events: FeedEvent[]): void;
  /** Resolves when the client has taken in enough of what was sent to be given more (backpressure while catching up). */
  writable(): Promise<void>;
  /** The stream is complete (the order reached a final status) or the feed is closing. */
  end(): void;
}

export interface Follower {
  readonly storeId: string;
  /** null: every order of the store (kitchen feed). */
  readonly orderId: string | null;
  wake(): void;
  stop(): void;
}

export interface FollowInput {
  storeId: string;
  orderId: string | null;
  /** null: from the store's latest event. */
  after: number | null;
  /** The order already ended: its stream completes after what it sends first. */
  finalAlready: boolean;
}

export function createFollowing(deps: {
  db: Db;
  reader: ActivityReader;
  watches: Pick<StoreWatches, 'watch' | 'unwatch'>;
  logger: Logger;
}) {
  const followers = new Set<Follower>();

  /**
   * Starts following a store (or one order of it) after `after`. Listening is set up before the
   * starting point is read, so nothing committed after that point goes unnoticed. The caller
   * opens its sink, then wakes the follower.
   */
  async function follow(input: FollowInput & { sink: Sink }): Promise<Follower> {
    let last = 0;
    // Wake-ups before the starting point is known are ignored: the caller's first wake reads anyway.
    let positioned = false;
    let finalSent = input.finalAlready;
    let running = false;
    let again = false;
    let stopped = false;

    async function drain() {
      for (;;) {
        const batch = await deps.reader.read(input.storeId, input.orderId, last);
        if (stopped) return;
        const fresh = batch.events.filter((event) => event.seq > last);
        if (fresh.length > 0) {
          input.sink.send(fresh);
          if (fresh.some((event) => isFinal(event.status))) finalSent = true;
        }
        if (batch.last !== null) last = Math.max(last, batch.last);
        if (!batch.more || stopped) break;
        await input.sink.writable();
      }
      // The order stream is complete once its final status went out (and what followed it).
      if (input.orderId !== null && finalSent) {
        follower.stop();
        input.sink.end();
      }
    }

    const follower: Follower = {
      storeId: input.storeId,
      orderId: input.orderId,
      wake() {
        if (stopped || !positioned) return;
        if (running) {
          again = true;
          return;
        }
        running = true;
        void (async () => {
          try {
            do {
              again = false;
              await drain();
            } while (again && !stopped);
          } catch (error) {
            // The next wake-up or poll tries again from the same position.
            deps.logger.warn({ err: error, store_id: input.storeId, order_id: input.orderId }, 'live feed read failed');
          } finally {
            running = false;
          }
        })();
      },
      stop() {
        if (stopped) return;
        stopped = true;
        followers.delete(follower);
        deps.watches.unwatch(follower);
      },
    };

    followers.add(follower);
    try {
      await deps.watches.watch(follower);
      const head = await historyRepo.storeHead(deps.db, input.storeId);
      // A position past the head (a forged or foreign id) would skip what comes next: clamp it.
      last = input.after === null ? head : Math.min(input.after, head);
      positioned = true;
    } catch (error) {
      follower.stop();
      throw error;
    }
    return follower;
  }

  return {
    follow,
    /** Stops every follower (the feed is closing). */
    stopAll() {
      for (const follower of [...followers]) follower.stop();
    },
  };
}

export type Following = ReturnType<typeof createFollowing>;
