// A bare platform server for testing machinery without the modules: createServer() plus access
// control, with routes the test adds itself. A log capture: pino writing into memory. And a
// listening server on a free port, for clients that need real sockets (streams, WebSockets).
import type { IncomingMessage } from 'node:http';
import net, { type Socket } from 'node:net';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { registerAccessControl, type Authenticate } from '../platform/auth/access.js';
import type { Principal } from '../platform/auth/principal.js';
import { UnauthenticatedError } from '../platform/http/errors.js';
import { createServer, type App } from '../platform/http/server.js';
import { loggerOptions } from '../platform/observability/logger.js';
import { testConfig } from './config.js';

export type LogLine = Record<string, unknown> & { msg?: string; level?: string; request_id?: string };

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines(): LogLine[];
}

/** A logger with Brigade's options (redaction included) that writes into memory. */
export function captureLogs(level = 'info'): CapturedLogs {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino(loggerOptions(level), stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as LogLine),
  };
}

/** Credentials a bare server understands: `Bearer <name>` for each principal given. */
export function authenticateFrom(principals: Record<string, Principal>): Authenticate & { calls: string[] } {
  const calls: string[] = [];
  const authenticate = async (credential: string) => {
    calls.push(credential);
    const principal = principals[credential];
    if (!principal) throw new UnauthenticatedError('The access token is not valid.', 'INVALID_TOKEN');
    return principal;
  };
  return Object.assign(authenticate, { calls });
}

export interface BareServerOptions {
  env?: Record<string, string>;
  logger?: Logger;
  authenticate?: Authenticate;
}

/** createServer() + registerAccessControl(); add routes, then `await app.ready()`. */
export async function createBareServer(options: BareServerOptions = {}): Promise<App> {
  const config = testConfig(options.env);
  const app = await createServer(config, options.logger ?? pino({ level: 'silent' }));
  registerAccessControl(app, { authenticate: options.authenticate ?? authenticateFrom({}) });
  return app;
}

export interface Listening {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Drops sockets that never carried a request, then closes the app. */
  close(): Promise<void>;
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Listens on loopback (a free port unless `port` is given). Close it through the returned close, not app.close(). */
export async function listenForTests(app: App, port = 0): Promise<Listening> {
  await app.listen({ port, host: '127.0.0.1' });
  // fetch (undici) opens spare connections that never carry a request; the server would wait
  // for each until its headers timeout (60 s) on close. Remember them, to drop them on close.
  const silent = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    silent.add(socket);
    socket.once('close', () => silent.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage) => silent.delete(request.socket));
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      for (const socket of silent) socket.destroy();
      await app.close();
    },
  };
}
