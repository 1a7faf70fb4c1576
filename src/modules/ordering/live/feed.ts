// Live order tracking: the kitchen feed of a store and the status stream of one order (SSE), and
// the same stream as a GraphQL subscription. This file puts the pieces together and owns their
// lifecycle; each job has its file:
//   activity.ts        reading the store's activity sequence forward, shared per wake-up
//   fan-out.ts         wake-ups: the cross-node announce and the backstop poll
//   follower.ts        a stream's position, catching up and following (resume, replay, live)
//   resume.ts          event ids out, Last-Event-ID in
//   sse.ts             the wire: frames, heartbeat, backpressure
//   kitchen-feed.ts    GET /v1/stores/{storeId}/orders/stream
//   presence.ts        which stores have a kitchen feed open, on any process
//   customer-stream.ts GET /v1/orders/{orderId}/events
//   subscription.ts    the orderStatus GraphQL subscription
// The source of truth is order_events, the store's gap-free, commit-ordered activity sequence,
// so every stream is "send each row after the last one sent".
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../../../platform/db/index.js';
import { ServiceUnavailableError } from '../../../platform/http/errors.js';
import type { LiveFanout } from '../../../platform/live/index.js';
import type { TenancyApi } from '../../tenancy/index.js';
import type { OrderDeliveries } from '../deliveries.js';
import { createActivityReader } from './activity.js';
import { registerCustomerStream } from './customer-stream.js';
import { createStoreWatches } from './fan-out.js';
import { createFollowing, type FollowInput, type Sink } from './follower.js';
import { registerKitchenFeed } from './kitchen-feed.js';
import { createKitchenPresence } from './presence.js';
import { createSseStreams, flushed } from './sse.js';
import { createOrderStatusSubscription } from './subscription.js';

export interface OrderFeedDeps {
  db: Db;
  /** Opens the orders' delivery details: the kitchen sees where to and whom (deliveries.ts). */
  deliveries: OrderDeliveries;
  fanout: LiveFanout;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  logger: Logger;
  /** A `: heartbeat` comment this often keeps proxies from closing quiet streams. Default 15 s. */
  heartbeatMs?: number;
  /** The backstop: each watched store is read this often even without a wake-up. Default 5 s. */
  pollMs?: number;
  /** Rows per read while catching up. Default 200. */
  batchSize?: number;
}

export function createOrderFeed(deps: OrderFeedDeps) {
  const { db } = deps;
  const watches = createStoreWatches({ fanout: deps.fanout, pollMs: deps.pollMs ?? 5000 });
  const reader = createActivityReader({
    db,
    deliveries: deps.deliveries,
    batchSize: deps.batchSize ?? 200,
    generationOf: watches.generationOf,
  });
  const following = createFollowing({ db, reader, watches, logger: deps.logger });
  const sse = createSseStreams({ heartbeatMs: deps.heartbeatMs ?? 15_000 });
  const presence = createKitchenPresence({ db, logger: deps.logger });
  /** Every open stream's sink (SSE and GraphQL): ended when the feed closes. */
  const sinks = new Set<Sink>();
  let closed = false;

  /** Opens the event stream on the reply and wires it to a follower. */
  async function serve(reply: FastifyReply, input: FollowInput) {
    if (closed) throw new ServiceUnavailableError('SHUTTING_DOWN', 'The server is shutting down; reconnect.');
    return sse.open(reply, async (writer) => {
      const sink: Sink = {
        send: (events) => writer.write(events.map((event) => event.frame).join('')),
        writable: () => writer.writable(),
        end: () => writer.end(),
      };
      // A kitchen feed (every order of the store) is recorded as open before it follows, so
      // nothing it will show is also mailed to staff as unseen.
      const left = input.orderId === null ? await presence.opened(input.storeId) : null;
      let follower;
      try {
        follower = await following.follow({ ...input, sink });
      } catch (error) {
        left?.();
        throw error;
      }
      sinks.add(sink);
      return {
        wake: () => follower.wake(),
        stop: () => {
          follower.stop();
          sinks.delete(sink);
          left?.();
        },
      };
    });
  }

  const routes: FastifyPluginAsync = async (app) => {
    // Before the server waits for open connections to finish: an event stream never would. The
    // streams are ended and flushed before the server closes, so their connections are idle by
    // then and dropped at once (one still flushing would keep it waiting out the keep-alive timeout).
    app.addHook('preClose', async () => {
      const responses = sse.responses();
      for (const sink of [...sinks]) sink.end();
      await Promise.all(responses.map((response) => flushed(response, 1000)));
    });
    app.addHook('onClose', async () => close());
    registerKitchenFeed(app, { tenancy: deps.tenancy, serve });
    registerCustomerStream(app, { db, serve });
  };

  const graphql = createOrderStatusSubscription({ db, follow: following.follow, closing: () => closed, sinks });

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    for (const sink of [...sinks]) sink.end();
    following.stopAll();
    sse.stopHeartbeat();
    presence.stop();
  }

  return {
    /** The two SSE routes (mount under /v1). Ends open streams when the app closes. */
    routes,
    /**
     * Tells every node's streams of the store to look: call after each committed write of the
     * store's orders. Rejects when the fan-out is unreachable (streams then catch up by polling).
     */
    announce: watches.announce,
    /** The orderStatus subscription, for the app to hand to the /graphql host. */
    graphql,
    /** Whether any process has a kitchen feed of the store open (staff are mailed new orders only when none is). */
    kitchenFeedOpen: (ex: Db, storeId: string) => presence.isOpen(ex, storeId),
    /** Ends open streams and subscriptions and stops listening (also done when the app closes). */
    close,
  };
}

export type OrderFeed = ReturnType<typeof createOrderFeed>;
