// A bare platform server for testing machinery without the modules: createServer() plus access
// control, with routes the test adds itself. And a log capture: pino writing into memory.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { registerAccessControl, type Authenticate } from '../platform/auth/access.js';
import type { Principal } from '../platform/auth/principal.js';
import { UnauthenticatedError } from '../platform/http/errors.js';
import { createServer, type App } from '../platform/http/server.js';
import { loggerOptions } from '../platform/observability/logger.js';
import { testConfig } from './harness.js';

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
