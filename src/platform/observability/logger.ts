// Structured JSON logs. Anything that could identify a person or grant access is redacted
// before it is written, wherever it appears in the plain data of a log object.
import pino, { type LoggerOptions } from 'pino';
import { traceFields } from './tracing.js';

const SENSITIVE_KEYS = new Set([
  'password',
  'new_password',
  'email',
  'phone',
  // An order's delivery details (address, contact, instructions), a message's recipient.
  'delivery',
  'address',
  'instructions',
  'recipient',
  'token',
  'access_token',
  'refresh_token',
  'secret',
  'client_secret',
  'secret_key',
  'webhook_secret',
  'card_number',
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
]);
const CENSOR = '[redacted]';
// Query parameters whose values are never personal (paging, filters by id, channel, time); any
// other parameter's value is censored in logged URLs: `?q=` of the customer search is a name,
// an email or a phone number, `?to=` of the sandbox outbox an email.
const PLAIN_QUERY_PARAMETERS = new Set([
  'limit',
  'cursor',
  'channel',
  'at',
  'date',
  'status',
  'from',
  'org',
  'store',
  'parent',
  'account',
]);
// Deeper than any log object we write; a bound keeps a cyclic object from looping.
const MAX_DEPTH = 10;

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Returns `value` with every sensitive key censored, copying only the objects that change (the
 * caller's object is never modified). Walks plain objects and arrays; class instances (errors,
 * requests, dates) are left to their serializers. This replaces pino's wildcard `redact` paths,
 * which only reach a fixed depth and, with a dozen keys, doubled the cost of a request's logging.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const clean = redact(item, depth + 1);
      if (clean !== item) (copy ??= value.slice())[index] = clean;
    }
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    const clean = SENSITIVE_KEYS.has(key.toLowerCase()) ? CENSOR : redact(item, depth + 1);
    if (clean !== item) (copy ??= { ...value })[key] = clean;
  }
  return copy ?? value;
}

/** `url` with the value of every query parameter not known to be plain replaced by [redacted]. */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const cut = pair.indexOf('=');
      const key = cut === -1 ? pair : pair.slice(0, cut);
      return cut === -1 || PLAIN_QUERY_PARAMETERS.has(key) ? pair : `${key}=${CENSOR}`;
    });
  return `${url.slice(0, start)}?${query.join('&')}`;
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  headers?: Record<string, string | string[] | undefined>;
  socket?: { remotePort?: number };
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    // pino's own redaction stays only where it is cheap (exact paths, no wildcards) and reaches
    // what formatters.log does not: child logger bindings, and serialized requests and replies
    // should a serializer ever add headers.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        ...[...SENSITIVE_KEYS].map((key) => `["${key}"]`),
      ],
      censor: CENSOR,
    },
    base: { service: 'brigade', pid: process.pid },
    // Fastify's request fields, with query values that may be personal censored (redactUrl).
    serializers: {
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        version: req.headers?.['accept-version'],
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
    // trace_id/span_id of the active span, when tracing is on: logs and traces join up.
    mixin: traceFields,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redact(object) as Record<string, unknown>,
    },
  };
}

/** Lines go to stdout, or to stderr for commands whose stdout is their answer (`brigade check`). */
export function createLogger(level: string, destination: 'stdout' | 'stderr' = 'stdout') {
  return destination === 'stdout' ? pino(loggerOptions(level)) : pino(loggerOptions(level), pino.destination(2));
}
