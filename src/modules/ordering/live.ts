// Live order tracking: the kitchen feed of a store and the status stream of one order (SSE), and
// the same stream as a GraphQL subscription.
//
// The source of truth is order_events, the store's gap-free, commit-ordered activity sequence,
// so every stream is "send each row after the last one sent": resuming from Last-Event-ID,
// catching up after a lost wake-up and replaying after a reconnect are one query. The fan-out
// only says "store X changed, look" (announce, after every committed order write); a poll every
// `pollMs` is the backstop for the message the fan-out will one day lose. Streams of the same
// store on a node share one subscription, one poll timer, and the reads made for one wake-up.
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { Type } from 'typebox';
import type { Principal } from '../../platform/auth/principal.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, BadRequestError, NotFoundError, ServiceUnavailableError } from '../../platform/http/errors.js';
import { subscriptionPrincipal, type GraphqlExtension } from '../../platform/http/graphql.js';
import { decodeCursor, encodeCursor, isUuid, problems } from '../../platform/http/schema.js';
import type { LiveFanout, LiveSubscription } from '../../platform/live/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import { access, assertOrderingRule, mayFollowRule, RULES } from './access.js';
import { liveRepo } from './live-repo.js';
import { presentHistory, presentOrder } from './present.js';
import { orderingRepo, type EventRow, type LineRow, type OrderRow } from './repo.js';
import { OrderParams, StoreParams, type Order, type OrderStatus } from './schema.js';
import { FINAL_STATUSES } from './state-machine.js';

