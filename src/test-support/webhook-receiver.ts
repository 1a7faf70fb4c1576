// A webhook receiver for tests: a real HTTP server on loopback that records every request and
// answers what the test tells it to (200 by default), with the deduplication a receiver should do.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Webhook ids seen, each once however often it was delivered. */
  unique(): Set<string>;
  /** What the next requests get: a status, and optional headers. */
  answer(status: number, headers?: Record<string, string>): void;
  /** TCP connections made to it. */
  connections(): number;
  close(): Promise<void>;
}

export async function startReceiver(host = '127.0.0.1'): Promise<Receiver> {
  const received: Received[] = [];
  let reply = { status: 200, headers: {} as Record<string, string> };
  let connections = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(', ') : (value ?? ''),
        ]),
      );
      received.push({ headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      response.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      response.end(reply.status < 300 ? 'ok' : `failing with ${reply.status}`);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/hooks`,
    received,
    unique: () => new Set(received.map((request) => request.headers['webhook-id']!)),
    answer(status, headers = {}) {
      reply = { status, headers };
    },
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
