// Server-sent events on the wire: the frame format, the response headers, the opening `retry:`,
// a `: heartbeat` comment that keeps proxies from closing quiet streams, backpressure, and
// cutting off a client that reads too slowly. Knows nothing of orders: what feeds a stream is
// attached by the caller.
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';

/** A stream whose client reads slower than this much is buffered is dropped; it resumes from its Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const RETRY_MS = 2000;

export const EVENT_FORMAT =
  'Server-sent events (text/event-stream). Each event has `id:` (opaque; send it back as `Last-Event-ID`, or `?last_event_id=`, to resume), ' +
  '`event:` `order.placed`, `order.status_changed` or `order.payment_changed`, and `data:` JSON ' +
  '`{type, from_status, status, actor, reason, at, order}` where `order` is the order as it is when the event is sent (its current status, not the event’s). ' +
  'Events come in the store’s commit order, each once per connection. The stream starts with `retry: 2000`, sends a `: heartbeat` comment when quiet, ' +
  'and may be ended by the server (shutdown, a client reading too slowly): reconnect with the last id to miss nothing. A malformed Last-Event-ID is a 400 before the stream starts.';

export const SseResponse = {
  description: 'An event stream',
  content: {
    'text/event-stream': { schema: Type.String({ description: 'Server-sent events; see the operation description' }) },
  },
};

/** One event as it goes on the wire. */
export const sseFrame = (id: string, event: string, data: string) => `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;

/** Where whatever feeds a stream writes to. */
export interface SseWriter {
  write(chunk: string): void;
  /** Resolves when the client has taken in enough of what was written to be given more. */
  writable(): Promise<void>;
  end(): void;
}

/** What feeds an open stream: woken once the stream's head is out, stopped when the stream closes. */
export interface SseFeeder {
  wake(): void;
  stop(): void;
}

/** Resolves once the response has been sent; a client that will not take it in time is cut off. */
export function flushed(response: ServerResponse, timeoutMs: number): Promise<void> {
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

export function createSseStreams(options: { heartbeatMs: number }) {
  /** Open event streams and the responses they are piped into. */
  const open = new Map<PassThrough, ServerResponse>();
  let heartbeat: NodeJS.Timeout | undefined;

  function startHeartbeat() {
    if (heartbeat) return;
    heartbeat = setInterval(() => {
      for (const body of open.keys()) if (!body.destroyed && !body.writableEnded) body.write(': heartbeat\n\n');
    }, options.heartbeatMs);
    heartbeat.unref();
  }

  function stopHeartbeat() {
    clearInterval(heartbeat);
    heartbeat = undefined;
  }

  return {
    /**
     * Opens an event stream on the reply. `attach` wires the writer to what will feed it; when it
     * throws, no stream is opened (the error is the answer).
     */
    async open(reply: FastifyReply, attach: (writer: SseWriter) => Promise<SseFeeder>) {
      const body = new PassThrough();
      // Fastify reports a failed stream itself; without a listener an error would be thrown.
      body.on('error', () => undefined);
      const writer: SseWriter = {
        write: (chunk) => {
          if (body.destroyed || body.writableEnded) return;
          body.write(chunk);
          // A client this far behind is cut off rather than buffered without end; it resumes with its last id.
          if (body.writableLength > MAX_BUFFERED_BYTES) body.destroy();
        },
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
      const feeder = await attach(writer);
      open.set(body, reply.raw);
      startHeartbeat();
      body.on('close', () => {
        feeder.stop();
        open.delete(body);
        if (open.size === 0 && heartbeat) stopHeartbeat();
      });
      body.write(`retry: ${RETRY_MS}\n\n`);
      reply
        .code(200)
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-accel-buffering', 'no');
      feeder.wake();
      return reply.send(body);
    },

    /** The responses of the open streams (to wait for their last bytes at shutdown). */
    responses: (): ServerResponse[] => [...open.values()],

    stopHeartbeat,
  };
}

export type SseStreams = ReturnType<typeof createSseStreams>;
