// Test clients for the live streams: an SSE reader (fetch plus the frame parsing a browser's
// EventSource does) and a graphql-transport-ws client, both over real sockets. The caller closes
// what it opened with closeLiveClients (afterEach).
import WebSocket from 'ws';
import { waitFor } from './wait.js';

export interface SseEvent {
  id: string | null;
  event: string;
  data: {
    type: string;
    from_status: string | null;
    status: string;
    actor: string;
    reason: string | null;
    at: string;
    order: { id: string; status: string; number: string };
  };
}

export interface OpenStream {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  retry: number | null;
  /** The server ended the stream. */
  ended: boolean;
  close(): void;
}

const streams: OpenStream[] = [];
const sockets: WebSocket[] = [];

/** Aborts every stream and drops every socket opened since the last call. */
export function closeLiveClients(): void {
  for (const stream of streams.splice(0)) stream.close();
  for (const socket of sockets.splice(0)) socket.terminate();
}

function parseFrame(stream: OpenStream, frame: string): void {
  let id: string | null = null;
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
    else if (line.startsWith('id: ')) id = line.slice(4);
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
    else if (line.startsWith('retry: ')) stream.retry = Number(line.slice(7));
  }
  if (data.length > 0) stream.events.push({ id, event, data: JSON.parse(data.join('\n')) as SseEvent['data'] });
}

/** Opens an event stream; `events` fills as frames arrive. A non-2xx answer leaves `events` empty. */
export async function openStream(
  url: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const stream: OpenStream = {
    status: res.status,
    headers: res.headers,
    events: [],
    comments: [],
    retry: null,
    ended: false,
    close: () => controller.abort(),
  };
  streams.push(stream);
  if (!res.ok || !res.body) return stream;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          parseFrame(stream, buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
      stream.ended = true;
    } catch {
      // aborted by close()
    }
  })();
  return stream;
}

/** A plain GET expected to fail: status, content type and problem body. */
export async function problemOf(url: string, token: string | null, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: (await res.json()) as { code: string; errors?: Array<{ path: string }> },
  };
}

/** "A-001 order.placed placed" per event: what a kitchen screen would show, in order. */
export const summary = (stream: OpenStream) =>
  stream.events.map((event) => `${event.data.order.number} ${event.event} ${event.data.status}`);

export interface GqlMessage {
  type: string;
  id?: string;
  payload?: {
    data?: { orderStatus: { orderId: string; number: string; status: string; fromStatus: string | null; at: string } };
    message?: string;
  } & Array<{ message: string; extensions?: { code?: string } }>;
}

/** A graphql-transport-ws client on `baseUrl`/graphql: connection_init with `payload`, then whatever the server says. */
export async function graphqlSocket(baseUrl: string, payload: Record<string, unknown> | undefined) {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  sockets.push(socket);
  const messages: GqlMessage[] = [];
  const state = { closed: false };
  socket.on('message', (raw: WebSocket.RawData) => messages.push(JSON.parse(raw.toString()) as GqlMessage));
  socket.on('close', () => {
    state.closed = true;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload }));
  await waitFor('the connection answer', () =>
    messages.some((message) => message.type === 'connection_ack' || message.type === 'connection_error'),
  );
  const subscribe = (id: string, orderId: string) =>
    socket.send(
      JSON.stringify({
        id,
        type: 'subscribe',
        payload: {
          query: 'subscription ($id: ID!) { orderStatus(orderId: $id) { orderId number status fromStatus at } }',
          variables: { id: orderId },
        },
      }),
    );
  const of = (id: string) => messages.filter((message) => message.id === id);
  /** The orderStatus values received for subscription `id`, in order. */
  const statuses = (id: string) =>
    of(id).flatMap((message) =>
      message.type === 'next' && message.payload?.data ? [message.payload.data.orderStatus] : [],
    );
  return { socket, messages, state, subscribe, of, statuses };
}
