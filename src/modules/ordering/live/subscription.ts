// The orderStatus GraphQL subscription: an order's history, then its changes as they happen,
// complete once it reaches a final status. The same follower as the SSE stream, delivered
// through an async iterator to the /graphql host (mercurius).
import { GraphQLError } from 'graphql';
import type { Principal } from '../../../platform/auth/principal.js';
import type { Db } from '../../../platform/db/index.js';
import { AppError } from '../../../platform/http/errors.js';
import { subscriptionPrincipal, type GraphqlExtension } from '../../../platform/http/graphql.js';
import { isUuid } from '../../../platform/http/schema.js';
import { mayViewOrder } from '../access.js';
import { ordersRepo } from '../repo.js';
import { ORDER_STATUSES, type OrderStatus } from '../schema.js';
import { isFinal } from '../statuses.js';
import type { Follower, Following, Sink } from './follower.js';

const ORDER_STATUS_SDL = /* GraphQL */ `
  enum OrderStatus {
${ORDER_STATUSES.map((status) => `    ${status}`).join('\n')}
  }

  "A change of an order: its placement, a status change or a payment change."
  type OrderStatusEvent {
    orderId: ID!
    "Per store per local day, e.g. A-042."
    number: String!
    status: OrderStatus!
    fromStatus: OrderStatus
    "RFC 3339, UTC."
    at: String!
  }

  type Subscription {
    """
    An order's history, then its changes as they happen; complete once it reaches a final status.
    For its customer or the store's people: authenticate with the connection_init payload
    {"authorization": "Bearer <token>"}.
    """
    orderStatus(orderId: ID!): OrderStatusEvent
  }
`;

interface OrderStatusEvent {
  orderId: string;
  number: string;
  status: OrderStatus;
  fromStatus: OrderStatus | null;
  at: string;
}

/** An AsyncIterator fed by push, for GraphQL subscriptions; return() (the client unsubscribed) runs onReturn at once. */
function createPushIterator<T>(onReturn: () => void) {
  const buffered: T[] = [];
  const waiting: Array<(result: IteratorResult<T>) => void> = [];
  let ending = false;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    buffered.length = 0;
    onReturn();
    for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
  };
  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (buffered.length > 0) return Promise.resolve({ value: buffered.shift()!, done: false });
      if (done || ending) {
        finish();
        return Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    return() {
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return {
    iterator,
    push(value: T) {
      if (done || ending) return;
      const resolve = waiting.shift();
      if (resolve) resolve({ value, done: false });
      else buffered.push(value);
    },
    /** No more values: the buffered ones are still handed out, then the iterator is done. */
    end() {
      ending = true;
      if (buffered.length === 0) finish();
    },
  };
}

const notFound = () => new GraphQLError('No such order.', { extensions: { code: 'NOT_FOUND' } });

export function createOrderStatusSubscription(deps: {
  db: Db;
  follow: Following['follow'];
  /** The feed is closing: no new subscriptions. */
  closing(): boolean;
  /** Open sinks, ended when the feed closes. */
  sinks: Set<Sink>;
}): GraphqlExtension {
  return {
    typeDefs: ORDER_STATUS_SDL,
    resolvers: {
      Subscription: {
        orderStatus: {
          async subscribe(_root: unknown, args: { orderId: string }, context: unknown) {
            let principal: Principal | null;
            try {
              principal = await subscriptionPrincipal(context);
            } catch (error) {
              if (error instanceof AppError)
                throw new GraphQLError(error.message, { extensions: { code: error.code } });
              throw error;
            }
            if (!principal)
              throw new GraphQLError(
                'Send {"authorization": "Bearer <token>"} in connection_init to follow an order.',
                { extensions: { code: 'UNAUTHENTICATED' } },
              );
            // The same gate as the SSE route's access rule: API keys need the read scope.
            if (principal.kind === 'api_key' && !principal.scopes.includes('orders:read')) {
              throw new GraphQLError('This API key lacks the scope(s): orders:read.', {
                extensions: { code: 'INSUFFICIENT_SCOPE' },
              });
            }
            if (!isUuid(args.orderId)) throw notFound();
            const row = await ordersRepo.findOrder(deps.db, args.orderId);
            if (!row || !mayViewOrder(principal, row)) throw notFound();
            if (deps.closing())
              throw new GraphQLError('The server is shutting down; reconnect.', {
                extensions: { code: 'SHUTTING_DOWN' },
              });

            let follower: Follower | null = null;
            const events = createPushIterator<OrderStatusEvent>(() => {
              follower?.stop();
              deps.sinks.delete(sink);
            });
            const sink: Sink = {
              // mercurius takes values one at a time as it sends them; a replay is one order's history.
              writable: () => Promise.resolve(),
              send: (batch) => {
                for (const event of batch)
                  events.push({
                    orderId: event.order.id,
                    number: event.order.number,
                    status: event.status,
                    fromStatus: event.fromStatus,
                    at: event.at,
                  });
              },
              end: () => events.end(),
            };
            follower = await deps.follow({
              storeId: row.store_id,
              orderId: row.id,
              after: 0,
              finalAlready: isFinal(row.status),
              sink,
            });
            deps.sinks.add(sink);
            follower.wake();
            return events.iterator;
          },
          resolve: (event: OrderStatusEvent) => event,
        },
      },
    },
  };
}