export interface OrderFeedDeps {
  db: Db;
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

/** One row of the activity sequence, ready to send; built once per wake-up, shared by the streams that send it. */
interface FeedEvent {
  seq: number;
  type: EventRow['type'];
  fromStatus: OrderStatus | null;
  status: OrderStatus;
  at: string;
  order: Order;
  /** The SSE frame. */
  frame: string;
}

/** Where a stream delivers. */
interface Sink {
  send(events: FeedEvent[]): void;
  /** Resolves when the client has taken in enough of what was sent to be given more (backpressure while catching up). */
  writable(): Promise<void>;
  /** The stream is complete (the order reached a final status) or the feed is closing. */
  end(): void;
}

/** A stream's position in its store's sequence, and what moves it on. */
interface Follower {
  readonly storeId: string;
  /** null: every order of the store (kitchen feed). */
  readonly orderId: string | null;
  wake(): void;
  stop(): void;
}

/** What one read returns: the events, whether more may follow, and the last sequence number read. */
interface Batch {
  events: FeedEvent[];
  more: boolean;
  last: number | null;
}

interface StoreWatch {
  followers: Set<Follower>;
  subscription: LiveSubscription;
  poll: NodeJS.Timeout;
  /** Bumped on every wake-up: reads are shared only among streams woken by the same one. */
  generation: number;
}

const TAGS = ['ordering'];
const SIGNED = { security: [{ bearer: [] }] };
const FINAL = new Set<OrderStatus>(FINAL_STATUSES);
/** A stream whose client reads slower than this much is buffered is dropped; it resumes from its Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const RETRY_MS = 2000;

const topicOf = (storeId: string) => `ordering.store.${storeId}`;

const LastEventIdHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'The id of the last event received (EventSource sends it when it reconnects)',
    }),
  ),
});
const LastEventIdQuery = Type.Object(
  {
    last_event_id: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Same as the Last-Event-ID header, for clients that cannot set headers; the header wins when both are sent',
      }),
    ),
  },
  { additionalProperties: false },
);

const EVENT_FORMAT =
  'Server-sent events (text/event-stream). Each event has `id:` (opaque; send it back as `Last-Event-ID`, or `?last_event_id=`, to resume), ' +
  '`event:` `order.placed`, `order.status_changed` or `order.payment_changed`, and `data:` JSON ' +
  '`{type, from_status, status, actor, reason, at, order}` where `order` is the order as it is when the event is sent (its current status, not the event’s). ' +
  'Events come in the store’s commit order, each once per connection. The stream starts with `retry: 2000`, sends a `: heartbeat` comment when quiet, ' +
  'and may be ended by the server (shutdown, a client reading too slowly): reconnect with the last id to miss nothing. A malformed Last-Event-ID is a 400 before the stream starts.';

const SseResponse = {
  description: 'An event stream',
  content: {
    'text/event-stream': { schema: Type.String({ description: 'Server-sent events; see the operation description' }) },
  },
};

/** `id:` of an event: base64url of its sequence number, like the list cursors. */
const cursorOf = (seq: number) => encodeCursor({ seq: String(seq) });

function parseLastEventId(header: string | undefined, query: string | undefined): number | null {
  const raw = header ?? query;
  if (raw === undefined || raw.trim() === '') return null;
  try {
    const key = decodeCursor(raw.trim(), ['seq'] as const, (candidate) => /^\d{1,15}$/.test(candidate.seq));
    if (key) return Number(key.seq);
  } catch {
    // the problem below names the right field
  }
  const path = header !== undefined ? '/headers/last-event-id' : '/querystring/last_event_id';
  throw new BadRequestError('INVALID_LAST_EVENT_ID', 'Last-Event-ID is not an event id this API sent.', [
    { path, message: 'is not an event id of this stream' },
  ]);
}

/** Its customer, the partner key that placed it, or the store's people (as GET /v1/orders/{id}). */
function mayFollowOrder(principal: Principal | null, row: OrderRow): boolean {
  if (principal?.kind === 'user' && row.customer_id === principal.userId) return true;
  if (principal?.kind === 'api_key' && row.placed_by === `api_key:${principal.apiKeyId}`) return true;
  return mayFollowRule(principal, RULES.readStoreOrders, {
    organizationId: row.organization_id,
    storeId: row.store_id,
  });
}

function toFeedEvent(row: EventRow, order: Order): FeedEvent {
  const seq = Number(row.seq);
  const entry = presentHistory([row])[0]!;
  const data = JSON.stringify({ ...entry, order });
  return {
    seq,
    type: row.type,
    fromStatus: row.from_status,
    status: row.to_status,
    at: entry.at,
    order,
    frame: `id: ${cursorOf(seq)}\nevent: order.${row.type}\ndata: ${data}\n\n`,
  };
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

export const ORDER_STATUS_SDL = /* GraphQL */ `
  enum OrderStatus {
    placed
    accepted
    preparing
    ready
    picked_up
    out_for_delivery
    delivered
    completed
    rejected
    cancelled
    expired
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

/** Resolves once the response has been sent; a client that will not take it in time is cut off. */
function flushed(response: ServerResponse, timeoutMs: number): Promise<void> {
  if (response.writableFinished || response.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      response.destroy();
      done();
    }, timeoutMs);
    response.once('finish', done);
    response.once('close', done);
  });
}

export function createOrderFeed(deps: OrderFeedDeps) {
  const { db, fanout, logger } = deps;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const pollMs = deps.pollMs ?? 5000;
  const batchSize = deps.batchSize ?? 200;

  const watches = new Map<string, StoreWatch>();
  const followers = new Set<Follower>();
  /** Open event streams and the responses they are piped into. */
  const sseStreams = new Map<PassThrough, ServerResponse>();
  const sinks = new Set<Sink>();
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;

  // --- reading --------------------------------------------------------------------------------

  const inflight = new Map<string, Promise<Batch>>();

  async function load(storeId: string, orderId: string | null, after: number): Promise<Batch> {
    const rows =
      orderId === null
        ? await liveRepo.storeEventsAfter(db, storeId, after, batchSize)
        : await liveRepo.orderEventsAfter(db, orderId, after, batchSize);
    if (rows.length === 0) return { events: [], more: false, last: null };
    const ids = [...new Set(rows.map((row) => row.order_id))];
    const [orders, lines] = await Promise.all([liveRepo.ordersByIds(db, ids), orderingRepo.linesOf(db, ids)]);
    const linesOf = new Map<string, LineRow[]>();
    for (const line of lines) {
      const list = linesOf.get(line.order_id);
      if (list) list.push(line);
      else linesOf.set(line.order_id, [line]);
    }
    const presented = new Map(orders.map((row) => [row.id, presentOrder(row, linesOf.get(row.id) ?? [])]));
    const events: FeedEvent[] = [];
    for (const row of rows) {
      const order = presented.get(row.order_id);
      // The order is gone (its store was deleted mid-read): so are its events.
      if (order) events.push(toFeedEvent(row, order));
    }
    return { events, more: rows.length === batchSize, last: Number(rows[rows.length - 1]!.seq) };
  }

  /** Streams at the same position woken by the same wake-up share one read. */
  function read(storeId: string, orderId: string | null, after: number): Promise<Batch> {
    const generation = watches.get(storeId)?.generation ?? 0;
    const key = `${storeId}:${orderId ?? '*'}:${after}:${generation}`;
    let pending = inflight.get(key);
    if (!pending) {
      pending = load(storeId, orderId, after).finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    return pending;
  }

  // --- watching stores ------------------------------------------------------------------------

  function wakeStore(storeId: string) {
    const watch = watches.get(storeId);
    if (!watch) return;
    watch.generation++;
    for (const follower of watch.followers) follower.wake();
  }

  function watch(follower: Follower): Promise<void> {
    let entry = watches.get(follower.storeId);
    if (!entry) {
      const storeId = follower.storeId;
      const subscription = fanout.subscribe(topicOf(storeId), () => wakeStore(storeId));
      const poll = setInterval(() => wakeStore(storeId), pollMs);
      poll.unref();
      entry = { followers: new Set(), subscription, poll, generation: 0 };
      watches.set(storeId, entry);
    }
    entry.followers.add(follower);
    return entry.subscription.ready;
  }

  function unwatch(follower: Follower) {
    const entry = watches.get(follower.storeId);
    if (!entry || !entry.followers.delete(follower) || entry.followers.size > 0) return;
    watches.delete(follower.storeId);
    entry.subscription();
    clearInterval(entry.poll);
  }

  /**
   * Starts following a store (or one order of it) after `after` (null: from the store's latest
   * event). Listening is set up before the starting point is read, so nothing committed after
   * that point goes unnoticed. The caller opens its sink, then wakes the follower.
   */
  async function follow(input: {
    storeId: string;
    orderId: string | null;
    after: number | null;
    finalAlready: boolean;
    sink: Sink;
  }): Promise<Follower> {
    let last = 0;
    // Wake-ups before the starting point is known are ignored: the caller's first wake reads anyway.
    let positioned = false;
    let finalSent = input.finalAlready;
    let running = false;
    let again = false;
    let stopped = false;

    async function drain() {
      for (;;) {
        const batch = await read(input.storeId, input.orderId, last);
        if (stopped) return;
        const fresh = batch.events.filter((event) => event.seq > last);
        if (fresh.length > 0) {
          input.sink.send(fresh);
          if (fresh.some((event) => FINAL.has(event.status))) finalSent = true;
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
            logger.warn({ err: error, store_id: input.storeId, order_id: input.orderId }, 'live feed read failed');
          } finally {
            running = false;
          }
        })();
      },
      stop() {
        if (stopped) return;
        stopped = true;
        followers.delete(follower);
        unwatch(follower);
      },
    };

    followers.add(follower);
    try {
      await watch(follower);
      const head = await liveRepo.storeHead(db, input.storeId);
      // A position past the head (a forged or foreign id) would skip what comes next: clamp it.
      last = input.after === null ? head : Math.min(input.after, head);
      positioned = true;
    } catch (error) {
      follower.stop();
      throw error;
    }
    return follower;
  }

  // --- SSE ------------------------------------------------------------------------------------

  function startHeartbeat() {
    if (heartbeat) return;
    heartbeat = setInterval(() => {
      for (const body of sseStreams.keys()) if (!body.destroyed && !body.writableEnded) body.write(': heartbeat\n\n');
    }, heartbeatMs);
    heartbeat.unref();
  }

  /** Opens the event stream on the reply and wires it to a follower. */
  async function serve(
    reply: FastifyReply,
    input: { storeId: string; orderId: string | null; after: number | null; finalAlready: boolean },
  ) {
    if (closed) throw new ServiceUnavailableError('SHUTTING_DOWN', 'The server is shutting down; reconnect.');
    const body = new PassThrough();
    // Fastify reports a failed stream itself; without a listener an error would be thrown.
    body.on('error', () => undefined);
    const write = (chunk: string) => {
      if (body.destroyed || body.writableEnded) return;
      body.write(chunk);
      // A client this far behind is cut off rather than buffered without end; it resumes with its last id.
      if (body.writableLength > MAX_BUFFERED_BYTES) body.destroy();
    };
    const sink: Sink = {
      send: (events) => write(events.map((event) => event.frame).join('')),
      writable: () =>
        !body.writableNeedDrain
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              const done = () => {
                body.off('drain', done);
                body.off('close', done);
                resolve();
              };
              body.on('drain', done);
              body.on('close', done);
            }),
      end: () => {
        if (!body.destroyed && !body.writableEnded) body.end();
      },
    };
    const follower = await follow({ ...input, sink });
    sseStreams.set(body, reply.raw);
    sinks.add(sink);
    startHeartbeat();
    body.on('close', () => {
      follower.stop();
      sseStreams.delete(body);
      sinks.delete(sink);
      if (sseStreams.size === 0 && heartbeat) {
        clearInterval(heartbeat);
        heartbeat = undefined;
      }
    });
    body.write(`retry: ${RETRY_MS}\n\n`);
    reply
      .code(200)
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-accel-buffering', 'no');
    follower.wake();
    return reply.send(body);
  }

  const routes: FastifyPluginAsync = async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    // Before the server waits for open connections to finish: an event stream never would. The
    // streams are ended and flushed before the server closes, so their connections are idle by
    // then and dropped at once (one still flushing would keep it waiting out the keep-alive timeout).
    app.addHook('preClose', async () => {
      const responses = [...sseStreams.values()];
      for (const sink of [...sinks]) sink.end();
      await Promise.all(responses.map((response) => flushed(response, 1000)));
    });
    app.addHook('onClose', async () => close());

    app.get(
      '/stores/:storeId/orders/stream',
      {
        config: { access: access(RULES.readStoreOrders) },
        schema: {
          operationId: 'streamStoreOrders',
          summary: 'Kitchen feed (SSE): new orders and every change, resumable with Last-Event-ID',
          description: `${EVENT_FORMAT} Without an id, the feed starts with what happens from now on; with one, it first sends every event after it.`,
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          headers: LastEventIdHeaders,
          querystring: LastEventIdQuery,
          response: { 200: SseResponse, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const after = parseLastEventId(request.headers['last-event-id'], request.query.last_event_id);
        const { storeId } = request.params;
        const store = await deps.tenancy.api.findStore(storeId);
        if (!store) throw new NotFoundError('store');
        assertOrderingRule(
          request.principal,
          RULES.readStoreOrders,
          { organizationId: store.organization_id, storeId },
          'store',
        );
        return serve(reply, { storeId, orderId: null, after, finalAlready: false });
      },
    );

    app.get(
      '/orders/:orderId/events',
      {
        config: { access: { signed_in: true, scopes: ['orders:read'] } },
        schema: {
          operationId: 'streamOrderEvents',
          summary: 'An order’s status as it changes (SSE), for its customer or the store’s people',
          description: `${EVENT_FORMAT} Without an id, the stream starts with the order’s whole history; it ends after the order’s final status (picked_up, delivered, completed, rejected, cancelled, expired). 404 for anyone but the order’s customer (or the partner key that placed it) and the store’s people.`,
          tags: TAGS,
          ...SIGNED,
          params: OrderParams,
          headers: LastEventIdHeaders,
          querystring: LastEventIdQuery,
          response: { 200: SseResponse, ...problems(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const after = parseLastEventId(request.headers['last-event-id'], request.query.last_event_id);
        const row = await orderingRepo.findOrder(db, request.params.orderId);
        if (!row || !mayFollowOrder(request.principal, row)) throw new NotFoundError('order');
        return serve(reply, {
          storeId: row.store_id,
          orderId: row.id,
          after: after ?? 0,
          finalAlready: FINAL.has(row.status),
        });
      },
    );
  };

  // --- GraphQL ----------------------------------------------------------------------------------

  const notFound = () => new GraphQLError('No such order.', { extensions: { code: 'NOT_FOUND' } });

  const graphql: GraphqlExtension = {
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
            const row = await orderingRepo.findOrder(db, args.orderId);
            if (!row || !mayFollowOrder(principal, row)) throw notFound();
            if (closed)
              throw new GraphQLError('The server is shutting down; reconnect.', {
                extensions: { code: 'SHUTTING_DOWN' },
              });

            let follower: Follower | null = null;
            const events = createPushIterator<OrderStatusEvent>(() => {
              follower?.stop();
              sinks.delete(sink);
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
            follower = await follow({
              storeId: row.store_id,
              orderId: row.id,
              after: 0,
              finalAlready: FINAL.has(row.status),
              sink,
            });
            sinks.add(sink);
            follower.wake();
            return events.iterator;
          },
          resolve: (event: OrderStatusEvent) => event,
        },
      },
    },
  };

  // --- lifecycle ------------------------------------------------------------------------------

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    for (const sink of [...sinks]) sink.end();
    for (const follower of [...followers]) follower.stop();
    clearInterval(heartbeat);
    heartbeat = undefined;
  }

  return {
    /** The two SSE routes (mount under /v1). Ends open streams when the app closes. */
    routes,
    /**
     * Tells every node's streams of the store to look: call after each committed write of the
     * store's orders. Rejects when the fan-out is unreachable (streams then catch up by polling).
     */
    announce: (storeId: string): Promise<void> => fanout.publish(topicOf(storeId), ''),
    /** The orderStatus subscription, for the app to hand to the /graphql host. */
    graphql,
    /** Ends open streams and subscriptions and stops listening (also done when the app closes). */
    close,
  };
}

export type OrderFeed = ReturnType<typeof createOrderFeed>;
